import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FloeError } from '../../../../packages/protocol/src/errors.js';
import {
  ATTRIBUTE,
  BATCH_HEADER_SIZE,
  COMPRESSION_CODECS,
  CRC_OFFSET,
  batchCrc,
  patchBaseOffset,
  validateBatch,
  type CompressionType,
} from '../../../../packages/protocol/src/records/batch-header.js';
import { compress, decompress } from '../../../../packages/protocol/src/records/compression.js';
import {
  decodeRecordBatch,
  decodeRecordBatches,
  encodeRecordBatch,
  estimateRecordSize,
  type DecodedRecord,
  type ProducedRecord,
} from '../../../../packages/protocol/src/records/record-batch.js';

// --- kafkajs's own RecordBatch codec, an independent implementation to cross-check against ---

const require = createRequire(import.meta.url);
type KafkajsHeaders = Record<string, Buffer | null | Array<Buffer | null>>;
interface KafkajsRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: KafkajsHeaders;
}
interface KafkajsBatch {
  firstOffset: string;
  firstTimestamp: string;
  maxTimestamp: string;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  partitionLeaderEpoch: number;
  records: KafkajsRecord[];
}
type KafkajsCodec = { compress(encoder: { buffer: Buffer }): Promise<Buffer>; decompress(buffer: Buffer): Promise<Buffer> };
const kafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (record: object) => unknown;
const { RecordBatch: kafkajsRecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch: (options: object) => Promise<{ buffer: Buffer }>;
};
const kafkajsBatchDecoder = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (decoder: unknown) => Promise<KafkajsBatch>;
const KafkajsDecoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => unknown;
const kafkajsCompression = require('kafkajs/src/protocol/message/compression/index.js') as {
  Codecs: Record<number, () => KafkajsCodec>;
};

const codecId = (type: CompressionType): number => COMPRESSION_CODECS.indexOf(type);

/** Encodes like kafkajs's produce request does: one Record per message, then RecordBatch. */
async function kafkajsEncode(
  records: ProducedRecord[],
  compression: CompressionType,
  ids: { producerId: number; producerEpoch: number; baseSequence: number; partitionLeaderEpoch: number },
): Promise<Buffer> {
  const timestamps = records.map((r) => r.timestamp as number);
  const first = Math.min(...timestamps);
  const encoded = records.map((r, i) =>
    kafkajsRecord({
      key: r.key,
      value: r.value,
      headers: Object.fromEntries((r.headers ?? []).map((h) => [h.key, h.value])),
      offsetDelta: i,
      timestampDelta: (r.timestamp as number) - first,
    }),
  );
  const batch = await kafkajsRecordBatch({
    compression: codecId(compression),
    records: encoded,
    firstTimestamp: first,
    maxTimestamp: Math.max(...timestamps),
    producerId: ids.producerId,
    producerEpoch: ids.producerEpoch,
    firstSequence: ids.baseSequence,
    partitionLeaderEpoch: ids.partitionLeaderEpoch,
    lastOffsetDelta: records.length - 1,
  });
  return batch.buffer;
}

const kafkajsDecode = (batch: Buffer): Promise<KafkajsBatch> => kafkajsBatchDecoder(new KafkajsDecoder(batch));

// --- helpers ---

function errorOf(fn: () => unknown): FloeError | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof FloeError) return error;
    throw error;
  }
  return undefined;
}

/** Rewrites batchLength and CRC after a test edits a batch, so the edit reaches the record parser. */
function reseal(batch: Buffer): Buffer {
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeUInt32BE(batchCrc(batch), CRC_OFFSET);
  return batch;
}

function sampleRecords(count: number, valueSize = 32): ProducedRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    key: i % 3 === 0 ? null : Buffer.from(`key-${i}`),
    value: i % 5 === 4 ? null : randomBytes(valueSize),
    timestamp: 1_700_000_000_000 + ((i * 37) % 11),
    headers: i % 2 === 0 ? [{ key: 'trace', value: Buffer.from(`t${i}`) }, { key: 'kind', value: Buffer.from('x') }] : [],
  }));
}

/** Null and empty differ; deep equality on megabyte buffers is slow, Buffer.equals is not. */
const sameBytes = (a: Buffer | null, b: Buffer | null): boolean => (a === null || b === null ? a === b : a.equals(b));

