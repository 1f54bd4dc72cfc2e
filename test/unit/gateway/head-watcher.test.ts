/**
 * Long-poll wakeups: waiting fetches share one head read per partition per interval (never one
 * per request, never spinning), wake when a head moves or when a local produce says so, and end
 * at their timeout or when their connection goes away.
 */
import { describe, expect, it } from 'vitest';
import { HeadWatcher, type HeadSource } from '../../../src/gateway/fetch/head-watcher.js';
import { TOPIC_DEFAULTS, type PartitionHeadView, type Topic } from '../../../src/gateway/log-port.js';

const topic: Topic = { name: 't', topicId: 'id-t', partitions: 4, configs: { ...TOPIC_DEFAULTS, 'retention.ms': 1, 'max.message.bytes': 1000 }, createdAt: 0 };

function fakeSource(initial: Record<number, number>) {
  const next = new Map<number, number>(Object.entries(initial).map(([p, n]) => [Number(p), n]));
  const calls: number[][] = [];
  const source: HeadSource = {
    async heads(_topic, partitions) {
      calls.push([...partitions]);
      const out = new Map<number, PartitionHeadView>();
      for (const p of partitions) out.set(p, { nextOffset: next.get(p) ?? 0, logStartOffset: 0 });
      return out;
    },
  };
  return { source, calls, set: (p: number, n: number) => next.set(p, n) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('HeadWatcher', () => {
  it('reads each watched partition once per interval however many fetches wait on it', async () => {
    // Prepare
    const { source, calls } = fakeSource({ 0: 5, 1: 7 });
    const watcher = new HeadWatcher(source, 40);
    const never = new AbortController().signal;

    // Act: ten fetches wait 300 ms on the same two idle partitions
    const waits = Array.from({ length: 10 }, () =>
      watcher.wait([{ topic, partition: 0, offset: 5 }, { topic, partition: 1, offset: 7 }], 300, never),
    );
    const results = await Promise.all(waits);
    watcher.stop();

    // Assess: about 300/40 rounds, each reading both partitions in one call
    expect(results.every((woken) => woken === false)).toBe(true);
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(calls.length).toBeLessThanOrEqual(9);
    expect(calls.every((c) => c.length === 2)).toBe(true);
  });

  it('wakes the waiters of a partition whose head moved past their offset, and only them', async () => {
    // Prepare
    const { source, set } = fakeSource({ 0: 5, 1: 7 });
    const watcher = new HeadWatcher(source, 20);
    const never = new AbortController().signal;
    const started = Date.now();
    const onZero = watcher.wait([{ topic, partition: 0, offset: 5 }], 2000, never).then((w) => ({ w, at: Date.now() - started }));
    const onOne = watcher.wait([{ topic, partition: 1, offset: 7 }], 400, never);

    // Act
    await sleep(100);
    set(0, 6);
    const zero = await onZero;
    const one = await onOne;
    watcher.stop();

    // Assess
    expect(zero.w).toBe(true);
    expect(zero.at).toBeLessThan(300);
    expect(one).toBe(false);
  });

  it('wakes at once when a produce through this gateway advanced the head, without a read', async () => {
    // Prepare
    const { source, calls } = fakeSource({ 2: 3 });
    const watcher = new HeadWatcher(source, 10_000);
    const waiting = watcher.wait([{ topic, partition: 2, offset: 3 }], 5000, new AbortController().signal);

    // Act
    const started = Date.now();
    watcher.advanced(topic.topicId, 2, 4);
    const woken = await waiting;
    watcher.stop();

    // Assess
    expect(woken).toBe(true);
    expect(Date.now() - started).toBeLessThan(100);
    expect(calls).toEqual([]);
  });

  it('ends a wait when its signal aborts, and stops polling once nobody waits', async () => {
    // Prepare
    const { source, calls } = fakeSource({ 0: 1 });
    const watcher = new HeadWatcher(source, 20);
    const aborter = new AbortController();
    const waiting = watcher.wait([{ topic, partition: 0, offset: 1 }], 10_000, aborter.signal);

    // Act
    await sleep(70);
    aborter.abort();
    const woken = await waiting;
    const readsAtAbort = calls.length;
    await sleep(150);

    // Assess
    expect(woken).toBe(false);
    expect(calls.length - readsAtAbort).toBeLessThanOrEqual(1);
    watcher.stop();
  });

  it('serves a fresh cached head to the next fetch of an idle consumer', async () => {
    // Prepare
    const { source } = fakeSource({ 0: 9 });
    const watcher = new HeadWatcher(source, 30);

    // Act
    await watcher.wait([{ topic, partition: 0, offset: 9 }], 100, new AbortController().signal);
    const cached = watcher.fresh(topic, 0);
    await sleep(200);
    const stale = watcher.fresh(topic, 0);
    watcher.stop();

    // Assess
    expect(cached).toEqual({ nextOffset: 9, logStartOffset: 0 });
    expect(stale).toBeUndefined();
  });
});
