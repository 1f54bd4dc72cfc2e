/**
 * The APIs and versions the gateway serves - and therefore advertises in ApiVersions, since
 * every client uses min(its max, our max) per API and kafka-python guesses the broker release
 * from this list (Produce's minimum aside: advertisedApis). Produce and Fetch start at the first RecordBatch v2 versions; Fetch stops at
 * 12 (13+ names topics by id). Kept in API key order. OffsetForLeaderEpoch, transactions and KIP-848's
 * ConsumerGroupHeartbeat are left out on purpose (see docs/gateway.md).
 */
import type { ApiVersionRange } from '@floe/protocol/kafka';

export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  DeleteRecords: 21,
  InitProducerId: 22,
  DescribeAcls: 29,
  CreateAcls: 30,
  DeleteAcls: 31,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  SaslAuthenticate: 36,
  CreatePartitions: 37,
  DeleteGroups: 42,
  IncrementalAlterConfigs: 44,
  OffsetDelete: 47,
  DescribeCluster: 60,
} as const;

const range = (apiKey: number, minVersion: number, maxVersion: number): ApiVersionRange => ({ apiKey, minVersion, maxVersion });

export const SERVED_APIS: readonly ApiVersionRange[] = [
  range(ApiKey.Produce, 3, 9),
  range(ApiKey.Fetch, 4, 12),
  range(ApiKey.ListOffsets, 0, 7),
  range(ApiKey.Metadata, 0, 12),
  range(ApiKey.OffsetCommit, 0, 9),
  range(ApiKey.OffsetFetch, 0, 9),
  range(ApiKey.FindCoordinator, 0, 4),
  range(ApiKey.JoinGroup, 0, 9),
  range(ApiKey.Heartbeat, 0, 4),
  range(ApiKey.LeaveGroup, 0, 5),
  range(ApiKey.SyncGroup, 0, 5),
  range(ApiKey.DescribeGroups, 0, 5),
  range(ApiKey.ListGroups, 0, 5),
  // SASL on every listener, as Kafka: without SASL they answer ILLEGAL_SASL_STATE. v0 is kafka-python's (bare tokens).
  range(ApiKey.SaslHandshake, 0, 1),
  range(ApiKey.ApiVersions, 0, 3),
  range(ApiKey.CreateTopics, 0, 7),
  range(ApiKey.DeleteTopics, 0, 6),
  range(ApiKey.DeleteRecords, 0, 2),
  range(ApiKey.InitProducerId, 0, 4),
  // ACLs at Kafka 2.4's versions: kafka-python takes DescribeAcls v2 for Kafka 2.5, and every client manages ACLs with v0-1.
  range(ApiKey.DescribeAcls, 0, 1),
  range(ApiKey.CreateAcls, 0, 1),
  range(ApiKey.DeleteAcls, 0, 1),
  range(ApiKey.DescribeConfigs, 0, 4),
  range(ApiKey.AlterConfigs, 0, 2),
  range(ApiKey.SaslAuthenticate, 0, 2),
  range(ApiKey.CreatePartitions, 0, 3),
  range(ApiKey.DeleteGroups, 0, 2),
  range(ApiKey.IncrementalAlterConfigs, 0, 1),
  range(ApiKey.OffsetDelete, 0, 0),
  range(ApiKey.DescribeCluster, 0, 1),
];

/**
 * What ApiVersions lists: the served versions, but Produce from v0, as Kafka 4.0 does (KAFKA-18659).
 * librdkafka (librdkafka issue 4956) compresses gzip, snappy and lz4 batches only when the broker's
 * Produce range reaches v0, and otherwise sends them uncompressed, silently. Produce v0-2 (magic 0
 * and 1 message sets) stays unserved: such a request closes the connection like any version not
 * served, and no client able to use v3+ picks it, since each takes the highest version both support.
 */
export function advertisedApis(served: readonly ApiVersionRange[]): ApiVersionRange[] {
  return served.map((api) => (api.apiKey === ApiKey.Produce ? { ...api, minVersion: 0 } : api));
}

export function isServed(apis: readonly ApiVersionRange[], apiKey: number, apiVersion: number): boolean {
  const api = apis.find((a) => a.apiKey === apiKey);
  return api !== undefined && apiVersion >= api.minVersion && apiVersion <= api.maxVersion;
}
