/**
 * Retention (Kafka's retention.ms and retention.bytes, "delete" cleanup policy), per partition
 * under its lease. The log start offset moves past the expired prefix of batches, at a batch
 * boundary; index chunks wholly below it are deleted afterwards. Segment objects are not
 * deleted here: the sweep deletes an object once no live batch of any partition references it.
 *
 * - time: a batch is expired when its max timestamp (Kafka uses a segment's largest timestamp)
 *   is older than now - retention.ms; expiry stops at the first batch that is not expired.
 * - bytes: the oldest batches go while what remains is still >= retention.bytes (Kafka's rule,
 *   per batch instead of per segment).
 */
import type { LogDeps } from '../log/deps.js';
import type { LeaseGuard } from '../leases/leases.js';
import { chunkKeysBelow, fencedWrites } from '../log/store.js';
import type { LocatedBatch } from '../log/partition-head.js';
import type { TopicRef } from '../log/stripe-head.js';
import type { TopicConfig } from '../log/limits.js';

/** A negative value (Kafka's -1) means unlimited for both settings. */
const isLimited = (value: number): boolean => value >= 0;

/** A batch's time for retention: its max timestamp, or its append time when the producer set none. */
export const retentionTime = (batch: Pick<LocatedBatch, 't' | 'a'>): number => (batch.t >= 0 ? batch.t : batch.a);

/**
 * The new log start offset for batches given in offset order from the current one.
 * Reads only as far as needed: the expired prefix for time, everything for bytes.
 */
export async function retentionCut(
  batches: AsyncIterable<LocatedBatch>,
  logStartOffset: number,
  configs: Pick<TopicConfig, 'retention.ms' | 'retention.bytes'>,
  now: number,
): Promise<number> {
  const byTime = isLimited(configs['retention.ms']);
  const byBytes = isLimited(configs['retention.bytes']);
  if (!byTime && !byBytes) return logStartOffset;
  const cutoff = now - configs['retention.ms'];
  let timeCut = logStartOffset;
  let timeDone = !byTime;
  const ends: number[] = [];
  const sizes: number[] = [];
  let total = 0;
  for await (const batch of batches) {
    const end = batch.end;
    if (!timeDone) {
      if (retentionTime(batch) < cutoff) timeCut = end;
      else timeDone = true;
    }
    if (byBytes) {
      ends.push(end);
      sizes.push(batch.l);
      total += batch.l;
    } else if (timeDone) break;
  }
  let cut = timeCut;
  if (byBytes) {
    let remaining = total;
    for (let i = 0; i < sizes.length; i++) {
      const size = sizes[i] as number;
      if (remaining - size < configs['retention.bytes']) break;
      remaining -= size;
      cut = Math.max(cut, ends[i] as number);
    }
  }
  return cut;
}

/** Moves the log start offset forward (never back); false when it was already there or the write was fenced. */
export function advanceLogStart(guard: LeaseGuard, topic: TopicRef, partition: number, newStart: number): Promise<boolean> {
  return guard.write(fencedWrites.advanceLogStart(topic, partition, newStart));
}

/** Deletes the index chunks wholly below the log start offset (also those a crashed pass left). Returns how many. */
export async function deleteChunksBelow(deps: LogDeps, guard: LeaseGuard, topicId: string, partition: number, logStartOffset: number): Promise<number> {
  let deleted = 0;
  for await (const key of chunkKeysBelow(deps, topicId, partition, logStartOffset)) {
    if (await guard.write(fencedWrites.deleteChunk(key))) deleted++; // false: a newer holder owns it now
  }
  return deleted;
}