/** The fields a decoded record must carry over from the produced one. */
function expectSameRecords(decoded: DecodedRecord[], produced: ProducedRecord[], baseOffset: number): void {
  expect(decoded).toHaveLength(produced.length);
  decoded.forEach((record, i) => {
    const source = produced[i] as ProducedRecord;
    expect(record.offset).toBe(baseOffset + i);
    expect(record.timestamp).toBe(source.timestamp);
    expect(sameBytes(record.key, source.key), `record ${i} key`).toBe(true);
    expect(sameBytes(record.value, source.value), `record ${i} value`).toBe(true);
    expect(record.headers.map((h) => [h.key, h.value === null ? null : h.value.toString('hex')])).toEqual(
      (source.headers ?? []).map((h) => [h.key, h.value === null ? null : h.value.toString('hex')]),
    );
  });
}

const CODECS = COMPRESSION_CODECS;

// --- round trips ---

describe.each(CODECS)('round trip with %s', (compression) => {
  it('keeps keys, values, headers, nulls, empties and timestamps', () => {
    // Prepare
    const records: ProducedRecord[] = [
      { key: Buffer.from('k1'), value: Buffer.from('v1'), timestamp: 1_000, headers: [{ key: 'h', value: Buffer.from('hv') }] },
      { key: null, value: Buffer.from('no key'), timestamp: 999 },
      { key: Buffer.from('tombstone'), value: null, timestamp: 1_005 },
      { key: Buffer.alloc(0), value: Buffer.alloc(0), timestamp: 1_001, headers: [{ key: 'empty', value: Buffer.alloc(0) }] },
      { key: null, value: null, timestamp: 1_002, headers: [{ key: 'null-value', value: null }, { key: 'null-value', value: null }] },
      { key: Buffer.from('ü'), value: Buffer.from('ünïcödé'), timestamp: 1_003, headers: [{ key: 'clé-ключ-🔑', value: Buffer.from('v') }] },
    ];

    // Act
    const decoded = decodeRecordBatch(encodeRecordBatch({ records, compression, baseOffset: 42 }));

    // Assess
    expectSameRecords(decoded.records, records, 42);
    expect(decoded.records[3]?.value).toEqual(Buffer.alloc(0)); // empty stays empty, not null
    expect(decoded.header).toMatchObject({
      baseOffset: 42,
      compression,
      recordCount: records.length,
      lastOffsetDelta: records.length - 1,
      baseTimestamp: 999,
      maxTimestamp: 1_005,
    });
  });

  it('keeps large values (1 MiB and 3 MiB)', () => {
    // Prepare
    const records: ProducedRecord[] = [
      { key: Buffer.from('big'), value: randomBytes(1024 * 1024), timestamp: 5 },
      { key: Buffer.from('bigger'), value: Buffer.alloc(3 * 1024 * 1024, 'abc'), timestamp: 6 },
    ];

    // Act
    const decoded = decodeRecordBatch(encodeRecordBatch({ records, compression }));

    // Assess
    expectSameRecords(decoded.records, records, 0);
  });

  it('produces a batch the produce handler accepts (validateBatch)', () => {
    // Prepare
    const records = sampleRecords(50);

    // Act
    const header = validateBatch(encodeRecordBatch({ records, compression, producerId: 7, producerEpoch: 2, baseSequence: 100 }));

    // Assess
    expect(header).toMatchObject({ compression, recordCount: 50, producerId: 7n, producerEpoch: 2, baseSequence: 100 });
  });
});

