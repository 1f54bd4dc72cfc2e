/**
 * Spilling a stripe's oldest entries to a stripe chunk (decision 52; format in stripe-head.ts), as
 * append.ts spills a partition head: the chunk is written first, then the stripe trimmed on the
 * condition that nobody trimmed it since, so a reader that reads the stripe and then its chunks
 * finds every batch in one place or both.
 *
 * Racing spillers (several processes appending to one stripe) read the same `sp`, so they write
 * their chunk at the same seq; the first one's stays, and the others trim exactly its entry count,
 * so whichever trim wins moves the entries that chunk holds, no more, no fewer.
 */
import type { LogDeps } from './deps.js';
import { LIMITS } from './limits.js';
import { deleteStripeChunk, getStripe, getStripeChunk, putStripeChunkIfAbsent, trimStripe } from './store.js';
import { chunkOf, entriesToSpill, type StripeItem } from './stripe-head.js';

/** Stripes with a spill running in this process, and the spill: one at a time each, so spills never overlap and waste writes. */
const spilling = new Map<string, Promise<void>>();

/**
 * Spills the stripe (at its first partition `first`) if `item`, as an append left it, holds more
 * than LIMITS.stripeSpillBytes of entries. Not awaited by produce: the batches are committed, and a
 * spill that fails or is frozen with its Lambda instance is harmless (the next append spills).
 */
export function spillStripeInBackground(deps: LogDeps, topicId: string, first: number, item: StripeItem): void {
  if (entriesToSpill(item.recent, LIMITS.stripeSpillBytes) === 0) return;
  const id = `${deps.logTable}\u0000${topicId}\u0000${first}`;
  if (spilling.has(id)) return; // the next append over the limit spills whatever this one skipped
  const work = spillStripe(deps, topicId, first, item)
    .then(() => undefined)
    .catch(() => undefined)
    .finally(() => spilling.delete(id));
  spilling.set(id, work);
}

/** Waits for the spills this process is running (tests: what a produce left in the background). */
export async function stripeSpillsSettled(): Promise<void> {
  while (spilling.size > 0) await Promise.all(spilling.values());
}

/**
 * Moves the oldest entries of `item` (read with its `sp`) to the chunk at seq `sp`, then trims them.
 * True when this call's trim moved them; false when there was nothing to move, or another spiller
 * (or a delete of the topic) came first.
 */
export async function spillStripe(deps: LogDeps, topicId: string, first: number, item: StripeItem): Promise<boolean> {
  const m = entriesToSpill(item.recent, LIMITS.stripeSpillBytes);
  if (m === 0) return false;
  const mine = chunkOf(item, m);
  const created = await putStripeChunkIfAbsent(deps, topicId, first, mine);
  // A racing spiller's chunk is at this seq: trim exactly its entries (all racers read the same oldest ones).
  const chunk = created ? mine : await getStripeChunk(deps, topicId, first, mine.seq);
  if (!chunk) return false;
  if (await trimStripe(deps, topicId, first, item.sp, chunk.entries.length)) return true;
  // Trimmed by someone else — or the stripe is gone: a spill that stalled past the topic's delete and
  // its cleanup would leave a chunk nothing finds.
  if (created && !(await getStripe(deps, topicId, first))) await deleteStripeChunk(deps, topicId, first, mine.seq);
  return false;
}
