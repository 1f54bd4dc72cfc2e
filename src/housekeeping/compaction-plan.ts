/**
 * When to compact a partition and how far (Kafka's log cleaner rules, per batch instead of per
 * segment). Pure: the caller reads the batches and the state kept on the partition's lease.
 *
 * - Never compacted: the head's inline batches, batches younger than min.compaction.lag.ms, and the
 *   active tail — the newest batches, as long as they are younger than segment.ms (or
 *   max.compaction.lag.ms, which rolls Kafka's active segment too) and fit in segment.bytes. A Kafka
 *   record leaves the active segment when either bound is passed; here a batch leaves the tail then.
 * - The dirty range is what the last completed round did not cover: [cleanedTo, cleanable end).
 * - A round starts when dirty bytes / (clean + dirty bytes) >= min.cleanable.dirty.ratio, when the
 *   oldest dirty batch is older than max.compaction.lag.ms, or when a tombstone's delete horizon
 *   (delete.retention.ms after compaction first reached it) has passed.
 * - A round's dirty range is cut where it would index more than `maxKeys` keys (Kafka's dedupe
 *   buffer) or read more than `maxDirtyBytes`; the rest waits for the next round.
 */
import type { TopicConfig } from '../log/limits.js';
import type { LocatedBatch } from '../log/partition-head.js';
import { retentionTime } from './retention.js';

/** Kept on the partition's lease item between passes. */
export interface CompactionState {
  /** the offset up to which the last completed round compacted (everything at or after it is dirty) */
  cleanedTo: number;
  /** a round in progress: its cleanable end, and the offset its cleaning continues at */
  round?: { end: number; at: number };
}

export type CompactionConfigs = Pick<
  TopicConfig,
  'min.cleanable.dirty.ratio' | 'min.compaction.lag.ms' | 'max.compaction.lag.ms' | 'delete.retention.ms' | 'segment.ms' | 'segment.bytes'
>;

export type StartReason = 'dirty-ratio' | 'max-compaction-lag' | 'tombstones-expired';

export interface RoundStart {
  /** first dirty offset */
  dirtyFrom: number;
  /** cleanable end: batches at or after it are not touched this round */
  end: number;
  reason: StartReason;
  dirtyBytes: number;
  cleanBytes: number;
}

/**
 * The offset compaction must stay below: the first batch of the head's inline ones, of those younger
 * than min.compaction.lag.ms, or of the active tail. `batches`: every live batch in offset order, the
 * head's inline ones included.
 */
export function cleanableEnd(batches: readonly LocatedBatch[], recentBase: number, configs: CompactionConfigs, now: number): number {
  let end = recentBase;
  const lagCutoff = now - configs['min.compaction.lag.ms'];
  for (const b of batches) {
    if (b.baseOffset >= end) break;
    if (configs['min.compaction.lag.ms'] > 0 && retentionTime(b) > lagCutoff) {
      end = b.baseOffset;
      break;
    }
  }
  // The active tail, newest first: young enough and small enough to still be Kafka's active segment.
  const tailMs = Math.min(configs['segment.ms'], configs['max.compaction.lag.ms']);
  let bytes = 0;
  for (let i = batches.length - 1; i >= 0; i--) {
    const b = batches[i] as LocatedBatch;
    bytes += b.l;
    if (b.a < now - tailMs || bytes > configs['segment.bytes']) break;
    end = Math.min(end, b.baseOffset);
  }
  return end;
}

export interface PlanLimits {
  maxKeys: number;
  maxDirtyBytes: number;
}

/**
 * Whether a new round starts now, and over which range. `batches` from the log start on (the head's
 * inline ones included), in offset order.
 */
export function planRound(
  batches: readonly LocatedBatch[],
  recentBase: number,
  state: CompactionState,
  configs: CompactionConfigs,
  now: number,
  limits: Pick<PlanLimits, 'maxDirtyBytes'>,
): RoundStart | undefined {
  const end = cleanableEnd(batches, recentBase, configs, now);
  let dirtyFrom = Math.min(state.cleanedTo, end);
  let cleanBytes = 0;
  let dirtyBytes = 0;
  let firstDirty: LocatedBatch | undefined;
  let expiredTombstones = false;
  let cut = end;
  for (const b of batches) {
    if (b.baseOffset >= end) break;
    if (b.h !== undefined && b.h <= now) expiredTombstones = true;
    if (b.end <= dirtyFrom) {
      cleanBytes += b.l;
      continue;
    }
    if (b.baseOffset < dirtyFrom) dirtyFrom = b.baseOffset; // never inside a batch
    firstDirty ??= b;
    if (dirtyBytes > 0 && dirtyBytes + b.l > limits.maxDirtyBytes) {
      cut = b.baseOffset;
      break;
    }
    dirtyBytes += b.l;
  }
  if (!firstDirty && !expiredTombstones) return undefined;
  const base = { dirtyFrom, end: firstDirty ? cut : end, dirtyBytes, cleanBytes };
  if (firstDirty && dirtyBytes / (cleanBytes + dirtyBytes) >= configs['min.cleanable.dirty.ratio']) return { ...base, reason: 'dirty-ratio' };
  if (firstDirty && retentionTime(firstDirty) < now - configs['max.compaction.lag.ms']) return { ...base, reason: 'max-compaction-lag' };
  if (expiredTombstones) return { ...base, reason: 'tombstones-expired' };
  return undefined;
}