describe('encodeRecordBatch header fields', () => {
  it('writes the ids, epochs and defaults Kafka expects', () => {
    // Prepare
    const records = sampleRecords(3);

    // Act
    const defaults = decodeRecordBatch(encodeRecordBatch({ records })).header;
    const explicit = decodeRecordBatch(
      encodeRecordBatch({ records, baseOffset: 2 ** 40, producerId: 2 ** 35, producerEpoch: 3, baseSequence: 9, partitionLeaderEpoch: 4 }),
    ).header;

    // Assess
    expect(defaults).toMatchObject({ baseOffset: 0, producerId: -1n, producerEpoch: -1, baseSequence: -1, partitionLeaderEpoch: -1, magic: 2 });
    expect(defaults.attributes & ATTRIBUTE.logAppendTime).toBe(0);
    expect(explicit).toMatchObject({ baseOffset: 2 ** 40, producerId: 2n ** 35n, producerEpoch: 3, baseSequence: 9, partitionLeaderEpoch: 4 });
  });

  it('stamps records without a timestamp with `now`', () => {
    // Prepare
    const records: ProducedRecord[] = [{ key: null, value: Buffer.from('a') }, { key: null, value: Buffer.from('b'), timestamp: 10 }];

    // Act
    const decoded = decodeRecordBatch(encodeRecordBatch({ records, now: 1234 }));

    // Assess
    expect(decoded.records.map((r) => r.timestamp)).toEqual([1234, 10]);
    expect([decoded.header.baseTimestamp, decoded.header.maxTimestamp]).toEqual([10, 1234]);
  });

  it('defaults `now` to the wall clock', () => {
    // Prepare
    const before = Date.now();

    // Act
    const decoded = decodeRecordBatch(encodeRecordBatch({ records: [{ key: null, value: null }] }));

    // Assess
    expect(decoded.records[0]?.timestamp).toBeGreaterThanOrEqual(before);
    expect(decoded.records[0]?.timestamp).toBeLessThanOrEqual(Date.now());
  });

  it('keeps timestamp deltas wider than int32', () => {
    // Prepare
    const records: ProducedRecord[] = [
      { key: null, value: null, timestamp: 0 },
      { key: null, value: null, timestamp: 2 ** 45 + 3 },
    ];

    // Act
    const decoded = decodeRecordBatch(encodeRecordBatch({ records }));

    // Assess
    expect(decoded.records.map((r) => r.timestamp)).toEqual([0, 2 ** 45 + 3]);
  });

  it('gives every record the batch max timestamp under LogAppendTime', () => {
    // Prepare
    const records = sampleRecords(4);

    // Act
    const decoded = decodeRecordBatch(encodeRecordBatch({ records, logAppendTime: true }));

    // Assess
    expect(decoded.header.attributes & ATTRIBUTE.logAppendTime).toBe(ATTRIBUTE.logAppendTime);
    expect(decoded.records.map((r) => r.timestamp)).toEqual(records.map(() => Math.max(...records.map((r) => r.timestamp as number))));
  });

  it('rejects bad input with a clear error code', () => {
    // Prepare
    const one = [{ key: null, value: null }];

    // Act
    const codes = [
      errorOf(() => encodeRecordBatch({ records: [] })),
      errorOf(() => encodeRecordBatch({ records: [{ key: null, value: null, timestamp: -5 }] })),
      errorOf(() => encodeRecordBatch({ records: [{ key: null, value: null, timestamp: 1.5 }] })),
      errorOf(() => encodeRecordBatch({ records: one, producerEpoch: 40_000 })),
      errorOf(() => encodeRecordBatch({ records: one, baseSequence: 2 ** 31 })),
      errorOf(() => encodeRecordBatch({ records: one, compression: 'brotli' as CompressionType })),
      errorOf(() => encodeRecordBatch({ records: [{ key: null, value: 'text' as unknown as Buffer }] })),
      errorOf(() => encodeRecordBatch({ records: [{ key: null, value: null, headers: [{ key: 5 as unknown as string, value: null }] }] })),
    ].map((e) => e?.code);

    // Assess
    expect(codes).toEqual([
      'INVALID_RECORD',
      'INVALID_TIMESTAMP',
      'INVALID_TIMESTAMP',
      'INVALID_RECORD',
      'INVALID_RECORD',
      'UNSUPPORTED_COMPRESSION_TYPE',
      'INVALID_RECORD',
      'INVALID_RECORD',
    ]);
  });
});

