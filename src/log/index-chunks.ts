/**
 * Reading a partition's index chunks in offset order: for fetch (locate.ts) and housekeeping
 * (retention, merging, marking), with the attributes housekeeping conditions its writes on
 * (`v`, the chunk's version, bumped by every rewrite).
 */
import type { LogDeps } from './deps.js';
import { chunkItems } from './store.js';
import { withOffsets, type LocatedBatch, type Location, type PartitionHead } from './partition-head.js';

export interface IndexChunk {
  sk: string;
  base: number;
  entries: Location[];
  /** version: absent until housekeeping first rewrites the chunk */
  v?: number;
  /** offset after the chunk's last batch */
  end: number;
}

/** Chunks whose last offset is in [fromOffset, toOffset], ascending. */
export async function* iterateChunks(
  deps: LogDeps,
  topicId: string,
  partition: number,
  fromOffset: number,
  toOffset = Number.MAX_SAFE_INTEGER,
): AsyncGenerator<IndexChunk> {
  if (toOffset < fromOffset) return;
  for await (const item of chunkItems(deps, topicId, partition, fromOffset, toOffset)) {
    const entries = item.entries as Location[];
    const base = item.base as number;
    yield { sk: item.sk as string, base, entries, v: item.v as number | undefined, end: base + entries.reduce((sum, l) => sum + l.n, 0) };
  }
}

/**
 * Every live batch (offset >= logStartOffset) of a partition in offset order: chunk entries
 * below recentBase, then the head's recent ones. The head must have been read before the
 * chunks are queried (a concurrent spill writes chunks before it trims the head).
 */
export async function* iterateLiveBatches(deps: LogDeps, topicId: string, partition: number, head: PartitionHead): AsyncGenerator<LocatedBatch> {
  let next = head.logStartOffset;
  if (next < head.recentBase) {
    for await (const chunk of iterateChunks(deps, topicId, partition, next, head.recentBase - 1)) {
      for (const batch of withOffsets(chunk.base, chunk.entries)) {
        if (batch.baseOffset < next || batch.baseOffset >= head.recentBase) continue;
        yield batch;
        next = batch.baseOffset + batch.n;
      }
    }
  }
  for (const batch of withOffsets(head.recentBase, head.recent)) {
    if (batch.baseOffset < next) continue;
    yield batch;
    next = batch.baseOffset + batch.n;
  }
}
