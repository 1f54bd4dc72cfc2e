/** Striped heads (src/log/stripe-head.ts): the append's expressions, offsets derived from the counters, the per-partition view. */
import { describe, expect, it } from 'vitest';
import { NO_TIMESTAMP } from '@floe/protocol';
import { withOffsets } from '../../../src/log/partition-head.js';
import {
  baseOffsetsOf,
  chunkOf,
  chunkView,
  decodeRecords,
  entriesToSpill,
  EXPRESSION_MAX_BYTES,
  EXPRESSION_MAX_OPERATORS,
  newStripe,
  partitionView,
  planStripeAppend,
  STRIPE_SPILL_MAX_ENTRIES,
  stripeEntryBytes,
  type StripeBatch,
  type StripeChunk,
  type StripeItem,
  type StripeWrite,
} from '../../../src/log/stripe-head.js';
import { operatorsIn } from '../../helpers/expressions.js';

const NOW = 1_700_000_000_000;
const batch = (partition: number, w = 1, s = 0): StripeBatch => ({ partition, s, l: 500 + partition, n: w, w, t: NOW - 3 });
const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

/** The UpdateExpression as store.ts sends it. */
const updateExpression = (w: StripeWrite): string => `SET ${w.update.set.join(', ')}`;

/** Applies a write as DynamoDB would, reading the expression (not the write's own fields): the counters UPDATED_NEW returns. */
function apply(item: StripeItem, write: StripeWrite): { o: number[] } {
  const updated: Array<[number, number]> = [];
  for (const clause of write.update.set) {
    const counter = /^o\[(\d+)\] = o\[(\d+)\] \+ (:w\d+)$/.exec(clause);
    if (counter) {
      expect(counter[1]).toBe(counter[2]);
      const i = Number(counter[1]);
      item.o[i] = (item.o[i] as number) + (write.update.values[counter[3]!] as number);
      updated.push([i, item.o[i]!]);
    } else {
      expect(clause).toBe('recent = list_append(recent, :e)');
      item.recent.push(...(write.update.values[':e'] as StripeItem['recent']));
    }
  }
  return { o: updated.sort((x, y) => x[0] - y[0]).map(([, v]) => v) };
}

describe('planStripeAppend', () => {
  it.each([64, 128])('writes a whole stripe of %i partitions in one write within the expression limits, each span its own placeholder', (width) => {
    // Prepare: a request touching every partition of two stripes, no two spans equal (the longest expression: no placeholder shared)
    const batches = range(0, 2 * width).map((p) => batch(p, 1 + p));
    // Act
    const writes = planStripeAppend('seg/abc/1', NOW, batches, width);
    // Assess
    expect(writes.map((w) => w.stripe)).toEqual([0, 1]);
    for (const w of writes) {
      expect(w.indexes).toEqual(range(0, width));
      expect(updateExpression(w).length).toBe(w.expressionBytes);
      expect(w.expressionBytes).toBeLessThanOrEqual(EXPRESSION_MAX_BYTES);
      expect(operatorsIn(updateExpression(w)) + operatorsIn(w.update.condition, true)).toBeLessThanOrEqual(EXPRESSION_MAX_OPERATORS);
      expect(operatorsIn(updateExpression(w))).toBe(w.operators);
    }
  });

  it.each([64, 128, 1024])('splits a 1,024-partition request over stripes of %i, every write within the limits, every partition once', (width) => {
    // Prepare
    const batches = range(0, 1024).map((p) => batch(p, 1 + (p % 3)));
    // Act
    const writes = planStripeAppend('seg/abc/1', NOW, batches, width);
    // Assess
    if (width < 1024) expect(writes).toHaveLength(1024 / width);
    else expect(writes.length).toBeGreaterThan(1); // 1,024 counter updates are ~25 KB of expression
    for (const w of writes) {
      expect(updateExpression(w).length).toBeLessThanOrEqual(EXPRESSION_MAX_BYTES);
      expect(operatorsIn(updateExpression(w)) + operatorsIn(w.update.condition, true)).toBeLessThanOrEqual(EXPRESSION_MAX_OPERATORS);
      expect(decodeRecords(w.entry).map((r) => r.i)).toEqual(w.indexes);
    }
    const written = writes.flatMap((w) => w.indexes.map((i) => w.stripe * width + i));
    expect(written.sort((a, b) => a - b)).toEqual(range(0, 1024));
  });

  it('refuses a request naming a partition twice, or a batch whose count exceeds its span', () => {
    expect(() => planStripeAppend('k', NOW, [batch(3), batch(3)], 64)).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    expect(() => planStripeAppend('k', NOW, [{ ...batch(3), n: 5, w: 2 }], 64)).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });
});

