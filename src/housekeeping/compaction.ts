/**
 * Log compaction (cleanup.policy=compact), per partition under its lease, as Kafka's log cleaner
 * does it, on index chunks instead of segment files (decision 32):
 *
 * 1. A round (compaction-plan.ts) has a dirty range [cleanedTo, end). Its records are read to build
 *    the offset map: key -> offset of its latest record in the range.
 * 2. Cleaning walks the chunks from the log start (or where an interrupted round stopped) to `end`,
 *    in offset order. A record goes when a later record of its key is in the map, when it has no
 *    key, or when it is a tombstone whose delete horizon has passed; a batch keeping tombstones gets
 *    its horizon (now + delete.retention.ms) the first time a round reaches it. A batch that lost
 *    records is rewritten (retainRecords: same offsets, timestamps, producer fields; new CRC); one
 *    that lost them all becomes a gap entry; offsets never change.
 * 3. As merging does: the surviving batches of every changed chunk are PUT in a new per-partition
 *    object first, then the chunks are rewritten one by one in offset order (conditioned on their
 *    version and the lease fence), stopping at the first that fails. Old objects are left to the sweep.
 *
 * A reader holding an old chunk reads the old objects (still there for a grace); one holding a new
 * chunk reads the new object, written before. Any prefix of the rewrites is a valid log: a record
 * is only removed when a later record of its key is in the log, and a tombstone is removed only by
 * a round after the one that set its horizon, which had rewritten every chunk before it — so a
 * crash at any point loses nothing and never brings a deleted key back.
 */
import { createHash } from 'node:crypto';
import { ATTRIBUTE, FloeError, readBatchRecords, retainRecords, type BatchRecords, type RecordView } from '@floe/protocol';
import { logKeys, newSegmentKey, segmentKeyTime } from '../storage/keys.js';
import type { ObjectStore } from '../storage/object-store.js';
import { nowOf, type LogDeps } from '../log/deps.js';
import { iterateChunks, iterateLiveBatches, type IndexChunk } from '../log/index-chunks.js';
import { LIMITS, type TopicConfig } from '../log/limits.js';
import { isGap, spanOf, withEntryOffsets, withOffsets, type Gap, type IndexEntry, type LocatedBatch, type Location, type PartitionHead } from '../log/partition-head.js';
import { readBatches } from '../log/read-ranges.js';
import { fencedWrites } from '../log/store.js';
import type { LeaseGuard } from '../leases/leases.js';
import { planRound, type CompactionConfigs, type CompactionState } from './compaction-plan.js';

export interface CompactionSettings {
  /** size of the objects compaction writes */
  targetBytes: number;
  /** bytes of batches one pass may read (the map's and the cleaning's) */
  maxBytesPerPass: number;
  /** keys one round's offset map may hold */
  maxKeys: number;
  /** a written object must be referenced within this long of its PUT (see merge.ts) */
  rewriteWindowMs: number;
  /** stop starting new work after this time */
  deadline: number;
}

export interface CompactionHooks {
  afterCompactedObjectPut?: (key: string) => Promise<void> | void;
  afterCompactedChunkRewrite?: (sk: string) => Promise<void> | void;
}

export interface CompactionOutcome {
  /** rounds that reached their end */
  rounds: number;
  chunksRewritten: number;
  objectsWritten: number;
  recordsRemoved: number;
  tombstonesRemoved: number;
  bytesRead: number;
  bytesWritten: number;
  /** chunks that changed or vanished since they were read */
  conflicts: number;
}

export const emptyCompactionOutcome = (): CompactionOutcome => ({
  rounds: 0,
  chunksRewritten: 0,
  objectsWritten: 0,
  recordsRemoved: 0,
  tombstonesRemoved: 0,
  bytesRead: 0,
  bytesWritten: 0,
  conflicts: 0,
});

type Deps = LogDeps & { store: ObjectStore };

/** Bytes of batches read at once (ranges coalesced, GETs in parallel). */
const WINDOW_BYTES = 8 * 1024 * 1024;
const WINDOW_CHUNKS = 64;

