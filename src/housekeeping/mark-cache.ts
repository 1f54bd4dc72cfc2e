/**
 * The sweep's mark, remembered between passes (decision 36), so a pass reads what changed
 * since the last one rather than every index chunk of the log.
 *
 * Per partition the cache holds the segment keys its index chunks referenced (with the end
 * offset of the last batch of each key), read in full at time `b`, plus chunks read
 * incrementally since: every chunk whose last offset is at or past `e`. A pass that finds an
 * entry younger than maxAge (half the sweep's grace) reads only chunks from `e` on and the
 * head; an older or missing entry is read again in full.
 *
 * Why this is safe: chunks are added past `e` by spills (read incrementally), deleted by
 * retention (a cached reference outlives it: an object is only kept longer), and rewritten by
 * merges and compaction, which point chunks at objects they have just written, within one grace
 * of those objects' PUT (MergeSettings.rewriteWindowMs). The sweep deletes an object only after
 * two marks a grace apart missed it, the second at least two graces after its PUT; that mark's
 * entry was read in full at most half a grace earlier, so after any such rewrite.
 *
 * Stored as one gzipped JSON object per pass under MARK_CACHE_PREFIX (immutable, so no layer
 * can serve a stale copy); a pass reads the newest and deletes all but the newest two.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { MARK_CACHE_PREFIX, markCacheKey } from '../storage/keys.js';
import type { ObjectStore } from '../storage/object-store.js';

export interface MarkCacheEntry {
  /** when the full read this entry grew from started */
  b: number;
  /** chunks whose last offset is below this were read; the next pass reads from here */
  e: number;
  /** segment key -> end offset of its last batch in this partition's chunks */
  r: Record<string, number>;
}

/** Entries by `${topicId}/${partition}` (a stripe's: `${topicId}/s${first}`). */
export type MarkCache = Map<string, MarkCacheEntry>;

export const markCacheId = (topicId: string, partition: number): string => `${topicId}/${partition}`;
/**
 * A striped topic's stripe (decision 52), by its first partition: `e` is the seq of the next stripe
 * chunk to read, `r` every key its remaining chunks reference, with the end seq of the last chunk
 * naming it (a key only chunks below the oldest remaining one named goes: retention deleted them).
 */
export const stripeMarkCacheId = (topicId: string, first: number): string => `${topicId}/s${first}`;

/** The newest cache a pass wrote, or an empty one (none yet, or unreadable: the pass reads in full). */
export async function loadMarkCache(store: ObjectStore): Promise<{ cache: MarkCache; keys: string[] }> {
  const found: Array<{ key: string; size: number }> = [];
  for await (const o of store.list(MARK_CACHE_PREFIX)) found.push({ key: o.key, size: o.size });
  found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const newest = found.at(-1);
  const keys = found.map((f) => f.key);
  if (!newest || newest.size === 0) return { cache: new Map(), keys };
  try {
    const parsed = JSON.parse(gunzipSync(await store.getRange(newest.key, 0, newest.size)).toString('utf8')) as Record<string, MarkCacheEntry>;
    return { cache: new Map(Object.entries(parsed).filter(([, v]) => isEntry(v))), keys };
  } catch {
    return { cache: new Map(), keys };
  }
}

/** Writes this pass's cache, then deletes caches older than the previous one. */
export async function saveMarkCache(store: ObjectStore, cache: MarkCache, markStart: number, previous: string[]): Promise<void> {
  const key = markCacheKey(markStart);
  await store.put(key, gzipSync(JSON.stringify(Object.fromEntries(cache))));
  const older = previous.filter((k) => k < key).slice(0, -1);
  for (const k of older) await store.delete(k);
}

const isEntry = (v: unknown): v is MarkCacheEntry => {
  const e = v as MarkCacheEntry;
  return typeof e === 'object' && e !== null && Number.isFinite(e.b) && Number.isFinite(e.e) && typeof e.r === 'object' && e.r !== null;
};
