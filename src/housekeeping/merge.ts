/**
 * Merging: a partition's batches spread over small objects (one per produce request, shared
 * with other partitions) are rewritten into larger per-partition segment objects, as WarpStream
 * compacts L0 files and Inkless consolidates per-partition segments. Per partition, under its lease.
 *
 * Only index chunks are merged, never the head's recent locations. A "run" is a stretch of a
 * partition's consecutive batches stored back to back in one object; runs smaller than half
 * the target are "small". Consecutive small runs are grouped greedily up to the target size,
 * and a group is written only when it at least doubles its largest run: every byte is then
 * rewritten at most log2(target / batch size) times, and a slow partition does not rewrite a
 * growing object on every pass.
 *
 * Steps: read the runs, PUT the new object, then rewrite each affected chunk with a conditional
 * write (lease fence + the chunk's version unchanged + the chunk still exists) pointing its
 * locations into the new object. Locations keep their order, counts and timestamps, so a
 * reader holding the old chunk reads the old object and one holding the new chunk the new
 * object, with the same bytes. Old objects are deleted by the sweep once unreferenced.
 */
import { logKeys, newSegmentKey, segmentKeyTime } from '../storage/keys.js';
import type { ObjectStore } from '../storage/object-store.js';
import { nowOf, type LogDeps } from '../log/deps.js';
import { fencedWrites } from '../log/store.js';
import type { IndexChunk } from '../log/index-chunks.js';
import type { LeaseGuard } from '../leases/leases.js';
import { isGap, spanOf, type Location } from '../log/partition-head.js';

export interface MergeSettings {
  targetBytes: number;
  /** bytes one pass may rewrite */
  maxBytesPerPass: number;
  /**
   * A merged object must be referenced within this long of its PUT. The sweep deletes an object
   * no earlier than two graces after its key time (first sighting after one, deletion a grace
   * later), so one grace leaves a whole grace of margin.
   */
  rewriteWindowMs: number;
}

interface Member {
  chunk: number;
  entry: number;
  location: Location;
}

interface Run {
  key: string;
  start: number;
  end: number;
  /** offset of the run's first batch */
  offset: number;
  members: Member[];
}

export interface MergeGroup {
  runs: Run[];
  bytes: number;
}

export interface MergePlan {
  groups: MergeGroup[];
  /** every batch below this offset is in a run that will not be merged again (see the module comment) */
  cursor: number;
}

const runBytes = (run: Run): number => run.end - run.start;

/** Splits chunks (consecutive, ascending) into runs; a gap between chunks starts a new stretch. */
function runsOf(chunks: IndexChunk[]): Run[][] {
  const stretches: Run[][] = [];
  let runs: Run[] = [];
  let expected: number | undefined;
  chunks.forEach((chunk, c) => {
    if (expected !== undefined && chunk.base !== expected) {
      stretches.push(runs);
      runs = [];
    }
    let offset = chunk.base;
    chunk.entries.forEach((location, e) => {
      if (isGap(location)) {
        offset += location.w; // compaction removed these offsets: nothing to move
        return;
      }
      const last = runs[runs.length - 1];
      if (last && last.key === location.k && last.end === location.s) {
        last.end += location.l;
        last.members.push({ chunk: c, entry: e, location });
      } else {
        runs.push({ key: location.k, start: location.s, end: location.s + location.l, offset, members: [{ chunk: c, entry: e, location }] });
      }
      offset += spanOf(location);
    });
    expected = chunk.end;
  });
  stretches.push(runs);
  return stretches;
}

/** Chooses what to merge among `chunks` (consecutive, ascending, all below the head's recentBase). */
export function planMerge(chunks: IndexChunk[], settings: Pick<MergeSettings, 'targetBytes' | 'maxBytesPerPass'>): MergePlan {
  const small = (run: Run) => runBytes(run) * 2 < settings.targetBytes;
  const groups: MergeGroup[] = [];
  let budget = settings.maxBytesPerPass;
  let cursor: number | undefined;
  const end = chunks[chunks.length - 1]?.end ?? 0;
  for (const runs of runsOf(chunks)) {
    let i = 0;
    while (i < runs.length) {
      const first = runs[i] as Run;
      if (!small(first)) {
        i++;
        continue;
      }
      let j = i;
      let bytes = 0;
      let largest = 0;
      while (j < runs.length && small(runs[j] as Run) && bytes + runBytes(runs[j] as Run) <= settings.targetBytes) {
        bytes += runBytes(runs[j] as Run);
        largest = Math.max(largest, runBytes(runs[j] as Run));
        j++;
      }
      if (j - i >= 2 && bytes >= 2 * largest && bytes <= budget) {
        groups.push({ runs: runs.slice(i, j), bytes });
        budget -= bytes;
        if (bytes * 2 < settings.targetBytes) cursor ??= first.offset; // still small: merged again later
        i = j;
      } else {
        cursor ??= first.offset;
        i++;
      }
    }
  }
  return { groups, cursor: cursor ?? end };
}