/** A key as the offset map holds it: short keys as they are, long ones by a 128-bit hash (Kafka hashes them all). */
const keyId = (key: Buffer): string =>
  key.length <= 16 ? `r${key.toString('latin1')}` : `h${createHash('sha256').update(key).digest().subarray(0, 16).toString('latin1')}`;

/** Every live batch from `logStart` on (iterateLiveBatches: the head was read before the chunks are queried). */
async function liveBatches(deps: Deps, topicId: string, partition: number, head: PartitionHead, logStart: number): Promise<LocatedBatch[]> {
  const out: LocatedBatch[] = [];
  for await (const batch of iterateLiveBatches(deps, { topicId }, partition, { ...head, logStartOffset: logStart })) out.push(batch);
  return out;
}

/** Chunks overlapping [from, end) (the last may reach past `end`), in order, in windows of about WINDOW_BYTES of batches. */
async function* chunkWindows(deps: Deps, topicId: string, partition: number, from: number, end: number): AsyncGenerator<IndexChunk[]> {
  let window: IndexChunk[] = [];
  let bytes = 0;
  for await (const chunk of iterateChunks(deps, topicId, partition, from)) {
    if (chunk.base >= end) break; // leaving the loop stops the Query
    window.push(chunk);
    bytes += chunk.entries.reduce((sum, e) => sum + (isGap(e) ? 0 : e.l), 0);
    if (bytes >= WINDOW_BYTES || window.length >= WINDOW_CHUNKS) {
      yield window;
      window = [];
      bytes = 0;
    }
  }
  if (window.length > 0) yield window;
}

/**
 * The batches of `chunks` in [from, end), located, with their bytes (offsets patched). A batch that
 * `from` falls inside (a log start moved by DeleteRecords) is in: its records above the log start are
 * live, and one superseded there must go before a later tombstone of its key may.
 */
async function readWindow(deps: Deps, chunks: IndexChunk[], from: number, end: number): Promise<Map<string, { batch: LocatedBatch; bytes: Buffer }>> {
  const wanted = chunks.flatMap((c) => withOffsets(c.base, c.entries).filter((b) => b.end > from && b.baseOffset < end));
  const bytes = await readBatches(deps.store, wanted.map((b) => [b]));
  return new Map(wanted.map((b, i) => [`${b.baseOffset}`, { batch: b, bytes: bytes[i] as Buffer }]));
}

function readable(bytes: Buffer): BatchRecords | undefined {
  try {
    return readBatchRecords(bytes, LIMITS.readerMaxBatchBytes);
  } catch (error) {
    if (error instanceof FloeError) return undefined; // a batch stored before records were walked (decision 25): left as it is
    throw error;
  }
}

/** What cleaning decided for one batch. */
type Verdict =
  | { kind: 'same' }
  | { kind: 'gone'; removed: number; tombstones: number }
  | { kind: 'kept'; bytes: Buffer; location: Omit<Location, 'k' | 's'>; removed: number; tombstones: number };

