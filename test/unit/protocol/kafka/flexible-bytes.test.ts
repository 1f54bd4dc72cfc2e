/**
 * Known bytes, flexible versions: byte strings derived by hand from the protocol guide (compact
 * lengths are unsigned varint N+1, every struct ends with a tagged-fields section, request header
 * v2 keeps an int16-length client id). Each must decode to the values annotated, and encoding
 * those values must give back the same bytes.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  type KafkaStruct,
} from '../../../../packages/protocol/src/kafka/index.js';

/** Hex with spaces and ASCII text, concatenated. */
const bytes = (...parts: Array<string | { text: string }>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p.replace(/\s+/g, ''), 'hex') : Buffer.from(p.text))));
const t = (text: string) => ({ text });
/** A frame: int32 size prefix, then the parts. */
const frame = (...parts: Array<string | { text: string }>) => {
  const payload = bytes(...parts);
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
};

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
const TOPIC_ID = '5f0c7a1e-2b3d-4c5e-8f90-a1b2c3d4e5f6';
const TOPIC_ID_HEX = '5f0c7a1e 2b3d 4c5e 8f90 a1b2c3d4e5f6';
const RECORDS = Buffer.from('0123456789abcdef', 'hex'); // opaque to the codec: passed through

interface RequestCase {
  name: string;
  apiKey: number;
  version: number;
  bytes: Buffer;
  body: KafkaStruct;
}

const header = (apiKey: string, version: string) => `${apiKey} ${version} 00000007 0004` + Buffer.from('floe').toString('hex') + ' 00';

