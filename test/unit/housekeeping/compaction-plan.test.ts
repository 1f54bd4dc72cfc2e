/**
 * When compaction starts and how far it may go: the active tail, min.compaction.lag.ms, the dirty
 * ratio, max.compaction.lag.ms and expired tombstone horizons (compaction-plan.ts).
 */
import { describe, expect, it } from 'vitest';
import { cleanableEnd, planRound, type CompactionConfigs } from '../../../src/housekeeping/compaction-plan.js';
import type { LocatedBatch } from '../../../src/log/partition-head.js';

const NOW = 1_000_000;
const CONFIGS: CompactionConfigs = {
  'min.cleanable.dirty.ratio': 0.5,
  'min.compaction.lag.ms': 0,
  'max.compaction.lag.ms': Number.MAX_SAFE_INTEGER,
  'delete.retention.ms': 1000,
  'segment.ms': 100,
  'segment.bytes': 1 << 30,
};

/** `count` one-record batches of 100 bytes, appended `ageMs` ago, from offset `from`. */
const batches = (from: number, count: number, ageMs: number, extra: Partial<LocatedBatch> = {}): LocatedBatch[] =>
  Array.from({ length: count }, (_, i) => ({ k: 'o', s: i * 100, l: 100, n: 1, w: 1, t: NOW - ageMs, a: NOW - ageMs, baseOffset: from + i, end: from + i + 1, ...extra }));

describe('compaction plan', () => {
  it('stops at the head, at the active tail younger than segment.ms, and at batches younger than min.compaction.lag.ms', () => {
    // Prepare: 10 old batches, then 5 young ones (50 ms); the head's inline ones start at 12
    const log = [...batches(0, 10, 10_000), ...batches(10, 5, 50)];

    // Act
    const byTail = cleanableEnd(log, 12, CONFIGS, NOW);
    const byHead = cleanableEnd(log, 8, CONFIGS, NOW);
    const byLag = cleanableEnd(log, 12, { ...CONFIGS, 'segment.ms': 1, 'min.compaction.lag.ms': 20_000 }, NOW);

    // Assess
    expect([byTail, byHead, byLag]).toEqual([10, 8, 0]);
  });

  it('starts a round at the dirty ratio, or past max.compaction.lag.ms below it, and not otherwise', () => {
    // Prepare: 10 old batches cleaned up to offset 8 (2 of 10 dirty: ratio 0.2)
    const log = batches(0, 10, 10_000);
    const state = { cleanedTo: 8 };

    // Act
    const belowRatio = planRound(log, 10, state, { ...CONFIGS, 'segment.ms': 1 }, NOW, { maxDirtyBytes: 1 << 20 });
    const atRatio = planRound(log, 10, state, { ...CONFIGS, 'segment.ms': 1, 'min.cleanable.dirty.ratio': 0.2 }, NOW, { maxDirtyBytes: 1 << 20 });
    const lagged = planRound(log, 10, state, { ...CONFIGS, 'segment.ms': 1, 'max.compaction.lag.ms': 5000 }, NOW, { maxDirtyBytes: 1 << 20 });

    // Assess
    expect(belowRatio).toBeUndefined();
    expect(atRatio).toMatchObject({ dirtyFrom: 8, end: 10, reason: 'dirty-ratio', dirtyBytes: 200, cleanBytes: 800 });
    expect(lagged).toMatchObject({ reason: 'max-compaction-lag' });
  });

  it('starts a round for a tombstone horizon that passed even with nothing dirty, and cuts a dirty range at the byte budget', () => {
    // Prepare
    const cleaned = [...batches(0, 5, 10_000), ...batches(5, 1, 10_000, { h: NOW - 1 }), ...batches(6, 4, 10_000)];
    const dirty = batches(0, 10, 10_000);

    // Act
    const horizon = planRound(cleaned, 10, { cleanedTo: 10 }, { ...CONFIGS, 'segment.ms': 1 }, NOW, { maxDirtyBytes: 1 << 20 });
    const cut = planRound(dirty, 10, { cleanedTo: 0 }, { ...CONFIGS, 'segment.ms': 1 }, NOW, { maxDirtyBytes: 350 });

    // Assess
    expect(horizon).toMatchObject({ reason: 'tombstones-expired', end: 10 });
    expect(cut).toMatchObject({ dirtyFrom: 0, end: 3, dirtyBytes: 300, reason: 'dirty-ratio' });
  });
});
