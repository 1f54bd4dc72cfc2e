/**
 * Kafka's timestamp bounds of a CreateTime topic (KIP-937: message.timestamp.before.max.ms and
 * message.timestamp.after.max.ms): a batch with a record stamped further than that from the log's
 * clock is refused whole with INVALID_TIMESTAMP, as Kafka's LogValidator refuses it. A LogAppendTime
 * topic takes any timestamp (the log's own replaces it).
 */
import { ATTRIBUTE, NO_TIMESTAMP, type BatchHeader, type RecordsSummary, type TimestampWindow } from '@floe/protocol';
import { LIMITS, stampsAppendTime, type TopicConfig } from './limits.js';
import { RecordValidationError } from './record-errors.js';
import { kafkaConfigText } from './topic-configs.js';

type Bounds = Pick<TopicConfig, 'message.timestamp.type' | 'message.timestamp.before.max.ms' | 'message.timestamp.after.max.ms'>;

/** Kafka's "no bound", Long.MAX_VALUE, is kept as MAX_SAFE_INTEGER (topic-configs.ts): read as no bound at all, never as a sum past 2^53. */
const unbounded = (ms: number): boolean => ms >= Number.MAX_SAFE_INTEGER;

/**
 * The timestamps a record of the topic may carry at `now`, or undefined when nothing is to be checked.
 * `compacted`: a keyless record is refused for its key alone, as Kafka checks the key first.
 */
export function timestampWindowOf(configs: Bounds, now: number, compacted = false): TimestampWindow | undefined {
  if (stampsAppendTime(configs)) return undefined;
  const before = configs['message.timestamp.before.max.ms'];
  const after = configs['message.timestamp.after.max.ms'];
  if (unbounded(before) && unbounded(after)) return undefined;
  return {
    min: unbounded(before) ? Number.NEGATIVE_INFINITY : now - before,
    max: unbounded(after) ? Number.POSITIVE_INFINITY : now + after,
    maxListed: LIMITS.maxRecordErrors,
    ...(compacted ? { keylessExempt: true } : {}),
  };
}

const range = (window: TimestampWindow): string =>
  `[${Number.isFinite(window.min) ? window.min : 'any'}, ${Number.isFinite(window.max) ? window.max : 'any'}]`;

/** Throws INVALID_TIMESTAMP when the walk found records out of the window; nothing otherwise. */
export function refuseOutOfWindow(topic: { name: string; configs: Bounds }, window: TimestampWindow | undefined, summary: RecordsSummary): void {
  if (!window || summary.outOfWindow === 0) return;
  const first = summary.outOfWindowRecords[0];
  throw new RecordValidationError(
    'INVALID_TIMESTAMP',
    `${summary.outOfWindow} record(s) of the batch have a timestamp out of range for CreateTime topic "${topic.name}": ` +
      `the timestamp should be within ${range(window)} (message.timestamp.before.max.ms=${kafkaConfigText(topic.configs['message.timestamp.before.max.ms'])}, ` +
      `message.timestamp.after.max.ms=${kafkaConfigText(topic.configs['message.timestamp.after.max.ms'])}); the first is record ${first?.index} at ${first?.timestamp}`,
    summary.outOfWindowRecords.map((r) => ({ batchIndex: r.index, message: `Timestamp ${r.timestamp} of record ${r.index} is out of range ${range(window)}` })),
    summary.outOfWindow,
  );
}

/**
 * Kafka's LogValidator (validateTimestamp's else-branch): a client batch flagged LogAppendTime whose
 * records are not checked as CreateTime ones is refused, every record of it named ("Producer should
 * not set timestamp type to LogAppendTime"): on a LogAppendTime topic always, on a CreateTime topic
 * when its records read as no timestamp (maxTimestamp -1). Any other flagged batch is read as its
 * maxTimestamp (the window check) and stored unflagged (decision 45).
 */
export function refuseClientLogAppendTime(topic: { name: string; configs: Bounds }, header: BatchHeader): void {
  if ((header.attributes & ATTRIBUTE.logAppendTime) === 0) return;
  if (!stampsAppendTime(topic.configs) && header.maxTimestamp !== NO_TIMESTAMP) return;
  const listed = Math.min(header.recordCount, LIMITS.maxRecordErrors);
  throw new RecordValidationError(
    'INVALID_TIMESTAMP',
    `batch flagged LogAppendTime refused by ${topic.configs['message.timestamp.type']} topic "${topic.name}" (maxTimestamp ${header.maxTimestamp}): ` +
      'a producer should not set the timestamp type to LogAppendTime, as in Kafka; send the batch as CreateTime',
    Array.from({ length: listed }, (_, i) => ({ batchIndex: i, message: `Record ${i} has timestamp type LogAppendTime: a producer should not set it` })),
    header.recordCount,
  );
}
