/**
 * The scheduled Lambda entry point: configured from the environment like every handler, it runs
 * a pass within the invocation's remaining time, returns the summary, and publishes it as
 * Powertools metrics (EMF on stdout) in the "Floe" namespace.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { configToEnv } from '../../src/config/index.js';
import type { HousekeepingSummary } from '../../src/housekeeping/housekeeping.js';
import { localConfig } from '../../src/local/storage.js';
import { newSegmentKey } from '../../src/storage/keys.js';
import { startOwnStorage, type OwnStorage } from '../helpers/housekeeping.js';
import { sleep } from '../../packages/protocol/src/async.js';

let storage: OwnStorage;
const savedEnv = { ...process.env };

beforeAll(async () => {
  storage = await startOwnStorage();
  // This worker's environment names the storage of this file only while it runs (the entry module reads it at import).
  Object.assign(process.env, configToEnv(localConfig(storage)), { FLOE_GC_GRACE_MS: '1' });
});
afterAll(async () => {
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
  await storage?.stop();
});

describe('the housekeeping Lambda handler', () => {
  it('runs a pass, returns its summary and publishes it as metrics in the Floe namespace', async () => {
    // Prepare: an orphan old enough to be collected on the second pass
    const { handler, deps } = await import('../../src/handlers/housekeeping.js');
    const orphan = newSegmentKey(new Date(Date.now() - 60_000));
    await deps.store.put(orphan, Buffer.from('orphan'));
    const context = { getRemainingTimeInMillis: () => 60_000 };
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });

    // Act
    let second: HousekeepingSummary;
    try {
      await handler(undefined, context);
      await sleep(5);
      second = await handler(undefined, context);
    } finally {
      write.mockRestore();
    }

    // Assess
    expect(second).toMatchObject({ objectsReclaimed: 1, bytesReclaimed: 6, errors: [] });
    const emf = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.includes('CloudWatchMetrics'))
      .map((l) => JSON.parse(l) as Record<string, unknown> & { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Metrics: Array<{ Name: string; Unit: string }> }> } });
    expect(emf).toHaveLength(2);
    const last = emf[1]!;
    expect(last._aws.CloudWatchMetrics[0]?.Namespace).toBe('Floe');
    const names = last._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name);
    expect(names).toEqual(expect.arrayContaining(['objectsReclaimed', 'bytesReclaimed', 'objectsMerged', 'leaseTakeovers', 'markChunksRead']));
    expect(last).toMatchObject({ objectsReclaimed: 1, bytesReclaimed: 6 });
  });
});
