import { describe, expect, it } from 'vitest';
import { parseProduceRequest } from '../../../src/console/produce-input.js';

describe('the produce form body', () => {
  it('turns text, JSON, base64 and hex fields into the bytes they name', () => {
    // Act
    const record = parseProduceRequest({ partition: 2, key: 'k', value: '{"a":1}', valueFormat: 'json', headers: { source: 'console' } });
    const b64 = parseProduceRequest({ key: 'AAEC', keyFormat: 'base64', value: '00 ff 10', valueFormat: 'hex' });

    // Assess
    expect(record).toEqual({ partition: 2, key: Buffer.from('k'), value: Buffer.from('{"a":1}'), headers: { source: Buffer.from('console') } });
    expect(b64.key).toEqual(Buffer.from([0, 1, 2]));
    expect(b64.value).toEqual(Buffer.from([0, 0xff, 0x10]));
    expect(b64.partition).toBeUndefined();
  });

  it('treats an empty or absent key as no key (Kafka null key) and a null value as a tombstone', () => {
    // Act
    const empty = parseProduceRequest({ key: '', value: null });

    // Assess
    expect(empty.key).toBeNull();
    expect(empty.value).toBeNull();
  });

  it('refuses malformed input with INVALID_REQUEST', () => {
    // Act / Assess
    for (const body of [
      { value: '{bad', valueFormat: 'json' },
      { value: 'abc', valueFormat: 'hex' },
      { value: '!!', valueFormat: 'base64' },
      { value: 'x', valueFormat: 'yaml' },
      { value: 'x', partition: -1 },
      { value: 'x', partition: 1.5 },
      { value: 42 },
      { value: 'x', headers: { h: 1 } },
      { value: 'x', headers: [] },
      { key: 'k' }, // no value: a tombstone must be asked for with null
    ]) {
      expect(() => parseProduceRequest(body as Record<string, unknown>), JSON.stringify(body)).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    }
  });
});