function judgeBatch(batch: LocatedBatch, bytes: Buffer, map: Map<string, number>, configs: Pick<TopicConfig, 'delete.retention.ms'>, now: number): Verdict {
  const read = readable(bytes);
  if (!read) return { kind: 'same' };
  const expired = batch.h !== undefined && batch.h <= now;
  let removed = 0;
  let tombstones = 0;
  let keptTombstone = false;
  const keep = (r: RecordView): boolean => {
    const offset = batch.baseOffset + r.offsetDelta;
    const latest = r.key === null ? undefined : map.get(keyId(r.key));
    const superseded = r.key === null || (latest !== undefined && latest > offset);
    if (!superseded && !(r.nullValue && expired)) {
      if (r.nullValue) keptTombstone = true;
      return true;
    }
    removed++;
    if (r.nullValue) tombstones++;
    return false;
  };
  const decisions = read.records.map(keep);
  const needsHorizon = keptTombstone && batch.h === undefined;
  // A horizon with no tombstone left under it would start a round on every pass once it passed.
  const staleHorizon = !keptTombstone && batch.h !== undefined;
  if (removed === 0 && !needsHorizon && !staleHorizon) return { kind: 'same' };
  if (removed === read.records.length) return { kind: 'gone', removed, tombstones };
  const out = removed === 0 ? bytes : retainRecords(bytes, read, (_r, i) => decisions[i] === true);
  const { baseOffset: _b, end: _e, gap: _g, k: _k, s: _s, h: _h, ...rest } = batch;
  const location: Omit<Location, 'k' | 's'> = {
    ...rest,
    l: out.length,
    n: read.records.length - removed,
    w: spanOf(batch),
    // the records' max timestamp; a LogAppendTime batch keeps its append time
    t: removed === 0 || (read.header.attributes & ATTRIBUTE.logAppendTime) !== 0 ? batch.t : Number(out.readBigInt64BE(35)),
    ...(keptTombstone ? { h: batch.h ?? now + configs['delete.retention.ms'] } : {}),
  };
  return { kind: 'kept', bytes: out, location, removed, tombstones };
}

/** A changed chunk waiting for its object: its new entries, with `s` relative to the object. */
interface PendingChunk {
  chunk: IndexChunk;
  entries: Array<IndexEntry | { moved: Omit<Location, 'k'> }>;
}

/** Appends a gap, joined to a gap just before it. */
function pushGap(entries: PendingChunk['entries'], w: number): void {
  const last = entries[entries.length - 1];
  if (last && !('moved' in last) && isGap(last)) entries[entries.length - 1] = { w: last.w + w } satisfies Gap;
  else entries.push({ w } satisfies Gap);
}

/** Builds the offset map of [from, end): key -> latest offset. A new round may end earlier, where the map is full. */
async function buildMap(
  deps: Deps,
  topicId: string,
  partition: number,
  from: number,
  end: number,
  maxKeys: number | undefined,
  outcome: CompactionOutcome,
): Promise<{ map: Map<string, number>; end: number }> {
  const map = new Map<string, number>();
  for await (const window of chunkWindows(deps, topicId, partition, from, end)) {
    const read = await readWindow(deps, window, from, end);
    for (const { batch, bytes } of read.values()) {
      if (maxKeys !== undefined && map.size > 0 && map.size + batch.n > maxKeys) return { map, end: batch.baseOffset };
      outcome.bytesRead += bytes.length;
      const records = readable(bytes);
      for (const r of records?.records ?? []) if (r.key !== null) map.set(keyId(r.key), batch.baseOffset + r.offsetDelta);
    }
  }
  return { map, end };
}

/**
 * One pass of compaction over a partition (the head as read, the log start after retention).
 * Returns what it did and the state to keep on the lease.
 */
