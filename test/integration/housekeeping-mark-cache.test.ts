/**
 * The sweep's mark cache (decision 36): a pass reads only index chunks written since the last
 * one, an entry older than half the grace is read again in full, and an object a merge points
 * chunks at after the cache was taken is never collected, while the objects it replaced are.
 */
import { describe, expect, it } from 'vitest';
import { produceRaw } from '../../packages/client/src/log-client.js';
import { runHousekeeping, type HousekeepingOptions, type HousekeepingSummary } from '../../src/housekeeping/housekeeping.js';
import { listTopics } from '../../src/log/topics.js';
import { uniqueName } from '../helpers/cluster.js';
import { segmentKeys, useHousekeepingCluster } from '../helpers/housekeeping.js';
import { batchOf, readPartition } from '../helpers/log.js';

const GRACE = 60_000;
const env = useHousekeepingCluster();

/** One pass at time `now` (the clock housekeeping judges ages and leases by). */
async function passAt(now: number, options: HousekeepingOptions = {}): Promise<HousekeepingSummary> {
  const summary = await runHousekeeping({ ...env.deps, now: () => now }, { ...options, settings: { graceMs: GRACE, leaseMs: 10_000, ...options.settings } });
  expect(summary.errors).toEqual([]);
  return summary;
}

async function produceRequests(topic: string, partitions: number, requests: number, tag: string): Promise<void> {
  for (let i = 0; i < requests; i++) {
    const [r] = await produceRaw(env.http, {
      acks: -1,
      timeoutMs: 10_000,
      topics: [{ topic, partitions: Array.from({ length: partitions }, (_, p) => ({ partition: p, records: batchOf([`${tag}-p${p}-${i}`]) })) }],
    });
    expect(r?.partitions.every((p) => p.errorCode === 'NONE')).toBe(true);
  }
}

const totalPartitions = async () => (await listTopics(env.deps)).reduce((s, t) => s + t.partitions, 0);

describe('the mark cache', () => {
  it('reads no chunk when nothing changed, only the new ones after spills, and everything once an entry is half a grace old', async () => {
    // Prepare
    const topic = uniqueName('mark');
    await env.admin.createTopic(topic, 2);
    await produceRequests(topic, 2, 24, 'a');
    // In the past, so the caches this test writes sort before the next test's (the newest is read).
    const t0 = Date.now() - 3 * GRACE;
    const first = await passAt(t0, { topics: [] });

    // Act
    const unchanged = await passAt(t0 + 1000, { topics: [] });
    await produceRequests(topic, 2, 12, 'b');
    const afterSpills = await passAt(t0 + 2000, { topics: [] });
    const aged = await passAt(t0 + GRACE / 2 + 1, { topics: [] });

    // Assess
    const partitions = await totalPartitions();
    expect(first.markChunksRead).toBeGreaterThan(0);
    expect(unchanged).toMatchObject({ markChunksRead: 0, markPartitionsReadInFull: 0, markHeadsRead: partitions });
    expect(afterSpills.markChunksRead).toBeGreaterThan(0);
    expect(afterSpills.markChunksRead).toBeLessThan(first.markChunksRead);
    expect(afterSpills.markPartitionsReadInFull).toBe(0);
    expect(aged.markPartitionsReadInFull).toBe(partitions);
    expect(aged.markChunksRead).toBeGreaterThan(first.markChunksRead);
  });

  it('never collects what a merge references after the cache was taken, and collects what it replaced', async () => {
    // Prepare: small objects, and a cache taken before any merge
    const topic = uniqueName('mark-merge');
    await env.admin.createTopic(topic, 2);
    await produceRequests(topic, 2, 28, 'm');
    const before = await Promise.all([0, 1].map((p) => readPartition(env.http, topic, p)));
    const t0 = Date.now();
    await passAt(t0, { topics: [] });
    const objectsBefore = new Set(await segmentKeys(env.deps));

    // Act: merge (its sweep judges with the cache taken before), then sweep-only passes over three graces
    const merged = await passAt(t0 + 1000, { topics: [topic], settings: { mergeTargetBytes: 1500 } });
    const mergedObjects = (await segmentKeys(env.deps)).filter((k) => !objectsBefore.has(k));
    let reclaimed = 0;
    for (let t = t0 + GRACE / 4; t <= t0 + 3 * GRACE; t += GRACE / 4) reclaimed += (await passAt(t, { topics: [] })).objectsReclaimed;
    const after = await Promise.all([0, 1].map((p) => readPartition(env.http, topic, p)));
    const left = new Set(await segmentKeys(env.deps));

    // Assess
    expect(merged.mergedObjectsWritten).toBeGreaterThan(0);
    expect(merged.markChunksRead).toBe(0); // the merge rewrote chunks the cache had already read
    expect(mergedObjects.length).toBe(merged.mergedObjectsWritten);
    expect(mergedObjects.filter((k) => !left.has(k))).toEqual([]);
    expect(reclaimed).toBeGreaterThan(0);
    expect(after).toEqual(before);
  });
});
