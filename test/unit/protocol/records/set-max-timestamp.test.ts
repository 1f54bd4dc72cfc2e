import { crc32c as portableCrc32c } from '@aws-crypto/crc32c';
import { describe, expect, it } from 'vitest';
import { ATTRIBUTE, BATCH_HEADER_SIZE, CRC_OFFSET, readBatchHeader, setMaxTimestamp, validateBatch } from '../../../../packages/protocol/src/records/batch-header.js';
import { decodeRecordBatch, encodeRecordBatch, type ProducedRecord } from '../../../../packages/protocol/src/records/record-batch.js';

const records: ProducedRecord[] = [
  { key: Buffer.from('a'), value: Buffer.from('one'), timestamp: 1_000 },
  { key: Buffer.from('b'), value: Buffer.from('two'), timestamp: 3_000 },
  { key: Buffer.from('c'), value: Buffer.from('three'), timestamp: 2_000 },
];
const APPEND_TIME = 1_795_697_178_669;

describe('setMaxTimestamp (the LogAppendTime stamp)', () => {
  it('sets the timestamp-type bit and maxTimestamp, recomputes a valid CRC-32C, and leaves the records as they were', () => {
    // Prepare
    const batch = encodeRecordBatch({ records, compression: 'gzip', producerId: 7, producerEpoch: 1, baseSequence: 4 });
    const before = readBatchHeader(batch);
    const recordBytes = Buffer.from(batch.subarray(BATCH_HEADER_SIZE));

    // Act
    setMaxTimestamp(batch, true, APPEND_TIME);

    // Assess
    const after = validateBatch(batch); // throws CORRUPT_MESSAGE on a CRC mismatch
    expect(batch.readUInt32BE(CRC_OFFSET)).toBe(portableCrc32c(batch.subarray(21)));
    expect(after.crc).not.toBe(before.crc);
    expect(after.attributes).toBe(before.attributes | ATTRIBUTE.logAppendTime);
    expect(after.compression).toBe('gzip');
    expect(after.maxTimestamp).toBe(APPEND_TIME);
    expect({ ...after, crc: 0, attributes: 0, maxTimestamp: 0 }).toEqual({ ...before, crc: 0, attributes: 0, maxTimestamp: 0 });
    expect(batch.subarray(BATCH_HEADER_SIZE).equals(recordBytes)).toBe(true);
    expect(decodeRecordBatch(batch).records.map((r) => r.timestamp)).toEqual([APPEND_TIME, APPEND_TIME, APPEND_TIME]);
  });

  it('clears the bit for CreateTime (Kafka on a CreateTime topic): the records read their own timestamps again', () => {
    // Prepare
    const batch = encodeRecordBatch({ records, logAppendTime: true });
    const flaggedMax = readBatchHeader(batch).maxTimestamp;

    // Act
    setMaxTimestamp(batch, false, flaggedMax);

    // Assess
    const after = validateBatch(batch);
    expect(after.attributes & ATTRIBUTE.logAppendTime).toBe(0);
    expect(after.maxTimestamp).toBe(flaggedMax);
    expect(decodeRecordBatch(batch).records.map((r) => r.timestamp)).toEqual([1_000, 3_000, 2_000]);
  });

  it('leaves a batch that already carries that type and time byte for byte', () => {
    // Prepare
    const batch = encodeRecordBatch({ records });
    const copy = Buffer.from(batch);

    // Act
    setMaxTimestamp(batch, false, readBatchHeader(batch).maxTimestamp);

    // Assess
    expect(batch.equals(copy)).toBe(true);
  });
});