describe('offsets from the counters', () => {
  it('gives each batch of interleaved requests its own contiguous offsets, and the view agrees', () => {
    // Prepare: two stripes of 8 (16 partitions); requests overlap on some partitions.
    const width = 8;
    const items = [newStripe(width), newStripe(width)];
    const requests = [
      { key: 'seg/a', batches: [batch(1, 3, 0), batch(2, 1, 10), batch(9, 2, 20)] },
      { key: 'seg/b', batches: [batch(2, 4, 0), batch(9, 1, 30), batch(15, 5, 40)] },
      { key: 'seg/c', batches: [batch(1, 2, 0), batch(15, 1, 50)] },
    ];
    const plans = requests.map((r) => planStripeAppend(r.key, NOW, r.batches, width));
    // Act: the stripe writes of the three requests land interleaved (b's second stripe first, a's last).
    const order: Array<[number, number]> = [[1, 1], [0, 0], [1, 0], [2, 1], [0, 1], [2, 0]];
    const bases = new Map<string, number>();
    for (const [r, j] of order) {
      const write = plans[r]![j]!;
      const offsets = baseOffsetsOf(write, apply(items[write.stripe]!, write));
      write.indexes.forEach((i, x) => bases.set(`${requests[r]!.key}:${write.stripe * width + i}`, offsets[x]!));
    }
    // Assess: per partition, the batches follow each other in the order they were written.
    expect(Object.fromEntries(bases)).toEqual({
      'seg/b:15': 0,
      'seg/b:9': 0,
      'seg/a:1': 0,
      'seg/a:2': 0,
      'seg/b:2': 1,
      'seg/c:15': 5,
      'seg/a:9': 1,
      'seg/c:1': 3,
    });
    const view = (p: number) => partitionView(items[Math.floor(p / width)]!, p % width);
    expect(view(2).nextOffset).toBe(5);
    expect(withOffsets(view(2).recentBase, view(2).recent).map((b) => [b.k, b.baseOffset, b.end])).toEqual([
      ['seg/a', 0, 1],
      ['seg/b', 1, 5],
    ]);
    expect(withOffsets(view(9).recentBase, view(9).recent).map((b) => [b.k, b.baseOffset, b.s])).toEqual([
      ['seg/b', 0, 30],
      ['seg/a', 1, 20],
    ]);
    expect(view(4)).toMatchObject({ nextOffset: 0, recentBase: 0, recent: [] });
  });

  it('refuses counters that do not match the write', () => {
    const [write] = planStripeAppend('k', NOW, [batch(1), batch(2)], 64);
    expect(() => baseOffsetsOf(write!, { o: [4] })).toThrow(expect.objectContaining({ code: 'UNKNOWN_SERVER_ERROR' }));
  });
});

describe('partitionView', () => {
  it('round-trips every Location field, and keeps offsets once older entries are trimmed', () => {
    // Prepare: odd values (a timestamp before the append, none at all, a compacted count, a large byte offset).
    const width = 64;
    const item = newStripe(width);
    const batches: StripeBatch[] = [
      { partition: 63, s: 5_000_000, l: 70_000, n: 7, w: 9, t: NOW - 86_400_000 },
      { partition: 0, s: 0, l: 61, n: 1, w: 1, t: NO_TIMESTAMP },
    ];
    for (const [i, key] of ['seg/x', 'seg/y', 'seg/z'].entries()) {
      for (const w of planStripeAppend(key, NOW + i, batches, width)) apply(item, w);
    }
    // Act
    const before = withOffsets(partitionView(item, 63).recentBase, partitionView(item, 63).recent);
    item.recent.shift(); // a spill moved the oldest entry elsewhere
    const after = partitionView(item, 63);
    // Assess
    expect(before.map((b) => [b.k, b.baseOffset, b.s, b.l, b.n, b.w, b.t, b.a])).toEqual([
      ['seg/x', 0, 5_000_000, 70_000, 7, 9, NOW - 86_400_000, NOW],
      ['seg/y', 9, 5_000_000, 70_000, 7, 9, NOW - 86_400_000, NOW + 1],
      ['seg/z', 18, 5_000_000, 70_000, 7, 9, NOW - 86_400_000, NOW + 2],
    ]);
    expect(withOffsets(after.recentBase, after.recent)).toEqual(before.slice(1));
    expect(partitionView(item, 0).recent.map((l) => l.t)).toEqual([NO_TIMESTAMP, NO_TIMESTAMP]);
  });
});

