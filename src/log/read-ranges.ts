/**
 * Reading located batches from segment objects: ranges of the same object are
 * merged when adjacent (or separated by a small gap, cheaper to read than a second
 * GET), each merged range is read once, and every batch is copied out with its
 * baseOffset patched (the stored batches carry 0).
 */
import type { ObjectStore } from '../storage/object-store.js';
import { patchBaseOffset } from '@floe/protocol';
import type { LocatedBatch } from './partition-head.js';

/** Gap between two ranges of one object below which they are read with one GET. */
export const COALESCE_GAP_BYTES = 256 * 1024;

interface Span {
  key: string;
  start: number;
  end: number;
}

export function coalesce(batches: Iterable<LocatedBatch>, gap = COALESCE_GAP_BYTES): Span[] {
  const byKey = new Map<string, Array<[number, number]>>();
  for (const b of batches) {
    const list = byKey.get(b.k) ?? [];
    list.push([b.s, b.s + b.l]);
    byKey.set(b.k, list);
  }
  const spans: Span[] = [];
  for (const [key, ranges] of byKey) {
    ranges.sort((x, y) => x[0] - y[0]);
    let current: Span | undefined;
    for (const [start, end] of ranges) {
      if (current && start <= current.end + gap) current.end = Math.max(current.end, end);
      else {
        current = { key, start, end };
        spans.push(current);
      }
    }
  }
  return spans;
}

/** Reads the batches of several partitions; returns one buffer per input list, batches in order, offsets patched. */
export async function readBatches(store: ObjectStore, lists: LocatedBatch[][]): Promise<Buffer[]> {
  return (await readBatchesSettled(store, lists)).map((read) => {
    if (Buffer.isBuffer(read)) return read;
    throw read.error;
  });
}

/**
 * readBatches, where a failed read fails only the lists that needed it (one partition's
 * unreadable object must not fail a fetch of every other partition).
 */
export async function readBatchesSettled(store: ObjectStore, lists: LocatedBatch[][]): Promise<Array<Buffer | { error: unknown }>> {
  const spans = coalesce(lists.flat());
  const data = await Promise.allSettled(spans.map((span) => store.getRange(span.key, span.start, span.end)));
  const find = (b: LocatedBatch): Buffer => {
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i] as Span;
      if (span.key === b.k && span.start <= b.s && b.s + b.l <= span.end) {
        const read = data[i] as PromiseSettledResult<Buffer>;
        if (read.status === 'rejected') throw read.reason;
        return read.value.subarray(b.s - span.start, b.s - span.start + b.l);
      }
    }
    throw new Error(`no span read for ${b.k}@${b.s}`);
  };
  return lists.map((list) => {
    const out = Buffer.allocUnsafe(list.reduce((sum, b) => sum + b.l, 0));
    let pos = 0;
    try {
      for (const b of list) {
        find(b).copy(out, pos);
        patchBaseOffset(out, pos, b.baseOffset);
        pos += b.l;
      }
    } catch (error) {
      return { error };
    }
    return out;
  });
}
