/**
 * ACLs in the Kafka gateway (docs/security.md), against dynalite and s3rver: SASL PLAIN users
 * (User:<name>) get exactly what the rules allow, with Kafka's error codes, and nothing is written
 * for what they may not do; kafkajs manages the rules through DescribeAcls, CreateAcls and
 * DeleteAcls; a removed grant stops working on another instance within the cache time.
 */
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AclRule } from '../../../packages/protocol/src/index.js';
import { encodeRecordBatch } from '../../../packages/protocol/src/index.js';
import { addAcls, listAcls } from '../../../src/auth/index.js';
import { GATEWAY_ENV } from '../../../src/config/gateway.js';
import { configFromEnv, type FloeConfig } from '../../../src/config/index.js';
import { setUser } from '../../../src/gateway/security/credentials/edit.js';
import { loadGatewaySecurity, securitySettingsFromEnv } from '../../../src/gateway/security/index.js';
import { ensureStorage } from '../../../src/local/storage.js';
import { uniqueName } from '../../helpers/cluster.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { eventually } from '../../helpers/kafka-clients.js';
import { KafkaWire, textRecords, type Body } from '../../helpers/kafka-wire.js';

const CACHE_MS = 1000;
const USERS = { admin: 'admin-password', alice: 'alice-password', bob: 'bob-password', carol: 'carol-password' } as const;
type User = keyof typeof USERS;
const ACL_CONFIG: Partial<FloeConfig> = { authorization: 'acl', aclTable: uniqueName('gwacls'), aclSuperUsers: ['User:admin'], aclCacheMs: CACHE_MS };

let one: TestGateway;
let two: TestGateway;
const wires: KafkaWire[] = [];

beforeAll(async () => {
  await ensureStorage({ ...configFromEnv(), ...ACL_CONFIG });
  let document: string | undefined;
  for (const [name, password] of Object.entries(USERS)) document = setUser(document, name, { PLAIN: { password } });
  const env = {
    [GATEWAY_ENV.saslMechanisms]: 'PLAIN',
    [GATEWAY_ENV.credentials]: document as string,
    // PLAIN needs TLS; a load balancer "terminates" it here, so the wire stays plaintext.
    [GATEWAY_ENV.tlsTerminatedUpstream]: 'true',
  };
  const security = await loadGatewaySecurity({ ...securitySettingsFromEnv(env), connection: { failureDelayMs: 0 } });
  [one, two] = await Promise.all([startTestGateway({}, { security, config: ACL_CONFIG }), startTestGateway({}, { security, config: ACL_CONFIG })]);
});
afterAll(async () => {
  for (const wire of wires) wire.close();
  await Promise.all([one?.close(), two?.close()]);
});

const rule = (user: User, resourceType: AclRule['resourceType'], resourceName: string, operation: AclRule['operation']): AclRule => ({
  principal: `User:${user}`,
  resourceType,
  resourceName,
  patternType: 'literal',
  operation,
  permission: 'allow',
});

async function topic(): Promise<string> {
  const name = uniqueName('acl');
  await one.deps.log.createTopic(name, 1, {});
  return name;
}

/** A wire connection logged in with SASL PLAIN. */
async function as(user: User, gateway = one): Promise<KafkaWire> {
  const wire = await KafkaWire.connect(gateway.port);
  wires.push(wire);
  await wire.request(17, 1, { mechanism: 'PLAIN' });
  const login = await wire.request(36, 2, { authBytes: Buffer.from(`\0${user}\0${USERS[user]}`) });
  expect(login.errorCode).toBe(0);
  return wire;
}

const kafkaAs = (user: User, gateway = one) =>
  new Kafka({ clientId: `acl-${user}`, brokers: [gateway.bootstrap], sasl: { mechanism: 'plain', username: user, password: USERS[user] }, logLevel: logLevel.NOTHING, retry: { retries: 0 } });

const produceBody = (topics: string[]) => ({
  transactionalId: null,
  acks: -1,
  timeoutMs: 5000,
  topicData: topics.map((name) => ({ name, partitionData: [{ index: 0, records: encodeRecordBatch({ records: textRecords(name) }) }] })),
});
const produceCodes = (body: Body): Record<string, number> => Object.fromEntries(body.responses.map((t: Body) => [t.name, t.partitionResponses[0].errorCode]));
const endOffset = async (name: string) => (await one.deps.log.listOffset(name, 0, 'latest')).offset;

