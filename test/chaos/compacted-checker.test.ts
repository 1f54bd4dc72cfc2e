/** The compacted mode's checker finds each kind of violation, and accepts a correctly compacted log. */
import { describe, expect, it } from 'vitest';
import { checkCompacted, type KeyedAck } from '../../src/chaos/compacted-checker.js';

const acked: KeyedAck[] = [
  { offset: 0, key: 'a', value: 'a0' },
  { offset: 1, key: 'b', value: 'b0' },
  { offset: 2, key: 'a', value: 'a1' },
  { offset: 3, key: 'c', value: 'c0' },
  { offset: 4, key: 'c', value: null },
  { offset: 5, key: 'b', value: 'b1' },
];

describe('compacted checker', () => {
  it('accepts a compacted log: latest per key, a tombstone gone, everything past the horizon', () => {
    // Act
    const violations = checkCompacted(acked, [acked[2]!, acked[5]!], 5);

    // Assess
    expect(violations).toEqual([]);
  });

  it('reports a lost latest value, a missing record past the horizon, and an altered record', () => {
    // Prepare
    const altered = { ...acked[5]!, value: 'b-other' };

    // Act
    const violations = checkCompacted(acked, [acked[1]!, altered], 4);

    // Assess
    expect(violations).toEqual([
      'offset 5 holds b=b-other, acknowledged b=b1',
      'key a: its last acknowledged value (offset 2) is not readable',
      'offset 4 (c) at or after the compaction horizon 4 is missing',
    ]);
  });
});
