/**
 * The short chaos run of `npm test`: about a minute with a fixed seed, handler
 * processes killed and restarted (some at a crash point in the produce path),
 * consumer members killed and paused past their session, storage faults toggled;
 * the checker must find no violation. Long runs: `npm run chaos` (docs/reliability.md).
 */
import { describe, expect, it } from 'vitest';
import { formatSummary, runChaos } from '../../src/chaos/runner.js';
import { sharedStorage } from '../helpers/cluster.js';

const SEED = Number(process.env.CHAOS_SEED ?? 20261126);

describe('chaos', () => {
  it(`seed ${SEED}: no acknowledged record lost or duplicated, offsets dense, one owner per generation, commits monotonic`, { timeout: 180_000 }, async () => {
    // Act
    const summary = await runChaos({ seed: SEED, durationMs: 55_000, storage: sharedStorage(), actionEveryMs: 1500 });
    console.log(formatSummary(summary));

    // Assess: the run did exercise the system, and the checker found nothing
    expect(summary.records.acked).toBeGreaterThan(100);
    expect(summary.killed.handlers + summary.killed.members + summary.paused).toBeGreaterThan(0);
    expect(summary.violations).toEqual([]);
    expect(summary.anomalies).toEqual([]);
    expect(summary.ok).toBe(true);
  });
});
