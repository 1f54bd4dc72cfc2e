import { describe, expect, it } from 'vitest';
import { ClusterSampler } from '../../../src/console/sampler.js';
import type { GatewayGroupDescription } from '../../../src/console/gateway.js';
import { FakeGateway } from '../../helpers/console-fake-gateway.js';

const record = (value: string) => ({ timestamp: 1, key: null, value: Buffer.from(value), headers: [] });

function group(groupId: string, committed: number, logEnd: number): GatewayGroupDescription {
  return {
    groupId,
    state: 'Empty',
    groupEpoch: 1,
    assignor: 'sticky',
    members: [],
    partitions: [{ topic: 'topic-0000', partition: 0, committedOffset: committed, logEndOffset: logEnd, lag: logEnd - committed, owner: null }],
  };
}

describe('the console sampler', () => {
  it('turns growth of log end offsets and committed offsets between samples into produce and fetch rates', async () => {
    // Prepare
    const gateway = new FakeGateway();
    gateway.seed(2, 3);
    gateway.groups.set('g', group('g', 0, 0));
    let now = 1_000_000;
    const sampler = new ClusterSampler(gateway, { now: () => now });
    await sampler.sampleOnce();

    // Act: 50 records produced and 25 consumed by the group within 5 s
    gateway.append('topic-0000', 1, Array.from({ length: 50 }, (_, i) => record(`v${i}`)));
    gateway.groups.set('g', group('g', 25, 50));
    now += 5_000;
    await sampler.sampleOnce();

    // Assess
    expect(sampler.rateSeries()).toEqual([{ t: now, produce: 10, fetch: 5 }]);
    expect(sampler.totals()).toMatchObject({ topics: 2, partitions: 6, records: 50, groups: 1 });
    expect(sampler.totals()?.bytes).toBeGreaterThan(0);
    expect(sampler.topicStats('topic-0000')).toMatchObject({ partitions: 3, records: 50, logEnd: 50 });
    expect(sampler.lagSeries('g')).toEqual([
      { t: now - 5_000, lag: 0 },
      { t: now, lag: 25 },
    ]);
    sampler.close();
  });

  it('counts no negative rate when a topic is deleted or a group is reset backwards, and forgets deleted groups', async () => {
    // Prepare
    const gateway = new FakeGateway();
    gateway.seed(2, 1);
    gateway.append('topic-0001', 0, [record('a'), record('b')]);
    gateway.groups.set('g', group('g', 10, 10));
    let now = 0;
    const sampler = new ClusterSampler(gateway, { now: () => now });
    await sampler.sampleOnce();

    // Act
    gateway.topics.delete('topic-0001');
    gateway.groups.set('g', group('g', 0, 10));
    now += 1_000;
    await sampler.sampleOnce();
    gateway.groups.clear();
    now += 1_000;
    await sampler.sampleOnce();

    // Assess
    expect(sampler.rateSeries().map((r) => [r.produce, r.fetch])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(sampler.lagSeries('g')).toEqual([]);
    expect(sampler.lagOf('g')).toBeUndefined();
    sampler.close();
  });

  it('describes at most maxGroups groups per sample, the ones being looked at first', async () => {
    // Prepare
    const gateway = new FakeGateway();
    gateway.seed(1, 1);
    for (const id of ['a', 'b', 'c', 'watched']) gateway.groups.set(id, group(id, 0, 0));
    const sampler = new ClusterSampler(gateway, { maxGroups: 2 });
    sampler.touch('watched');
    await sampler.settled();
    sampler.close();

    // Act
    await sampler.sampleOnce();

    // Assess
    expect(sampler.lagOf('watched')).toBe(0);
    expect(['a', 'b', 'c'].filter((id) => sampler.lagOf(id) !== undefined)).toHaveLength(1);
  });

  it('samples only while someone is looking, and stops by itself after the idle time', async () => {
    // Prepare
    const gateway = new FakeGateway();
    gateway.seed(1, 1);
    const sampler = new ClusterSampler(gateway, { intervalMs: 10, idleAfterMs: 60 });
    const samples = () => gateway.calls.get('listTopics') ?? 0;
    const before = samples();

    // Act
    sampler.touch();
    for (let i = 0; i < 100 && samples() < 3; i++) await new Promise((r) => setTimeout(r, 10));
    const whileLooking = samples();
    await new Promise((r) => setTimeout(r, 300));
    const afterIdle = samples();
    await new Promise((r) => setTimeout(r, 200));

    // Assess
    expect(before).toBe(0);
    expect(whileLooking).toBeGreaterThanOrEqual(3);
    expect(samples()).toBe(afterIdle); // stopped
    sampler.close();
  });
});