describe('decodeRecordBatch', () => {
  it('returns keys and values as views of the input, not copies', () => {
    // Prepare
    const batch = encodeRecordBatch({ records: sampleRecords(3) });

    // Act
    const [record] = decodeRecordBatch(batch).records;

    // Assess
    expect(record?.value?.buffer).toBe(batch.buffer);
    expect(record!.value!.byteOffset).toBeGreaterThan(batch.byteOffset);
    expect(record!.value!.byteOffset).toBeLessThan(batch.byteOffset + batch.length);
  });

  it('follows a baseOffset patched after encoding (outside the CRC)', () => {
    // Prepare
    const records = sampleRecords(5);
    const batch = encodeRecordBatch({ records });

    // Act
    patchBaseOffset(batch, 0, 1_000_000);
    const decoded = decodeRecordBatch(batch);

    // Assess
    expect(decoded.records.map((r) => r.offset)).toEqual(records.map((_, i) => 1_000_000 + i));
  });
});

describe('decodeRecordBatches', () => {
  it('decodes concatenated batches of different codecs in order', () => {
    // Prepare
    const codecs = ['none', 'gzip', 'zstd'] as const;
    const parts = codecs.map((compression, i) => ({ compression, records: sampleRecords(i + 2), baseOffset: 10 * i }));
    const encoded = parts.map((p) => encodeRecordBatch(p));

    // Act
    const decoded = decodeRecordBatches(Buffer.concat(encoded));

    // Assess
    expect(decoded).toHaveLength(3);
    decoded.forEach((batch, i) => expectSameRecords(batch.records, parts[i]!.records, parts[i]!.baseOffset));
  });

  it('ignores a trailing partial batch wherever the fetch cut it', () => {
    // Prepare
    const first = encodeRecordBatch({ records: sampleRecords(3) });
    const second = encodeRecordBatch({ records: sampleRecords(4), baseOffset: 3 });
    const whole = Buffer.concat([first, second]);

    for (let cut = first.length; cut < whole.length; cut++) {
      // Act
      const decoded = decodeRecordBatches(whole.subarray(0, cut));

      // Assess
      expect(decoded.map((b) => b.header.recordCount)).toEqual([3]);
    }
    expect(decodeRecordBatches(whole).map((b) => b.header.recordCount)).toEqual([3, 4]);
    expect(decodeRecordBatches(Buffer.alloc(0))).toEqual([]);
  });

  it('throws on a corrupt batch in the middle and on an impossible batch length', () => {
    // Prepare
    const batches = [1, 2, 3].map((n) => encodeRecordBatch({ records: sampleRecords(n) }));
    const flipped = Buffer.concat(batches);
    const at = (batches[0] as Buffer).length + 70;
    flipped[at] = (flipped[at] as number) ^ 1;
    const tiny = Buffer.concat(batches);
    tiny.writeInt32BE(20, 8);

    // Act
    const codes = [errorOf(() => decodeRecordBatches(flipped))?.code, errorOf(() => decodeRecordBatches(tiny))?.code];

    // Assess
    expect(codes).toEqual(['CORRUPT_MESSAGE', 'CORRUPT_MESSAGE']);
  });
});

describe('estimateRecordSize', () => {
  it('is an upper bound of the encoded record, at most 15 bytes over, at any position in a batch', () => {
    const record = fc.record({
      key: fc.option(fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)), { nil: null }),
      value: fc.option(fc.uint8Array({ maxLength: 20_000 }).map((b) => Buffer.from(b)), { nil: null }),
      headers: fc.array(fc.record({ key: fc.string({ unit: 'binary', maxLength: 20 }), value: fc.option(fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)), { nil: null }) }), { maxLength: 4 }),
      timestamp: fc.integer({ min: 0, max: 2 ** 40 }),
    });
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 20 }), (records) => {
        // Act
        const batch = encodeRecordBatch({ records });
        const estimated = records.reduce((sum, r) => sum + estimateRecordSize(r), 0);

        // Assess
        const actual = batch.length - BATCH_HEADER_SIZE;
        expect(estimated).toBeGreaterThanOrEqual(actual);
        expect(estimated - actual).toBeLessThanOrEqual(15 * records.length);
      }),
      { numRuns: 300 },
    );
  });
});

// --- kafkajs cross-checks ---