/** The Kafka error type a kafkajs call failed with. */
async function failureOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'NONE';
  } catch (error) {
    return (error as { type?: string }).type ?? String(error);
  }
}

describe('Produce', () => {
  it('writes the topic the user may write; the other answers TOPIC_AUTHORIZATION_FAILED and gets nothing', async () => {
    // Prepare
    const [mine, theirs] = [await topic(), await topic()];
    await addAcls(one.deps.auth, [rule('alice', 'topic', mine, 'Write'), rule('alice', 'topic', theirs, 'Describe')]);
    const wire = await as('alice');
    const producer = kafkaAs('alice').producer({ allowAutoTopicCreation: false });
    await producer.connect();

    // Act
    const mixed = produceCodes(await wire.request(0, 8, produceBody([theirs, mine])));
    const sent = await producer.send({ topic: mine, messages: [{ key: 'k', value: 'kafkajs' }] });
    const refused = await failureOf(producer.send({ topic: theirs, messages: [{ key: 'k', value: 'no' }] }));
    await producer.disconnect();

    // Assess
    expect(mixed).toEqual({ [theirs]: 29, [mine]: 0 });
    expect(sent[0]?.errorCode).toBe(0);
    expect(refused).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await endOffset(mine)).toBe(2);
    expect(await endOffset(theirs)).toBe(0);
  });

  it('deletes records only with Delete on the topic: Describe alone answers TOPIC_AUTHORIZATION_FAILED and moves nothing', async () => {
    // Prepare
    const [mine, theirs] = [await topic(), await topic()];
    await addAcls(one.deps.auth, [rule('alice', 'topic', mine, 'Delete'), rule('alice', 'topic', theirs, 'Describe')]);
    for (const name of [mine, theirs]) await (await as('admin')).request(0, 8, produceBody([name]));
    const wire = await as('alice');
    const part = (name: string) => ({ name, partitions: [{ partitionIndex: 0, offset: -1n }] });

    // Act
    const answer = await wire.request(21, 2, { topics: [part(theirs), part(mine)], timeoutMs: 5000 });

    // Assess
    expect(answer.topics.map((t: Body) => [t.name, t.partitions[0].errorCode, t.partitions[0].lowWatermark])).toEqual([[theirs, 29, -1n], [mine, 0, 1n]]);
    expect((await one.deps.log.listOffset(theirs, 0, 'earliest')).offset).toBe(0);
  });

  it('refuses InitProducerId with CLUSTER_AUTHORIZATION_FAILED to a user who may write nothing', async () => {
    // Prepare
    const wire = await as('bob');

    // Act
    const init = await wire.request(22, 1, { transactionalId: null, transactionTimeoutMs: 60_000 });

    // Assess
    expect(init.errorCode).toBe(31);
  });
});

