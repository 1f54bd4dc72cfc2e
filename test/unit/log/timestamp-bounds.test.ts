/**
 * Kafka's timestamp bounds of a CreateTime topic (message.timestamp.before.max.ms / after.max.ms):
 * the window a topic's configs give at a time (none on LogAppendTime, none when both are Kafka's
 * Long.MAX, never a sum past 2^53), and the record walk that checks every record against it, as
 * Kafka's LogValidator does: inside compressed batches too, -1 (no timestamp) exempt, a batch
 * flagged LogAppendTime read as its maxTimestamp.
 */
import { describe, expect, it } from 'vitest';
import { CRC_OFFSET, CRC_START, validateBatch } from '../../../packages/protocol/src/records/batch-header.js';
import { crc32c } from '../../../packages/protocol/src/records/crc32c.js';
import { encodeRecordBatch, type ProducedRecord } from '../../../packages/protocol/src/records/record-batch.js';
import { validateRecords } from '../../../packages/protocol/src/records/validate-records.js';
import { LIMITS, TOPIC_CONFIG_DEFAULTS, type TopicConfig } from '../../../src/log/limits.js';
import { RecordValidationError } from '../../../src/log/record-errors.js';
import { refuseClientLogAppendTime, refuseOutOfWindow, timestampWindowOf } from '../../../src/log/timestamp-bounds.js';

const NOW = 1_800_000_000_000;
const HOUR = 3_600_000;
const LONG_MAX = 9223372036854775807n;

const configs = (over: Partial<TopicConfig> = {}): TopicConfig => ({ ...TOPIC_CONFIG_DEFAULTS, ...over }) as TopicConfig;

const records = (timestamps: number[]): ProducedRecord[] => timestamps.map((timestamp, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), timestamp }));

/** Sets a header int64 (baseTimestamp at 27, maxTimestamp at 35) and recomputes the CRC: timestamps encodeRecordBatch refuses to write. */
function patchTimestamp(batch: Buffer, offset: 27 | 35, value: bigint): Buffer {
  batch.writeBigInt64BE(value, offset);
  batch.writeUInt32BE(crc32c(batch.subarray(CRC_START)), CRC_OFFSET);
  return batch;
}

/** What the produce path does with a batch for a topic at NOW: the out-of-window records, by index. */
function walk(batch: Buffer, topic: TopicConfig): { count: number; indexes: number[] } {
  const summary = validateRecords(batch, validateBatch(batch), 1 << 20, timestampWindowOf(topic, NOW));
  return { count: summary.outOfWindow, indexes: summary.outOfWindowRecords.map((r) => r.index) };
}