describe.each(CODECS)('kafkajs compatibility with %s', (compression) => {
  const saved = { ...kafkajsCompression.Codecs };

  beforeAll(() => {
    // kafkajs ships only gzip; give it Floe's codecs for the others so the record framing is still compared.
    for (const type of ['snappy', 'lz4', 'zstd'] as const) {
      kafkajsCompression.Codecs[codecId(type)] = () => ({
        compress: async (encoder) => compress(type, encoder.buffer),
        decompress: async (buffer) => decompress(type, buffer),
      });
    }
  });
  afterAll(() => {
    Object.assign(kafkajsCompression.Codecs, saved);
  });

  const ids = { producerId: 12345, producerEpoch: 3, baseSequence: 77, partitionLeaderEpoch: 5 };
  const records: ProducedRecord[] = [
    { key: Buffer.from('k0'), value: Buffer.from('v0'), timestamp: 1_700_000_000_100, headers: [{ key: 'a', value: Buffer.from('1') }, { key: 'b', value: Buffer.from('2') }] },
    { key: null, value: Buffer.from('null key'), timestamp: 1_700_000_000_050, headers: [] },
    { key: Buffer.from('tombstone'), value: null, timestamp: 1_700_000_000_200, headers: [{ key: 'ключ', value: Buffer.alloc(0) }] },
    { key: null, value: null, timestamp: 1_700_000_000_150, headers: [] },
    { key: Buffer.from('big'), value: randomBytes(100_000), timestamp: 1_700_000_000_100, headers: [] },
  ];

  it('encodes byte for byte what kafkajs encodes', async () => {
    // Act
    const ours = encodeRecordBatch({ records, compression, ...ids });
    const theirs = await kafkajsEncode(records, compression, ids);

    // Assess
    expect(ours.toString('hex')).toBe(theirs.toString('hex'));
  });

  it('decodes what kafkajs encodes', async () => {
    // Prepare
    const theirs = await kafkajsEncode(records, compression, ids);
    patchBaseOffset(theirs, 0, 500);

    // Act
    const decoded = decodeRecordBatch(theirs);

    // Assess
    expectSameRecords(decoded.records, records, 500);
    expect(decoded.header).toMatchObject({ compression, producerId: BigInt(ids.producerId), producerEpoch: ids.producerEpoch, baseSequence: ids.baseSequence });
  });

  it('is decoded by kafkajs, null header values included', async () => {
    // Prepare
    const withNullHeader = records.map((r, i) => (i === 1 ? { ...r, headers: [{ key: 'gone', value: null }] } : r));
    const ours = encodeRecordBatch({ records: withNullHeader, compression, baseOffset: 900, ...ids });

    // Act
    const decoded = await kafkajsDecode(ours);

    // Assess
    expect(decoded).toMatchObject({
      firstOffset: '900',
      producerId: String(ids.producerId),
      producerEpoch: ids.producerEpoch,
      firstSequence: ids.baseSequence,
      partitionLeaderEpoch: ids.partitionLeaderEpoch,
      maxTimestamp: String(Math.max(...records.map((r) => r.timestamp as number))),
    });
    expect(decoded.records).toHaveLength(withNullHeader.length);
    decoded.records.forEach((record, i) => {
      const source = withNullHeader[i] as ProducedRecord;
      expect(record.offset).toBe(String(900 + i));
      expect(record.timestamp).toBe(String(source.timestamp));
      expect(sameBytes(record.key, source.key), `record ${i} key`).toBe(true);
      expect(sameBytes(record.value, source.value), `record ${i} value`).toBe(true);
      expect(record.headers).toEqual(Object.fromEntries((source.headers ?? []).map((h) => [h.key, h.value])));
    });
  });
});

// --- corruption ---

