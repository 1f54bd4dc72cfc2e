/**
 * Retention on a striped topic (decision 52's housekeeping), one stripe under its lease: several
 * partitions share the stripe item, so one lease per stripe fences the writes, never the partitions'.
 *
 * 1. Each partition's cut exactly as the per-partition pass computes it (retentionCut over its live
 *    batches, read through its view of the stripe and the stripe's chunks).
 * 2. The new log starts in as few writes as the expression limits allow (STRIPE_LOG_STARTS_PER_WRITE
 *    per write); a write whose condition fails (a DeleteRecords went past one cut) is redone one
 *    partition at a time, so the others still move.
 * 3. Stripe chunks no partition needs any more, from the oldest seq up to the first live one: a
 *    chunk is dead when every partition it holds batches of has its log start at or past its end
 *    there. Readers bound their binary search by the oldest chunk, so none is deleted above a live one.
 */
import type { LogDeps } from '../log/deps.js';
import type { LeaseGuard } from '../leases/leases.js';
import { fencedWrites, getStripe, stripeChunks } from '../log/store.js';
import { iterateLiveBatches } from '../log/index-chunks.js';
import { chunkView, partitionView, type StripeChunk, type StripeItem } from '../log/stripe-head.js';
import { deletes } from '../log/limits.js';
import { logKeys } from '../storage/keys.js';
import type { Topic } from '../log/topics.js';
import { retentionCut } from './retention.js';

/**
 * Log starts one write moves: each costs `l[i] < :si AND o[i] >= :si` (~40 bytes, 4 operators) in the
 * condition, so 64 stay under DynamoDB's 300 operators and 4 KB with the fence's share.
 */
export const STRIPE_LOG_STARTS_PER_WRITE = 64;

export interface StripeRetentionOutcome {
  /** partitions whose log start moved */
  logStartAdvances: number;
  /** UpdateItems sent on the stripe to move them */
  writes: number;
  stripeChunksDeleted: number;
}

/** A chunk is dead when no partition it holds batches of needs them: each ends at or below its log start. */
export function chunkIsDead(chunk: StripeChunk, logStarts: readonly number[]): boolean {
  return chunk.ends.every((_, i) => {
    const view = chunkView(chunk, i);
    return view.entries.length === 0 || view.end <= (logStarts[i] ?? 0);
  });
}

/** Retention of the stripe at partition `first` of `topic`; `now` is the clock retention.ms runs on. */
export async function retainStripe(deps: LogDeps, guard: LeaseGuard, topic: Topic, first: number, now: number): Promise<StripeRetentionOutcome> {
  const outcome: StripeRetentionOutcome = { logStartAdvances: 0, writes: 0, stripeChunksDeleted: 0 };
  const item = await getStripe(deps, topic.topicId, first);
  if (!item) return outcome; // deleted meanwhile: deleted topics' cleanup removes the rest
  if (deletes(topic.configs)) await advanceLogStarts(deps, guard, topic, first, item, now, outcome);
  // Read again: the log starts as they are now (a DeleteRecords may have moved them further).
  const current = await getStripe(deps, topic.topicId, first);
  if (current) outcome.stripeChunksDeleted = await deleteDeadChunks(deps, guard, topic.topicId, first, current.l);
  return outcome;
}

async function advanceLogStarts(deps: LogDeps, guard: LeaseGuard, topic: Topic, first: number, item: StripeItem, now: number, outcome: StripeRetentionOutcome): Promise<void> {
  const starts: Array<[number, number]> = [];
  for (let i = 0; i < item.o.length; i++) {
    const head = partitionView(item, i);
    const cut = await retentionCut(iterateLiveBatches(deps, topic, first + i, head), head.logStartOffset, topic.configs, now);
    if (cut > head.logStartOffset) starts.push([i, cut]);
  }
  for (let at = 0; at < starts.length; at += STRIPE_LOG_STARTS_PER_WRITE) {
    const group = starts.slice(at, at + STRIPE_LOG_STARTS_PER_WRITE);
    outcome.writes++;
    if (await guard.write(fencedWrites.advanceStripeLogStarts(topic.topicId, first, group))) {
      outcome.logStartAdvances += group.length;
      continue;
    }
    if (group.length === 1) continue;
    for (const [i, start] of group) {
      outcome.writes++;
      if (await guard.write(fencedWrites.advanceStripeLogStarts(topic.topicId, first, [[i, start]]))) outcome.logStartAdvances++;
    }
  }
}

/** Deletes dead chunks from the oldest seq up, stopping at the first live one. Returns how many. */
async function deleteDeadChunks(deps: LogDeps, guard: LeaseGuard, topicId: string, first: number, logStarts: readonly number[]): Promise<number> {
  let deleted = 0;
  for await (const chunk of stripeChunks(deps, topicId, first, 0)) {
    if (!chunkIsDead(chunk, logStarts)) break;
    // false: a newer holder of the stripe's lease owns it now; stop, it deletes from here
    if (!(await guard.write(fencedWrites.deleteChunk(logKeys.stripeChunk(topicId, first, chunk.seq))))) break;
    deleted++;
  }
  return deleted;
}
