/** Serializers: built-ins, custom ones, and failures reported as SERIALIZATION_ERROR. */
import { describe, expect, it } from 'vitest';
import { FloeError } from '../../../../packages/protocol/src/errors.js';
import { toSerializer } from '../../../../packages/client/src/producer/serializers.js';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return (error as FloeError).code;
  }
  return undefined;
};

describe('serializers', () => {
  it('encodes strings as UTF-8 and JSON values as JSON text', () => {
    // Prepare
    const string = toSerializer<string>('string');
    const json = toSerializer<unknown>('json');
    // Act
    const s = string('t', 'grüße');
    const j = json('t', { n: 1, list: ['a'] });
    // Assess
    expect(s?.toString('utf8')).toBe('grüße');
    expect(JSON.parse(j!.toString('utf8'))).toEqual({ n: 1, list: ['a'] });
  });

  it('passes null and undefined through as null without calling the serializer', () => {
    // Prepare
    let calls = 0;
    const custom = toSerializer<number>(() => {
      calls++;
      return Buffer.alloc(1);
    });
    // Act
    const out = [custom('t', null), custom('t', undefined)];
    // Assess
    expect(out).toEqual([null, null]);
    expect(calls).toBe(0);
  });

  it('accepts serializer objects and functions, converting Uint8Array results to Buffers', () => {
    // Prepare
    const object = toSerializer<number>({ serialize: (topic, n) => Buffer.from(`${topic}:${n}`) });
    const fn = toSerializer<number>((n) => new Uint8Array([n, n + 1]));
    // Act
    const a = object('orders', 7);
    const b = fn('orders', 3);
    // Assess
    expect(a?.toString()).toBe('orders:7');
    expect(Buffer.isBuffer(b)).toBe(true);
    expect([...b!]).toEqual([3, 4]);
  });

  it('reports wrong input types and throwing serializers as SERIALIZATION_ERROR', () => {
    // Prepare
    const bytes = toSerializer<unknown>('bytes');
    const string = toSerializer<unknown>('string');
    const json = toSerializer<unknown>('json');
    const throwing = toSerializer<unknown>(() => {
      throw new Error('boom');
    });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    // Act
    const codes = [
      codeOf(() => bytes('t', 'a string')),
      codeOf(() => string('t', 42)),
      codeOf(() => json('t', cyclic)),
      codeOf(() => json('t', () => 1)),
      codeOf(() => throwing('t', 1)),
    ];
    // Assess
    expect(codes).toEqual(Array(5).fill('SERIALIZATION_ERROR'));
  });

  it('rejects an unknown serializer name as a configuration error', () => {
    // Act
    const code = codeOf(() => toSerializer('avro' as 'json'));
    // Assess
    expect(code).toBe('INVALID_CONFIG');
  });
});
