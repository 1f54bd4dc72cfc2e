/** The broker-side record walk (validateRecords) and the reader-side batch reading (readFetchedRecords). */
import { describe, expect, it } from 'vitest';
import { FloeError } from '../../../../packages/protocol/src/errors.js';
import { batchCrc, COMPRESSION_CODECS, CRC_OFFSET, patchBaseOffset, validateBatch } from '../../../../packages/protocol/src/records/batch-header.js';
import { readFetchedRecords } from '../../../../packages/protocol/src/records/read-fetched.js';
import { encodeRecordBatch, type ProducedRecord } from '../../../../packages/protocol/src/records/record-batch.js';
import { validateRecords } from '../../../../packages/protocol/src/records/validate-records.js';

const records: ProducedRecord[] = Array.from({ length: 20 }, (_, i) => ({
  key: i % 4 === 0 ? null : Buffer.from(`key-${i}`),
  value: i % 5 === 0 ? null : Buffer.alloc(i * 11, i),
  headers: i % 2 ? [{ key: 'trace', value: Buffer.from(`t${i}`) }, { key: 'none', value: null }] : undefined,
  timestamp: 1_700_000_000_000 + ((i * 7919) % 1000),
}));
const maxTimestamp = Math.max(...records.map((r) => r.timestamp as number));

const check = (batch: Buffer, limit = 1 << 20) => validateRecords(batch, validateBatch(batch), limit);
const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (error) {
    return error instanceof FloeError ? error.code : `not a FloeError: ${String(error)}`;
  }
  return undefined;
};
const reseal = (b: Buffer): Buffer => {
  b.writeInt32BE(b.length - 12, 8);
  b.writeUInt32BE(batchCrc(b), CRC_OFFSET);
  return b;
};

describe('validateRecords', () => {
  it.each(COMPRESSION_CODECS)('accepts what the SDK encodes (%s) and computes the max timestamp from the records', (compression) => {
    const batch = encodeRecordBatch({ records, compression });
    const summary = check(batch);
    expect(summary.maxTimestamp).toBe(maxTimestamp);
    expect(summary.recordBytes).toBeGreaterThan(0);
  });

  it('carries a 63-bit producer id exactly (beyond JavaScript\'s safe integers)', () => {
    const producerId = 2n ** 62n + 123_456_789n;
    const batch = encodeRecordBatch({ records, producerId, producerEpoch: 1, baseSequence: 7 });
    expect(validateBatch(batch).producerId).toBe(producerId);
  });

  it('takes the header max timestamp of a LogAppendTime batch', () => {
    const batch = encodeRecordBatch({ records, logAppendTime: true });
    expect(check(batch).maxTimestamp).toBe(validateBatch(batch).maxTimestamp);
  });

  it('refuses a records section that decompresses past the limit with MESSAGE_TOO_LARGE, whatever the codec', () => {
    const big = [{ key: null, value: Buffer.alloc(256 * 1024) }];
    for (const compression of COMPRESSION_CODECS.filter((c) => c !== 'none')) {
      expect(codeOf(() => check(encodeRecordBatch({ records: big, compression }), 64 * 1024)), compression).toBe('MESSAGE_TOO_LARGE');
    }
  });

  it('refuses lying counts, hostile framing and rule-breaking records with Kafka codes', () => {
    const base = () => Buffer.from(encodeRecordBatch({ records: [{ key: null, value: Buffer.from('a') }, { key: null, value: Buffer.from('b') }] }));
    const cases: Array<[string, (b: Buffer) => Buffer, string]> = [
      ['count 3 of 2', (b) => (b.writeInt32BE(3, 57), b.writeInt32BE(2, 23), b), 'CORRUPT_MESSAGE'],
      ['count 1 of 2', (b) => (b.writeInt32BE(1, 57), b.writeInt32BE(0, 23), b), 'CORRUPT_MESSAGE'],
      ['record length past the end', (b) => ((b[61] = 0x7e), b), 'CORRUPT_MESSAGE'],
      ['trailing byte', (b) => Buffer.concat([b, Buffer.from([0])]).fill(0, 0, 0), 'CORRUPT_MESSAGE'],
      ['offset delta repeated', (b) => ((b[61 + 8 + 3] = 0), b), 'INVALID_RECORD'],
      ['record attributes', (b) => ((b[62] = 1), b), 'INVALID_RECORD'],
      ['null header key', (b) => b, 'INVALID_RECORD'],
    ];
    const withNullHeaderKey = (): Buffer => {
      const b = Buffer.from(encodeRecordBatch({ records: [{ key: null, value: null, headers: [{ key: 'h', value: null }] }] }));
      // record: len attr ts off key(-1) value(-1) headers(1) keyLen(1) 'h' valueLen(-1): make keyLen -1 and drop 'h'
      const i = b.indexOf(0x68, 61);
      b[i - 1] = 0x01;
      const out = Buffer.concat([b.subarray(0, i), b.subarray(i + 1)]);
      out[61] = (((out[61] as number) >> 1) - 1) << 1;
      return out;
    };
    const results = cases.map(([name, edit]) => {
      let b = name === 'null header key' ? withNullHeaderKey() : edit(base());
      return [name, codeOf(() => check(reseal(b)))];
    });
    expect(results).toEqual(cases.map(([name, , code]) => [name, code]));
  });
});

