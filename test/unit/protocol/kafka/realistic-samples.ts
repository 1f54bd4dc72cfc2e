/**
 * Hand-written bodies for the APIs a gateway lives on, as real clients and a leaderless broker
 * would fill them, with every field of the newest version (projectBody() narrows them per version).
 */
import type { KafkaStruct } from '../../../../packages/protocol/src/kafka/index.js';

/** Consumer protocol subscription: version 0, topics ["orders", "payments"], no user data. */
export const SUBSCRIPTION = Buffer.from('000000020006' + Buffer.from('orders').toString('hex') + '0008' + Buffer.from('payments').toString('hex') + 'ffffffff', 'hex');
/** Consumer protocol assignment: version 0, orders [0, 1], no user data. */
export const ASSIGNMENT = Buffer.from('0000000000010006' + Buffer.from('orders').toString('hex') + '000000020000000000000001ffffffff', 'hex');

const TOPIC_ID = '5f0c7a1e-2b3d-4c5e-8f90-a1b2c3d4e5f6';
/** A 63-bit producer id: beyond 2^53, so a number would round it. */
export const PRODUCER_ID = 0x7edcba9876543211n;

export function realisticSamples(records: Buffer): Record<string, { request: KafkaStruct; response: KafkaStruct }> {
  return {
    ApiVersions: {
      request: { clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' },
      response: {
        errorCode: 0,
        apiKeys: [
          { apiKey: 0, minVersion: 3, maxVersion: 9 },
          { apiKey: 1, minVersion: 4, maxVersion: 12 },
          { apiKey: 18, minVersion: 0, maxVersion: 3 },
        ],
        throttleTimeMs: 0,
        supportedFeatures: [],
        finalizedFeaturesEpoch: -1n,
        finalizedFeatures: [],
        zkMigrationReady: false,
      },
    },
    Metadata: {
      request: {
        topics: [{ topicId: '00000000-0000-0000-0000-000000000000', name: 'orders' }],
        allowAutoTopicCreation: true,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      },
      response: {
        throttleTimeMs: 0,
        brokers: [{ nodeId: 1, host: 'floe.example.com', port: 9092, rack: 'eu-west-1a' }],
        clusterId: 'floe-cluster',
        controllerId: 1,
        topics: [
          {
            errorCode: 0,
            name: 'orders',
            topicId: TOPIC_ID,
            isInternal: false,
            partitions: [0, 1, 2].map((partitionIndex) => ({
              errorCode: 0,
              partitionIndex,
              leaderId: 1,
              leaderEpoch: 0,
              replicaNodes: [1],
              isrNodes: [1],
              offlineReplicas: [],
            })),
            topicAuthorizedOperations: -2147483648,
          },
        ],
        clusterAuthorizedOperations: -2147483648,
      },
    },
    Produce: {
      request: {
        transactionalId: null,
        acks: -1,
        timeoutMs: 30000,
        topicData: [{ name: 'orders', partitionData: [{ index: 2, records }] }],
      },
      response: {
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
    Fetch: {
      request: {
        clusterId: null,
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
      response: {
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
                records,
              },
            ],
          },
        ],
      },
    },
    ListOffsets: {
      request: {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2n, maxNumOffsets: 1 }] }],
      },
      response: {
        throttleTimeMs: 0,
        topics: [
          {
            name: 'orders',
            partitions: [{ partitionIndex: 0, errorCode: 0, oldStyleOffsets: [0n], timestamp: -1n, offset: 0n, leaderEpoch: 0 }],
          },
        ],
      },
    },
    InitProducerId: {
      request: { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 },
      response: { throttleTimeMs: 0, errorCode: 0, producerId: PRODUCER_ID, producerEpoch: 0 },
    },
    FindCoordinator: {
      request: { key: 'billing', keyType: 0, coordinatorKeys: ['billing'] },
      response: {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        nodeId: 1,
        host: 'floe.example.com',
        port: 9092,
        coordinators: [{ key: 'billing', nodeId: 1, host: 'floe.example.com', port: 9092, errorCode: 0, errorMessage: null }],
      },
    },
    JoinGroup: {
      request: {
        groupId: 'billing',
        sessionTimeoutMs: 45000,
        rebalanceTimeoutMs: 300000,
        memberId: '',
        groupInstanceId: null,
        protocolType: 'consumer',
        protocols: [
          { name: 'range', metadata: SUBSCRIPTION },
          { name: 'cooperative-sticky', metadata: SUBSCRIPTION },
        ],
        reason: 'rebalance failed due to MemberIdRequiredException',
      },
      response: {
        throttleTimeMs: 0,
        errorCode: 0,
        generationId: 3,
        protocolType: 'consumer',
        protocolName: 'range',
        leader: 'rdkafka-1b2c',
        skipAssignment: false,
        memberId: 'rdkafka-1b2c',
        members: [{ memberId: 'rdkafka-1b2c', groupInstanceId: null, metadata: SUBSCRIPTION }],
      },
    },
    SyncGroup: {
      request: {
        groupId: 'billing',
        generationId: 3,
        memberId: 'rdkafka-1b2c',
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments: [{ memberId: 'rdkafka-1b2c', assignment: ASSIGNMENT }],
      },
      response: { throttleTimeMs: 0, errorCode: 0, protocolType: 'consumer', protocolName: 'range', assignment: ASSIGNMENT },
    },
    Heartbeat: {
      request: { groupId: 'billing', generationId: 3, memberId: 'rdkafka-1b2c', groupInstanceId: null },
      response: { throttleTimeMs: 0, errorCode: 27 },
    },
    LeaveGroup: {
      request: {
        groupId: 'billing',
        memberId: 'rdkafka-1b2c',
        members: [{ memberId: 'rdkafka-1b2c', groupInstanceId: null, reason: 'the consumer is being closed' }],
      },
      response: { throttleTimeMs: 0, errorCode: 0, members: [{ memberId: 'rdkafka-1b2c', groupInstanceId: null, errorCode: 0 }] },
    },
    OffsetCommit: {
      request: {
        groupId: 'billing',
        generationIdOrMemberEpoch: 3,
        memberId: 'rdkafka-1b2c',
        groupInstanceId: null,
        retentionTimeMs: -1n,
        topics: [
          {
            name: 'orders',
            partitions: [{ partitionIndex: 0, committedOffset: 1234n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: '' }],
          },
        ],
      },
      response: { throttleTimeMs: 0, topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: 0 }] }] },
    },
    OffsetFetch: {
      request: {
        groupId: 'billing',
        topics: [{ name: 'orders', partitionIndexes: [0, 1] }],
        groups: [{ groupId: 'billing', memberId: null, memberEpoch: -1, topics: [{ name: 'orders', partitionIndexes: [0, 1] }] }],
        requireStable: true,
      },
      response: {
        throttleTimeMs: 0,
        topics: [
          {
            name: 'orders',
            partitions: [
              { partitionIndex: 0, committedOffset: 1234n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
              { partitionIndex: 1, committedOffset: -1n, committedLeaderEpoch: -1, metadata: null, errorCode: 0 },
            ],
          },
        ],
        errorCode: 0,
        groups: [
          {
            groupId: 'billing',
            topics: [
              {
                name: 'orders',
                partitions: [
                  { partitionIndex: 0, committedOffset: 1234n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
                  { partitionIndex: 1, committedOffset: -1n, committedLeaderEpoch: -1, metadata: null, errorCode: 0 },
                ],
              },
            ],
            errorCode: 0,
          },
        ],
      },
    },
  };
}
