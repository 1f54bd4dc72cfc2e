/**
 * Finding the batches that hold offsets >= `fromOffset`: the head first, then
 * (only if older offsets are asked for) one Query on the index items (a striped topic's
 * partition: its stripe's chunks, found by a binary search, index-chunks.ts). Reading
 * the head before the index matters: a location trimmed from the head was
 * written to the index before the trim, so it is visible to the later Query.
 *
 * Retention deletes index chunks below the log start offset after advancing it, so
 * a chunk can vanish between the head read and the Query: the batches found must
 * then not start after the requested offset (a skip). Selection stops at such a
 * gap; when nothing before it was selected, the offset is no longer in the log.
 *
 * Compaction's gaps are different: they are listed in the chunks (offsets whose batches it
 * removed), so a position inside one simply moves on to the next surviving batch (decision 32).
 */
import { FloeError } from '@floe/protocol';
import type { LogDeps } from './deps.js';
import { iteratePartitionChunks } from './index-chunks.js';
import { withEntryOffsets, type LocatedBatch, type LocatedEntry, type PartitionHead } from './partition-head.js';
import type { TopicRef } from './stripe-head.js';

export interface LocateOptions {
  fromOffset: number;
  /** Stop once this many bytes are selected. */
  maxBytes: number;
  /** Include the first batch even if it alone exceeds maxBytes (Kafka does so for the first non-empty partition). */
  forceFirst: boolean;
}

export async function locateBatches(
  deps: LogDeps,
  topic: TopicRef,
  partition: number,
  head: PartitionHead,
  options: LocateOptions,
): Promise<LocatedBatch[]> {
  const selected: LocatedBatch[] = [];
  let bytes = 0;
  let next = Math.max(options.fromOffset, head.logStartOffset);
  const take = (batch: LocatedEntry): boolean => {
    if (batch.end <= next) return true; // before the position, or overlap between chunks
    if (batch.baseOffset > next) {
      // Chunks below a newer log start offset were deleted after the head was read.
      if (selected.length === 0) {
        throw new FloeError('OFFSET_OUT_OF_RANGE', `offset ${next} is no longer in the log (retention moved the log start offset)`);
      }
      return false;
    }
    if (batch.gap) {
      next = batch.end; // compaction removed these offsets: continue after them
      return true;
    }
    if ((selected.length > 0 || !options.forceFirst) && bytes + batch.l > options.maxBytes) return false;
    selected.push(batch);
    bytes += batch.l;
    next = batch.end;
    return true;
  };

  if (options.fromOffset < head.recentBase) {
    const chunks = iteratePartitionChunks(deps, topic, partition, options.fromOffset, Math.max(options.fromOffset, head.recentBase - 1));
    for await (const chunk of chunks) {
      for (const batch of withEntryOffsets(chunk.base, chunk.entries)) {
        if (batch.baseOffset >= head.recentBase) break;
        if (!take(batch)) return selected; // leaving the loop stops the Query: no page is read needlessly
      }
    }
  }
  for (const batch of withEntryOffsets(head.recentBase, head.recent)) {
    if (!take(batch)) break;
  }
  return selected;
}
