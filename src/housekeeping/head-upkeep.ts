/**
 * Keeping a partition head small, from housekeeping:
 * - a head holding more inline locations than the limit (a spill crashed or lost its race
 *   and no append has crossed a boundary since) is spilled the way appenders spill;
 * - idempotent-producer state idle for longer than producer.id.expiration.ms is removed,
 *   each entry on the condition that it is still the value read, so a concurrent append of
 *   that producer is never lost.
 */
import { spill } from '../log/append.js';
import type { LogDeps } from '../log/deps.js';
import { fencedWrites } from '../log/store.js';
import type { LeaseGuard } from '../leases/leases.js';
import { LIMITS } from '../log/limits.js';
import type { PartitionHead } from '../log/partition-head.js';

/** Spills an over-full head; true when it tried. Spills are safe without a lease: appenders race on them by design. */
export async function repairSpill(deps: LogDeps, topicId: string, partition: number, head: PartitionHead): Promise<boolean> {
  if (head.recent.length <= LIMITS.headInlineBatches) return false;
  await spill(deps, topicId, partition, head.recentBase, head.recent);
  return true;
}

/** Removes producer state idle since before `now - expirationMs`. Returns how many entries went. */
export async function pruneProducers(
  deps: LogDeps,
  guard: LeaseGuard,
  topicId: string,
  partition: number,
  head: PartitionHead,
  now: number,
  expirationMs: number,
): Promise<number> {
  let pruned = 0;
  for (const [producerId, state] of Object.entries(head.producers ?? {})) {
    if (state.t >= now - expirationMs) continue;
    // Conditioned on the entry being the value read: a producer that appended meanwhile is kept.
    if (await guard.write(fencedWrites.removeProducer(topicId, partition, producerId, state))) pruned++;
  }
  return pruned;
}
