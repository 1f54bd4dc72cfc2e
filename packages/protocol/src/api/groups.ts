/** The groups API (docs/consumer-groups.md): heartbeat, commit, describe and reset shapes, special epochs and limits. */
import type { ErrorCode } from '../errors.js';
import type { TopicPartition } from './topic-partition.js';

const GROUP_ID = /^[a-zA-Z0-9._:-]+$/;

export const ASSIGNORS = ['sticky', 'range', 'roundrobin'] as const;

export type AssignorName = (typeof ASSIGNORS)[number];

/** Member epochs with special meaning in heartbeat requests (as in KIP-848). */
export const JOIN_EPOCH = 0;

export const LEAVE_EPOCH = -1;

export const STATIC_LEAVE_EPOCH = -2;

export const GROUP_LIMITS = {
  /** Kafka's group.min.session.timeout.ms is 6 s; Floe allows shorter for tests and fast failover. */
  minSessionTimeoutMs: 1000,
  /** Kafka's group.max.session.timeout.ms. */
  maxSessionTimeoutMs: 1_800_000,
  defaultSessionTimeoutMs: 45_000,
  defaultHeartbeatIntervalMs: 3000,
  defaultRebalanceTimeoutMs: 300_000,
  /** Kafka's max.poll.interval.ms is an int: a rebalance timeout travels as int32 in JoinGroup. */
  maxRebalanceTimeoutMs: 2 ** 31 - 1,
  /** The group item holds the whole target assignment and must stay far below DynamoDB's 400 KB item limit. */
  maxMembers: 500,
  /**
   * UTF-8 bytes of one member's subscribed topic names. The member item stores them and is
   * rewritten by every heartbeat (billed per KB); 32 KiB is 1,000 names of 32 characters.
   */
  maxSubscriptionBytes: 32 * 1024,
  /**
   * Bytes the group item spends on its subscribed topics: every topic name once, plus one
   * "topic:partition" key per partition (the target assignment; a member item holds its share).
   * Keeps group and member items far below DynamoDB's 400 KB whatever the members ask for:
   * about 4,000 partitions with 20-character topic names.
   */
  maxAssignmentBytes: 96 * 1024,
  maxGroupIdLength: 249,
  maxInstanceIdLength: 249,
  /** Characters of a member's client id (describe shows it): a longer one is INVALID_REQUEST, not cut. */
  maxClientIdLength: 255,
  maxSubscribedTopics: 1000,
  /** Kafka's offset.metadata.max.bytes. */
  maxOffsetMetadataBytes: 4096,
  /**
   * A lease is renewed only while more than this is left of it (and the client
   * stops consuming this much before its lease ends), so that a handler whose
   * clock runs ahead by less than this never takes a claim that another handler
   * is still renewing. Lambda clocks are NTP-synchronised to well under this.
   */
  clockSkewAllowanceMs: 100,
  /** Optimistic-lock retries of one request before it answers REBALANCE_IN_PROGRESS (retriable). */
  maxWriteAttempts: 8,
  /** Tombstones of replaced static members and left members stay this long for clear errors; TTL removes them. */
  tombstoneTtlSeconds: 24 * 3600,
} as const;

export function isValidGroupId(groupId: unknown): groupId is string {
  return typeof groupId === 'string' && groupId.length > 0 && groupId.length <= GROUP_LIMITS.maxGroupIdLength && GROUP_ID.test(groupId);
}

export interface HeartbeatRequest {
  memberId?: string;
  memberEpoch: number;
  instanceId?: string;
  clientId?: string;
  /** join only: idempotency key, the same for every retry of one join (a retried join returns the member the first one made) */
  joinId?: string;
  /** join only */
  sessionTimeoutMs?: number;
  /** join only: max.poll.interval.ms, reported in describe */
  rebalanceTimeoutMs?: number;
  /** join only */
  heartbeatIntervalMs?: number;
  /** undefined = unchanged */
  subscribedTopics?: string[];
  /** join only: accepted assignors, preferred first */
  assignors?: AssignorName[];
  /** partitions the client holds (assigned and not yet revoked); undefined = unchanged */
  ownedPartitions?: TopicPartition[];
}

export interface AssignedPartition extends TopicPartition {
  /** claim epoch: offset commits for this partition must carry it */
  epoch: number;
}

export interface HeartbeatResponse {
  memberId: string;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  sessionTimeoutMs: number;
  /** what the member may consume now; anything it holds and is not listed must be revoked */
  assignment: AssignedPartition[];
  /** target partitions still held by other members (they come once those revoke or expire) */
  pending: number;
}

export interface CommitPartition extends TopicPartition {
  offset: number;
  metadata?: string;
  /** the claim epoch from the heartbeat's assignment; defaults to the one the member holds */
  epoch?: number;
}

export interface CommitRequest {
  /** absent for a standalone consumer (assign() with a group id): allowed only while the group has no live member */
  memberId?: string;
  memberEpoch?: number;
  partitions: CommitPartition[];
}

export interface CommitResult extends TopicPartition {
  errorCode: ErrorCode;
  errorMessage?: string;
}

export interface CommittedOffset extends TopicPartition {
  /** -1 when nothing was committed */
  offset: number;
  metadata: string;
  committedAt?: number;
}

export type GroupState = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable';

export interface MemberDescription {
  memberId: string;
  instanceId?: string;
  clientId: string;
  memberEpoch: number;
  subscribedTopics: string[];
  /** partitions the member holds now */
  assignment: TopicPartition[];
  /** partitions the target gives it */
  targetAssignment: TopicPartition[];
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  expiresAt: number;
  lastHeartbeatAt: number;
}

export interface PartitionLag extends TopicPartition {
  /** null when nothing was committed */
  committedOffset: number | null;
  logEndOffset: number | null;
  lag: number | null;
  /** live member holding the partition's claim */
  owner: string | null;
}

export interface GroupDescription {
  groupId: string;
  state: GroupState;
  groupEpoch: number;
  assignor: AssignorName | null;
  members: MemberDescription[];
  partitions: PartitionLag[];
}

export interface GroupListing {
  groupId: string;
  state: GroupState;
  members: number;
}

export type ResetSpec =
  | { to: 'earliest' }
  | { to: 'latest' }
  | { to: 'datetime'; timestamp: number }
  | { to: 'offset'; offset: number };

export interface ResetRequest {
  topic: string;
  /** default: every partition of the topic */
  partitions?: number[];
  spec: ResetSpec;
  /** compute and return the new offsets without writing them */
  dryRun?: boolean;
}

export interface ResetResult {
  topic: string;
  partition: number;
  /** -1 when nothing was committed before */
  previousOffset: number;
  newOffset: number;
  errorCode: ErrorCode;
  errorMessage?: string;
}
