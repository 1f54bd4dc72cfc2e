import { createHash } from 'node:crypto';
import { type AssignorName, GROUP_LIMITS, type PartitionKey } from '@floe/protocol';
import { dict } from '../storage/user-keyed.js';
/**
 * The consumer-group items in DynamoDB (groups table, pk "g#<groupId>") and the
 * rules that read them. docs/consumer-groups.md explains why these three items
 * are enough for invariant 4 with single-item conditional writes only.
 *
 *   group   sk "group"            target assignment for the group epoch (written by whoever notices a change)
 *   member  sk "m#<memberId>"     one per member incarnation: lease (expiresAt), subscription, claims it holds
 *   offset  sk "o#<topic>#<p>"    committed offset AND the partition's claim: owner + claimEpoch (the fence)
 */

export interface GroupItem {
  groupId: string;
  /** group epoch: bumped whenever the target assignment is recomputed */
  epoch: number;
  /** optimistic-lock counter of this item; every write is conditional on it */
  version: number;
  assignor: AssignorName;
  /** memberId -> partition keys the member should own in this epoch */
  target: Record<string, PartitionKey[]>;
  /** memberId -> subscription signature the target was computed for */
  subs: Record<string, string>;
  /** topic -> partition count the target was computed for (the topics of admitted members) */
  meta: Record<string, number>;
  /** live members left out of the target because the group had no room for their topics (budget.ts); they are told to leave */
  refused?: string[];
  createdAt: number;
  updatedAt: number;
}

export interface MemberItem {
  memberId: string;
  instanceId?: string;
  clientId: string;
  /** the client's idempotency key of the join that created this member: a retried join finds it instead of adding a ghost */
  joinId?: string;
  /** subscribed topic names (patterns are resolved by the client) */
  topics: string[];
  /** when the subscription was last set: the newest subscription is the one refused when the group has no room (absent in old items: joinedAt) */
  subscribedAt?: number;
  /** assignors the member accepts, preferred first */
  assignors: AssignorName[];
  memberEpoch: number;
  /** the epoch before the last change: a retried heartbeat whose answer was lost may still carry it */
  prevEpoch: number;
  version: number;
  /** claims this member holds: partition key -> claim epoch */
  owned: Record<PartitionKey, number>;
  /** partitions a heartbeat was claiming when it last wrote this item (recovered by the next one after a crash) */
  claiming: PartitionKey[];
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** lease: the member is live while expiresAt > now (epoch ms) */
  expiresAt: number;
  /** DynamoDB TTL (epoch seconds), for cleanup only */
  ttl: number;
  joinedAt: number;
  heartbeatAt: number;
  /** set when a static member's new incarnation replaced this one: dead for ever */
  fencedBy?: string;
  /** set when a static member left temporarily (epoch -2): it keeps its target until expiresAt */
  leftAt?: number;
}

export interface OffsetItem {
  topic: string;
  partition: number;
  /** committed offset; absent until the first commit */
  offset?: number;
  /**
   * A negative offset a Kafka client committed through the gateway (-2 earliest, -1 latest, as
   * kafkajs' resetOffsets does): Kafka stores it and OffsetFetch answers it back, and librdkafka and
   * kafkajs' admin act on -2. Only the gateway's OffsetFetch reads it; to Floe it is no commit.
   * `offset`, when present, wins: Floe's own writes set it and leave this behind.
   */
  sentinel?: number;
  metadata?: string;
  committedAt?: number;
  /** member id holding the claim; absent when released */
  owner?: string;
  /** incremented by every claim and every reset: commits must name the current one */
  claimEpoch: number;
  claimedAt?: number;
}


/**
 * In the group: the lease has not ended and no other incarnation replaced it. The one rule for
 * every member item, Floe's and the gateway's Kafka members (which are never replaced).
 */
export function isLive<M extends { fencedBy?: unknown; expiresAt: unknown }>(member: M | undefined, now: number): member is M {
  return member !== undefined && member.fencedBy === undefined && Number(member.expiresAt) > now;
}

/** Enough of a classic (Kafka) member item to tell whether it is its static instance's current incarnation. */
export interface ClassicIncarnation {
  memberId: string;
  instanceId?: string;
  joinedAt: number;
}

/** Each instance's newest member (by join time): the mapping of a classic group item written before instances were mapped (decision 40). */
export function instancesOf(members: Iterable<ClassicIncarnation>): Record<string, string> {
  const newest = new Map<string, ClassicIncarnation>();
  for (const m of members) {
    if (m.instanceId === undefined) continue;
    const seen = newest.get(m.instanceId);
    if (!seen || m.joinedAt > seen.joinedAt) newest.set(m.instanceId, m);
  }
  return dict([...newest].map(([instanceId, m]) => [instanceId, m.memberId]));
}

/**
 * Whether a classic member item is a member by decision 40: a static member is one only while the
 * classic item maps its group.instance.id to it (a replaced incarnation whose item outlived it is
 * not, whatever its lease says). `instances` undefined: there is no classic item to say otherwise.
 * `seen`: the member ids read with the mapping. A mapping to a member not among them was written
 * after the members were read (a new incarnation joined in between): the one read stands for its
 * instance, so a live group is never counted empty.
 */
export function isMappedIncarnation(
  member: { memberId: string; instanceId?: string | undefined },
  instances: Record<string, string> | undefined,
  seen: ReadonlySet<string>,
): boolean {
  if (member.instanceId === undefined || instances === undefined) return true;
  const current = Object.hasOwn(instances, member.instanceId) ? instances[member.instanceId] : undefined;
  return current === member.memberId || (current !== undefined && !seen.has(current));
}

/** The earliest `expiresAt` a renewal accepts at `now`: renewals need more than the skew allowance left. */
export const renewableAfter = (now: number): number => now + GROUP_LIMITS.clockSkewAllowanceMs;

/**
 * Dead for ever: missing (left or cleaned up), replaced, or past its lease. A
 * dead member can never become live again (renewals require
 * `expiresAt > now + allowance`, member ids are never reused), which is what
 * makes a claim takeover decided on a read safe.
 */
export function isDead(member: MemberItem | undefined, now: number): boolean {
  return member === undefined || member.fencedBy !== undefined || member.expiresAt <= now;
}

/**
 * What the target assignment depends on for one member, as a short digest: the group item
 * keeps one per member, and full subscriptions (up to 32 KiB each) would not fit it.
 */
export function subscriptionSignature(member: MemberItem): string {
  return createHash('sha256').update(JSON.stringify([member.instanceId ?? '', [...member.topics].sort()])).digest('base64url').slice(0, 22);
}

export const ttlSeconds = (epochMs: number): number => Math.ceil(epochMs / 1000);