describe('corruption', () => {
  it.each(CODECS)('a flipped bit anywhere under the CRC (or in it) of a %s batch is CORRUPT_MESSAGE', (compression) => {
    // Prepare
    const batch = encodeRecordBatch({ records: sampleRecords(4), compression });

    for (let at = CRC_OFFSET; at < batch.length; at++) {
      const copy = Buffer.from(batch);
      copy[at] = (copy[at] as number) ^ (1 << (at % 8));

      // Act
      const error = errorOf(() => decodeRecordBatch(copy));

      // Assess
      expect(error?.code, `byte ${at}`).toBe('CORRUPT_MESSAGE');
    }
  });

  it('a batch truncated at any length is CORRUPT_MESSAGE', () => {
    // Prepare
    const batch = encodeRecordBatch({ records: sampleRecords(6) });

    for (let cut = 0; cut < batch.length; cut++) {
      // Act
      const error = errorOf(() => decodeRecordBatch(batch.subarray(0, cut)));

      // Assess
      expect(error?.code, `cut at ${cut}`).toBe('CORRUPT_MESSAGE');
    }
  });

  it('a record section truncated with a valid CRC is CORRUPT_MESSAGE', () => {
    // Prepare
    const batch = encodeRecordBatch({ records: sampleRecords(6) });

    for (let cut = BATCH_HEADER_SIZE; cut < batch.length; cut++) {
      const copy = reseal(Buffer.from(batch.subarray(0, cut)));

      // Act
      const error = errorOf(() => decodeRecordBatch(copy));

      // Assess
      expect(error?.code, `cut at ${cut}`).toBe('CORRUPT_MESSAGE');
    }
  });

  it('a record count that disagrees with the records is CORRUPT_MESSAGE, even with a valid CRC', () => {
    // Prepare
    const batch = encodeRecordBatch({ records: sampleRecords(6) });
    const counts = [5, 7, -1, 0x7fffffff];

    // Act
    const codes = counts.map((count) => {
      const copy = Buffer.from(batch);
      copy.writeInt32BE(count, 57);
      return errorOf(() => decodeRecordBatch(reseal(copy)))?.code;
    });

    // Assess
    expect(codes).toEqual(counts.map(() => 'CORRUPT_MESSAGE'));
  });

  it('hostile field lengths with a valid CRC are CORRUPT_MESSAGE, without allocating them', () => {
    // Prepare: one record, 10-byte value; overwrite its length fields with huge varints
    const batch = encodeRecordBatch({ records: [{ key: null, value: Buffer.alloc(10), timestamp: 0 }] });
    const huge = Buffer.from([0xfe, 0xff, 0xff, 0xff, 0x07]); // zigzag varint 2^31 - 1
    const recordLength = Buffer.concat([batch.subarray(0, BATCH_HEADER_SIZE), huge, batch.subarray(BATCH_HEADER_SIZE + 1)]);
    const valueLength = Buffer.concat([batch.subarray(0, BATCH_HEADER_SIZE + 5), huge, batch.subarray(BATCH_HEADER_SIZE + 6)]);
    const negative = Buffer.from(batch);
    negative[BATCH_HEADER_SIZE + 5] = 0x03; // value length -2

    // Act
    const codes = [recordLength, valueLength, negative].map((b) => errorOf(() => decodeRecordBatch(reseal(b)))?.code);

    // Assess
    expect(codes).toEqual(['CORRUPT_MESSAGE', 'CORRUPT_MESSAGE', 'CORRUPT_MESSAGE']);
  });

  it('a record whose length covers more than its fields, or a header count it cannot hold, is CORRUPT_MESSAGE', () => {
    // Prepare: record = length(61) attrs ts offset key(-1) valueLength(66) value(67..76) headerCount(77)
    const batch = encodeRecordBatch({ records: [{ key: null, value: Buffer.alloc(10), timestamp: 0 }] });
    const bodyLength = batch.length - BATCH_HEADER_SIZE - 1;
    const padded = Buffer.concat([batch, Buffer.from([0x00])]);
    padded[BATCH_HEADER_SIZE] = (bodyLength + 1) * 2;
    const manyHeaders = Buffer.concat([batch.subarray(0, batch.length - 1), Buffer.from([0x80, 0x80, 0x80, 0x80, 0x08])]);
    manyHeaders[BATCH_HEADER_SIZE] = (bodyLength + 4) * 2;

    // Act
    const errors = [padded, manyHeaders].map((b) => errorOf(() => decodeRecordBatch(reseal(b))));

    // Assess
    expect(errors.map((e) => e?.code)).toEqual(['CORRUPT_MESSAGE', 'CORRUPT_MESSAGE']);
    expect(errors[0]?.message).toMatch(/past its fields/);
    expect(errors[1]?.message).toMatch(/declares 1073741824 headers/);
  });

  it('garbage in place of compressed records is CORRUPT_MESSAGE', () => {
    for (const compression of CODECS.filter((c) => c !== 'none')) {
      // Prepare
      const batch = encodeRecordBatch({ records: sampleRecords(3), compression });
      randomBytes(batch.length - BATCH_HEADER_SIZE).copy(batch, BATCH_HEADER_SIZE);

      // Act
      const error = errorOf(() => decodeRecordBatch(reseal(batch)));

      // Assess
      expect(error?.code, compression).toBe('CORRUPT_MESSAGE');
    }
  });

  it('an unknown codec id is UNSUPPORTED_COMPRESSION_TYPE and an old magic UNSUPPORTED_FOR_MESSAGE_FORMAT', () => {
    // Prepare
    const codec = encodeRecordBatch({ records: sampleRecords(2) });
    codec.writeInt16BE(6, 21);
    const magic = encodeRecordBatch({ records: sampleRecords(2) });
    magic[16] = 1;

    // Act
    const codes = [errorOf(() => decodeRecordBatch(reseal(codec)))?.code, errorOf(() => decodeRecordBatch(reseal(magic)))?.code];

    // Assess
    expect(codes).toEqual(['UNSUPPORTED_COMPRESSION_TYPE', 'UNSUPPORTED_FOR_MESSAGE_FORMAT']);
  });
});

