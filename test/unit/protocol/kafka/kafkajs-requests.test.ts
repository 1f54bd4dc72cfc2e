/**
 * Known bytes, requests: kafkajs 2.2.4 encodes (non-flexible versions, header v1), Floe's codec
 * decodes, and the values must be the ones kafkajs was given.
 */
import { describe, expect, it } from 'vitest';
import { decodeRequest, type KafkaStruct } from '../../../../packages/protocol/src/kafka/index.js';
import { kafkajsApi, kafkajsRequestFrame, recordBatch } from './kafkajs.js';

interface Case {
  api: string;
  apiKey: number;
  versions: number[];
  args: (version: number) => unknown;
  expected: (version: number) => KafkaStruct | Promise<KafkaStruct>;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const messages = [
  { key: 'k1', value: 'v1', timestamp: 1_700_000_000_000 },
  { key: 'k2', value: 'v2', timestamp: 1_700_000_000_001 },
];

const CASES: Case[] = [
  { api: 'apiVersions', apiKey: 18, versions: range(0, 2), args: () => ({}), expected: () => ({}) },
  {
    api: 'metadata',
    apiKey: 3,
    versions: range(0, 6),
    args: () => ({ topics: ['orders', 'payments'], allowAutoTopicCreation: false }),
    expected: (v) => ({ topics: [{ name: 'orders' }, { name: 'payments' }], ...(v >= 4 ? { allowAutoTopicCreation: false } : {}) }),
  },
  {
    api: 'produce',
    apiKey: 0,
    versions: range(3, 7),
    args: () => ({ acks: -1, timeout: 30000, topicData: [{ topic: 'orders', partitions: [{ partition: 2, messages }] }] }),
    expected: async () => ({
      transactionalId: null,
      acks: -1,
      timeoutMs: 30000,
      topicData: [{ name: 'orders', partitionData: [{ index: 2, records: await recordBatch(messages) }] }],
    }),
  },
  {
    api: 'fetch',
    apiKey: 1,
    versions: range(4, 11),
    args: () => ({
      replicaId: -1,
      isolationLevel: 1,
      maxWaitTime: 5000,
      minBytes: 1,
      maxBytes: 10485760,
      rackId: 'eu-west-1a',
      topics: [{ topic: 'orders', partitions: [{ partition: 2, fetchOffset: '9007199254740993', maxBytes: 1048576 }] }],
    }),
    expected: (v) => ({
      replicaId: -1,
      maxWaitMs: 5000,
      minBytes: 1,
      maxBytes: 10485760,
      isolationLevel: 1,
      ...(v >= 7 ? { sessionId: 0, sessionEpoch: -1 } : {}),
      topics: [
        {
          topic: 'orders',
          partitions: [
            {
              partition: 2,
              ...(v >= 9 ? { currentLeaderEpoch: -1 } : {}),
              fetchOffset: 9007199254740993n,
              ...(v >= 5 ? { logStartOffset: -1n } : {}),
              partitionMaxBytes: 1048576,
            },
          ],
        },
      ],
      ...(v >= 7 ? { forgottenTopicsData: [] } : {}),
      ...(v >= 11 ? { rackId: 'eu-west-1a' } : {}),
    }),
  },
  {
    api: 'listOffsets',
    apiKey: 2,
    versions: range(0, 3),
    args: () => ({ replicaId: -1, isolationLevel: 1, topics: [{ topic: 'orders', partitions: [{ partition: 0, timestamp: -2 }] }] }),
    expected: (v) => ({
      replicaId: -1,
      ...(v >= 2 ? { isolationLevel: 1 } : {}),
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, timestamp: -2n, ...(v === 0 ? { maxNumOffsets: 1 } : {}) }] }],
    }),
  },
  {
    api: 'initProducerId',
    apiKey: 22,
    versions: range(0, 1),
    args: () => ({ transactionalId: null, transactionTimeout: 60000 }),
    expected: () => ({ transactionalId: null, transactionTimeoutMs: 60000 }),
  },
  {
    api: 'findCoordinator',
    apiKey: 10,
    versions: range(0, 2),
    args: () => ({ groupId: 'billing', coordinatorType: 0 }),
    expected: (v) => ({ key: 'billing', ...(v >= 1 ? { keyType: 0 } : {}) }),
  },
  {
    api: 'joinGroup',
    apiKey: 11,
    versions: range(0, 5),
    args: () => ({
      groupId: 'billing',
      sessionTimeout: 30000,
      rebalanceTimeout: 60000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      groupProtocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from('subscription') }],
    }),
    expected: (v) => ({
      groupId: 'billing',
      sessionTimeoutMs: 30000,
      ...(v >= 1 ? { rebalanceTimeoutMs: 60000 } : {}),
      memberId: '',
      ...(v >= 5 ? { groupInstanceId: null } : {}),
      protocolType: 'consumer',
      protocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from('subscription') }],
    }),
  },
  {
    api: 'syncGroup',
    apiKey: 14,
    versions: range(0, 3),
    args: () => ({
      groupId: 'billing',
      generationId: 4,
      memberId: 'm-1',
      groupInstanceId: null,
      groupAssignment: [{ memberId: 'm-1', memberAssignment: Buffer.from('assignment') }],
    }),
    expected: (v) => ({
      groupId: 'billing',
      generationId: 4,
      memberId: 'm-1',
      ...(v >= 3 ? { groupInstanceId: null } : {}),
      assignments: [{ memberId: 'm-1', assignment: Buffer.from('assignment') }],
    }),
  },
  {
    api: 'heartbeat',
    apiKey: 12,
    versions: range(0, 3),
    args: () => ({ groupId: 'billing', groupGenerationId: 4, memberId: 'm-1', groupInstanceId: 'instance-1' }),
    expected: (v) => ({ groupId: 'billing', generationId: 4, memberId: 'm-1', ...(v >= 3 ? { groupInstanceId: 'instance-1' } : {}) }),
  },
  {
    api: 'leaveGroup',
    apiKey: 13,
    versions: range(0, 3),
    args: () => ({ groupId: 'billing', memberId: 'm-1', groupInstanceId: null }),
    expected: (v) => ({ groupId: 'billing', ...(v >= 3 ? { members: [{ memberId: 'm-1', groupInstanceId: null }] } : { memberId: 'm-1' }) }),
  },
  {
    api: 'offsetCommit',
    apiKey: 8,
    versions: range(0, 5),
    args: () => ({
      groupId: 'billing',
      groupGenerationId: 4,
      memberId: 'm-1',
      retentionTime: -1,
      topics: [{ topic: 'orders', partitions: [{ partition: 1, offset: '9007199254740993', timestamp: 1_700_000_000_000, metadata: null }] }],
    }),
    expected: (v) => ({
      groupId: 'billing',
      ...(v >= 1 ? { generationIdOrMemberEpoch: 4, memberId: 'm-1' } : {}),
      ...(v >= 2 && v <= 4 ? { retentionTimeMs: -1n } : {}),
      topics: [
        {
          name: 'orders',
          partitions: [
            { partitionIndex: 1, committedOffset: 9007199254740993n, ...(v === 1 ? { commitTimestamp: 1_700_000_000_000n } : {}), committedMetadata: null },
          ],
        },
      ],
    }),
  },
  {
    api: 'offsetFetch',
    apiKey: 9,
    versions: range(1, 4),
    args: () => ({ groupId: 'billing', topics: [{ topic: 'orders', partitions: [{ partition: 0 }, { partition: 1 }] }] }),
    expected: () => ({ groupId: 'billing', topics: [{ name: 'orders', partitionIndexes: [0, 1] }] }),
  },
  {
    api: 'createTopics',
    apiKey: 19,
    versions: range(0, 3),
    args: () => ({
      topics: [{ topic: 'orders', numPartitions: 3, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
      validateOnly: true,
      timeout: 5000,
    }),
    expected: (v) => ({
      topics: [{ name: 'orders', numPartitions: 3, replicationFactor: 1, assignments: [], configs: [{ name: 'cleanup.policy', value: 'compact' }] }],
      timeoutMs: 5000,
      ...(v >= 1 ? { validateOnly: true } : {}),
    }),
  },
  {
    api: 'deleteTopics',
    apiKey: 20,
    versions: range(0, 1),
    args: () => ({ topics: ['orders'], timeout: 5000 }),
    expected: () => ({ topicNames: ['orders'], timeoutMs: 5000 }),
  },
  {
    api: 'describeConfigs',
    apiKey: 32,
    versions: range(0, 2),
    args: () => ({ resources: [{ type: 2, name: 'orders', configNames: ['retention.ms'] }], includeSynonyms: true }),
    expected: (v) => ({
      resources: [{ resourceType: 2, resourceName: 'orders', configurationKeys: ['retention.ms'] }],
      ...(v >= 1 ? { includeSynonyms: true } : {}),
    }),
  },
  {
    api: 'describeGroups',
    apiKey: 15,
    versions: range(0, 2),
    args: () => ({ groupIds: ['billing', 'audit'] }),
    expected: () => ({ groups: ['billing', 'audit'] }),
  },
  { api: 'listGroups', apiKey: 16, versions: range(0, 2), args: () => ({}), expected: () => ({}) },
  { api: 'deleteGroups', apiKey: 42, versions: range(0, 1), args: () => ['billing'], expected: () => ({ groupsNames: ['billing'] }) },
  {
    api: 'createPartitions',
    apiKey: 37,
    versions: range(0, 1),
    args: () => ({ topicPartitions: [{ topic: 'orders', count: 6, assignments: [[1], [1]] }], validateOnly: false, timeout: 5000 }),
    expected: () => ({
      topics: [{ name: 'orders', count: 6, assignments: [{ brokerIds: [1] }, { brokerIds: [1] }] }],
      timeoutMs: 5000,
      validateOnly: false,
    }),
  },
  { api: 'saslHandshake', apiKey: 17, versions: range(0, 1), args: () => ({ mechanism: 'PLAIN' }), expected: () => ({ mechanism: 'PLAIN' }) },
  {
    api: 'saslAuthenticate',
    apiKey: 36,
    versions: range(0, 1),
    // kafkajs's SASL mechanisms hand it the already length-prefixed bytes.
    args: () => ({ authBytes: Buffer.concat([Buffer.from([0, 0, 0, 13]), Buffer.from('\0alice\0secret')]) }),
    expected: () => ({ authBytes: Buffer.from('\0alice\0secret') }),
  },
  {
    api: 'describeAcls',
    apiKey: 29,
    versions: range(0, 1),
    args: () => ({ resourceType: 2, resourceName: 'orders', resourcePatternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }),
    expected: (v) => ({
      resourceTypeFilter: 2,
      resourceNameFilter: 'orders',
      ...(v >= 1 ? { patternTypeFilter: 3 } : {}),
      principalFilter: 'User:alice',
      hostFilter: '*',
      operation: 3,
      permissionType: 3,
    }),
  },
  {
    api: 'createAcls',
    apiKey: 30,
    versions: range(0, 1),
    args: () => ({
      creations: [{ resourceType: 2, resourceName: 'orders', resourcePatternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }],
    }),
    expected: (v) => ({
      creations: [
        { resourceType: 2, resourceName: 'orders', ...(v >= 1 ? { resourcePatternType: 3 } : {}), principal: 'User:alice', host: '*', operation: 3, permissionType: 3 },
      ],
    }),
  },
  {
    api: 'deleteAcls',
    apiKey: 31,
    versions: range(0, 1),
    args: () => ({
      filters: [{ resourceType: 2, resourceName: null, resourcePatternType: 1, principal: null, host: null, operation: 1, permissionType: 1 }],
    }),
    expected: (v) => ({
      filters: [
        { resourceTypeFilter: 2, resourceNameFilter: null, ...(v >= 1 ? { patternTypeFilter: 1 } : {}), principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 },
      ],
    }),
  },
  {
    api: 'alterConfigs',
    apiKey: 33,
    versions: range(0, 1),
    args: () => ({ resources: [{ type: 2, name: 'orders', configEntries: [{ name: 'retention.ms', value: '1000' }] }], validateOnly: true }),
    expected: () => ({
      resources: [{ resourceType: 2, resourceName: 'orders', configs: [{ name: 'retention.ms', value: '1000' }] }],
      validateOnly: true,
    }),
  },
];

const rows = CASES.flatMap((c) => c.versions.map((version) => [c.api, version, c] as const));

describe('requests encoded by kafkajs 2.2.4 decode to the values it was given', () => {
  it.each(rows)('%s v%i', async (api, version, c) => {
    // Prepare
    const { request } = kafkajsApi(api, version, c.args(version));
    const frame = await kafkajsRequestFrame(request, 12345, 'kafkajs-client');
    const expected = await c.expected(version);

    // Act
    const decoded = decodeRequest(frame.subarray(4));

    // Assess
    expect(request.apiVersion).toBe(version);
    expect(frame.readInt32BE(0)).toBe(frame.length - 4);
    expect(decoded.header).toEqual({ apiKey: c.apiKey, apiVersion: version, correlationId: 12345, clientId: 'kafkajs-client', headerVersion: 1 });
    expect(decoded.body).toEqual(expected);
    expect(decoded.trailingBytes).toBe(0);
  });
});
