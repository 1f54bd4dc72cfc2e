/**
 * Keeping a partition head small, from housekeeping:
 * - a head holding more inline locations than the limit (a spill crashed or lost its race
 *   and no append has crossed a boundary since) is spilled the way appenders spill;
 * - idempotent-producer state idle for longer than producer.id.expiration.ms is removed, inline
 *   and demoted alike, each entry on the condition that it is still the value read, so a
 *   concurrent append of that producer is never lost.
 */
import { spill } from '../log/append.js';
import type { LogDeps } from '../log/deps.js';
import { fencedWrites, producerStateItems, putProducerStateItem } from '../log/store.js';
import { demotionSlot, resolved } from '../log/producer-state.js';
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
    if (await guard.write(fencedWrites.removeProducer(topicId, partition, producerId, state, head.adm !== undefined))) pruned++;
  }
  return pruned;
}

/** Deletes demoted producer states idle since before `now - expirationMs` (TTL would, within days). Returns how many. */
export async function pruneDemotedProducers(deps: LogDeps, guard: LeaseGuard, topicId: string, partition: number, now: number, expirationMs: number): Promise<number> {
  let pruned = 0;
  for await (const item of producerStateItems(deps, topicId, partition)) {
    const t = item.t as number;
    if (t >= now - expirationMs) continue;
    if (await guard.write(fencedWrites.deleteProducerState({ pk: item.pk as string, sk: item.sk as string }, t))) pruned++;
  }
  return pruned;
}

/**
 * Demotes inline producer states idle for longer than `idleMs` (but not expired) to their own items,
 * so that a head a crowd of producers passed through shrinks back: its remaining producers' appends
 * cost what they did before (decision 27). Returns how many.
 */
export async function demoteIdleProducers(
  deps: LogDeps,
  guard: LeaseGuard,
  topicId: string,
  partition: number,
  head: PartitionHead,
  now: number,
  idleMs: number,
  expirationMs: number,
): Promise<number> {
  let demoted = 0;
  let counters = head.pv;
  for (const [producerId, state] of Object.entries(head.producers ?? {})) {
    if (state.t >= now - idleMs || state.t < now - expirationMs) continue;
    const ttl = Math.ceil((state.t + expirationMs + LIMITS.leaseCleanupAfterMs) / 1000);
    await putProducerStateItem(deps, topicId, partition, producerId, resolved(state, head.adm?.[producerId]), ttl, now - expirationMs);
    const slot = demotionSlot(producerId);
    const write = fencedWrites.demoteProducer(topicId, partition, producerId, state, head.adm !== undefined, slot, counters, LIMITS.producerDemotionSlots);
    if (await guard.write(write)) {
      demoted++;
      counters ??= Array.from({ length: LIMITS.producerDemotionSlots }, (_, i) => (i === slot ? 1 : 0));
    }
  }
  return demoted;
}