export async function compactPartition(
  deps: Deps,
  guard: LeaseGuard,
  topicId: string,
  partition: number,
  head: PartitionHead,
  logStart: number,
  configs: CompactionConfigs,
  state: CompactionState,
  settings: CompactionSettings,
  hooks: CompactionHooks = {},
): Promise<{ outcome: CompactionOutcome; state: CompactionState }> {
  const outcome = emptyCompactionOutcome();
  const now = nowOf(deps);
  let end: number;
  let at: number;
  let dirtyFrom = Math.max(state.cleanedTo, logStart);
  if (state.round) {
    end = state.round.end;
    at = Math.max(state.round.at, logStart);
  } else {
    const batches = await liveBatches(deps, topicId, partition, head, logStart);
    const plan = planRound(batches, head.recentBase, state, configs, now, { maxDirtyBytes: settings.maxBytesPerPass / 2 });
    if (!plan) return { outcome, state };
    end = plan.end;
    dirtyFrom = Math.max(plan.dirtyFrom, logStart);
    at = logStart;
  }
  if (at >= end) return { outcome: { ...outcome, rounds: 1 }, state: { cleanedTo: end } };

  const built = await buildMap(deps, topicId, partition, dirtyFrom, end, state.round ? undefined : settings.maxKeys, outcome);
  end = built.end;
  const map = built.map;

  const pk = logKeys.partitionPk(topicId, partition);
  let pending: PendingChunk[] = [];
  let parts: Buffer[] = [];
  let size = 0;
  /** PUTs the pending object, then rewrites the pending chunks in order; false at the first that fails. */
  const flush = async (): Promise<boolean> => {
    const chunks = pending;
    const body = Buffer.concat(parts);
    pending = [];
    parts = [];
    size = 0;
    let key = '';
    if (body.length > 0) {
      key = newSegmentKey(new Date(nowOf(deps)));
      await guard.ensure();
      await deps.store.put(key, body);
      outcome.objectsWritten++;
      outcome.bytesWritten += body.length;
      await hooks.afterCompactedObjectPut?.(key);
    }
    const putAt = segmentKeyTime(key) ?? nowOf(deps);
    for (const p of chunks) {
      const entries = p.entries.map((e) => ('moved' in e ? ({ ...e.moved, k: key } as Location) : e));
      // The sweep may collect an object nothing references for its whole grace: reference it well before that.
      if (!(await guard.write(fencedWrites.rewriteChunk({ pk, sk: p.chunk.sk }, p.chunk.v, entries), key ? putAt + settings.rewriteWindowMs : undefined))) {
        outcome.conflicts++;
        at = p.chunk.base;
        return false;
      }
      outcome.chunksRewritten++;
      await hooks.afterCompactedChunkRewrite?.(p.chunk.sk);
    }
    return true;
  };

  let next = at;
  for await (const window of chunkWindows(deps, topicId, partition, at, end)) {
    const bytes = await readWindow(deps, window, Math.max(at, logStart), end);
    for (const chunk of window) {
      const entries: PendingChunk['entries'] = [];
      const chunkParts: Buffer[] = [];
      let chunkSize = 0;
      let changed = false;
      withEntryOffsets(chunk.base, chunk.entries).forEach((entry, i) => {
        const read = entry.gap ? undefined : bytes.get(`${entry.baseOffset}`);
        if (entry.gap) return pushGap(entries, entry.end - entry.baseOffset);
        if (!read) return void entries.push(chunk.entries[i] as Location); // outside this round's range
        outcome.bytesRead += read.bytes.length;
        const verdict = judgeBatch(entry, read.bytes, map, configs, now);
        if (verdict.kind !== 'same') {
          changed = true;
          outcome.recordsRemoved += verdict.removed;
          outcome.tombstonesRemoved += verdict.tombstones;
        }
        if (verdict.kind === 'gone') return pushGap(entries, entry.end - entry.baseOffset);
        // Every surviving batch of a changed chunk moves, so that its old objects can go.
        const out = verdict.kind === 'kept' ? verdict.bytes : read.bytes;
        out.writeBigInt64BE(0n, 0); // stored batches carry baseOffset 0
        const { baseOffset: _b, end: _e, gap: _g, k: _k, s: _s, ...location } = entry;
        entries.push({ moved: { ...(verdict.kind === 'kept' ? verdict.location : location), s: chunkSize } });
        chunkParts.push(out);
        chunkSize += out.length;
      });
      next = chunk.end;
      if (!changed) continue;
      for (const e of entries) if ('moved' in e) e.moved.s += size;
      parts.push(...chunkParts);
      size += chunkSize;
      pending.push({ chunk, entries });
      if (size >= settings.targetBytes && !(await flush())) return { outcome, state: { cleanedTo: state.cleanedTo, round: { end, at } } };
    }
    if (outcome.bytesRead >= settings.maxBytesPerPass || nowOf(deps) >= settings.deadline) break;
  }
  if (!(await flush())) return { outcome, state: { cleanedTo: state.cleanedTo, round: { end, at } } };
  if (next < end) return { outcome, state: { cleanedTo: state.cleanedTo, round: { end, at: next } } };
  outcome.rounds++;
  return { outcome, state: { cleanedTo: end } };
}
