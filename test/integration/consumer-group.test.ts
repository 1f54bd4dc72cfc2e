/**
 * The Consumer in a group, in-process against the local cluster: rebalance
 * listener and commit-before-revocation, max.poll.interval.ms, heartbeats that
 * do not depend on poll(), pattern subscriptions, static membership, close().
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Consumer, Deserializers, GroupsAdmin, type ConsumerConfig, type TopicPartition } from '../../packages/client/src/consumer/index.js';
import { useTestCluster, uniqueName } from '../helpers/cluster.js';
import { keyedSequence, produceKeyed } from '../fixtures/consumer-data.js';
import { pollAll, pollUntil, pollWhile } from '../fixtures/consumer-poll.js';

const SESSION_MS = 3000;
const HEARTBEAT_MS = 300;

const env = useTestCluster();
let groups: GroupsAdmin;
const open: Array<Consumer<string | null, string | null>> = [];

beforeAll(async () => {
  groups = new GroupsAdmin({ http: env.http });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close().catch(() => undefined)));
});

function consumer(groupId: string, config: Partial<ConsumerConfig<string | null, string | null>> = {}) {
  const c = new Consumer<string | null, string | null>({
    bootstrap: env.cluster.url,
    groupId,
    autoOffsetReset: 'earliest',
    sessionTimeoutMs: SESSION_MS,
    heartbeatIntervalMs: HEARTBEAT_MS,
    fetchMaxWaitMs: 100,
    keyDeserializer: Deserializers.string,
    valueDeserializer: Deserializers.string,
    ...config,
  });
  open.push(c);
  return c;
}

async function topicWith(partitions: number, records: number): Promise<string> {
  const topic = uniqueName('cg');
  await env.admin.createTopic(topic, partitions);
  if (records > 0) await produceKeyed(env.http, topic, keyedSequence(partitions * 4, records));
  return topic;
}

const ids = (tps: TopicPartition[]) => tps.map((tp) => tp.partition).sort((a, b) => a - b);

describe('rebalancing seen from the application', () => {
  it('a second member: the first is told to revoke only what moves, after its positions were committed; the second starts there', async () => {
    // Prepare
    const topic = await topicWith(4, 200);
    const groupId = uniqueName('g');
    const calls: string[] = [];
    const committedAtRevoke: Array<number | null> = [];
    const first = consumer(groupId, { maxPollRecords: 10, autoCommitIntervalMs: 60_000 });
    first.subscribe([topic], {
      onPartitionsAssigned: (tps) => void calls.push(`first assigned ${ids(tps)}`),
      onPartitionsRevoked: async (tps) => {
        calls.push(`first revoked ${ids(tps)}`);
        for (const c of await first.committed(tps)) committedAtRevoke.push(c.offset);
      },
    });
    const firstRecords = await pollUntil(first, 40);
    const second = consumer(groupId);
    const starts = new Map<number, number>();
    second.subscribe([topic], {
      onPartitionsAssigned: async (tps) => {
        calls.push(`second assigned ${ids(tps)}`);
        for (const tp of tps) starts.set(tp.partition, await second.position(tp));
      },
    });

    // Act
    const [more, got] = await pollAll([first, second], () => second.assignment().length === 2 && first.assignment().length === 2, 15_000, 'two and two');
    const moved = ids(second.assignment());

    // Assess
    expect(calls[0]).toBe('first assigned 0,1,2,3');
    expect(calls.slice(1)).toEqual([`first revoked ${moved}`, `second assigned ${moved}`]);
    const consumedBefore = (p: number) => 1 + Math.max(-1, ...[...firstRecords, ...(more ?? [])].filter((r) => r.partition === p).map((r) => r.offset));
    expect(moved.some((p) => consumedBefore(p) > 0)).toBe(true); // it had read from what it gave away
    expect(committedAtRevoke).toEqual(moved.map(consumedBefore));
    expect(moved.map((p) => starts.get(p))).toEqual(moved.map(consumedBefore));
    expect(got?.every((r) => moved.includes(r.partition))).toBe(true);
  });

  it('a member that stops polling for max.poll.interval.ms leaves the group by itself, and hears about it as lost on its next poll', async () => {
    // Prepare
    const topic = await topicWith(2, 0);
    const groupId = uniqueName('slow');
    const lost: number[][] = [];
    const slow = consumer(groupId, { maxPollIntervalMs: 1500 });
    slow.subscribe([topic], { onPartitionsLost: (tps) => void lost.push(ids(tps)) });
    const steady = consumer(groupId);
    steady.subscribe([topic]);
    await pollAll([slow, steady], () => slow.assignment().length === 1 && steady.assignment().length === 1, 15_000, 'one each');
    const slowMember = slow.groupMetadata().memberId;

    // Act: the slow one stops polling; the steady one keeps going
    const stoppedAt = Date.now();
    await pollWhile(steady, () => steady.assignment().length < 2, 15_000, 'the steady member to take over');
    const tookOverAfter = Date.now() - stoppedAt;
    const described = await groups.describeGroup(groupId);
    await pollWhile(slow, () => lost.length === 0, 5_000, 'the lost callback');
    await pollAll([slow, steady], () => slow.assignment().length === 1 && steady.assignment().length === 1, 15_000, 'rejoined');

    // Assess
    expect(described.members.map((m) => m.memberId)).not.toContain(slowMember);
    expect(tookOverAfter).toBeGreaterThanOrEqual(1500);
    expect(tookOverAfter).toBeLessThan(1500 + 2 * HEARTBEAT_MS + 1000);
    expect(lost).toHaveLength(1);
    expect(slow.groupMetadata().memberId).not.toBe(slowMember);
  });

  it('heartbeats do not depend on poll(): a member that spends twice the session between polls keeps its partitions', async () => {
    // Prepare
    const topic = await topicWith(2, 20);
    const groupId = uniqueName('busy');
    const events: string[] = [];
    const busy = consumer(groupId, { maxPollIntervalMs: 30_000 });
    busy.subscribe([topic], { onPartitionsRevoked: (tps) => void events.push(`revoked ${ids(tps)}`), onPartitionsLost: (tps) => void events.push(`lost ${ids(tps)}`) });
    const other = consumer(groupId);
    other.subscribe([topic]);
    await pollAll([busy, other], () => busy.assignment().length === 1 && other.assignment().length === 1, 15_000, 'one each');
    const member = busy.groupMetadata().memberId;
    const mine = busy.assignment();
    events.length = 0; // the initial rebalance is not what this test is about

    // Act: "processing" for 2 x session.timeout.ms without calling poll (the other member keeps polling)
    const until = Date.now() + 2 * SESSION_MS;
    while (Date.now() < until) await other.poll(100);
    await busy.poll(100);

    // Assess
    expect(events).toEqual([]);
    expect(busy.groupMetadata().memberId).toBe(member);
    expect(busy.assignment()).toEqual(mine);
    expect(ids(other.assignment())).not.toContain(mine[0]?.partition);
  });

  it('a pattern subscription follows the topics that match it, including ones created later', async () => {
    // Prepare
    const prefix = uniqueName('pat');
    await env.admin.createTopic(`${prefix}.a`, 1);
    await env.admin.createTopic(`${prefix}-other`, 1);
    const c = consumer(uniqueName('g'), { metadataMaxAgeMs: 200 });
    c.subscribe(new RegExp(`^${prefix.replace(/[-]/g, '\\-')}\\.`));
    await pollWhile(c, () => c.assignment().length < 1, 10_000, 'the first topic');

    // Act
    await env.admin.createTopic(`${prefix}.b`, 2);
    await pollWhile(c, () => c.assignment().length < 3, 10_000, 'the new topic');

    // Assess
    expect(c.subscription()).toEqual([`${prefix}.a`, `${prefix}.b`]);
    expect(c.assignment().map((tp) => `${tp.topic}/${tp.partition}`).sort()).toEqual([`${prefix}.a/0`, `${prefix}.b/0`, `${prefix}.b/1`]);
  });

  it('a static member that closes and comes back within the session gets the same partitions; the other member never notices', async () => {
    // Prepare
    const topic = await topicWith(4, 0);
    const groupId = uniqueName('static');
    const otherEvents: string[] = [];
    // A restart is protected only within the session: 10 s, so that a loaded test machine cannot outlast it.
    const session = { sessionTimeoutMs: 10_000 };
    const first = consumer(groupId, { groupInstanceId: 'host-1', ...session });
    first.subscribe([topic]);
    const other = consumer(groupId, { groupInstanceId: 'host-2', ...session });
    other.subscribe([topic], { onPartitionsRevoked: (tps) => void otherEvents.push(`revoked ${ids(tps)}`), onPartitionsAssigned: (tps) => void otherEvents.push(`assigned ${ids(tps)}`) });
    await pollAll([first, other], () => first.assignment().length === 2 && other.assignment().length === 2, 15_000, 'two each');
    const before = ids(first.assignment());
    const eventsBefore = otherEvents.length;

    // Act
    await first.close();
    const restarted = consumer(groupId, { groupInstanceId: 'host-1', ...session });
    restarted.subscribe([topic]);
    await pollAll([restarted, other], () => restarted.assignment().length === 2, 10_000, 'the same partitions back');
    for (let i = 0; i < 5; i++) await Promise.all([restarted.poll(100), other.poll(100)]);

    // Assess
    expect(ids(restarted.assignment())).toEqual(before);
    expect(otherEvents.slice(eventsBefore)).toEqual([]);
  });

  it('close() commits and leaves at once: the group is empty without waiting for the session to expire', async () => {
    // Prepare
    const topic = await topicWith(2, 30);
    const groupId = uniqueName('close');
    const c = consumer(groupId, { autoCommitIntervalMs: 60_000 });
    c.subscribe([topic]);
    await pollUntil(c, 30);

    // Act
    await c.close();
    const described = await groups.describeGroup(groupId);

    // Assess
    expect(described.state).toBe('Empty');
    expect(described.members).toEqual([]);
    expect(described.partitions.map((p) => p.lag)).toEqual([0, 0]);
    await expect(c.poll(10)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });
});

describe('configuration', () => {
  it('refuses settings that cannot work, with INVALID_CONFIG', () => {
    const make = (config: Partial<ConsumerConfig>) => () => new Consumer({ bootstrap: env.cluster.url, ...config });
    expect(make({ heartbeatIntervalMs: 20_000, sessionTimeoutMs: 45_000 })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(make({ autoOffsetReset: 'middle' as 'none' })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(make({ maxPollRecords: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(make({ groupInstanceId: 'x' })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => make({})().subscribe(['t'])).toThrow(expect.objectContaining({ code: 'INVALID_GROUP_ID' }));
  });
});