describe('readFetchedRecords', () => {
  const batchAt = (offset: number, values: string[], compression: (typeof COMPRESSION_CODECS)[number] = 'none') => {
    const b = Buffer.from(encodeRecordBatch({ records: values.map((v) => ({ key: null, value: Buffer.from(v) })), compression }));
    patchBaseOffset(b, 0, offset);
    return b;
  };

  it('drops the records before the offset asked for, keeps the rest', () => {
    const read = readFetchedRecords(Buffer.concat([batchAt(8, ['8', '9', '10']), batchAt(11, ['11'])]), 10);
    expect(read.records.map((r) => r.offset)).toEqual([10, 11]);
    expect(read.corrupt).toBeUndefined();
  });

  it('stops at a batch that cannot be read: the records before it, and its offsets to seek past it', () => {
    const bad = batchAt(3, ['x', 'y']);
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 0xff; // CRC mismatch
    const read = readFetchedRecords(Buffer.concat([batchAt(0, ['a', 'b', 'c']), bad, batchAt(5, ['f'])]), 1);
    expect(read.records.map((r) => r.value?.toString())).toEqual(['b', 'c']);
    expect(read.corrupt).toMatchObject({ offset: 3, nextOffset: 5 });
  });

  it('bounds decompression: a batch past maxBatchBytes is corrupt, and decoding stops once maxDecodedBytes are inflated (after a first batch, unless atLeastOne is off)', () => {
    const bomb = batchAt(0, ['z'.repeat(100_000)], 'gzip');
    expect(readFetchedRecords(bomb, 0, { maxBatchBytes: 10_000 }).corrupt?.message).toContain('decompresses to more than 10000 bytes');
    const three = Buffer.concat([batchAt(0, ['a'.repeat(1000)], 'gzip'), batchAt(1, ['b'.repeat(1000)], 'gzip'), batchAt(2, ['c'])]);
    const read = readFetchedRecords(three, 0, { maxDecodedBytes: 10 });
    expect(read).toMatchObject({ truncated: true });
    expect(read.records.map((r) => r.offset)).toEqual([0]);
    expect(readFetchedRecords(three, 0, { maxDecodedBytes: 0, atLeastOne: false }).records).toEqual([]);
  });

  it('treats a trailing partial batch as Kafka does: not an error', () => {
    const whole = Buffer.concat([batchAt(0, ['a']), batchAt(1, ['b'])]);
    const read = readFetchedRecords(whole.subarray(0, whole.length - 3), 0);
    expect(read.records.map((r) => r.offset)).toEqual([0]);
    expect(read.corrupt).toBeUndefined();
  });
});