describe('stripe spills', () => {
  /** A stripe of `width` after `requests` appends of request `batchesOf(r)` each (object `seg/r<r>`). */
  function stripeAfter(width: number, requests: number, batchesOf: (r: number) => StripeBatch[]): StripeItem {
    const item = newStripe(width);
    for (let r = 0; r < requests; r++) for (const w of planStripeAppend(`seg/r${r}`, NOW + r, batchesOf(r), width)) apply(item, w);
    return item;
  }

  it('moves nothing within the limit, and past it the oldest entries until the rest is at most half of it', () => {
    // Prepare: entries of one size, and one of another.
    const item = stripeAfter(8, 30, (r) => [batch(r % 8), batch((r + 1) % 8)]);
    const size = stripeEntryBytes(item.recent[0]!);
    const total = item.recent.reduce((s, e) => s + stripeEntryBytes(e), 0);
    // Act
    const within = entriesToSpill(item.recent, total);
    const moved = entriesToSpill(item.recent, total - 1);
    const capped = entriesToSpill(stripeAfter(4, STRIPE_SPILL_MAX_ENTRIES + 10, (r) => [batch(r % 4)]).recent, 1);
    // Assess
    expect(size).toBe('seg/r0'.length + item.recent[0]!.b.length + 15);
    expect(within).toBe(0);
    const rest = (m: number) => item.recent.slice(m).reduce((s, e) => s + stripeEntryBytes(e), 0);
    expect(rest(moved)).toBeLessThanOrEqual((total - 1) / 2);
    expect(rest(moved - 1)).toBeGreaterThan((total - 1) / 2);
    expect(capped).toBe(STRIPE_SPILL_MAX_ENTRIES);
  });

  it("writes in a chunk each partition's counter after its last entry, and reads each partition's batches back with their offsets", () => {
    // Prepare: partition 1 in every request (spans 2), partition 2 in every third (span 3), 3 never; then a spill of 4 entries.
    const item = stripeAfter(4, 6, (r) => [batch(1, 2, r * 10), ...(r % 3 === 0 ? [batch(2, 3, r * 10 + 5)] : [])]);
    const before = [1, 2].map((p) => withOffsets(partitionView(item, p).recentBase, partitionView(item, p).recent));
    // Act
    const chunk = chunkOf({ ...item, sp: 17 }, 4);
    const kept: StripeItem = { ...item, recent: item.recent.slice(4) };
    const older: StripeChunk = { ...chunk, ends: chunk.ends.slice(0, 3) }; // written before the stripe grew to 4 partitions
    // Assess
    expect(chunk.seq).toBe(17);
    expect(chunk.entries).toEqual(item.recent.slice(0, 4));
    expect(chunk.ends).toEqual([0, 8, 6, 0]);
    for (const [j, p] of [1, 2].entries()) {
      const part = chunkView(chunk, p);
      const rest = partitionView(kept, p);
      expect(part.end).toBe(rest.recentBase);
      expect([...withOffsets(part.base, part.entries), ...withOffsets(rest.recentBase, rest.recent)]).toEqual(before[j]);
    }
    expect(chunkView(chunk, 3)).toEqual({ base: 0, end: 0, entries: [] });
    expect(chunkView(older, 3)).toEqual({ base: 0, end: 0, entries: [] });
  });
});
