/**
 * The JSON the console server answers with: shared by the server (src/console)
 * and the browser UI (src/console/ui), so both sides agree on one shape.
 * Plain data only; no imports, so the UI bundle pulls in nothing from the server.
 */

/** Every error answer: the same body as Floe's HTTP API. */
export interface ApiErrorBody {
  error: { code: string; message: string; retriable: boolean };
}

/** One page of a list that the server paginates. */
export interface Page<T> {
  items: T[];
  total: number;
  offset: number;
  limit: number;
}

export interface ConsoleInfo {
  bootstrap: string;
  readOnly: boolean;
  /** true when calls to Floe are SigV4-signed (a deployed stack) */
  signed: boolean;
  sampleIntervalMs: number;
}

/** Records per second between two samples. */
export interface RatePoint {
  t: number;
  produce: number;
  fetch: number;
}

export interface Overview {
  topics: number;
  partitions: number;
  /** retained records (log end - log start) over all topics; null until the first sample */
  records: number | null;
  /** bytes written over all topics; null until the first sample */
  bytes: number | null;
  groups: number | null;
  sampledAt: number | null;
  rates: RatePoint[];
}

export interface TopicRow {
  name: string;
  partitions: number;
  /** from the latest sample; null when the topic was not sampled yet */
  records: number | null;
  bytes: number | null;
}

export interface PartitionRow {
  partition: number;
  logStartOffset: number;
  logEndOffset: number;
  records: number;
  /** null when the server does not report bytes */
  bytes: number | null;
}

export interface TopicDetail {
  name: string;
  topicId: string;
  partitions: number;
  configs: Record<string, number | string>;
  /** the configs set on the topic (the rest are the deployment's defaults); null when the server does not say */
  overrides: string[] | null;
  records: number;
  bytes: number | null;
  partitionPage: Page<PartitionRow>;
}

/** Config changes: a value sets the config on the topic, null takes it back to the default. */
export interface ConfigsRequest {
  configs: Record<string, number | string | null>;
}

/** Kafka's deleteRecords: each partition's log start moves up to offset (-1: the log end, a purge). */
export interface DeleteRecordsRequest {
  partitions: Array<{ partition: number; offset: number }>;
}

export interface DeleteRecordsAnswer {
  topic: string;
  /** lowWatermark: the log start after the delete (-1 with an error) */
  partitions: Array<{ partition: number; lowWatermark: number; errorCode: string; errorMessage?: string }>;
}

export type DataKind = 'null' | 'text' | 'json' | 'binary';

/** A key, value or header value as the browser shows it. */
export interface DataView {
  kind: DataKind;
  /** size in bytes of the whole datum */
  size: number;
  /** text as is, JSON pretty-printed, or a hex dump for binary */
  display: string;
  /** display covers only the first bytes of a large datum */
  truncated: boolean;
}

export interface MessageRow {
  partition: number;
  offset: number;
  timestamp: number;
  key: DataView;
  value: DataView;
  headers: Array<{ key: string; value: DataView }>;
}

export interface MessagePage {
  topic: string;
  partition: number;
  logStartOffset: number;
  logEndOffset: number;
  /** the first offset this page looked at */
  from: number;
  records: MessageRow[];
  /** where the next page starts (the offset after the last one scanned) */
  nextOffset: number;
  /** how many records were read to find these (more than records.length with a key filter) */
  scanned: number;
}

export interface ProduceAnswer {
  topic: string;
  partition: number;
  offset: number;
}

export type GroupState = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable';

export interface GroupRow {
  groupId: string;
  state: GroupState;
  members: number;
  /** total lag from the latest sample; null when not sampled */
  lag: number | null;
}

export interface GroupMember {
  memberId: string;
  instanceId: string | null;
  clientId: string;
  memberEpoch: number;
  /** "topic: 0-3, 7" per topic */
  assignment: string[];
  partitionCount: number;
  lastHeartbeatAt: number;
}

export interface GroupPartitionRow {
  topic: string;
  partition: number;
  committedOffset: number | null;
  logEndOffset: number | null;
  lag: number | null;
  owner: string | null;
}

export interface LagPoint {
  t: number;
  lag: number;
}

export interface GroupDetail {
  groupId: string;
  state: GroupState;
  groupEpoch: number;
  assignor: string | null;
  members: GroupMember[];
  totalLag: number;
  partitionPage: Page<GroupPartitionRow>;
  lagSeries: LagPoint[];
}

export type ResetTarget = 'earliest' | 'latest' | 'datetime' | 'offset';

export interface ResetRequest {
  topic: string;
  partitions?: number[];
  to: ResetTarget;
  datetime?: string;
  offset?: number;
  dryRun: boolean;
}

export interface ResetAnswer {
  groupId: string;
  dryRun: boolean;
  partitions: Array<{ topic: string; partition: number; previousOffset: number; newOffset: number }>;
}

/** Value formats the produce form accepts. */
export type InputFormat = 'text' | 'json' | 'base64' | 'hex';

export interface ProduceRequest {
  partition?: number;
  key?: string | null;
  keyFormat?: InputFormat;
  value: string | null;
  valueFormat?: InputFormat;
  headers?: Record<string, string>;
}

export type BrowseMode = 'offset' | 'timestamp' | 'latest';
