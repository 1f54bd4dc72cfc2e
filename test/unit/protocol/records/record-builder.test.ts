/** Moving encoded records between batches: only the offset and timestamp deltas (and the length) change. */
import { describe, expect, it } from 'vitest';
import { BATCH_HEADER_SIZE } from '../../../../packages/protocol/src/records/batch-header.js';
import { decodeRecordBatch, encodeRecordBatch, writeBatchHeader } from '../../../../packages/protocol/src/records/record-batch.js';
import { MAX_REBASE_GROWTH, rebaseRecords, skipRecords, timestampDeltaAt } from '../../../../packages/protocol/src/records/record-builder.js';

const T0 = 1_700_000_000_000;

/** A batch of `count` records, 1 ms apart, whose values tell their index; large ones past 256 B. */
function source(count: number, valueBytes = 8): Buffer {
  const records = Array.from({ length: count }, (_, i) => ({
    key: i % 3 === 0 ? null : Buffer.from(`k${i}`),
    value: Buffer.alloc(valueBytes, i % 256),
    timestamp: T0 + i,
    headers: i === 1 ? [{ key: 'h', value: Buffer.from('x') }] : undefined,
  }));
  return encodeRecordBatch({ records });
}

/** Wraps a records section in a header and decodes it. */
function asBatch(section: Buffer, count: number, baseTimestamp: number, maxTimestamp: number) {
  const batch = Buffer.alloc(BATCH_HEADER_SIZE + section.length);
  section.copy(batch, BATCH_HEADER_SIZE);
  writeBatchHeader(batch, { baseOffset: 0, partitionLeaderEpoch: -1, attributes: 0, count, baseTimestamp, maxTimestamp, producerId: -1n, producerEpoch: -1, baseSequence: -1 });
  return decodeRecordBatch(batch);
}

describe('rebaseRecords', () => {
  it.each([
    ['small values, deltas crossing varint widths', 8],
    ['values past the byte-loop threshold', 600],
  ])('copies records with shifted offsets and timestamps (%s)', (_, valueBytes) => {
    // Prepare: offsets 0..99 shifted by 40 cross the 1-byte zigzag varint limit (63 -> 64); timestamps move back 5 s.
    const src = source(100, valueBytes);
    const dst = Buffer.alloc(src.length + 100 * MAX_REBASE_GROWTH);
    // Act
    const rebased = rebaseRecords(src, BATCH_HEADER_SIZE, 100, dst, 0, 40, 5000);
    // Assess
    expect(rebased).toMatchObject({ count: 100, maxTimestampDelta: 5099 });
    const { records } = asBatch(dst.subarray(0, rebased.end), 100, T0 - 5000, T0 + 99);
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 100 }, (_, i) => i + 40));
    expect(records.map((r) => r.timestamp)).toEqual(Array.from({ length: 100 }, (_, i) => T0 + i));
    expect(records.map((r) => r.value?.[0])).toEqual(Array.from({ length: 100 }, (_, i) => i % 256));
    expect(records[3]!.key).toBeNull();
    expect(records[1]!.headers).toEqual([{ key: 'h', value: Buffer.from('x') }]);
  });

  it('takes part of a batch to the front of another (a split), offsets back to 0', () => {
    // Prepare
    const src = source(10);
    const cut = skipRecords(src, BATCH_HEADER_SIZE, 6);
    const dst = Buffer.alloc(src.length + 4 * MAX_REBASE_GROWTH);
    // Act
    const rebased = rebaseRecords(src, cut, 4, dst, 0, -6, 0);
    // Assess
    expect(rebased.end).toBeLessThanOrEqual(src.length - cut);
    const { records } = asBatch(dst.subarray(0, rebased.end), 4, T0, T0 + 9);
    expect(records.map((r) => [r.offset, r.timestamp, r.value?.[0]])).toEqual([6, 7, 8, 9].map((i) => [i - 6, T0 + i, i]));
  });

  it('stays within MAX_REBASE_GROWTH per record for the largest shifts', () => {
    // Prepare: every record at delta 0, shifted to a 5-byte offset delta and a 9-byte timestamp delta.
    const src = encodeRecordBatch({ records: Array.from({ length: 20 }, () => ({ key: null, value: Buffer.from('v'), timestamp: T0 })) });
    const sectionBytes = src.length - BATCH_HEADER_SIZE;
    const dst = Buffer.alloc(sectionBytes + 20 * MAX_REBASE_GROWTH);
    // Act
    const rebased = rebaseRecords(src, BATCH_HEADER_SIZE, 20, dst, 0, 2 ** 30, 2 ** 50);
    // Assess
    expect(rebased.end).toBeGreaterThan(sectionBytes);
    expect(rebased.end).toBeLessThanOrEqual(dst.length);
    const { records } = asBatch(dst.subarray(0, rebased.end), 20, T0 - 2 ** 50, T0);
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2 ** 30));
    expect(records.every((r) => r.timestamp === T0)).toBe(true);
  });

  it('refuses records that overrun the source, with CORRUPT_MESSAGE', () => {
    // Prepare: the last record cut short
    const src = source(3);
    const truncated = src.subarray(0, src.length - 2);
    const dst = Buffer.alloc(src.length + 3 * MAX_REBASE_GROWTH);
    // Act / Assess
    expect(() => rebaseRecords(truncated, BATCH_HEADER_SIZE, 3, dst, 0, 0, 0)).toThrow(expect.objectContaining({ code: 'CORRUPT_MESSAGE' }));
    expect(() => skipRecords(truncated, BATCH_HEADER_SIZE, 3)).toThrow(expect.objectContaining({ code: 'CORRUPT_MESSAGE' }));
  });
});

describe('timestampDeltaAt', () => {
  it('reads the timestamp delta of the record where a batch is cut', () => {
    // Prepare: records 1 ms apart, so record i's delta is i
    const src = source(10);
    // Act
    const deltas = [0, 3, 9].map((i) => timestampDeltaAt(src, skipRecords(src, BATCH_HEADER_SIZE, i)));
    // Assess
    expect(deltas).toEqual([0, 3, 9]);
    expect(() => timestampDeltaAt(src.subarray(0, src.length - 2), skipRecords(src, BATCH_HEADER_SIZE, 9))).toThrow(
      expect.objectContaining({ code: 'CORRUPT_MESSAGE' }),
    );
  });
});