describe('Fetch and ListOffsets', () => {
  it('answers TOPIC_AUTHORIZATION_FAILED for a topic the user may not read or describe', async () => {
    // Prepare
    const name = await topic();
    const wire = await as('bob');

    // Act
    const fetched = await wire.request(1, 11, {
      replicaId: -1,
      maxWaitMs: 2000,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic: name, partitions: [{ partition: 0, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [],
      rackId: '',
    });
    const listed = await wire.request(2, 5, { replicaId: -1, isolationLevel: 0, topics: [{ name, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] }] });

    // Assess
    expect(fetched.responses[0].partitions[0].errorCode).toBe(29);
    expect(listed.topics[0].partitions[0].errorCode).toBe(29);
  });
});

describe('Metadata', () => {
  it('lists only the topics the user may describe, and refuses the others by name', async () => {
    // Prepare
    const [visible, hidden] = [await topic(), await topic()];
    await addAcls(one.deps.auth, [rule('bob', 'topic', visible, 'Read')]);
    const wire = await as('bob');

    // Act
    const all = await wire.request(3, 1, { topics: null });
    const named = await wire.request(3, 1, { topics: [{ name: visible }, { name: hidden }, { name: uniqueName('absent') }] });

    // Assess
    expect(all.topics.map((t: Body) => t.name)).toEqual([visible]);
    expect(named.topics.map((t: Body) => [t.name, t.errorCode])).toEqual([
      [visible, 0],
      [hidden, 29],
      [named.topics[2].name, 29],
    ]);
  });
});

describe('consumer groups', () => {
  it('answers GROUP_AUTHORIZATION_FAILED without Read on the group, and commits once it is granted', async () => {
    // Prepare
    const name = await topic();
    const group = uniqueName('g');
    await addAcls(one.deps.auth, [rule('bob', 'topic', name, 'Read')]);
    const wire = await as('bob');
    const commit = { groupId: group, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: [{ name, partitions: [{ partitionIndex: 0, committedOffset: 0n, committedLeaderEpoch: -1, committedMetadata: null }] }] };
    const join = { groupId: group, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] };

    // Act
    const coordinator = await wire.request(10, 2, { key: group, keyType: 0 });
    const joined = await wire.request(11, 5, join);
    const committed = await wire.request(8, 7, commit);
    const fetched = await wire.request(9, 5, { groupId: group, topics: null });
    await addAcls(one.deps.auth, [rule('bob', 'group', group, 'Read')]);
    const allowed = await wire.request(8, 7, commit);

    // Assess
    expect(coordinator.errorCode).toBe(30);
    expect(joined.errorCode).toBe(30);
    expect(committed.topics[0].partitions[0].errorCode).toBe(30);
    expect(fetched.errorCode).toBe(30);
    expect(allowed.topics[0].partitions[0].errorCode).toBe(0);
  });
});