const REQUESTS: RequestCase[] = [
  {
    name: 'ApiVersions v3',
    apiKey: 18,
    version: 3,
    bytes: frame(header('0012', '0003'), '0b', t('librdkafka'), '06', t('2.0.2'), '00'),
    body: { clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' },
  },
  {
    name: 'Metadata v9',
    apiKey: 3,
    version: 9,
    // topics [1] {name "orders", tags}, allow auto create, include cluster ops, include topic ops, tags
    bytes: frame(header('0003', '0009'), '02', '07', t('orders'), '00', '01', '00', '01', '00'),
    body: { topics: [{ name: 'orders' }], allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: true },
  },
  {
    name: 'Metadata v12 (topic id and name)',
    apiKey: 3,
    version: 12,
    bytes: frame(header('0003', '000c'), '02', '00'.repeat(16), '07', t('orders'), '00', '00', '00', '00'),
    body: { topics: [{ topicId: ZERO_UUID, name: 'orders' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false },
  },
  {
    name: 'Metadata v12 (null topics: all of them)',
    apiKey: 3,
    version: 12,
    bytes: frame(header('0003', '000c'), '00', '01', '00', '00'),
    body: { topics: null, allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false },
  },
  {
    name: 'Produce v9',
    apiKey: 0,
    version: 9,
    // transactional id null, acks -1, timeout 30000, [orders [partition 2, records (8 bytes: compact 9)]]
    bytes: frame(header('0000', '0009'), '00', 'ffff', '00007530', '02', '07', t('orders'), '02', '00000002', '09', RECORDS.toString('hex'), '00', '00', '00'),
    body: { transactionalId: null, acks: -1, timeoutMs: 30000, topicData: [{ name: 'orders', partitionData: [{ index: 2, records: RECORDS }] }] },
  },
  {
    name: 'Fetch v12 (with the tagged cluster id)',
    apiKey: 1,
    version: 12,
    bytes: frame(
      header('0001', '000c'),
      'ffffffff 000001f4 00000001 03200000 01 00000000 ffffffff', // replica, max wait 500, min bytes 1, max bytes 50 MiB, read committed, session 0, epoch -1
      '02 07', t('orders'),
      '02 00000002 00000000 000000000000002a ffffffff ffffffffffffffff 00100000 00', // partition 2, leader epoch 0, offset 42, last fetched epoch -1, log start -1, 1 MiB
      '00', // topic tags
      '01', // forgotten topics: empty
      '01', // rack id ""
      '01 00 05 05', t('floe'), // tags: one, tag 0 (cluster id), 5 bytes: compact string "floe"
    ),
    body: {
      clusterId: 'floe',
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 52428800,
      isolationLevel: 1,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: 'orders',
          partitions: [{ partition: 2, currentLeaderEpoch: 0, fetchOffset: 42n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1048576 }],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    },
  },
  {
    name: 'JoinGroup v6',
    apiKey: 11,
    version: 6,
    // group, session 45000, rebalance 300000, member "", instance null, protocol type, [range, metadata "meta"]
    bytes: frame(header('000b', '0006'), '08', t('billing'), '0000afc8', '000493e0', '01', '00', '09', t('consumer'), '02', '06', t('range'), '05', t('meta'), '00', '00'),
    body: {
      groupId: 'billing',
      sessionTimeoutMs: 45000,
      rebalanceTimeoutMs: 300000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.from('meta') }],
    },
  },
  {
    name: 'OffsetFetch v8 (groups array)',
    apiKey: 9,
    version: 8,
    // [billing [orders [0, 1]]], require stable
    bytes: frame(header('0009', '0008'), '02', '08', t('billing'), '02', '07', t('orders'), '03 00000000 00000001', '00', '00', '01', '00'),
    body: { groups: [{ groupId: 'billing', topics: [{ name: 'orders', partitionIndexes: [0, 1] }] }], requireStable: true },
  },
  {
    name: 'OffsetFetch v8 (null topics: all of the group)',
    apiKey: 9,
    version: 8,
    bytes: frame(header('0009', '0008'), '02', '08', t('billing'), '00', '00', '00', '00'),
    body: { groups: [{ groupId: 'billing', topics: null }], requireStable: false },
  },
  {
    name: 'InitProducerId v4 (idempotent, no transactional id)',
    apiKey: 22,
    version: 4,
    bytes: frame(header('0016', '0004'), '00', '7fffffff', 'ffffffffffffffff', 'ffff', '00'),
    body: { transactionalId: null, transactionTimeoutMs: 2147483647, producerId: -1n, producerEpoch: -1 },
  },
  {
    name: 'FindCoordinator v4 (batched keys)',
    apiKey: 10,
    version: 4,
    bytes: frame(header('000a', '0004'), '00', '02', '08', t('billing'), '00'),
    body: { keyType: 0, coordinatorKeys: ['billing'] },
  },
];

interface ResponseCase {
  name: string;
  apiKey: number;
  version: number;
  bytes: Buffer;
  body: KafkaStruct;
}

const RESPONSES: ResponseCase[] = [
  {
    name: 'ApiVersions v3 (response header v0: no tagged fields after the correlation id)',
    apiKey: 18,
    version: 3,
    bytes: frame(
      '00000007', // correlation id, nothing else
      '0000', // error
      '03', '0000 0003 0009 00', '0012 0000 0003 00', // [produce 3-9, api versions 0-3]
      '00000000', // throttle
      '01 01 08 0000000000000005', // tags: finalized features epoch = 5
    ),
    body: {
      errorCode: 0,
      apiKeys: [
        { apiKey: 0, minVersion: 3, maxVersion: 9 },
        { apiKey: 18, minVersion: 0, maxVersion: 3 },
      ],
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: 5n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    },
  },
  {
    name: 'Metadata v9',
    apiKey: 3,
    version: 9,
    bytes: frame(
      '00000007 00', // header v1
      '00000000', // throttle
      '02 00000001 05', t('floe'), '00002384 00 00', // broker 1 floe:9092, rack null
      '05', t('c-01'), // cluster id
      '00000001', // controller
      '02 0000 07', t('orders'), '00', // topic: error, name, internal false
      '02 0000 00000000 00000001 00000000 02 00000001 02 00000001 01 00', // partition 0, leader 1, epoch 0, replicas [1], isr [1], offline []
      '80000000 00', // topic authorized operations, tags
      '80000000', // cluster authorized operations
      '00',
    ),
    body: {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 1, host: 'floe', port: 9092, rack: null }],
      clusterId: 'c-01',
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: 'orders',
          isInternal: false,
          partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }],
          topicAuthorizedOperations: -2147483648,
        },
      ],
      clusterAuthorizedOperations: -2147483648,
    },
  },
  {
    name: 'Metadata v12',
    apiKey: 3,
    version: 12,
    bytes: frame(
      '00000007 00',
      '00000000',
      '02 00000001 05', t('floe'), '00002384 00 00',
      '00', // cluster id null
      '00000001',
      '02 0000 07', t('orders'), TOPIC_ID_HEX, '00',
      '02 0000 00000000 00000001 00000000 02 00000001 02 00000001 01 00',
      '80000000 00',
      '00', // no cluster authorized operations after v10
    ),
    body: {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 1, host: 'floe', port: 9092, rack: null }],
      clusterId: null,
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: 'orders',
          topicId: TOPIC_ID,
          isInternal: false,
          partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }],
          topicAuthorizedOperations: -2147483648,
        },
      ],
    },
  },
  {
    name: 'Produce v9',
    apiKey: 0,
    version: 9,
    bytes: frame(
      '00000007 00',
      '02 07', t('orders'),
      '02 00000002 0000 0020000000000001 ffffffffffffffff 0000000000000000 01 00 00', // partition 2, base offset 2^53+1, append time -1, log start 0, no record errors, message null
      '00', // topic tags
      '00000000 00', // throttle, tags
    ),
    body: {
      responses: [
        {
          name: 'orders',
          partitionResponses: [
            { index: 2, errorCode: 0, baseOffset: 9_007_199_254_740_993n, logAppendTimeMs: -1n, logStartOffset: 0n, recordErrors: [], errorMessage: null },
          ],
        },
      ],
      throttleTimeMs: 0,
    },
  },
  {
    name: 'Fetch v12 (tagged current leader)',
    apiKey: 1,
    version: 12,
    bytes: frame(
      '00000007 00',
      '00000000 0000 00000000', // throttle, error, session 0
      '02 07', t('orders'),
      '02 00000002 0000 000000000000002d 000000000000002d 0000000000000000', // partition 2, hw 45, lso 45, log start 0
      '00', // aborted transactions: null
      'ffffffff', // preferred read replica
      '09', RECORDS.toString('hex'), // records
      '01 01 09 00000001 00000000 00', // tags: current leader {1, epoch 0}
      '00', // topic tags
      '00',
    ),
    body: {
      throttleTimeMs: 0,
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
              lastStableOffset: 45n,
              logStartOffset: 0n,
              divergingEpoch: { epoch: -1, endOffset: -1n },
              currentLeader: { leaderId: 1, leaderEpoch: 0 },
              snapshotId: { endOffset: -1n, epoch: -1 },
              abortedTransactions: null,
              preferredReadReplica: -1,
              records: RECORDS,
            },
          ],
        },
      ],
    },
  },
  {
    name: 'JoinGroup v9',
    apiKey: 11,
    version: 9,
    bytes: frame(
      '00000007 00',
      '00000000 0000 00000003', // throttle, error, generation 3
      '09', t('consumer'), '06', t('range'), // protocol type, protocol name
      '05', t('m-01'), '00', '05', t('m-01'), // leader, skip assignment false, member id
      '02 05', t('m-01'), '00 05', t('meta'), '00', // [member m-01, instance null, metadata]
      '00',
    ),
    body: {
      throttleTimeMs: 0,
      errorCode: 0,
      generationId: 3,
      protocolType: 'consumer',
      protocolName: 'range',
      leader: 'm-01',
      skipAssignment: false,
      memberId: 'm-01',
      members: [{ memberId: 'm-01', groupInstanceId: null, metadata: Buffer.from('meta') }],
    },
  },
  {
    name: 'OffsetFetch v8 (groups array)',
    apiKey: 9,
    version: 8,
    bytes: frame(
      '00000007 00',
      '00000000',
      '02 08', t('billing'),
      '02 07', t('orders'), '02 00000000 00000000000004d2 ffffffff 01 0000 00', '00', // partition 0, offset 1234, epoch -1, metadata "", no error
      '0000 00', // group error, tags
      '00',
    ),
    body: {
      throttleTimeMs: 0,
      groups: [
        {
          groupId: 'billing',
          topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 1234n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 }] }],
          errorCode: 0,
        },
      ],
    },
  },
  {
    name: 'JoinGroup v6',
    apiKey: 11,
    version: 6,
    bytes: frame(
      '00000007 00',
      '00000000 0000 00000003', // throttle, error, generation 3
      '06', t('range'), '05', t('m-01'), '05', t('m-01'), // protocol name, leader, member id
      '02 05', t('m-01'), '00 05', t('meta'), '00', // [member m-01, instance null, metadata]
      '00',
    ),
    body: {
      throttleTimeMs: 0,
      errorCode: 0,
      generationId: 3,
      protocolName: 'range',
      leader: 'm-01',
      memberId: 'm-01',
      members: [{ memberId: 'm-01', groupInstanceId: null, metadata: Buffer.from('meta') }],
    },
  },
  {
    name: 'InitProducerId v4 (a 63-bit producer id)',
    apiKey: 22,
    version: 4,
    bytes: frame('00000007 00', '00000000 0000', '7edcba9876543211', '0000', '00'),
    body: { throttleTimeMs: 0, errorCode: 0, producerId: 0x7edcba9876543211n, producerEpoch: 0 },
  },
  {
    name: 'FindCoordinator v4 (batched keys)',
    apiKey: 10,
    version: 4,
    bytes: frame('00000007 00', '00000000', '02 08', t('billing'), '00000001 05', t('floe'), '00002384 0000 00 00', '00'),
    body: {
      throttleTimeMs: 0,
      coordinators: [{ key: 'billing', nodeId: 1, host: 'floe', port: 9092, errorCode: 0, errorMessage: null }],
    },
  },
];

