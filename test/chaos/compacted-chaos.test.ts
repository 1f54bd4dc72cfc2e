/**
 * The compacted-topic chaos mode: keyed records and tombstones produced while housekeeping
 * processes compact the topic, half of them killed at a crash point; the checker must find every
 * key's last acknowledged value, nothing missing past the compaction horizon, nothing altered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCompactedSummary, runCompactedChaos } from '../../src/chaos/compacted.js';
import { startOwnStorage, type OwnStorage } from '../helpers/housekeeping.js';

const SEED = Number(process.env.CHAOS_SEED ?? 20261205);
let storage: OwnStorage;

beforeAll(async () => {
  storage = await startOwnStorage(); // housekeeping sweeps the whole bucket: never the run's shared storage
});
afterAll(() => storage?.stop());

describe('compacted chaos', () => {
  it(`seed ${SEED}: every key's last acknowledged value readable, nothing missing past the horizon, offsets unchanged`, { timeout: 120_000 }, async () => {
    // Act
    const summary = await runCompactedChaos({ seed: SEED, durationMs: 25_000, storage });
    console.log(formatCompactedSummary(summary));

    // Assess: the run did exercise compaction and crashes, and the checker found nothing
    expect(summary.acked).toBeGreaterThan(200);
    expect(summary.read).toBeLessThan(summary.acked);
    expect(summary.killedPasses).toBeGreaterThan(0);
    expect(summary.violations).toEqual([]);
    expect(summary.ok).toBe(true);
  });
});
