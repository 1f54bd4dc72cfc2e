/**
 * Object collection (mark and sweep): deletes segment objects no live batch references —
 * orphans of produces that failed after their PUT, objects whose batches were merged
 * elsewhere, expired by retention, or of deleted topics.
 *
 * mark:  every location at or above the log start offset of every partition of every topic
 *        (head first, then its index chunks: a concurrent spill writes chunks before it trims;
 *        a striped topic's: its stripes, then every location of their stripe chunks that remain);
 *        chunks read by earlier passes come from the mark cache while young (mark-cache.ts).
 * sweep: per shard of keys (the first hex digit of the prefix, one lease each), LIST the objects.
 *        An object whose key time is older than markStart - grace and that the mark did not see
 *        becomes a candidate {since: markStart}; it is deleted by a later sweep when it has been a
 *        candidate for at least the grace and is still unreferenced.
 *
 * Why this is safe: nothing adds a reference to an object older than the grace. A produce
 * commits within its Lambda timeout of the key time; merging references only objects it has
 * just written; spills move references from the head to chunks (hence head before chunks).
 * The grace since the first unreferenced sighting outlasts any read that located the object before.
 */
import { segmentKeyTime, segmentShardPrefix } from '../storage/keys.js';
import type { ObjectStore } from '../storage/object-store.js';
import { fencedWrites, gcCandidateItems, stripeChunkNear, stripeChunks } from '../log/store.js';
import { stripesOf } from '../log/stripe-head.js';
import { iterateChunks } from '../log/index-chunks.js';
import type { LeaseGuard } from '../leases/leases.js';
import { LIMITS } from '../log/limits.js';
import { withOffsets } from '../log/partition-head.js';
import { nowOf, type LogDeps } from '../log/deps.js';
import { markCacheId, stripeMarkCacheId, type MarkCache, type MarkCacheEntry } from './mark-cache.js';
import { readHeads, type Topic } from '../log/topics.js';

async function forEachLimited<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await task(items[next++] as T);
    }),
  );
}

/** What a mark read. */
export interface MarkStats {
  headsRead: number;
  chunksRead: number;
  /** partitions (and stripes) read in full (no cache entry young enough) */
  partitionsReadInFull: number;
}

export interface MarkOptions {
  concurrency?: number;
  stats?: MarkStats;
  /** the previous passes' mark (mark-cache.ts): entries younger than maxAgeMs spare re-reading old chunks */
  cache?: MarkCache;
  markStart?: number;
  maxAgeMs?: number;
}

/**
 * Keys of every object a live batch references, and the cache entries the next pass may start
 * from. Without a cache (or with entries older than maxAgeMs) every chunk from the log start on
 * is read, including ones a crashed spill left above recentBase.
 */
