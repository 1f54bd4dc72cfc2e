/**
 * Reading a partition's index chunks in offset order: for fetch (locate.ts) and housekeeping
 * (retention, merging, marking), with the attributes housekeeping conditions its writes on
 * (`v`, the chunk's version, bumped by every rewrite). A partition of a striped topic has no index
 * chunks: its spilled batches are in its stripe's chunks (stripe-head.ts), read as if they were.
 */
import { logKeys } from '../storage/keys.js';
import type { LogDeps } from './deps.js';
import { chunkItems, stripeChunkNear, stripeChunks } from './store.js';
import { spanOfAll, withEntryOffsets, type IndexEntry, type LocatedBatch, type PartitionHead } from './partition-head.js';
import { chunkView, stripeOf, type StripeChunk, type TopicRef } from './stripe-head.js';

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

/** The partition's chunks whose batches end in [fromOffset, toOffset + 1], ascending: its index chunks, or its stripe's. */
export function iteratePartitionChunks(deps: LogDeps, topic: TopicRef, partition: number, fromOffset: number, toOffset = Number.MAX_SAFE_INTEGER): AsyncGenerator<IndexChunk> {
  return topic.stripeWidth === undefined ? iterateChunks(deps, topic.topicId, partition, fromOffset, toOffset) : iterateStripeChunks(deps, topic.topicId, topic.stripeWidth, partition, fromOffset, toOffset);
}

/**
 * A striped partition's part of its stripe's chunks (chunkView), from the one holding `fromOffset`
 * on, until one starts past `toOffset`; chunks holding none of its batches are skipped.
 */
async function* iterateStripeChunks(deps: LogDeps, topicId: string, width: number, partition: number, fromOffset: number, toOffset: number): AsyncGenerator<IndexChunk> {
  if (toOffset < fromOffset) return;
  const { stripe, index } = stripeOf(partition, width);
  const first = stripe * width;
  const start = await firstChunkEndingAfter(deps, topicId, first, index, fromOffset);
  if (start === undefined) return;
  for await (const chunk of stripeChunks(deps, topicId, first, start)) {
    const view = chunkView(chunk, index);
    if (view.base > toOffset) return; // leaving the loop stops the Query
    if (view.entries.length > 0) yield { sk: logKeys.stripeChunkSk(chunk.seq), ...view };
  }
}

/**
 * The seq of the first stripe chunk in which partition `index` ends past `offset` (its ends only
 * grow with seq), by a binary search over seq between the oldest and the newest chunk: each step one
 * Query of one item, the chunk at or before the middle. Undefined when no chunk ends past it.
 */
async function firstChunkEndingAfter(deps: LogDeps, topicId: string, first: number, index: number, offset: number): Promise<number | undefined> {
  const endOf = (chunk: StripeChunk) => chunk.ends[index] ?? 0;
  let found = await stripeChunkNear(deps, topicId, first, Number.MAX_SAFE_INTEGER, true);
  if (!found || endOf(found) <= offset) return undefined;
  const oldest = await stripeChunkNear(deps, topicId, first, 0, false);
  if (!oldest || endOf(oldest) > offset) return oldest?.seq ?? found.seq;
  // `oldest` ends at or before the offset, `found` past it; chunks at seqs in [low, high) are not known yet.
  let low = oldest.seq + 1;
  let high = found.seq;
  while (low < high) {
    const middle = Math.floor((low + high - 1) / 2);
    const chunk = await stripeChunkNear(deps, topicId, first, middle, true);
    if (!chunk || chunk.seq < low) low = middle + 1; // none in [low, middle]
    else if (endOf(chunk) > offset) [found, high] = [chunk, chunk.seq];
    else low = chunk.seq + 1;
  }
  return found.seq;
}

/**
 * Every live batch (one that ends after logStartOffset) of a partition in offset order: chunk entries
 * below recentBase, then the head's recent ones (compaction gaps skipped). A batch the log start
 * falls inside (DeleteRecords) is live until the log start passes its end. The head must have
 * been read before the chunks are queried (a concurrent spill writes chunks before it trims the head).
 */
export async function* iterateLiveBatches(deps: LogDeps, topic: TopicRef, partition: number, head: PartitionHead): AsyncGenerator<LocatedBatch> {
  let next = head.logStartOffset;
  if (next < head.recentBase) {
    for await (const chunk of iteratePartitionChunks(deps, topic, partition, next, head.recentBase - 1)) {
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
