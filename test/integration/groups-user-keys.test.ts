/**
 * Topic names and instance ids that are also the names of Object.prototype's members
 * (`constructor`, `__proto__`, `toString`, `hasOwnProperty`: valid Kafka names) through the
 * groups protocol over HTTP and through the SDK's consumer and producer (decision 41).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GroupsApi } from '../../packages/client/src/consumer/groups-api.js';
import { Consumer, Deserializers } from '../../packages/client/src/consumer/index.js';
import { Producer } from '../../packages/client/src/producer/index.js';
import { useTestCluster, uniqueName } from '../helpers/cluster.js';
import { pollUntil } from '../fixtures/consumer-poll.js';

const PROTOTYPE_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];
const PARTITIONS = 2;

const env = useTestCluster();
let api: GroupsApi;
const open: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  api = new GroupsApi(env.http);
  for (const topic of PROTOTYPE_NAMES) await env.admin.createTopic(topic, PARTITIONS);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close().catch(() => undefined)));
});

describe('HTTP groups: topics named like Object.prototype members', () => {
  it.each(PROTOTYPE_NAMES)('topic %s: join gets every partition, commits land, describe and fetch read them back', async (topic) => {
    // Prepare
    const group = uniqueName('g');

    // Act
    const joined = await api.heartbeat(group, { memberEpoch: 0, subscribedTopics: [topic], instanceId: topic });
    const commits = await api.commit(group, {
      memberId: joined.memberId,
      memberEpoch: joined.memberEpoch,
      partitions: joined.assignment.map((a) => ({ topic: a.topic, partition: a.partition, offset: 7 + a.partition, epoch: a.epoch })),
    });
    const steady = await api.heartbeat(group, { memberId: joined.memberId, memberEpoch: joined.memberEpoch, ownedPartitions: joined.assignment });
    const described = await api.describe(group);
    const fetched = await api.fetchOffsets(group);

    // Assess
    expect(joined.assignment.map((a) => `${a.topic}:${a.partition}`)).toEqual([`${topic}:0`, `${topic}:1`]);
    expect(commits.map((c) => c.errorCode)).toEqual(['NONE', 'NONE']);
    expect(steady.assignment).toEqual(joined.assignment);
    expect(described.state).toBe('Stable');
    expect(described.members.map((m) => [m.instanceId, m.subscribedTopics])).toEqual([[topic, [topic]]]);
    expect(described.partitions.map((p) => [p.topic, p.partition, p.committedOffset, p.owner])).toEqual([
      [topic, 0, 7, joined.memberId],
      [topic, 1, 8, joined.memberId],
    ]);
    expect(fetched.map((o) => [o.topic, o.partition, o.offset])).toEqual([
      [topic, 0, 7],
      [topic, 1, 8],
    ]);
  });

  it('a member subscribed to all four and a second member: the partitions are split between them, no topic is lost', async () => {
    // Prepare
    const group = uniqueName('g');
    const first = await api.heartbeat(group, { memberEpoch: 0, subscribedTopics: PROTOTYPE_NAMES });

    // Act
    const second = await api.heartbeat(group, { memberEpoch: 0, subscribedTopics: PROTOTYPE_NAMES });
    const firstAgain = await api.heartbeat(group, { memberId: first.memberId, memberEpoch: first.memberEpoch, ownedPartitions: [] });
    const secondAgain = await api.heartbeat(group, { memberId: second.memberId, memberEpoch: second.memberEpoch, ownedPartitions: [] });
    const described = await api.describe(group);

    // Assess
    const targets = described.members.flatMap((m) => m.targetAssignment.map((p) => `${p.topic}:${p.partition}`)).sort();
    expect(targets).toEqual(PROTOTYPE_NAMES.flatMap((t) => [`${t}:0`, `${t}:1`]).sort());
    expect(firstAgain.assignment.length + secondAgain.assignment.length).toBe(PROTOTYPE_NAMES.length * PARTITIONS);
  });
});

describe('SDK consumer and producer on such topics', () => {
  it('a static member (group.instance.id "__proto__") subscribed to "constructor" and "__proto__" reads what the producer sent and commits it', async () => {
    // Prepare
    const topics = ['constructor', '__proto__'];
    const producer = new Producer<string, string>({ bootstrap: env.cluster.url, keySerializer: 'string', valueSerializer: 'string' });
    open.push(producer);
    for (const topic of topics) for (let i = 0; i < 4; i++) await producer.send({ topic, key: `k${i}`, value: `${topic}-${i}` });
    await producer.flush();
    const groupId = uniqueName('sdk');
    const consumer = new Consumer<string | null, string | null>({
      bootstrap: env.cluster.url,
      groupId,
      groupInstanceId: '__proto__',
      autoOffsetReset: 'earliest',
      fetchMaxWaitMs: 100,
      keyDeserializer: Deserializers.string,
      valueDeserializer: Deserializers.string,
    });
    open.push(consumer);
    consumer.subscribe(topics);

    // Act
    const records = await pollUntil(consumer, 8);
    await consumer.commitSync();
    const committed = await api.fetchOffsets(groupId);

    // Assess
    expect(records.map((r) => r.value).sort()).toEqual(topics.flatMap((t) => [0, 1, 2, 3].map((i) => `${t}-${i}`)).sort());
    const total = (topic: string) => committed.filter((o) => o.topic === topic).reduce((sum, o) => sum + o.offset, 0);
    expect(topics.map(total)).toEqual([4, 4]);
  });
});
