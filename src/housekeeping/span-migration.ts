/**
 * The one-time migration of decision 32: locations written before it carry no offset span (`w`),
 * and readers take their record count for it (equal then: produce checked lastOffsetDelta + 1 =
 * count). Per partition, under its lease, every such location gets its span written — inline ones
 * in the head (conditioned on the head not having been trimmed since it was read), index chunks
 * rewritten whole (conditioned on their version, like merging). A partition whose pass found
 * nothing left to add is marked on its lease item and not scanned again.
 */
import type { LogDeps } from '../log/deps.js';
import { iterateChunks } from '../log/index-chunks.js';
import { isGap, type IndexEntry, type PartitionHead } from '../log/partition-head.js';
import { fencedWrites } from '../log/store.js';
import { logKeys } from '../storage/keys.js';
import type { LeaseGuard } from '../leases/leases.js';

/** Lease state: every live location of the partition carried its span when this was set. */
export const SPANS_MIGRATED = 'spans';

export interface SpanMigrationHooks {
  afterSpanMigrationWrite?: (sk: string) => Promise<void> | void;
}

export interface SpanMigrationOutcome {
  /** items (heads and chunks) rewritten */
  written: number;
  /** every live location carries its span now */
  complete: boolean;
}

const withSpans = (entries: IndexEntry[]): IndexEntry[] => entries.map((e) => (isGap(e) || e.w !== undefined ? e : { ...e, w: e.n }));

export async function migrateSpans(
  deps: LogDeps,
  guard: LeaseGuard,
  topicId: string,
  partition: number,
  head: PartitionHead,
  hooks: SpanMigrationHooks = {},
): Promise<SpanMigrationOutcome> {
  const outcome: SpanMigrationOutcome = { written: 0, complete: true };
  const missing = head.recent.flatMap((loc, index) => (loc.w === undefined ? [{ index, n: loc.n }] : []));
  if (missing.length > 0) {
    if (await guard.write(fencedWrites.addHeadSpans(topicId, partition, head.recentBase, missing))) {
      outcome.written++;
      await hooks.afterSpanMigrationWrite?.('head');
    } else outcome.complete = false; // trimmed meanwhile: those locations are in chunks now, the next pass sees them
  }
  // Every chunk from the log start on, including ones a crashed spill left above recentBase.
  const pk = logKeys.partitionPk(topicId, partition);
  for await (const chunk of iterateChunks(deps, topicId, partition, head.logStartOffset)) {
    if (chunk.entries.every((e) => isGap(e) || e.w !== undefined)) continue;
    if (await guard.write(fencedWrites.rewriteChunk({ pk, sk: chunk.sk }, chunk.v, withSpans(chunk.entries)))) {
      outcome.written++;
      await hooks.afterSpanMigrationWrite?.(chunk.sk);
    } else outcome.complete = false;
  }
  return outcome;
}