describe('timestamp bounds', () => {
  it('gives the window of a CreateTime topic at a time: Kafka 4.x defaults bound the future only; none on LogAppendTime or when both are Long.MAX', () => {
    // Prepare
    const cases = [
      configs(),
      configs({ 'message.timestamp.before.max.ms': HOUR, 'message.timestamp.after.max.ms': 0 }),
      configs({ 'message.timestamp.after.max.ms': Number.MAX_SAFE_INTEGER }),
      configs({ 'message.timestamp.type': 'LogAppendTime', 'message.timestamp.before.max.ms': 0, 'message.timestamp.after.max.ms': 0 }),
      configs({ 'message.timestamp.before.max.ms': 0, 'message.timestamp.after.max.ms': Number.MAX_SAFE_INTEGER }),
      configs({ 'message.timestamp.after.max.ms': Number.MAX_SAFE_INTEGER - 1 }),
    ];

    // Act
    const windows = cases.map((c) => timestampWindowOf(c, NOW));

    // Assess
    expect(windows.map((w) => w && [w.min, w.max])).toEqual([
      [Number.NEGATIVE_INFINITY, NOW + HOUR],
      [NOW - HOUR, NOW],
      undefined,
      undefined,
      [NOW, Number.POSITIVE_INFINITY],
      // A finite bound past 2^53 is a double, rounded by a few ms (year ~285,000): still a bound, not none.
      [Number.NEGATIVE_INFINITY, NOW + (Number.MAX_SAFE_INTEGER - 1)],
    ]);
  });

  it('checks every record, inside a compressed batch too: the window is inclusive, only the records out of it are listed', () => {
    // Prepare
    const topic = configs({ 'message.timestamp.before.max.ms': HOUR });
    const batch = encodeRecordBatch({ records: records([NOW, NOW - HOUR, NOW - HOUR - 1, NOW + HOUR, NOW + HOUR + 1, NOW]), compression: 'gzip' });

    // Act
    const found = walk(batch, topic);

    // Assess
    expect(found).toEqual({ count: 2, indexes: [2, 4] });
  });

  it('takes records without a timestamp (-1), as Kafka does, and reads a batch flagged LogAppendTime as its maxTimestamp', () => {
    // Prepare
    const topic = configs({ 'message.timestamp.before.max.ms': HOUR, 'message.timestamp.after.max.ms': HOUR });
    const noTimestamp = patchTimestamp(encodeRecordBatch({ records: records([5, 5]) }), 27, -1n);
    // Records stamped long ago, flagged LogAppendTime with a maxTimestamp of now: they read as now.
    const flaggedNow = patchTimestamp(encodeRecordBatch({ records: records([1_000, 2_000]), logAppendTime: true }), 35, BigInt(NOW));
    const flaggedOld = encodeRecordBatch({ records: records([NOW, NOW]), logAppendTime: true, now: NOW });
    patchTimestamp(flaggedOld, 35, 1_000n);

    // Act
    const found = [noTimestamp, flaggedNow, flaggedOld].map((b) => walk(b, topic));

    // Assess
    expect(found).toEqual([
      { count: 0, indexes: [] },
      { count: 0, indexes: [] },
      { count: 2, indexes: [0, 1] },
    ]);
  });

  it('refuses a timestamp of Long.MAX under the default after.max.ms and takes it when after.max.ms is Long.MAX (no overflow either way)', () => {
    // Prepare
    const batch = patchTimestamp(encodeRecordBatch({ records: records([NOW]) }), 27, LONG_MAX);
    patchTimestamp(batch, 35, LONG_MAX);
    const never = configs({ 'message.timestamp.after.max.ms': Number.MAX_SAFE_INTEGER, 'message.timestamp.before.max.ms': 0 });

    // Act
    const byDefault = walk(batch, configs());
    const unbounded = walk(batch, never);

    // Assess
    expect(byDefault.count).toBe(1);
    expect(unbounded.count).toBe(0);
  });

  it('refuses the batch with INVALID_TIMESTAMP and per-record errors, listing at most maxRecordErrors of them while counting all', () => {
    // Prepare
    const topic = { name: 'clicks', configs: configs() };
    const count = LIMITS.maxRecordErrors + 5;
    const batch = encodeRecordBatch({ records: records(Array.from({ length: count }, () => NOW + 2 * HOUR)), compression: 'lz4' });
    const window = timestampWindowOf(topic.configs, NOW);
    const summary = validateRecords(batch, validateBatch(batch), 1 << 20, window);

    // Act
    let error: unknown;
    try {
      refuseOutOfWindow(topic, window, summary);
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(RecordValidationError);
    const refused = error as RecordValidationError;
    expect(refused.code).toBe('INVALID_TIMESTAMP');
    expect(refused.kafkaCode).toBe(32);
    expect(refused.message).toContain(`${count} record(s)`);
    expect(refused.message).toContain(`[any, ${NOW + HOUR}]`);
    expect(refused.message).toContain('message.timestamp.before.max.ms=9223372036854775807');
    expect(refused.recordErrors).toHaveLength(LIMITS.maxRecordErrors);
    expect(refused.recordErrors[0]).toEqual({ batchIndex: 0, message: `Timestamp ${NOW + 2 * HOUR} of record 0 is out of range [any, ${NOW + HOUR}]` });
  });

  it('refuses a batch the client flagged LogAppendTime as Kafka\'s LogValidator does: always on a LogAppendTime topic, on a CreateTime one only without a timestamp', () => {
    // Prepare
    const flagged = encodeRecordBatch({ records: records([NOW, NOW, NOW]), logAppendTime: true, now: NOW });
    const flaggedNone = patchTimestamp(encodeRecordBatch({ records: records([NOW]), logAppendTime: true, now: NOW }), 35, -1n);
    const plain = encodeRecordBatch({ records: records([NOW]) });
    const logAppendTime = { name: 'lat', configs: configs({ 'message.timestamp.type': 'LogAppendTime' }) };
    const createTime = { name: 'ct', configs: configs({ 'message.timestamp.after.max.ms': Number.MAX_SAFE_INTEGER }) };
    const outcome = (topic: typeof createTime, batch: Buffer): unknown => {
      try {
        refuseClientLogAppendTime(topic, validateBatch(batch));
        return 'taken';
      } catch (e) {
        return e instanceof RecordValidationError ? [e.code, e.recordErrors.map((r) => r.batchIndex)] : e;
      }
    };

    // Act
    const found = [
      outcome(logAppendTime, flagged),
      outcome(logAppendTime, plain),
      outcome(createTime, flaggedNone),
      outcome(createTime, flagged),
      outcome(createTime, plain),
    ];

    // Assess
    expect(found).toEqual([['INVALID_TIMESTAMP', [0, 1, 2]], 'taken', ['INVALID_TIMESTAMP', [0]], 'taken', 'taken']);
  });

  it('on a compacted topic leaves a keyless record\'s timestamp unchecked, as Kafka checks its key first (INVALID_RECORD, not INVALID_TIMESTAMP)', () => {
    // Prepare
    const late = NOW + 2 * HOUR;
    const keylessLate = encodeRecordBatch({ records: [{ key: null, value: Buffer.from('a'), timestamp: late }, { key: Buffer.from('k'), value: Buffer.from('b'), timestamp: NOW }] });
    const bothLate = encodeRecordBatch({ records: [{ key: null, value: Buffer.from('a'), timestamp: late }, { key: Buffer.from('k'), value: Buffer.from('b'), timestamp: late }] });
    const walkAs = (batch: Buffer, compacted: boolean) =>
      validateRecords(batch, validateBatch(batch), 1 << 20, timestampWindowOf(configs(), NOW, compacted)).outOfWindowRecords.map((r) => r.index);

    // Act
    const found = [walkAs(keylessLate, true), walkAs(keylessLate, false), walkAs(bothLate, true)];

    // Assess
    expect(found).toEqual([[], [0], [1]]);
  });
});
