/**
 * A compacted topic's keyless records in a refused batch's per-record errors, as Kafka's LogValidator
 * lists them: each record once, its key checked first, INVALID_TIMESTAMP when a timestamp failed too,
 * at most maxRecordErrors listed while the message counts them all.
 */
import { describe, expect, it } from 'vitest';
import { validateBatch } from '../../../packages/protocol/src/records/batch-header.js';
import { encodeRecordBatch, type ProducedRecord } from '../../../packages/protocol/src/records/record-batch.js';
import { validateRecords } from '../../../packages/protocol/src/records/validate-records.js';
import { LIMITS, TOPIC_CONFIG_DEFAULTS, type TopicConfig } from '../../../src/log/limits.js';
import { RecordValidationError, refuseRecords } from '../../../src/log/record-errors.js';
import { refuseClientLogAppendTime } from '../../../src/log/timestamp-bounds.js';

const NOW = 1_800_000_000_000;
const KEYLESS = 'Compacted topic cannot accept message without key in topic partition logins-3';

const topicOf = (over: Partial<TopicConfig>) => ({ name: 'logins', configs: { ...TOPIC_CONFIG_DEFAULTS, 'cleanup.policy': 'compact', ...over } as TopicConfig });
const record = (key: string | null): ProducedRecord => ({ key: key === null ? null : Buffer.from(key), value: Buffer.from('v'), timestamp: NOW });

/** The produce walk's refusal of a batch on partition 3 of a compacted topic, as [code, indexes, messages]. */
function refusal(batch: Buffer, topic: ReturnType<typeof topicOf>): [string, number[], string[]] | 'taken' {
  const header = validateBatch(batch);
  const summary = validateRecords(batch, header, 1 << 20, undefined, LIMITS.maxRecordErrors);
  let timestamps: RecordValidationError | undefined;
  try {
    refuseClientLogAppendTime(topic, header);
  } catch (e) {
    timestamps = e as RecordValidationError;
  }
  try {
    refuseRecords(topic, 3, summary, timestamps);
    return 'taken';
  } catch (e) {
    const r = e as RecordValidationError;
    return [r.code, r.recordErrors.map((x) => x.batchIndex), r.recordErrors.map((x) => x.message)];
  }
}

describe('a compacted topic\'s keyless records in the record errors', () => {
  it('lists every keyless record by index with Kafka\'s message (INVALID_RECORD), at most maxRecordErrors, counting all in the message; a topic that does not compact takes them', () => {
    // Prepare
    const many = LIMITS.maxRecordErrors + 3;
    const some = encodeRecordBatch({ records: ['a', null, 'b', null].map(record) });
    const lots = encodeRecordBatch({ records: Array.from({ length: many }, () => record(null)), compression: 'lz4' });
    const keyed = encodeRecordBatch({ records: ['a', 'b'].map(record) });
    const topic = topicOf({});

    // Act
    const found = [refusal(some, topic), refusal(keyed, topic), refusal(some, topicOf({ 'cleanup.policy': 'delete' }))];
    let message = '';
    try {
      refuseRecords(topic, 3, validateRecords(lots, validateBatch(lots), 1 << 20, undefined, LIMITS.maxRecordErrors));
    } catch (e) {
      message = (e as Error).message;
    }
    const listed = refusal(lots, topic);

    // Assess
    expect(found).toEqual([['INVALID_RECORD', [1, 3], [KEYLESS, KEYLESS]], 'taken', 'taken']);
    expect(listed !== 'taken' && listed[1]).toEqual(Array.from({ length: LIMITS.maxRecordErrors }, (_, i) => i));
    expect(message).toContain(`${many} record(s) of the batch have no key`);
  });

  it('beside a timestamp refusal answers INVALID_TIMESTAMP, each record named once, a keyless one for its key (a flagged batch on a LogAppendTime topic)', () => {
    // Prepare
    const flagged = encodeRecordBatch({ records: ['a', null, 'b'].map(record), logAppendTime: true, now: NOW });
    const topic = topicOf({ 'message.timestamp.type': 'LogAppendTime' });

    // Act
    const found = refusal(flagged, topic);

    // Assess
    expect(found).not.toBe('taken');
    const [code, indexes, messages] = found as [string, number[], string[]];
    expect([code, indexes]).toEqual(['INVALID_TIMESTAMP', [0, 1, 2]]);
    expect(messages[1]).toBe(KEYLESS);
    expect(messages[0]).toContain('LogAppendTime');
  });

  it('a flagged batch whose records are all keyless answers INVALID_RECORD: each record fails for its key alone, as Kafka checks the key first', () => {
    // Prepare
    const flagged = encodeRecordBatch({ records: [null, null].map(record), logAppendTime: true, now: NOW });
    const topic = topicOf({ 'message.timestamp.type': 'LogAppendTime' });

    // Act
    const found = refusal(flagged, topic);

    // Assess
    expect(found).toEqual(['INVALID_RECORD', [0, 1], [KEYLESS, KEYLESS]]);
  });
});