export interface MergeOutcome {
  objectsMerged: number;
  mergedObjectsWritten: number;
  bytesMerged: number;
  chunksRewritten: number;
  /** chunks that changed or vanished since they were read (another holder, retention) */
  conflicts: number;
  /** lowest offset of a chunk that could not be rewritten, if any */
  failedFrom?: number;
}

export interface MergeHooks {
  afterMergedObjectPut?: (key: string) => Promise<void> | void;
  afterChunkRewrite?: (sk: string) => Promise<void> | void;
}

const READ_CONCURRENCY = 8;

async function readRuns(store: ObjectStore, runs: Run[]): Promise<Buffer[]> {
  const out: Buffer[] = new Array(runs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(READ_CONCURRENCY, runs.length) }, async () => {
      while (next < runs.length) {
        const i = next++;
        const run = runs[i] as Run;
        out[i] = await store.getRange(run.key, run.start, run.end);
      }
    }),
  );
  return out;
}

/** Writes the planned objects, then points the chunks at them. */
export async function executeMerge(
  deps: LogDeps & { store: ObjectStore },
  guard: LeaseGuard,
  topicId: string,
  partition: number,
  chunks: IndexChunk[],
  plan: MergePlan,
  settings: Pick<MergeSettings, 'rewriteWindowMs'>,
  hooks: MergeHooks = {},
): Promise<MergeOutcome> {
  const outcome: MergeOutcome = { objectsMerged: 0, mergedObjectsWritten: 0, bytesMerged: 0, chunksRewritten: 0, conflicts: 0 };
  if (plan.groups.length === 0) return outcome;
  const moved = new Map<number, Map<number, Pick<Location, 'k' | 's'>>>();
  const sources = new Set<string>();
  let oldestPut = Number.POSITIVE_INFINITY;
  for (const group of plan.groups) {
    const bodies = await readRuns(deps.store, group.runs);
    const key = newSegmentKey(new Date(nowOf(deps)));
    oldestPut = Math.min(oldestPut, segmentKeyTime(key) ?? nowOf(deps));
    await guard.ensure();
    await deps.store.put(key, Buffer.concat(bodies));
    outcome.mergedObjectsWritten++;
    outcome.bytesMerged += group.bytes;
    await hooks.afterMergedObjectPut?.(key);
    let position = 0;
    for (const run of group.runs) {
      sources.add(run.key);
      for (const member of run.members) {
        const entries = moved.get(member.chunk) ?? new Map<number, Pick<Location, 'k' | 's'>>();
        entries.set(member.entry, { k: key, s: position + (member.location.s - run.start) });
        moved.set(member.chunk, entries);
      }
      position += runBytes(run);
    }
  }
  outcome.objectsMerged = sources.size;

  const pk = logKeys.partitionPk(topicId, partition);
  for (const [c, changes] of [...moved.entries()].sort((a, b) => a[0] - b[0])) {
    const chunk = chunks[c] as IndexChunk;
    const entries = chunk.entries.map((location, e) => {
      const change = changes.get(e);
      return change && !isGap(location) ? { ...location, ...change } : location;
    });
    // The sweep may collect an object nothing references for its whole grace: reference it well before that.
    if (await guard.write(fencedWrites.rewriteChunk({ pk, sk: chunk.sk }, chunk.v, entries), oldestPut + settings.rewriteWindowMs)) {
      outcome.chunksRewritten++;
      await hooks.afterChunkRewrite?.(chunk.sk);
    } else {
      outcome.conflicts++;
      outcome.failedFrom = Math.min(outcome.failedFrom ?? Number.POSITIVE_INFINITY, chunk.base);
    }
  }
  return outcome;
}