describe('authorized operations', () => {
  // Kafka's AclOperation codes as bits: Read 3, Write 4, Create 5, Delete 6, Alter 7, Describe 8, ClusterAction 9, DescribeConfigs 10, AlterConfigs 11, IdempotentWrite 12.
  const bits = (...codes: number[]) => codes.reduce((sum, code) => sum | (1 << code), 0);
  const NOT_ASKED = -2147483648;

  it('answers the bitfield of what the rules allow when asked (Metadata v8+, DescribeGroups v3+, DescribeCluster), Int32 min when not, every operation for a super user', async () => {
    // Prepare: carol (no other test grants her anything) may read the topic and alter its configs, read the group, describe the cluster and write idempotently
    const [name, hidden] = [await topic(), await topic()];
    const group = uniqueName('g');
    await addAcls(one.deps.auth, [
      rule('carol', 'topic', name, 'Read'),
      rule('carol', 'topic', name, 'AlterConfigs'),
      rule('carol', 'group', group, 'Read'),
      rule('carol', 'cluster', 'kafka-cluster', 'Describe'),
      rule('carol', 'cluster', 'kafka-cluster', 'IdempotentWrite'),
    ]);
    const [carol, bob, admin] = [await as('carol'), await as('bob'), await as('admin')];
    const metadata = (wire: KafkaWire, version: number, include: boolean) =>
      wire.request(3, version, { topics: [{ name }, { name: hidden }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: include, includeTopicAuthorizedOperations: include });
    const describeGroups = (wire: KafkaWire, include: boolean) => wire.request(15, 5, { groups: [group, uniqueName('g')], includeAuthorizedOperations: include });
    const describeCluster = async (wire: KafkaWire, include: boolean) => (await wire.request(60, 1, { includeClusterAuthorizedOperations: include, endpointType: 1 })).clusterAuthorizedOperations;

    // Act
    const [asked, notAsked, v12] = [await metadata(carol, 10, true), await metadata(carol, 10, false), await metadata(carol, 12, true)];
    const [groups, groupsNotAsked] = [await describeGroups(carol, true), await describeGroups(carol, false)];
    const cluster = { carol: await describeCluster(carol, true), bob: await describeCluster(bob, true), admin: await describeCluster(admin, true), notAsked: await describeCluster(carol, false) };
    const [adminMetadata, adminGroups] = [await metadata(admin, 10, true), await describeGroups(admin, true)];

    // Assess
    const topicOps = (body: Body) => body.topics.map((t: Body) => [t.errorCode, t.topicAuthorizedOperations]);
    expect(topicOps(asked)).toEqual([[0, bits(3, 8, 10, 11)], [29, NOT_ASKED]]);
    expect(asked.clusterAuthorizedOperations).toBe(bits(8, 12));
    expect(topicOps(notAsked)).toEqual([[0, NOT_ASKED], [29, NOT_ASKED]]);
    expect(notAsked.clusterAuthorizedOperations).toBe(NOT_ASKED);
    expect(topicOps(v12)).toEqual([[0, bits(3, 8, 10, 11)], [29, NOT_ASKED]]);
    expect(groups.groups.map((g: Body) => [g.errorCode, g.authorizedOperations])).toEqual([[0, bits(3, 8)], [30, NOT_ASKED]]);
    expect(groupsNotAsked.groups[0].authorizedOperations).toBe(NOT_ASKED);
    // bob may not describe the cluster: 0, as Kafka answers
    expect(cluster).toEqual({ carol: bits(8, 12), bob: 0, admin: bits(5, 7, 8, 9, 10, 11, 12), notAsked: NOT_ASKED });
    expect(topicOps(adminMetadata)).toEqual([[0, bits(3, 4, 5, 6, 7, 8, 10, 11)], [0, bits(3, 4, 5, 6, 7, 8, 10, 11)]]);
    expect(adminGroups.groups.map((g: Body) => g.authorizedOperations)).toEqual([bits(3, 6, 8), bits(3, 6, 8)]);
  });
});

describe('ACL management', () => {
  it('creates, describes and deletes rules through kafkajs as a super user', async () => {
    // Prepare
    const name = uniqueName('managed');
    const admin = kafkaAs('admin').admin();
    await admin.connect();
    const binding = {
      resourceType: AclResourceTypes.TOPIC,
      resourceName: name,
      resourcePatternType: ResourcePatternTypes.LITERAL,
      principal: 'User:bob',
      host: '*',
      operation: AclOperationTypes.WRITE,
      permissionType: AclPermissionTypes.ALLOW,
    };
    const filter = { ...binding, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY };

    // Act
    await admin.createAcls({ acl: [binding] });
    const described = await admin.describeAcls(filter);
    const deleted = await admin.deleteAcls({ filters: [filter] });
    const after = await admin.describeAcls(filter);
    await admin.disconnect();

    // Assess
    expect(described.resources).toEqual([
      { resourceType: AclResourceTypes.TOPIC, resourceName: name, resourcePatternType: ResourcePatternTypes.LITERAL, acls: [{ principal: 'User:bob', host: '*', operation: AclOperationTypes.WRITE, permissionType: AclPermissionTypes.ALLOW }] },
    ]);
    expect(deleted.filterResponses[0]?.matchingAcls).toEqual([expect.objectContaining({ errorCode: 0, resourceName: name, principal: 'User:bob', operation: AclOperationTypes.WRITE })]);
    expect(after.resources).toEqual([]);
  });

  it('refuses a user without Describe or Alter on the cluster with CLUSTER_AUTHORIZATION_FAILED', async () => {
    // Prepare
    const admin = kafkaAs('alice').admin();
    await admin.connect();
    const binding = {
      resourceType: AclResourceTypes.TOPIC,
      resourceName: uniqueName('mine'),
      resourcePatternType: ResourcePatternTypes.LITERAL,
      principal: 'User:alice',
      host: '*',
      operation: AclOperationTypes.ALL,
      permissionType: AclPermissionTypes.ALLOW,
    };

    // Act
    const created = await failureOf(admin.createAcls({ acl: [binding] }));
    const described = await failureOf(admin.describeAcls({ ...binding, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY }));
    await admin.disconnect();
    const rules = await listAcls(one.deps.auth, { principal: 'User:alice', resourceName: binding.resourceName });

    // Assess
    expect(created).toBe('CLUSTER_AUTHORIZATION_FAILED');
    expect(described).toBe('CLUSTER_AUTHORIZATION_FAILED');
    expect(rules).toEqual([]);
  });
});

describe('CreateAcls', () => {
  it('refuses each creation Floe cannot keep (another host, a transactional id) and adds the others', async () => {
    // Prepare
    const wire = await as('admin');
    const name = uniqueName('mixed');
    const creation = { resourceType: 2, resourceName: name, resourcePatternType: 3, principal: 'User:bob', host: '*', operation: 3, permissionType: 3 };

    // Act
    const created = await wire.request(30, 1, { creations: [{ ...creation, host: '10.0.0.1' }, { ...creation, resourceType: 5 }, creation] });
    const rules = await listAcls(one.deps.auth, { resourceName: name });

    // Assess
    expect(created.results.map((r: Body) => r.errorCode)).toEqual([42, 42, 0]);
    expect(rules).toEqual([rule('bob', 'topic', name, 'Read')]);
  });
});

describe('a removed grant', () => {
  it('stops at once on the instance that removed it and within the cache time on the others', async () => {
    // Prepare
    const name = await topic();
    await addAcls(one.deps.auth, [rule('alice', 'topic', name, 'Write')]);
    const [onOne, onTwo] = [await as('alice', one), await as('alice', two)];
    await eventually(async () => produceCodes(await onTwo.request(0, 8, produceBody([name])))[name] === 0, 3 * CACHE_MS, 'the grant on the second instance');
    const admin = kafkaAs('admin', one).admin();
    await admin.connect();

    // Act
    await admin.deleteAcls({
      filters: [{ resourceType: AclResourceTypes.TOPIC, resourceName: name, resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:alice', host: '*', operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY }],
    });
    const removedAt = Date.now();
    const atOnce = produceCodes(await onOne.request(0, 8, produceBody([name])))[name];
    await eventually(async () => produceCodes(await onTwo.request(0, 8, produceBody([name])))[name] === 29, 3 * CACHE_MS, 'the removal on the second instance');
    const tookMs = Date.now() - removedAt;
    await admin.disconnect();

    // Assess
    expect(atOnce).toBe(29);
    // The cache time, plus a poll and a round trip of slack.
    expect(tookMs).toBeLessThanOrEqual(CACHE_MS + 750);
  });
});

describe('without SASL', () => {
  it('takes every connection for User:ANONYMOUS, and answers ACL management SECURITY_DISABLED where there is no ACL table', async () => {
    // Prepare
    const [open, plain] = await Promise.all([startTestGateway({}, { config: ACL_CONFIG }), startTestGateway({}, { config: { authorization: 'none', aclTable: undefined } })]);
    const [shown, other] = [await topic(), await topic()];
    await addAcls(open.deps.auth, [{ ...rule('admin', 'topic', shown, 'Describe'), principal: 'User:ANONYMOUS' }]);
    const [anonymous, unsecured] = [await KafkaWire.connect(open.port), await KafkaWire.connect(plain.port)];
    wires.push(anonymous, unsecured);
    const filter = { resourceTypeFilter: 1, resourceNameFilter: null, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 };

    // Act
    const listed = await anonymous.request(3, 1, { topics: null });
    const named = await anonymous.request(3, 1, { topics: [{ name: other }] });
    const disabled = await unsecured.request(29, 1, { ...filter, patternTypeFilter: 1 });
    await Promise.all([open.close(), plain.close()]);

    // Assess
    expect(listed.topics.map((t: Body) => t.name)).toEqual([shown]);
    expect(named.topics[0].errorCode).toBe(29);
    expect(disabled.errorCode).toBe(54);
  });
});

describe('admin and group APIs of a user without grants', () => {
  it('answers each with its Kafka authorization error and writes nothing', async () => {
    // Prepare
    const name = await topic();
    const group = uniqueName('g');
    // A group bob has no rule for: a super user's commit makes it.
    const unseen = uniqueName('g');
    await (await as('admin')).request(8, 7, { groupId: unseen, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: [{ name, partitions: [{ partitionIndex: 0, committedOffset: 0n, committedLeaderEpoch: -1, committedMetadata: null }] }] });
    const wire = await as('bob');
    const writesBefore = one.writes.length;
    const configs = [{ name: 'retention.ms', value: '1000' }];

    // Act
    const codes = {
      createTopics: (await wire.request(19, 4, { topics: [{ name: uniqueName('new'), numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false })).topics[0].errorCode,
      deleteTopics: (await wire.request(20, 4, { topicNames: [name], timeoutMs: 5000 })).responses[0].errorCode,
      createPartitions: (await wire.request(37, 1, { topics: [{ name, count: 3, assignments: null }], timeoutMs: 5000, validateOnly: false })).results[0].errorCode,
      describeTopicConfigs: (await wire.request(32, 1, { resources: [{ resourceType: 2, resourceName: name, configurationKeys: null }], includeSynonyms: false })).results[0].errorCode,
      describeBrokerConfigs: (await wire.request(32, 1, { resources: [{ resourceType: 4, resourceName: '1', configurationKeys: null }], includeSynonyms: false })).results[0].errorCode,
      alterConfigs: (await wire.request(33, 1, { resources: [{ resourceType: 2, resourceName: name, configs }], validateOnly: false })).responses[0].errorCode,
      incrementalAlterConfigs: (await wire.request(44, 0, { resources: [{ resourceType: 2, resourceName: name, configs: [{ ...configs[0], configOperation: 0 }] }], validateOnly: false })).responses[0].errorCode,
      findCoordinatorV4: (await wire.request(10, 4, { keyType: 0, coordinatorKeys: [group] })).coordinators[0].errorCode,
      syncGroup: (await wire.request(14, 3, { groupId: group, generationId: 1, memberId: 'm', groupInstanceId: null, assignments: [] })).errorCode,
      heartbeat: (await wire.request(12, 3, { groupId: group, generationId: 1, memberId: 'm', groupInstanceId: null })).errorCode,
      leaveGroup: (await wire.request(13, 3, { groupId: group, members: [{ memberId: 'm', groupInstanceId: null }] })).errorCode,
      describeGroups: (await wire.request(15, 1, { groups: [group] })).groups[0].errorCode,
      deleteGroups: (await wire.request(42, 1, { groupsNames: [group] })).results[0].errorCode,
      offsetDelete: (await wire.request(47, 0, { groupId: group, topics: [] })).errorCode,
      deleteAcls: (await wire.request(31, 1, { filters: [{ resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 }] })).filterResults[0].errorCode,
    };
    const listed: string[] = (await wire.request(16, 1, {})).groups.map((g: Body) => g.groupId);
    const everyGroup: string[] = (await (await as('admin')).request(16, 1, {})).groups.map((g: Body) => g.groupId);
    const granted = (await listAcls(one.deps.auth, { principal: 'User:bob', resourceType: 'group' })).map((r) => r.resourceName);

    // Assess
    expect(codes).toEqual({
      createTopics: 29,
      deleteTopics: 29,
      createPartitions: 29,
      describeTopicConfigs: 29,
      describeBrokerConfigs: 31,
      alterConfigs: 29,
      incrementalAlterConfigs: 29,
      findCoordinatorV4: 30,
      syncGroup: 30,
      heartbeat: 30,
      leaveGroup: 30,
      describeGroups: 30,
      deleteGroups: 30,
      offsetDelete: 30,
      deleteAcls: 31,
    });
    // Only the groups bob has a rule for (other tests grant him some); a super user sees them all.
    expect(listed.every((id) => granted.includes(id))).toBe(true);
    expect(everyGroup).toContain(unseen);
    expect(listed).not.toContain(unseen);
    expect(one.writes.length).toBe(writesBefore);
  });

  it('leaves topics the user may not describe out of its committed offsets, and refuses them by name', async () => {
    // Prepare
    const [readable, hidden] = [await topic(), await topic()];
    const group = uniqueName('g');
    await addAcls(one.deps.auth, [rule('admin', 'group', group, 'Read')]);
    const admin = await as('admin');
    const commit = (name: string) => ({ groupId: group, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: [{ name, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }] }] });
    await admin.request(8, 7, commit(readable));
    await admin.request(8, 7, commit(hidden));
    await addAcls(one.deps.auth, [rule('bob', 'group', group, 'Describe'), rule('bob', 'topic', readable, 'Describe')]);
    const wire = await as('bob');

    // Act
    const all = await wire.request(9, 5, { groupId: group, topics: null });
    const named = await wire.request(9, 5, { groupId: group, topics: [{ name: hidden, partitionIndexes: [0] }] });

    // Assess
    expect(all.errorCode).toBe(0);
    expect(all.topics.map((t: Body) => t.name)).toEqual([readable]);
    expect(named.topics[0].partitions[0]).toMatchObject({ errorCode: 29, committedOffset: -1n });
  });
});
