/**
 * Known bytes, responses: Floe's codec encodes (non-flexible versions, header v0), kafkajs 2.2.4's
 * decoders read the body back, must find the values written and must consume every byte.
 */
import { describe, expect, it } from 'vitest';
import { encodeResponse, findApi, type KafkaStruct } from '../../../../packages/protocol/src/kafka/index.js';
import { kafkajsApi, kafkajsDecode, recordBatch } from './kafkajs.js';
import { PRODUCER_ID } from './realistic-samples.js';
import { projectBody } from './schema-samples.js';

interface Case {
  api: string;
  apiKey: number;
  versions: number[];
  /** A body with the fields of every version listed; projected onto each. */
  body: KafkaStruct;
  expected: (version: number) => Record<string, unknown>;
  /** Match only the listed keys (kafkajs adds decoded-record details). */
  partial?: boolean;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
/** kafkajs reports throttle time as such up to a version, then as client-side throttle time. */
const throttle = (version: number, clientSideFrom: number, ms = 5) =>
  version >= clientSideFrom ? { throttleTime: 0, clientSideThrottleTime: ms } : { throttleTime: ms };

const SUBSCRIPTION = Buffer.from('subscription');
const ASSIGNMENT = Buffer.from('assignment');
const records = await recordBatch([
  { key: 'k1', value: 'v1' },
  { key: 'k2', value: 'v2' },
]);

const CASES: Case[] = [
  {
    api: 'apiVersions',
    apiKey: 18,
    versions: range(0, 2),
    body: {
      errorCode: 0,
      apiKeys: [
        { apiKey: 0, minVersion: 3, maxVersion: 9 },
        { apiKey: 18, minVersion: 0, maxVersion: 3 },
      ],
      throttleTimeMs: 5,
    },
    expected: (v) => ({
      errorCode: 0,
      apiVersions: [
        { apiKey: 0, minVersion: 3, maxVersion: 9 },
        { apiKey: 18, minVersion: 0, maxVersion: 3 },
      ],
      ...(v >= 1 ? throttle(v, 2) : {}),
    }),
  },
  {
    api: 'metadata',
    apiKey: 3,
    versions: range(0, 6),
    body: {
      throttleTimeMs: 5,
      brokers: [{ nodeId: 1, host: 'floe.local', port: 9092, rack: 'az-1' }],
      clusterId: 'floe',
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: 'orders',
          isInternal: false,
          partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 7, replicaNodes: [1], isrNodes: [1], offlineReplicas: [2] }],
        },
      ],
    },
    expected: (v) => ({
      brokers: [{ nodeId: 1, host: 'floe.local', port: 9092, ...(v >= 1 ? { rack: 'az-1' } : {}) }],
      ...(v >= 1 ? { controllerId: 1 } : {}),
      ...(v >= 2 ? { clusterId: 'floe' } : {}),
      ...(v >= 3 ? throttle(v, 6) : {}),
      topicMetadata: [
        {
          topicErrorCode: 0,
          topic: 'orders',
          ...(v >= 1 ? { isInternal: false } : {}),
          partitionMetadata: [
            { partitionErrorCode: 0, partitionId: 0, leader: 1, replicas: [1], isr: [1], ...(v >= 5 ? { offlineReplicas: [2] } : {}) },
          ],
        },
      ],
    }),
  },
  {
    api: 'produce',
    apiKey: 0,
    versions: range(3, 7),
    body: {
      responses: [
        {
          name: 'orders',
          partitionResponses: [{ index: 2, errorCode: 0, baseOffset: 9_007_199_254_740_993n, logAppendTimeMs: -1n, logStartOffset: 5n }],
        },
      ],
      throttleTimeMs: 5,
    },
    expected: (v) => ({
      topics: [
        {
          topicName: 'orders',
          partitions: [
            { partition: 2, errorCode: 0, baseOffset: '9007199254740993', logAppendTime: '-1', ...(v >= 5 ? { logStartOffset: '5' } : {}) },
          ],
        },
      ],
      ...throttle(v, 6),
    }),
  },
  {
    api: 'fetch',
    apiKey: 1,
    versions: range(4, 11),
    partial: true,
    body: {
      throttleTimeMs: 5,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topic: 'orders',
          partitions: [
            {
              partitionIndex: 2,
              errorCode: 0,
              highWatermark: 45n,
              lastStableOffset: 44n,
              logStartOffset: 3n,
              abortedTransactions: [{ producerId: 77n, firstOffset: 40n }],
              preferredReadReplica: -1,
              records,
            },
          ],
        },
      ],
    },
    expected: (v) => ({
      ...(v >= 7 ? { errorCode: 0, sessionId: 0 } : {}),
      ...throttle(v, 8),
      responses: [
        {
          topicName: 'orders',
          partitions: [
            {
              partition: 2,
              errorCode: 0,
              highWatermark: '45',
              lastStableOffset: '44',
              ...(v >= 5 ? { lastStartOffset: '3' } : {}),
              abortedTransactions: [{ producerId: '77', firstOffset: '40' }],
              ...(v >= 11 ? { preferredReadReplica: -1 } : {}),
              messages: [
                { offset: '0', key: Buffer.from('k1'), value: Buffer.from('v1') },
                { offset: '1', key: Buffer.from('k2'), value: Buffer.from('v2') },
              ],
            },
          ],
        },
      ],
    }),
  },
  {
    api: 'listOffsets',
    apiKey: 2,
    versions: range(0, 3),
    body: {
      throttleTimeMs: 5,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: 0, oldStyleOffsets: [42n], timestamp: -1n, offset: 42n }] }],
    },
    expected: (v) => ({
      ...(v >= 2 ? throttle(v, 3) : {}),
      responses: [
        {
          topic: 'orders',
          partitions: [{ partition: 0, errorCode: 0, ...(v === 0 ? { offsets: ['42'] } : { timestamp: '-1', offset: '42' }) }],
        },
      ],
    }),
  },
  {
    api: 'initProducerId',
    apiKey: 22,
    versions: range(0, 1),
    body: { throttleTimeMs: 5, errorCode: 0, producerId: PRODUCER_ID, producerEpoch: 0 },
    expected: (v) => ({ ...throttle(v, 1), errorCode: 0, producerId: PRODUCER_ID.toString(), producerEpoch: 0 }),
  },
  {
    api: 'findCoordinator',
    apiKey: 10,
    versions: range(0, 2),
    body: { throttleTimeMs: 5, errorCode: 0, errorMessage: null, nodeId: 1, host: 'floe.local', port: 9092 },
    expected: (v) => ({
      errorCode: 0,
      coordinator: { nodeId: 1, host: 'floe.local', port: 9092 },
      ...(v >= 1 ? { ...throttle(v, 2), errorMessage: null } : {}),
    }),
  },
  {
    api: 'joinGroup',
    apiKey: 11,
    versions: range(0, 5),
    body: {
      throttleTimeMs: 5,
      errorCode: 0,
      generationId: 3,
      protocolName: 'RoundRobinAssigner',
      leader: 'm-1',
      memberId: 'm-2',
      members: [{ memberId: 'm-1', groupInstanceId: null, metadata: SUBSCRIPTION }],
    },
    expected: (v) => ({
      ...(v >= 2 ? throttle(v, 3) : {}),
      errorCode: 0,
      generationId: 3,
      groupProtocol: 'RoundRobinAssigner',
      leaderId: 'm-1',
      memberId: 'm-2',
      members: [{ memberId: 'm-1', ...(v >= 5 ? { groupInstanceId: null } : {}), memberMetadata: SUBSCRIPTION }],
    }),
  },
  {
    api: 'syncGroup',
    apiKey: 14,
    versions: range(0, 3),
    body: { throttleTimeMs: 5, errorCode: 0, assignment: ASSIGNMENT },
    expected: (v) => ({ ...(v >= 1 ? throttle(v, 2) : {}), errorCode: 0, memberAssignment: ASSIGNMENT }),
  },
  {
    api: 'heartbeat',
    apiKey: 12,
    versions: range(0, 3),
    body: { throttleTimeMs: 5, errorCode: 0 },
    expected: (v) => ({ ...(v >= 1 ? throttle(v, 2) : {}), errorCode: 0 }),
  },
  {
    api: 'leaveGroup',
    apiKey: 13,
    versions: range(0, 3),
    body: { throttleTimeMs: 5, errorCode: 0, members: [{ memberId: 'm-1', groupInstanceId: 'i-1', errorCode: 0 }] },
    expected: (v) => ({
      ...(v >= 1 ? throttle(v, 2) : {}),
      errorCode: 0,
      ...(v >= 3 ? { members: [{ memberId: 'm-1', groupInstanceId: 'i-1', errorCode: 0 }] } : {}),
    }),
  },
  {
    api: 'offsetCommit',
    apiKey: 8,
    versions: range(0, 5),
    body: { throttleTimeMs: 5, topics: [{ name: 'orders', partitions: [{ partitionIndex: 1, errorCode: 0 }] }] },
    expected: (v) => ({ ...(v >= 3 ? throttle(v, 4) : {}), responses: [{ topic: 'orders', partitions: [{ partition: 1, errorCode: 0 }] }] }),
  },
  {
    api: 'offsetFetch',
    apiKey: 9,
    versions: range(1, 4),
    body: {
      throttleTimeMs: 5,
      topics: [
        {
          name: 'orders',
          partitions: [
            { partitionIndex: 0, committedOffset: 9_007_199_254_740_993n, metadata: null, errorCode: 0 },
            { partitionIndex: 1, committedOffset: -1n, metadata: 'meta', errorCode: 0 },
          ],
        },
      ],
      errorCode: 0,
    },
    expected: (v) => ({
      ...(v >= 3 ? throttle(v, 4) : {}),
      ...(v >= 2 ? { errorCode: 0 } : {}),
      responses: [
        {
          topic: 'orders',
          partitions: [
            { partition: 0, offset: '9007199254740993', metadata: null, errorCode: 0 },
            { partition: 1, offset: '-1', metadata: 'meta', errorCode: 0 },
          ],
        },
      ],
    }),
  },
  {
    api: 'createTopics',
    apiKey: 19,
    versions: range(0, 3),
    body: { throttleTimeMs: 5, topics: [{ name: 'orders', errorCode: 0, errorMessage: null }] },
    expected: (v) => ({
      ...(v >= 2 ? throttle(v, 3) : {}),
      topicErrors: [{ topic: 'orders', errorCode: 0, ...(v >= 1 ? { errorMessage: null } : {}) }],
    }),
  },
  {
    api: 'deleteTopics',
    apiKey: 20,
    versions: range(0, 1),
    body: { throttleTimeMs: 5, responses: [{ name: 'orders', errorCode: 0 }] },
    expected: (v) => ({ ...(v >= 1 ? throttle(v, 1) : {}), topicErrors: [{ topic: 'orders', errorCode: 0 }] }),
  },
  {
    api: 'describeConfigs',
    apiKey: 32,
    versions: range(0, 2),
    body: {
      throttleTimeMs: 5,
      results: [
        {
          errorCode: 0,
          errorMessage: null,
          resourceType: 2,
          resourceName: 'orders',
          configs: [
            {
              name: 'retention.ms',
              value: '1000',
              readOnly: false,
              isDefault: false,
              configSource: 1,
              isSensitive: false,
              synonyms: [{ name: 'retention.ms', value: '1000', source: 1 }],
            },
          ],
        },
      ],
    },
    expected: (v) => ({
      ...throttle(v, 2),
      resources: [
        {
          errorCode: 0,
          errorMessage: null,
          resourceType: 2,
          resourceName: 'orders',
          configEntries: [
            {
              configName: 'retention.ms',
              configValue: '1000',
              readOnly: false,
              isDefault: false,
              configSource: 1,
              isSensitive: false,
              ...(v >= 1 ? { configSynonyms: [{ configName: 'retention.ms', configValue: '1000', configSource: 1 }] } : {}),
            },
          ],
        },
      ],
    }),
  },
  {
    api: 'describeGroups',
    apiKey: 15,
    versions: range(0, 2),
    body: {
      throttleTimeMs: 5,
      groups: [
        {
          errorCode: 0,
          groupId: 'billing',
          groupState: 'Stable',
          protocolType: 'consumer',
          protocolData: 'range',
          members: [{ memberId: 'm-1', clientId: 'c-1', clientHost: '/10.0.0.1', memberMetadata: SUBSCRIPTION, memberAssignment: ASSIGNMENT }],
        },
      ],
    },
    expected: (v) => ({
      ...(v >= 1 ? throttle(v, 2) : {}),
      groups: [
        {
          errorCode: 0,
          groupId: 'billing',
          state: 'Stable',
          protocolType: 'consumer',
          protocol: 'range',
          members: [{ memberId: 'm-1', clientId: 'c-1', clientHost: '/10.0.0.1', memberMetadata: SUBSCRIPTION, memberAssignment: ASSIGNMENT }],
        },
      ],
    }),
  },
  {
    api: 'listGroups',
    apiKey: 16,
    versions: range(0, 2),
    body: { throttleTimeMs: 5, errorCode: 0, groups: [{ groupId: 'billing', protocolType: 'consumer' }] },
    expected: (v) => ({ ...(v >= 1 ? throttle(v, 2) : {}), errorCode: 0, groups: [{ groupId: 'billing', protocolType: 'consumer' }] }),
  },
  {
    api: 'deleteGroups',
    apiKey: 42,
    versions: range(0, 1),
    body: { throttleTimeMs: 5, results: [{ groupId: 'billing', errorCode: 0 }] },
    // kafkajs's v1 decoder re-reads a `throttleTime` its v0 decoder never sets.
    expected: (v) => ({ throttleTimeMs: 5, results: [{ groupId: 'billing', errorCode: 0 }], ...(v >= 1 ? { throttleTime: 0 } : {}) }),
  },
  {
    api: 'createPartitions',
    apiKey: 37,
    versions: range(0, 1),
    body: { throttleTimeMs: 5, results: [{ name: 'orders', errorCode: 0, errorMessage: null }] },
    expected: (v) => ({ ...throttle(v, 1), topicErrors: [{ topic: 'orders', errorCode: 0, errorMessage: null }] }),
  },
  {
    api: 'saslHandshake',
    apiKey: 17,
    versions: range(0, 1),
    body: { errorCode: 0, mechanisms: ['PLAIN', 'SCRAM-SHA-256'] },
    expected: () => ({ errorCode: 0, enabledMechanisms: ['PLAIN', 'SCRAM-SHA-256'] }),
  },
  {
    api: 'saslAuthenticate',
    apiKey: 36,
    versions: range(0, 1),
    body: { errorCode: 0, errorMessage: null, authBytes: Buffer.from('ok'), sessionLifetimeMs: 3_600_000n },
    expected: (v) => ({
      errorCode: 0,
      errorMessage: null,
      // kafkajs hands SASL mechanisms the bytes with their length prefix.
      authBytes: Buffer.from([0, 0, 0, 2, 0x6f, 0x6b]),
      ...(v >= 1 ? { sessionLifetimeMs: '3600000' } : {}),
    }),
  },
  {
    api: 'describeAcls',
    apiKey: 29,
    versions: range(0, 1),
    body: {
      throttleTimeMs: 5,
      errorCode: 0,
      errorMessage: null,
      resources: [
        { resourceType: 2, resourceName: 'orders', patternType: 3, acls: [{ principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }] },
      ],
    },
    expected: (v) => ({
      ...throttle(v, 1),
      errorCode: 0,
      errorMessage: null,
      resources: [
        {
          resourceType: 2,
          resourceName: 'orders',
          ...(v >= 1 ? { resourcePatternType: 3 } : {}),
          acls: [{ principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }],
        },
      ],
    }),
  },
  {
    api: 'createAcls',
    apiKey: 30,
    versions: range(0, 1),
    body: { throttleTimeMs: 5, results: [{ errorCode: 0, errorMessage: null }] },
    expected: (v) => ({ ...throttle(v, 1), creationResponses: [{ errorCode: 0, errorMessage: null }] }),
  },
  {
    api: 'deleteAcls',
    apiKey: 31,
    versions: range(0, 1),
    body: {
      throttleTimeMs: 5,
      filterResults: [
        {
          errorCode: 0,
          errorMessage: null,
          matchingAcls: [
            { errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders', patternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 },
          ],
        },
      ],
    },
    expected: (v) => ({
      ...throttle(v, 1),
      filterResponses: [
        {
          errorCode: 0,
          errorMessage: null,
          matchingAcls: [
            {
              errorCode: 0,
              errorMessage: null,
              resourceType: 2,
              resourceName: 'orders',
              ...(v >= 1 ? { resourcePatternType: 3 } : {}),
              principal: 'User:alice',
              host: '*',
              operation: 3,
              permissionType: 3,
            },
          ],
        },
      ],
    }),
  },
  {
    api: 'alterConfigs',
    apiKey: 33,
    versions: range(0, 1),
    body: { throttleTimeMs: 5, responses: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders' }] },
    expected: (v) => ({ ...throttle(v, 1), resources: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders' }] }),
  },
];

const rows = CASES.flatMap((c) => c.versions.map((version) => [c.api, version, c] as const));

describe('responses encoded by Floe decode with kafkajs 2.2.4 to the values written', () => {
  it.each(rows)('%s v%i', async (api, version, c) => {
    // Prepare
    const schema = findApi(c.apiKey)?.response;
    if (schema === undefined) throw new Error(`no schema for ${api}`);
    const body = projectBody(schema, version, c.body);
    const { response } = kafkajsApi(api, version, api === 'deleteGroups' ? [] : {});

    // Act
    const frame = encodeResponse(c.apiKey, version, 99, body);
    const payload = frame.subarray(8); // size prefix and response header v0 (correlation id)
    const { decoded, consumed } = await kafkajsDecode(response, payload);

    // Assess
    expect(frame.readInt32BE(4)).toBe(99);
    expect(consumed).toBe(payload.length);
    if (c.partial) expect(decoded).toMatchObject(c.expected(version));
    else expect(decoded).toEqual(c.expected(version));
  });
});
