/**
 * The merge policy (src/log/merge.ts planMerge): what gets rewritten, and that rewriting stays
 * bounded — a slow partition must not rewrite a growing object on every pass, and a fast one
 * ends up in objects of about the target size.
 */
import { describe, expect, it } from 'vitest';
import type { IndexChunk } from '../../../src/log/index-chunks.js';
import { planMerge } from '../../../src/housekeeping/merge.js';
import type { Location } from '../../../src/log/partition-head.js';

const KB = 1024;

/** Index chunks of 4 one-record locations, offsets from 0. */
function chunksOf(locations: Array<Pick<Location, 'k' | 's' | 'l'>>, from = 0): IndexChunk[] {
  const chunks: IndexChunk[] = [];
  for (let i = from - (from % 4); i < locations.length; i += 4) {
    const entries = locations.slice(i, i + 4).map((l) => ({ ...l, n: 1, t: 0, a: 0 }));
    chunks.push({ sk: `i#${i + entries.length - 1}`, base: i, entries, end: i + entries.length });
  }
  return chunks;
}

/**
 * One housekeeping pass over the chunks from the cursor on, applied the way executeMerge does:
 * each group's runs become one new object, back to back. Returns the bytes rewritten.
 */
function housekeepingPass(locations: Array<Pick<Location, 'k' | 's' | 'l'>>, state: { cursor: number }, target: number, name: () => string): number {
  const chunks = chunksOf(locations, state.cursor);
  const plan = planMerge(chunks, { targetBytes: target, maxBytesPerPass: Number.MAX_SAFE_INTEGER });
  let rewritten = 0;
  for (const group of plan.groups) {
    const key = name();
    let position = 0;
    for (const run of group.runs) {
      for (const member of run.members) {
        locations[chunks[member.chunk]!.base + member.entry] = { k: key, s: position + (member.location.s - run.start), l: member.location.l };
      }
      position += run.end - run.start;
    }
    rewritten += group.bytes;
  }
  state.cursor = Math.max(state.cursor, plan.cursor);
  return rewritten;
}

const objectSizes = (locations: Array<Pick<Location, 'k' | 'l'>>): number[] => {
  const sizes = new Map<string, number>();
  for (const l of locations) sizes.set(l.k, (sizes.get(l.k) ?? 0) + l.l);
  return [...sizes.values()];
};

describe('merge plan', () => {
  it('groups consecutive small runs up to the target, never touches big runs, and leaves a lone small run alone', () => {
    // Prepare: 6 x 1 KB in separate objects, a 40 KB run, 1 x 1 KB
    const locations = [
      ...Array.from({ length: 6 }, (_, i) => ({ k: `small-${i}`, s: 100, l: KB })),
      ...Array.from({ length: 10 }, (_, i) => ({ k: 'big', s: i * 4 * KB, l: 4 * KB })),
      { k: 'tail', s: 0, l: KB },
    ];

    // Act
    const plan = planMerge(chunksOf(locations), { targetBytes: 64 * KB, maxBytesPerPass: 1 << 30 });

    // Assess
    expect(plan.groups).toHaveLength(1);
    expect(plan.groups[0]!.runs.map((r) => r.key)).toEqual(['small-0', 'small-1', 'small-2', 'small-3', 'small-4', 'small-5']);
    expect(plan.groups[0]!.bytes).toBe(6 * KB);
    expect(plan.cursor).toBe(0); // the merged 6 KB is still small: it will be merged again later
  });

  it('cuts groups at the target size and at the per-pass byte budget', () => {
    const locations = Array.from({ length: 40 }, (_, i) => ({ k: `o${i}`, s: 0, l: KB }));

    const byTarget = planMerge(chunksOf(locations), { targetBytes: 8 * KB, maxBytesPerPass: 1 << 30 });
    const byBudget = planMerge(chunksOf(locations), { targetBytes: 8 * KB, maxBytesPerPass: 16 * KB });

    expect(byTarget.groups.map((g) => g.bytes)).toEqual([8 * KB, 8 * KB, 8 * KB, 8 * KB, 8 * KB]);
    expect(byBudget.groups.map((g) => g.bytes)).toEqual([8 * KB, 8 * KB]);
    expect(byBudget.cursor).toBe(16); // the first batch not merged
  });

  it('a slow partition (one small batch per pass) rewrites each byte a bounded number of times and keeps few small objects', () => {
    // Prepare
    const target = 64 * KB;
    const locations: Array<Pick<Location, 'k' | 's' | 'l'>> = [];
    const state = { cursor: 0 };
    let objects = 0;
    let rewritten = 0;

    // Act: 2,000 passes, each after one more 1 KB batch arrived
    for (let pass = 0; pass < 2000; pass++) {
      locations.push({ k: `produce-${pass}`, s: 0, l: KB });
      rewritten += housekeepingPass(locations, state, target, () => `merged-${objects++}`);
    }

    // Assess: each byte is rewritten at most ~log2(target / batch) times; the small tail stays short
    const written = 2000 * KB;
    expect(rewritten / written).toBeLessThanOrEqual(Math.log2(target / KB) + 1);
    const sizes = objectSizes(locations);
    expect(sizes.filter((s) => s * 2 < target).length).toBeLessThanOrEqual(2 * Math.log2(target / KB));
    expect(sizes.filter((s) => s * 2 >= target).reduce((a, b) => a + b, 0)).toBeGreaterThan(written * 0.9);
  });
});
