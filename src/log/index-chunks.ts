/**
 * Reading a partition's index chunks in offset order: for fetch (locate.ts) and housekeeping
 * (retention, merging, marking), with the attributes housekeeping conditions its writes on
 * (`v`, the chunk's version, bumped by every rewrite).
 */
import type { LogDeps } from './deps.js';
import { chunkItems } from './store.js';
import { spanOfAll, withEntryOffsets, type IndexEntry, type LocatedBatch, type PartitionHead } from './partition-head.js';

export interface IndexChunk {
  sk: string;
  base: number;
  entries: IndexEntry[];
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
    const entries = item.entries as IndexEntry[];
    const base = item.base as number;
    yield { sk: item.sk as string, base, entries, v: item.v as number | undefined, end: base + spanOfAll(entries) };
  }
}

/**
 * Every live batch (one that ends after logStartOffset) of a partition in offset order: chunk entries
 * below recentBase, then the head's recent ones (compaction gaps skipped). A batch the log start
 * falls inside (DeleteRecords) is live until the log start passes its end. The head must have
 * been read before the chunks are queried (a concurrent spill writes chunks before it trims the head).
 */
export async function* iterateLiveBatches(deps: LogDeps, topicId: string, partition: number, head: PartitionHead): AsyncGenerator<LocatedBatch> {
  let next = head.logStartOffset;
  if (next < head.recentBase) {
    for await (const chunk of iterateChunks(deps, topicId, partition, next, head.recentBase - 1)) {
      for (const entry of withEntryOffsets(chunk.base, chunk.entries)) {
        if (entry.end <= next || entry.baseOffset >= head.recentBase) continue; // below, or also in the previous chunk
        if (!entry.gap) yield entry;
        next = entry.end;
      }
    }
  }
  for (const entry of withEntryOffsets(head.recentBase, head.recent)) {
    if (entry.end <= next || entry.gap) continue;
    yield entry;
    next = entry.end;
  }
}