describe('flexible requests: hand-derived bytes', () => {
  it.each(REQUESTS)('$name decodes to its values', ({ apiKey, version, bytes: wire, body }) => {
    // Act
    const decoded = decodeRequest(wire.subarray(4));

    // Assess
    expect(decoded.header).toEqual({ apiKey, apiVersion: version, correlationId: 7, clientId: 'floe', headerVersion: 2 });
    expect(decoded.body).toEqual(body);
    expect(decoded.trailingBytes).toBe(0);
  });

  it.each(REQUESTS)('$name encodes to its bytes', ({ apiKey, version, bytes: wire, body }) => {
    // Act
    const encoded = encodeRequest(apiKey, version, 7, 'floe', body);

    // Assess
    expect(encoded.toString('hex')).toBe(wire.toString('hex'));
  });
});

describe('flexible responses: hand-derived bytes', () => {
  it.each(RESPONSES)('$name decodes to its values', ({ apiKey, version, bytes: wire, body }) => {
    // Act
    const decoded = decodeResponse(apiKey, version, wire.subarray(4));

    // Assess
    expect(decoded).toEqual({ correlationId: 7, body, trailingBytes: 0 });
  });

  it.each(RESPONSES)('$name encodes to its bytes', ({ apiKey, version, bytes: wire, body }) => {
    // Act
    const encoded = encodeResponse(apiKey, version, 7, body);

    // Assess
    expect(encoded.toString('hex')).toBe(wire.toString('hex'));
  });
});
