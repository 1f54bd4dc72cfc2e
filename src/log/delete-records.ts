/**
 * DeleteRecords (Kafka's AdminClient.deleteRecords, kafka-delete-records.sh): moves a partition's
 * log start offset forward to a given offset, -1 meaning the high watermark. Records below it are
 * gone for readers as soon as it answers (fetch answers OFFSET_OUT_OF_RANGE: it reads the log start
 * strongly before serving records, decision 49; ListOffsets
 * earliest the new start);
 * their index chunks go at the next housekeeping pass, their objects when the sweep finds them
 * unreferenced, as after retention.
 *
 * Retention's own write (fencedWrites.advanceLogStart), sent without the housekeeping lease and its
 * fence: it only moves the start forward, never past the high watermark, so this write and a
 * retention pass commute (decision 44). The start may fall inside a batch, as in Kafka: readers
 * get that batch and skip its records below their position.
 */
import { FloeError } from '@floe/protocol';
import type { LogDeps } from './deps.js';
import { deletes } from './limits.js';
import { applyWrite, fencedWrites, getHead } from './store.js';
import type { Topic } from './topics.js';

/** Kafka's DeleteRecordsRequest.HIGH_WATERMARK. */
export const HIGH_WATERMARK = -1;

/** Moves the log start of `topic`/`partition` to `offset` (never back); answers the low watermark (the log start) after it. */
export async function deleteRecords(deps: LogDeps, topic: Topic, partition: number, offset: number): Promise<{ lowWatermark: number }> {
  if (!Number.isInteger(partition) || partition < 0 || partition >= topic.partitions) {
    throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `unknown topic or partition ${topic.name}/${partition}`);
  }
  // Kafka refuses it on a compact-only topic: its records go only by compaction.
  if (!deletes(topic.configs)) {
    throw new FloeError('POLICY_VIOLATION', `records of ${topic.name}/${partition} cannot be deleted: cleanup.policy is ${topic.configs['cleanup.policy']}`);
  }
  const head = await getHead(deps, topic, partition);
  if (!head) throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `partition ${topic.name}/${partition} does not exist`);
  const target = offset === HIGH_WATERMARK ? head.nextOffset : offset;
  if (!Number.isSafeInteger(target) || target < 0 || target > head.nextOffset) {
    throw new FloeError('OFFSET_OUT_OF_RANGE', `offset ${offset} is outside [0, ${head.nextOffset}] (the high watermark) of ${topic.name}/${partition}`);
  }
  // Never back: a smaller offset answers the current low watermark, as Kafka does.
  if (target <= head.logStartOffset) return { lowWatermark: head.logStartOffset };
  const moved = await applyWrite(deps, fencedWrites.advanceLogStart(topic, partition, target));
  if (moved) return { lowWatermark: target };
  // Retention or another delete moved it at least as far meanwhile, or the topic was deleted.
  const fresh = await getHead(deps, topic, partition);
  if (!fresh) throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `partition ${topic.name}/${partition} does not exist`);
  return { lowWatermark: fresh.logStartOffset };
}