// --- properties ---

const bytesOrNull = (max: number) => fc.option(fc.uint8Array({ maxLength: max }).map((b) => Buffer.from(b)), { nil: null });
const producedRecord: fc.Arbitrary<ProducedRecord> = fc.record(
  {
    key: bytesOrNull(40),
    value: bytesOrNull(300),
    headers: fc.array(fc.record({ key: fc.string({ unit: 'binary', maxLength: 16 }), value: bytesOrNull(30) }), { maxLength: 4 }),
    timestamp: fc.oneof(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 0, max: 2 ** 20 }).map((n) => 1_700_000_000_000 + n)),
  },
  { requiredKeys: ['key', 'value'] },
);

describe('properties', () => {
  it('decode(encode(records)) gives the records back, for every codec and option', () => {
    fc.assert(
      fc.property(
        fc.array(producedRecord, { minLength: 1, maxLength: 30 }),
        fc.constantFrom(...CODECS),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 2 ** 41 }),
        (records, compression, baseOffset, now) => {
          // Act
          const decoded = decodeRecordBatch(encodeRecordBatch({ records, compression, baseOffset, now }));

          // Assess
          expectSameRecords(decoded.records, records.map((r) => ({ ...r, timestamp: r.timestamp ?? now })), baseOffset);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('random bytes only ever throw FloeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, sealed) => {
        // Prepare: half the time make the framing and CRC right so the record parser sees the bytes
        const buf = Buffer.from(bytes);
        if (sealed && buf.length >= BATCH_HEADER_SIZE) {
          buf[16] = 2;
          buf.writeInt16BE(buf.readInt16BE(21) & 0x0f, 21); // codec ids 0-7, no control bits
          reseal(buf);
        }

        // Act
        const error = errorOf(() => decodeRecordBatch(buf));

        // Assess
        if (!error) expect(buf.length).toBeGreaterThanOrEqual(BATCH_HEADER_SIZE);
      }),
      { numRuns: 1000 },
    );
  });

  it('mutated valid batches (CRC resealed) only ever throw FloeError or decode consistently', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    );
    fc.assert(
      fc.property(
        fc.array(producedRecord, { minLength: 1, maxLength: 8 }),
        fc.constantFrom(...CODECS),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        (records, compression, mutations) => {
          // Prepare
          let batch = encodeRecordBatch({ records, compression });
          for (const m of mutations) {
            const span = batch.length - BATCH_HEADER_SIZE;
            const at = BATCH_HEADER_SIZE + (span === 0 ? 0 : m.at % span);
            if (m.kind === 'flip' && span > 0) batch[at] = (batch[at] as number) ^ m.xor;
            if (m.kind === 'cut') batch = Buffer.from(batch.subarray(0, at));
            if (m.kind === 'insert') batch = Buffer.concat([batch.subarray(0, at), m.bytes, batch.subarray(at)]);
          }
          reseal(batch);

          // Act
          let decoded: ReturnType<typeof decodeRecordBatch> | undefined;
          const error = errorOf(() => {
            decoded = decodeRecordBatch(batch);
          });

          // Assess
          if (!error) expect(decoded!.records).toHaveLength(decoded!.header.recordCount);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