export async function markReferences(deps: LogDeps, topics: Topic[], options: MarkOptions = {}): Promise<{ marked: Set<string>; cache: MarkCache }> {
  const { concurrency = 8, stats = { headsRead: 0, chunksRead: 0, partitionsReadInFull: 0 }, cache = new Map(), markStart = nowOf(deps), maxAgeMs = 0 } = options;
  const marked = new Set<string>();
  const next: MarkCache = new Map();
  /** The cache entry `id` continues from, or a new one from `e` (and the pass reads in full). */
  const entryOf = (id: string, e: number): MarkCacheEntry => {
    const cached = cache.get(id);
    if (cached !== undefined && markStart - cached.b < maxAgeMs) return { b: cached.b, e: cached.e, r: { ...cached.r } };
    stats.partitionsReadInFull++;
    return { b: markStart, e, r: {} };
  };
  /**
   * Every object a stripe's chunks reference, read after the stripe items (readHeads: a spill writes
   * its chunk before it trims the stripe). Chunks are added at growing seqs (the cache entry's `e` is
   * the next to read; `r` maps each key to the end seq of the last chunk naming it) and deleted by
   * retention from the oldest up (stripe-retention.ts): a key no chunk from the oldest one on names
   * was named by deleted chunks only, and is dropped, as a partition's below its log start.
   */
  const markStripe = async (topicId: string, first: number): Promise<void> => {
    const id = stripeMarkCacheId(topicId, first);
    const entry = entryOf(id, 0);
    for await (const chunk of stripeChunks(deps, topicId, first, entry.e)) {
      stats.chunksRead++;
      entry.e = chunk.seq + chunk.entries.length;
      for (const e of chunk.entries) entry.r[e.k] = entry.e;
    }
    // Asked after the reads: a chunk deleted meanwhile drops its keys now rather than next pass.
    const oldest = await stripeChunkNear(deps, topicId, first, 0, false);
    const live = oldest?.seq ?? Number.POSITIVE_INFINITY; // none left: every chunk read was deleted
    for (const [key, end] of Object.entries(entry.r)) {
      if (end > live) marked.add(key);
      else delete entry.r[key];
    }
    next.set(id, entry);
  };
  for (const topic of topics) {
    const partitions = Array.from({ length: topic.partitions }, (_, p) => p);
    const heads = await readHeads(deps, topic, partitions);
    const striped = topic.stripeWidth !== undefined;
    await forEachLimited([...heads.entries()], concurrency, async ([partition, head]) => {
      stats.headsRead++;
      for (const batch of withOffsets(head.recentBase, head.recent)) if (batch.end > head.logStartOffset) marked.add(batch.k);
      if (striped) return; // no index chunks: its stripe's chunks are read below
      const id = markCacheId(topic.topicId, partition);
      const entry = entryOf(id, head.logStartOffset);
      // Head first, then chunks: a concurrent spill writes its chunk before it trims the head.
      for await (const chunk of iterateChunks(deps, topic.topicId, partition, Math.max(entry.e, head.logStartOffset))) {
        stats.chunksRead++;
        for (const batch of withOffsets(chunk.base, chunk.entries)) entry.r[batch.k] = Math.max(entry.r[batch.k] ?? 0, batch.end);
        entry.e = Math.max(entry.e, chunk.end);
      }
      for (const [key, end] of Object.entries(entry.r)) {
        if (end > head.logStartOffset) marked.add(key);
        else delete entry.r[key]; // below the log start: retention let it go
      }
      next.set(id, entry);
    });
    if (topic.stripeWidth !== undefined) await forEachLimited(stripesOf(topic.partitions, topic.stripeWidth), concurrency, ({ first }) => markStripe(topic.topicId, first));
  }
  return { marked, cache: next };
}

export interface SweepOutcome {
  objectsScanned: number;
  candidatesMarked: number;
  objectsReclaimed: number;
  bytesReclaimed: number;
}

export interface SweepHooks {
  beforeObjectDelete?: (key: string) => Promise<void> | void;
}

async function readCandidates(deps: LogDeps, shard: string): Promise<Map<string, number>> {
  const candidates = new Map<string, number>();
  for await (const item of gcCandidateItems(deps, shard)) candidates.set(item.sk as string, item.since as number);
  return candidates;
}

/** Forgets a sweep candidate; a newer holder of the shard may own it now (then it stays). */
const forgetCandidate = (guard: LeaseGuard, shard: string, key: string): Promise<boolean> => guard.write(fencedWrites.forgetCandidate(shard, key));

/** Sweeps one shard of segment keys against a mark taken at `markStart`. */
export async function sweepShard(
  deps: LogDeps & { store: ObjectStore },
  guard: LeaseGuard,
  shard: string,
  marked: Set<string>,
  markStart: number,
  graceMs: number,
  hooks: SweepHooks = {},
): Promise<SweepOutcome> {
  const outcome: SweepOutcome = { objectsScanned: 0, candidatesMarked: 0, objectsReclaimed: 0, bytesReclaimed: 0 };
  const candidates = await readCandidates(deps, shard);
  const listed = new Set<string>();
  for await (const object of deps.store.list(segmentShardPrefix(shard))) {
    outcome.objectsScanned++;
    listed.add(object.key);
    const written = segmentKeyTime(object.key) ?? object.lastModified?.getTime();
    if (written === undefined || written > markStart - graceMs) continue; // young: a produce or merge may still reference it
    const since = candidates.get(object.key);
    if (marked.has(object.key)) {
      if (since !== undefined) await forgetCandidate(guard, shard, object.key);
      continue;
    }
    if (since === undefined) {
      const ttl = Math.ceil((markStart + graceMs + LIMITS.leaseCleanupAfterMs) / 1000);
      if (await guard.write(fencedWrites.markCandidate(shard, object.key, markStart, object.size, ttl))) outcome.candidatesMarked++;
      continue;
    }
    if (markStart - since < graceMs) continue;
    await guard.ensure();
    await hooks.beforeObjectDelete?.(object.key);
    await deps.store.delete(object.key);
    outcome.objectsReclaimed++;
    outcome.bytesReclaimed += object.size;
    await forgetCandidate(guard, shard, object.key);
  }
  // Candidates whose object is gone (deleted by a sweep that stopped before forgetting it).
  for (const key of candidates.keys()) if (!listed.has(key)) await forgetCandidate(guard, shard, key);
  return outcome;
}
