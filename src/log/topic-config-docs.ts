/**
 * What each topic config does in Floe, in a sentence: DescribeConfigs v3+ answers it as the config's
 * documentation when asked. docs/configuration.md's topic table says the same at more length.
 */
import type { TopicConfigName } from './limits.js';

export const TOPIC_CONFIG_DOCS: Readonly<Record<TopicConfigName, string>> = {
  'retention.ms': 'Batches whose newest record is older than this are removed by housekeeping; -1 keeps them forever.',
  'retention.bytes': 'Per partition: the oldest batches beyond this size are removed; any negative value is unlimited.',
  'max.message.bytes': 'The largest record batch the topic accepts (at most 4 MiB).',
  'cleanup.policy': '"delete" applies retention.ms and retention.bytes; "compact" keeps the latest record per key (records need a key); or both.',
  'min.cleanable.dirty.ratio': 'Compaction starts when the not-yet-compacted bytes are at least this share of the compactable bytes.',
  'min.compaction.lag.ms': 'A batch younger than this is never compacted.',
  'max.compaction.lag.ms': 'A batch older than this is compacted even below the dirty ratio.',
  'delete.retention.ms': 'A tombstone stays readable at least this long after compaction first reached it, then is removed.',
  'segment.ms': 'With segment.bytes, bounds the active tail that is never compacted: the newest batches younger than this.',
  'segment.bytes': 'The active tail that is never compacted holds at most this many bytes of the newest batches.',
  'message.timestamp.type': 'CreateTime keeps the timestamps producers write; LogAppendTime stamps each batch with the time Floe appended it.',
  'message.timestamp.before.max.ms':
    'On a CreateTime topic, a batch with a record timestamp more than this many ms before the time Floe appends it is refused (INVALID_TIMESTAMP).',
  'message.timestamp.after.max.ms':
    'On a CreateTime topic, a batch with a record timestamp more than this many ms after the time Floe appends it is refused (INVALID_TIMESTAMP).',
  'min.insync.replicas':
    'Kept as set, with no effect: every acknowledged batch is already stored in S3 and DynamoDB, which keep it in several availability zones.',
};
