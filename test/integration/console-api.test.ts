/**
 * The console API against a real local cluster, reaching it only through the
 * SDK and the HTTP API (HttpGateway): topics, the message browser on text,
 * JSON and binary records, a consumer group's members and lag, the
 * dry-run-then-execute offset reset, and a Kafka client's group of handed-out ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpGateway } from '../../src/console/http-gateway.js';
import { startConsoleServer, type ConsoleServer } from '../../src/console/server.js';
import type { GroupDetail, GroupRow, MessagePage, ProduceAnswer, ResetAnswer, TopicDetail } from '../../src/console/shared/api-types.js';
import { Consumer, Deserializers } from '../../src/index.js';
import { useTestCluster, uniqueName } from '../helpers/cluster.js';
import { call, stubAssetsDir } from '../helpers/console-server.js';
import { startTestGateway } from '../helpers/gateway.js';
import { KafkaWire } from '../helpers/kafka-wire.js';

const env = useTestCluster();
let server: ConsoleServer;

beforeAll(async () => {
  server = await startConsoleServer({ gateway: new HttpGateway({ bootstrap: env.cluster.url }), bootstrap: env.cluster.url, port: 0, assetsDir: stubAssetsDir() });
});
afterAll(() => server.close());

async function consumeAll(groupId: string, topic: string, expected: number): Promise<Consumer<Buffer | null, Buffer | null>> {
  const consumer = new Consumer({
    bootstrap: env.cluster.url,
    groupId,
    clientId: 'console-test',
    autoOffsetReset: 'earliest',
    sessionTimeoutMs: 6000,
    heartbeatIntervalMs: 500,
    valueDeserializer: Deserializers.buffer,
  });
  consumer.subscribe([topic]);
  let seen = 0;
  for (let i = 0; i < 60 && seen < expected; i++) seen += (await consumer.poll(500)).length;
  await consumer.commitSync();
  return consumer;
}

describe('console API on a local cluster', () => {
  it('creates a topic, produces text, JSON and binary records, and shows each the way it reads best', async () => {
    // Prepare
    const topic = uniqueName('console');

    // Act
    const created = await call(server.url, 'POST', '/api/topics', { name: topic, partitions: 2, configs: { 'retention.ms': 3_600_000 } });
    const text = await call<ProduceAnswer>(server.url, 'POST', `/api/topics/${topic}/records`, { partition: 1, key: 'alice', value: 'hello' });
    const json = await call<ProduceAnswer>(server.url, 'POST', `/api/topics/${topic}/records`, { partition: 1, key: 'bob', value: '{"n":1}', valueFormat: 'json', headers: { source: 'test' } });
    const binary = await call<ProduceAnswer>(server.url, 'POST', `/api/topics/${topic}/records`, { partition: 1, key: 'cafe', keyFormat: 'hex', value: 'AP8Q', valueFormat: 'base64' });
    const page = await call<MessagePage>(server.url, 'GET', `/api/topics/${topic}/messages?partition=1&mode=latest&limit=10`);
    const filtered = await call<MessagePage>(server.url, 'GET', `/api/topics/${topic}/messages?partition=1&mode=offset&offset=0&key=cafe`);
    const detail = await call<TopicDetail>(server.url, 'GET', `/api/topics/${topic}`);
    const added = await call(server.url, 'POST', `/api/topics/${topic}/partitions`, { count: 3 });
    const shrink = await call(server.url, 'POST', `/api/topics/${topic}/partitions`, { count: 2 });

    // Assess
    expect(created.status).toBe(201);
    expect([text.body.offset, json.body.offset, binary.body.offset]).toEqual([0, 1, 2]);
    expect(page.body.records.map((r) => [r.offset, r.key.display, r.value.kind])).toEqual([
      [0, 'alice', 'text'],
      [1, 'bob', 'json'],
      [2, '00000000  ca fe                                            ..', 'binary'],
    ]);
    expect(page.body.records[1]?.value.display).toBe('{\n  "n": 1\n}');
    expect(page.body.records[1]?.headers).toEqual([{ key: 'source', value: { kind: 'text', size: 4, display: 'test', truncated: false } }]);
    expect(page.body.records[2]?.value).toMatchObject({ kind: 'binary', size: 3 });
    expect(filtered.body.records.map((r) => r.offset)).toEqual([2]);
    expect(detail.body).toMatchObject({ partitions: 2, records: 3, configs: { 'retention.ms': 3_600_000 } });
    expect(detail.body.partitionPage.items[1]).toMatchObject({ partition: 1, logStartOffset: 0, logEndOffset: 3, records: 3 });
    expect(detail.body.partitionPage.items[1]?.bytes).toBeGreaterThan(0);
    expect(detail.body.partitionPage.items[0]?.bytes).toBe(0);
    expect(added.status).toBe(200);
    expect(shrink).toMatchObject({ status: 400, body: { error: { code: 'INVALID_PARTITIONS' } } });
  });

  it('finds the first records at or after a time', async () => {
    // Prepare
    const topic = uniqueName('console-time');
    await call(server.url, 'POST', '/api/topics', { name: topic });
    await call(server.url, 'POST', `/api/topics/${topic}/records`, { value: 'early' });
    await new Promise((r) => setTimeout(r, 20));
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await call(server.url, 'POST', `/api/topics/${topic}/records`, { value: 'late' });

    // Act
    const page = await call<MessagePage>(server.url, 'GET', `/api/topics/${topic}/messages?mode=timestamp&timestamp=${encodeURIComponent(between)}`);

    // Assess
    expect(page.body.records.map((r) => r.value.display)).toEqual(['late']);
  });

  it("shows a group's members and lag, refuses a reset while it is live, then resets with a dry run first", async () => {
    // Prepare
    const topic = uniqueName('console-group');
    const groupId = uniqueName('console-group');
    await call(server.url, 'POST', '/api/topics', { name: topic, partitions: 2 });
    for (let i = 0; i < 6; i++) await call(server.url, 'POST', `/api/topics/${topic}/records`, { partition: i % 2, value: `v${i}` });
    const consumer = await consumeAll(groupId, topic, 6);

    // Act
    const live = await call<GroupDetail>(server.url, 'GET', `/api/groups/${groupId}`);
    const refused = await call(server.url, 'POST', `/api/groups/${groupId}/offsets/reset`, { topic, to: 'earliest', dryRun: false });
    await consumer.close();
    const dryRun = await call<ResetAnswer>(server.url, 'POST', `/api/groups/${groupId}/offsets/reset`, { topic, to: 'offset', offset: 1, dryRun: true });
    const afterDryRun = await call<GroupDetail>(server.url, 'GET', `/api/groups/${groupId}`);
    const executed = await call<ResetAnswer>(server.url, 'POST', `/api/groups/${groupId}/offsets/reset`, { topic, to: 'offset', offset: 1, partitions: [0], dryRun: false });
    const afterReset = await call<GroupDetail>(server.url, 'GET', `/api/groups/${groupId}`);

    // Assess
    expect(live.body.members).toHaveLength(1);
    expect(live.body.members[0]).toMatchObject({ clientId: 'console-test', partitionCount: 2, assignment: [`${topic}: 0-1`] });
    expect(live.body.totalLag).toBe(0);
    expect(live.body.partitionPage.items.map((p) => [p.partition, p.committedOffset, p.logEndOffset, p.lag])).toEqual([
      [0, 3, 3, 0],
      [1, 3, 3, 0],
    ]);
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'NON_EMPTY_GROUP' } } });
    expect(dryRun.body).toMatchObject({ dryRun: true, partitions: [{ partition: 0, previousOffset: 3, newOffset: 1 }, { partition: 1, previousOffset: 3, newOffset: 1 }] });
    expect(afterDryRun.body.totalLag).toBe(0); // a dry run changes nothing
    expect(executed.body.partitions).toEqual([{ topic, partition: 0, previousOffset: 3, newOffset: 1 }]);
    expect(afterReset.body.state).toBe('Empty');
    expect(afterReset.body.partitionPage.items.map((p) => p.lag)).toEqual([2, 0]);
  });

  it('shows a Kafka client\'s group that has only a handed-out member id as Empty with no members, as the list shows it; a group that does not exist is 404', async () => {
    // Prepare: a v5 JoinGroup without a member id (MEMBER_ID_REQUIRED) makes the group, with only that id
    const groupId = uniqueName('console-pending');
    const gateway = await startTestGateway();
    const wire = await KafkaWire.connect(gateway.port);
    const join = { groupId, sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 30_000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from('m') }], reason: null };
    try {
      const handedOut = await wire.request(11, 5, join, 30_000);

      // Act
      const listed = await call<{ items: GroupRow[] }>(server.url, 'GET', `/api/groups?q=${groupId}`);
      const page = await call<GroupDetail>(server.url, 'GET', `/api/groups/${groupId}`);
      const missing = await call(server.url, 'GET', `/api/groups/${uniqueName('console-none')}`);

      // Assess
      expect(handedOut.errorCode).toBe(79);
      expect(listed.body.items).toEqual([expect.objectContaining({ groupId, state: 'Empty', members: 0 })]);
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ groupId, state: 'Empty', members: [], totalLag: 0, partitionPage: { items: [] } });
      expect(missing).toMatchObject({ status: 404, body: { error: { code: 'GROUP_ID_NOT_FOUND' } } });
    } finally {
      wire.close();
      await gateway.close();
    }
  });
});
