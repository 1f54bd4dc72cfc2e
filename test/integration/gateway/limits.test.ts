/**
 * Requests sized by the client (arrays of names, group ids, partitions) cost bounded work in the
 * gateway: storage lookups at most GATEWAY_LIMITS.lookupsInFlight at a time, each name answered once,
 * and nothing kept in memory for names that do not exist.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_LIMITS } from '../../../src/gateway/limits.js';
import { uniqueName } from '../../helpers/cluster.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { KafkaWire, type Body } from '../../helpers/kafka-wire.js';

let gw: TestGateway;
let wire: KafkaWire;
/** DynamoDB reads sent, and the most commands (reads or writes) ever in flight at once. */
const reads = { sent: 0, inFlight: 0, maxInFlight: 0 };

beforeAll(async () => {
  gw = await startTestGateway();
  const dynamo = gw.deps.clients.dynamo;
  const send = dynamo.send.bind(dynamo);
  dynamo.send = (async (command: { constructor: { name: string } }, ...rest: unknown[]) => {
    const read = ['GetCommand', 'QueryCommand', 'BatchGetCommand', 'ScanCommand'].includes(command.constructor.name);
    if (read) reads.sent++;
    reads.maxInFlight = Math.max(reads.maxInFlight, ++reads.inFlight);
    try {
      return await (send as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
    } finally {
      reads.inFlight--;
    }
  }) as typeof dynamo.send;
  wire = await KafkaWire.connect(gw.port);
});

afterAll(async () => {
  wire?.close();
  await gw?.close();
});

const resetReads = () => Object.assign(reads, { sent: 0, inFlight: 0, maxInFlight: 0 });

describe('Metadata naming many topics', () => {
  it('answers 5,000 unknown names with one listing, each name once, and caches none of them', async () => {
    // Prepare
    const known = uniqueName('lim');
    await gw.deps.log.createTopic(known, 2, {});
    const unknown = Array.from({ length: 5000 }, (_, i) => `${known}-missing-${i}`);
    const names = [known, ...unknown, known, unknown[0] as string];
    const cachedBefore = gw.deps.log.topicCache.size;
    resetReads();

    // Act
    const meta = await wire.request(3, 1, { topics: names.map((name) => ({ name })) }, 60_000);

    // Assess
    expect(meta.topics).toHaveLength(5001);
    expect(meta.topics[0]).toMatchObject({ name: known, errorCode: 0 });
    expect(meta.topics[0].partitions).toHaveLength(2);
    expect(new Set(meta.topics.slice(1).map((t: Body) => t.errorCode))).toEqual(new Set([3]));
    expect(reads.sent).toBeLessThan(20);
    expect(gw.deps.log.topicCache.size - cachedBefore).toBeLessThanOrEqual(1);
  });

  it('reads a few names one by one, at most lookupsInFlight at a time, and keeps no miss in the topic cache', async () => {
    // Prepare
    const base = uniqueName('few');
    const names = Array.from({ length: GATEWAY_LIMITS.metadataNamesReadOneByOne }, (_, i) => `${base}-${i}`);
    const cachedBefore = gw.deps.log.topicCache.size;
    resetReads();

    // Act
    const meta = await wire.request(3, 1, { topics: names.map((name) => ({ name })) });

    // Assess
    expect(meta.topics.map((t: Body) => [t.name, t.errorCode])).toEqual(names.map((n) => [n, 3]));
    expect(reads.sent).toBe(names.length);
    expect(reads.maxInFlight).toBeLessThanOrEqual(GATEWAY_LIMITS.lookupsInFlight);
    expect(gw.deps.log.topicCache.size).toBe(cachedBefore);
  });
});

describe('requests naming many groups, topics or partitions', () => {
  const N = 200;
  let topic: string;
  const names = (prefix: string) => Array.from({ length: N }, (_, i) => `${prefix}-${i}`);

  beforeAll(async () => {
    topic = uniqueName('many');
    await gw.deps.log.createTopic(topic, N, {});
  });

  // [api, version, body, the answer's entries, storage calls one lookup may make at once]
  const cases: Array<[string, number, number, () => Body, (answer: Body) => unknown[], number?]> = [
    ['DescribeGroups', 15, 0, () => ({ groups: names(uniqueName('dg')) }), (a) => a.groups, 2], // a group not classic is described as Floe's: two reads at once
    ['DeleteGroups', 42, 0, () => ({ groupsNames: names(uniqueName('xg')) }), (a) => a.results],
    ['DescribeConfigs', 32, 0, () => ({ resources: names(uniqueName('dc')).map((resourceName) => ({ resourceType: 2, resourceName, configurationKeys: null })) }), (a) => a.results],
    ['AlterConfigs (validate only)', 33, 0, () => ({ resources: names(uniqueName('ac')).map((resourceName) => ({ resourceType: 2, resourceName, configs: [{ name: 'retention.ms', value: '1000' }] })), validateOnly: true }), (a) => a.responses],
    ['CreatePartitions (validate only)', 37, 0, () => ({ topics: names(uniqueName('cp')).map((name) => ({ name, count: 2, assignments: null })), timeoutMs: 1000, validateOnly: true }), (a) => a.results],
    ['DeleteTopics', 20, 1, () => ({ topicNames: names(uniqueName('dt')), timeoutMs: 1000 }), (a) => a.responses],
    ['ListOffsets', 2, 1, () => ({ replicaId: -1, topics: names(uniqueName('lo')).map((name) => ({ name, partitions: [{ partitionIndex: 0, timestamp: -1n }] })) }), (a) => a.topics],
    ['OffsetFetch v8', 9, 8, () => ({ groups: names(uniqueName('of')).map((groupId) => ({ groupId, topics: null })), requireStable: false }), (a) => a.groups],
    [
      'OffsetCommit',
      8,
      2,
      () => ({ groupId: uniqueName('oc'), generationIdOrMemberEpoch: -1, memberId: '', retentionTimeMs: -1n, topics: [{ name: topic, partitions: Array.from({ length: N }, (_, p) => ({ partitionIndex: p, committedOffset: 0n, committedMetadata: null })) }] }),
      (a) => a.topics[0].partitions,
    ],
  ];

  it.each(cases)('%s: every entry answered, at most lookupsInFlight lookups at a time', async (_, apiKey, version, body, entries, callsPerLookup = 1) => {
    // Prepare
    const request = body();
    resetReads();

    // Act
    const answer = await wire.request(apiKey, version, request, 60_000);

    // Assess
    expect(entries(answer)).toHaveLength(N);
    expect(reads.maxInFlight).toBeLessThanOrEqual(GATEWAY_LIMITS.lookupsInFlight * callsPerLookup);
  });
});

describe('JoinGroup sized by the client', () => {
  const joinBody = (groupId: string, fields: Body = {}) => ({
    groupId,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from('meta') }],
    reason: null,
    ...fields,
  });

  // v3 joins at once (no MEMBER_ID_REQUIRED round), as does a static member: what they name would be written.
  it.each([
    ['protocol metadata past maxMemberProtocolBytes', 3, { protocols: [{ name: 'range', metadata: Buffer.alloc(GATEWAY_LIMITS.maxMemberProtocolBytes + 1) }] }, 42],
    ['many protocols together past maxMemberProtocolBytes', 3, { protocols: Array.from({ length: 5 }, (_, i) => ({ name: `p${i}`, metadata: Buffer.alloc(GATEWAY_LIMITS.maxMemberProtocolBytes / 4) })) }, 42],
    ['a group instance id past 249 characters', 5, { groupInstanceId: 'i'.repeat(250) }, 42],
    ['a member id longer than any the gateway issues', 3, { memberId: 'm'.repeat(2000) }, 25],
  ])('refuses %s with its code, writes nothing, and keeps the connection', async (_, version, fields, code) => {
    // Prepare
    const groupId = uniqueName('join-lim');
    const writesBefore = gw.writes.length;

    // Act
    const joined = await wire.request(11, version, joinBody(groupId, fields));
    const after = await wire.request(18, 0, {});

    // Assess
    expect(joined.errorCode).toBe(code);
    expect(gw.writes.length).toBe(writesBefore);
    expect(after.errorCode).toBe(0);
  });

  it('issues a member id from the first 64 characters of a 32,767-character client id, as Kafka\'s "<client id>-<uuid>"', async () => {
    // Prepare
    const groupId = uniqueName('join-cid');
    const clientId = 'c'.repeat(32_767);

    // Act
    const id = wire.send(11, 5, joinBody(groupId), clientId);
    const first = await wire.read(11, 5);
    const joined = await wire.request(11, 5, joinBody(groupId, { memberId: first.body.memberId }), 30_000);

    // Assess
    expect(first.correlationId).toBe(id);
    expect(first.body.errorCode).toBe(79); // MEMBER_ID_REQUIRED, with the id to join with
    expect(first.body.memberId).toMatch(new RegExp(`^c{${GATEWAY_LIMITS.memberIdClientIdChars}}-[0-9a-f-]{36}$`));
    expect(joined.errorCode).toBe(0);
    expect(joined.memberId).toBe(first.body.memberId);
  });
});
