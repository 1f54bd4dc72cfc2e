/**
 * What the console needs from a Floe cluster, as one interface. The real
 * implementation (http-gateway.ts) goes through the SDK's public exports and
 * Floe's HTTP API only; tests substitute an in-memory one to exercise the
 * console at sizes the local stand-ins create slowly.
 */
import type { GroupState } from './shared/api-types.js';

export interface GatewayTopic {
  name: string;
  topicId: string;
  partitions: number;
  configs: Record<string, number | string>;
  /** the configs set on the topic (Kafka's overrides); absent from servers older than the field */
  overrides?: string[];
}

export interface GatewayPartition {
  partition: number;
  logStartOffset: number;
  highWatermark: number;
  bytes?: number;
}

export interface GatewayTopicDescription extends GatewayTopic {
  partitionDetails: GatewayPartition[];
}

/** A fetched record with raw bytes. */
export interface RawRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<{ key: string; value: Buffer | null }>;
}

export interface FetchAnswer {
  records: RawRecord[];
  highWatermark: number;
  logStartOffset: number;
  /** where to fetch next (after the last batch read; past a compacted batch's removed offsets) */
  nextOffset?: number;
}

export interface GatewayGroupListing {
  groupId: string;
  state: GroupState;
  members: number;
}

export interface GatewayGroupDescription {
  groupId: string;
  state: GroupState;
  groupEpoch: number;
  assignor: string | null;
  members: Array<{
    memberId: string;
    instanceId?: string;
    clientId: string;
    memberEpoch: number;
    assignment: Array<{ topic: string; partition: number }>;
    lastHeartbeatAt: number;
  }>;
  partitions: Array<{ topic: string; partition: number; committedOffset: number | null; logEndOffset: number | null; lag: number | null; owner: string | null }>;
}

export type GatewayResetTo = 'earliest' | 'latest' | { datetime: string } | { offset: number };

export interface GatewayResetResult {
  topic: string;
  partition: number;
  previousOffset: number;
  newOffset: number;
}

export interface GatewayProduceRecord {
  partition?: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
}

export interface GatewayDeleteRecordsResult {
  partition: number;
  errorCode: string;
  errorMessage?: string;
  /** the log start offset after the delete; -1 on an error */
  lowWatermark: number;
}

export interface FloeGateway {
  listTopics(): Promise<GatewayTopic[]>;
  describeTopic(name: string): Promise<GatewayTopicDescription>;
  createTopic(name: string, partitions: number, configs?: Record<string, number | string>): Promise<GatewayTopic>;
  addPartitions(name: string, count: number): Promise<GatewayTopic>;
  /** Sets configs on the topic; null takes one back to the deployment's default. */
  alterTopicConfigs(name: string, configs: Record<string, number | string | null>): Promise<GatewayTopic>;
  /** Kafka's deleteRecords: moves log start offsets up to `offset` (-1: the log end); throws when every partition failed. */
  deleteRecords(topic: string, partitions: Array<{ partition: number; offset: number }>): Promise<GatewayDeleteRecordsResult[]>;
  /** Kafka's listOffsets for one partition: -1 when no record is at or after a timestamp */
  offsetFor(topic: string, partition: number, spec: 'earliest' | 'latest' | number): Promise<number>;
  /** One fetch of one partition, without waiting for new data. */
  fetch(topic: string, partition: number, offset: number, maxBytes: number): Promise<FetchAnswer>;
  produce(topic: string, record: GatewayProduceRecord): Promise<{ partition: number; offset: number }>;
  listGroups(): Promise<GatewayGroupListing[]>;
  describeGroup(groupId: string): Promise<GatewayGroupDescription>;
  resetOffsets(groupId: string, topic: string, to: GatewayResetTo, options: { partitions?: number[]; dryRun: boolean }): Promise<GatewayResetResult[]>;
}
