/**
 * Rewriting a batch with some of its records (compaction): offsets, timestamps, headers and
 * producer fields stay; count, max timestamp, length and CRC are new; compressed batches stay compressed.
 */
import { describe, expect, it } from 'vitest';
import { decodeRecordBatch, encodeRecordBatch } from '../../../../packages/protocol/src/records/record-batch.js';
import { ATTRIBUTE, setMaxTimestamp } from '../../../../packages/protocol/src/records/batch-header.js';
import { readBatchRecords, retainRecords } from '../../../../packages/protocol/src/records/retain-records.js';

const batchOf = (compression: 'none' | 'gzip' | 'lz4') =>
  encodeRecordBatch({
    compression,
    producerId: 42n,
    producerEpoch: 3,
    baseSequence: 7,
    records: [
      { key: Buffer.from('a'), value: Buffer.from('a0'), timestamp: 1000, headers: [{ key: 'h', value: Buffer.from('x') }] },
      { key: Buffer.from('b'), value: null, timestamp: 1005 },
      { key: Buffer.from('c'), value: Buffer.from('c0'), timestamp: 1010 },
    ],
  });

describe('retainRecords', () => {
  it.each(['none', 'gzip', 'lz4'] as const)('keeps the chosen records of a %s batch with their offsets, headers and producer fields, and a CRC that checks', (compression) => {
    // Prepare
    const batch = batchOf(compression);
    const read = readBatchRecords(batch, 1 << 20);

    // Act
    const kept = retainRecords(batch, read, (r) => r.key?.toString() !== 'c');
    const decoded = decodeRecordBatch(kept, 1 << 20); // throws on a CRC mismatch

    // Assess
    expect(read.records.map((r) => [r.offsetDelta, r.nullValue])).toEqual([[0, false], [1, true], [2, false]]);
    expect(decoded.header).toMatchObject({ compression, recordCount: 2, lastOffsetDelta: 2, producerId: 42n, producerEpoch: 3, baseSequence: 7, baseTimestamp: 1000, maxTimestamp: 1005 });
    expect(decoded.records.map((r) => [r.offset, r.key?.toString(), r.value?.toString() ?? null, r.headers.map((h) => h.key)])).toEqual([
      [0, 'a', 'a0', ['h']],
      [1, 'b', null, []],
    ]);
  });

  it('keeps the stamp of a batch the log stamped LogAppendTime: the bit, the append time as max timestamp, every kept record read at it', () => {
    // Prepare
    const batch = batchOf('gzip');
    setMaxTimestamp(batch, true, 1_795_697_178_669);
    const read = readBatchRecords(batch, 1 << 20);

    // Act
    const kept = retainRecords(batch, read, (r) => r.key?.toString() !== 'c');

    // Assess
    const decoded = decodeRecordBatch(kept, 1 << 20); // throws on a CRC mismatch
    expect(decoded.header.attributes & ATTRIBUTE.logAppendTime).toBe(ATTRIBUTE.logAppendTime);
    expect(decoded.header.maxTimestamp).toBe(1_795_697_178_669);
    expect(decoded.records.map((r) => r.timestamp)).toEqual([1_795_697_178_669, 1_795_697_178_669]);
  });

  it('refuses to leave a batch empty (compaction turns such a batch into a gap instead)', () => {
    // Prepare
    const batch = batchOf('none');

    // Act
    const act = () => retainRecords(batch, readBatchRecords(batch, 1 << 20), () => false);

    // Assess
    expect(act).toThrow(/at least one record/);
  });
});
