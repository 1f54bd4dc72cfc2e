import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { assignorName } from '../../../src/groups/assignors.js';
import { dict, fromStoredMap, toStoredMap } from '../../../src/storage/user-keyed.js';

// As the document client marshals (src/aws/clients.ts).
const MARSHALL = { removeUndefinedValues: true, convertClassInstanceToMap: true };
const NAMES = ['__proto__', '___proto__', 'constructor', 'toString', 'hasOwnProperty', 'plain'];

describe('user-keyed maps (decision 41)', () => {
  it('survive a DynamoDB round trip with every key, and read back nothing inherited', () => {
    // Prepare
    const map = dict(NAMES.map((name, i) => [name, i]));

    // Act
    const read = fromStoredMap<number>(unmarshall(marshall({ m: toStoredMap(map) }, MARSHALL)).m);

    // Assess
    expect(Object.entries(read).sort()).toEqual(NAMES.map((name, i) => [name, i]).sort());
    expect(Object.getPrototypeOf(read)).toBeNull();
    expect(dict<number>()['toString']).toBeUndefined();
  });

  it('keys other than __proto__ are stored as they are, so items written before read the same (a run of underscores before __proto__ alone gains one, decision 41)', () => {
    // Act
    const stored = marshall({ m: toStoredMap(dict([['constructor', 1], ['__proto__', 2], ['a', 3]])) }, MARSHALL);

    // Assess
    expect(Object.keys(stored.m?.M ?? {}).sort()).toEqual(['___proto__', 'a', 'constructor']);
  });

  it('an assignor named like an Object.prototype member is unknown, not a function', () => {
    expect(assignorName('constructor')).toBeUndefined();
    expect(assignorName('toString')).toBeUndefined();
    expect(assignorName('range')).toBe('range');
  });
});
