/**
 * Every S3 key and DynamoDB key Floe writes is made here, and only here.
 *
 * DynamoDB: two tables with the same key schema, string `pk` + string `sk`.
 *
 *   log table
 *     pk "topic"                sk "<topic name>"          topic: id, partition count, configs
 *     pk "p#<topicId>#<part>"   sk "head"                  partition head: next offset, recent batch locations, producer state
 *     pk "p#<topicId>#<first>"  sk "stripe"                striped topics (decision 52): the heads of partitions first..first+G-1 in one item,
 *                                                          under its first partition's key (a deleted topic's cleanup finds it there)
 *     pk "p#<topicId>#<first>"  sk "c#<seq:20>"            stripe chunk: entries spilled from a stripe (seq: entries spilled before them)
 *     pk "p#<topicId>#<part>"   sk "i#<lastOffset:20>"     index chunk: batch locations spilled from the head
 *     pk "p#<topicId>#<part>"   sk "s#<producerId>"        idempotent-producer state demoted from the head (last 5 batches)
 *     pk "pid#<producerId>"     sk "pid"                   producer id registry: every id the cluster issued, its current epoch
 *     pk "lease#<name>"         sk "lease"                 housekeeping leases ("p#<topicId>#<part>", a stripe's "s#<topicId>#<first>", "sweep#<hex>", "t#<topicId>")
 *     pk "gc#<hex>"             sk "<object key>"          sweep candidate: an unreferenced segment object, since when
 *     pk "hk-topics"            sk "<topicId>"             topics housekeeping has seen (finds leftovers of deleted topics)
 *   groups table
 *     pk "g#<groupId>"          sk "group"                 group state: generation, assignment
 *     pk "g#<groupId>"          sk "m#<memberId>"          member: subscription, expiresAt, ttl
 *     pk "g#<groupId>"          sk "o#<topic>#<part>"      committed offset and the partition's claim (owner, claim epoch)
 *     pk "g#<groupId>"          sk "classic"               Kafka-protocol (classic) group: generation, state, leader, assignments
 *     pk "g#<groupId>"          sk "c#<memberId>"          Kafka-protocol member: protocols, join generation, expiresAt, ttl
 *     pk "groups"               sk "<groupId>"             groups list entry
 *   ACL table (only with authorization on: FLOE_ACL_TABLE)
 *     pk "acl"                  sk "<type>#<pattern>#<name>#<principal>#<operation>#<permission>"
 *                                                          one rule (each part URI-encoded); every instance reads all in one Query
 *
 * S3: segment objects under `seg/<3 hex>/<time ms>-<8 hex>`; the hex prefix
 * spreads PUTs over S3 partitions (~3,500 PUT/s per prefix). Keys are kept short:
 * every batch location in DynamoDB repeats its object key.
 */
import { randomBytes, randomUUID } from 'node:crypto';

export const KEY_ATTRIBUTES = { partitionKey: 'pk', sortKey: 'sk' } as const;
/** DynamoDB TTL attribute (epoch seconds). For cleanup only: liveness is always `expiresAt > now`. */
export const TTL_ATTRIBUTE = 'ttl';

/** Zero-padded so that string order equals numeric order. */
export const padOffset = (offset: number): string => offset.toString().padStart(20, '0');

export const logKeys = {
  topicsPk: 'topic',
  topic: (name: string) => ({ pk: 'topic', sk: name }),
  partitionPk: (topicId: string, partition: number) => `p#${topicId}#${partition}`,
  head: (topicId: string, partition: number) => ({ pk: logKeys.partitionPk(topicId, partition), sk: 'head' }),
  /** The stripe item holding partitions first..first + width - 1 of a striped topic. */
  stripe: (topicId: string, first: number) => ({ pk: logKeys.partitionPk(topicId, first), sk: 'stripe' }),
  /** A stripe chunk: the stripe's entries spilled after the `seq` spilled before them (its sp then). */
  stripeChunkSk: (seq: number) => `c#${padOffset(seq)}`,
  stripeChunk: (topicId: string, first: number, seq: number) => ({ pk: logKeys.partitionPk(topicId, first), sk: logKeys.stripeChunkSk(seq) }),
  /** Sequence number of a stripe chunk, parsed back from its sort key. */
  stripeChunkSeq: (sk: string): number => Number(sk.slice(2)),
  indexChunkPrefix: 'i#',
  indexChunkSk: (lastOffset: number) => `i#${padOffset(lastOffset)}`,
  /** Producer ids are decimal strings of random positive int64s (docs/decisions.md, decision 27). */
  producerId: (producerId: string) => ({ pk: `pid#${producerId}`, sk: 'pid' }),
  producerStatePrefix: 's#',
  producerState: (topicId: string, partition: number, producerId: string) => ({ pk: logKeys.partitionPk(topicId, partition), sk: `s#${producerId}` }),
  lease: (name: string) => ({ pk: `lease#${name}`, sk: 'lease' }),
  /** Lease names: one per unit of housekeeping work. */
  partitionLeaseName: (topicId: string, partition: number) => `p#${topicId}#${partition}`,
  /** A striped topic's stripe (decision 52), by its first partition: its partitions share one item, so one lease. */
  stripeLeaseName: (topicId: string, first: number) => `s#${topicId}#${first}`,
  sweepLeaseName: (shard: string) => `sweep#${shard}`,
  topicCleanupLeaseName: (topicId: string) => `t#${topicId}`,
  gcCandidatesPk: (shard: string) => `gc#${shard}`,
  gcCandidate: (shard: string, objectKey: string) => ({ pk: `gc#${shard}`, sk: objectKey }),
  knownTopicsPk: 'hk-topics',
  knownTopic: (topicId: string) => ({ pk: 'hk-topics', sk: topicId }),
} as const;

export const groupKeys = {
  groupPk: (groupId: string) => `g#${groupId}`,
  group: (groupId: string) => ({ pk: `g#${groupId}`, sk: 'group' }),
  groupsListPk: 'groups',
  /** One small item per group under pk "groups" (written once, when the group is created) so groups can be listed without a Scan. */
  groupsListEntry: (groupId: string) => ({ pk: 'groups', sk: groupId }),
  memberPrefix: 'm#',
  member: (groupId: string, memberId: string) => ({ pk: `g#${groupId}`, sk: `m#${memberId}` }),
  /**
   * Sort-key range holding the group item ("group") and every member item ("m#...")
   * but no offset item ("o#..."): one Query reads the whole membership state.
   */
  membershipSkRange: ['group', 'm$'] as const,
  /** The Kafka gateway's classic (JoinGroup/SyncGroup) group item; sorts before "group", so Floe's membership Query skips it. */
  classicGroup: (groupId: string) => ({ pk: `g#${groupId}`, sk: 'classic' }),
  classicMemberPrefix: 'c#',
  classicMember: (groupId: string, memberId: string) => ({ pk: `g#${groupId}`, sk: `c#${memberId}` }),
  /** A member id handed out with MEMBER_ID_REQUIRED, not joined yet; "c$" sorts between "c#..." and "classic", inside anyMembershipSkRange. */
  classicPendingPrefix: 'c$',
  classicPending: (groupId: string, memberId: string) => ({ pk: `g#${groupId}`, sk: `c$${memberId}` }),
  /** Both kinds of membership in one Query: classic ("c#...", "classic") and Floe ("group", "m#..."), no offset item. */
  anyMembershipSkRange: ['c#', 'm$'] as const,
  offsetPrefix: 'o#',
  /** Topic names cannot contain '#', so this prefix matches exactly one topic's offset items. */
  offsetTopicPrefix: (topic: string) => `o#${topic}#`,
  offset: (groupId: string, topic: string, partition: number) => ({
    pk: `g#${groupId}`,
    sk: `o#${topic}#${partition}`,
  }),
} as const;

/** The parts that identify an ACL rule (src/auth). */
export interface AclRuleKeyParts {
  resourceType: string;
  patternType: string;
  resourceName: string;
  principal: string;
  operation: string;
  permission: string;
}

export const aclKeys = {
  /** All rules in one partition: a function instance reads them in one (paged) Query. */
  rulesPk: 'acl',
  /** Deterministic, so adding a rule twice writes one item and a rule is deleted by its fields. */
  rule: (r: AclRuleKeyParts) => ({
    pk: 'acl',
    sk: [r.resourceType, r.patternType, r.resourceName, r.principal, r.operation, r.permission].map(encodeURIComponent).join('#'),
  }),
  /** A rule's parts back from its sort key (the item stores nothing else: every instance reads them all). */
  ruleParts: (sk: string): AclRuleKeyParts | undefined => {
    const parts = sk.split('#');
    if (parts.length !== 6) return undefined;
    try {
      const [resourceType, patternType, resourceName, principal, operation, permission] = parts.map(decodeURIComponent) as [string, string, string, string, string, string];
      return { resourceType, patternType, resourceName, principal, operation, permission };
    } catch {
      return undefined;
    }
  },
} as const;

export const SEGMENT_PREFIX = 'seg/';

export function newSegmentKey(now = new Date()): string {
  const random = randomBytes(6).toString('hex');
  return `${SEGMENT_PREFIX}${random.slice(0, 3)}/${now.getTime()}-${random.slice(3, 11)}`;
}

/** Segment keys are sharded for object collection by the first hex digit of their prefix: 16 shards. */
export const SEGMENT_SHARDS = Array.from({ length: 16 }, (_, i) => i.toString(16));
export const segmentShardPrefix = (shard: string): string => `${SEGMENT_PREFIX}${shard}`;

/** Housekeeping's own objects (never listed by the sweep, which lists SEGMENT_PREFIX only). */
export const META_PREFIX = 'meta/';
/** The sweep's remembered mark, one object per pass (src/housekeeping/mark-cache.ts). */
export const MARK_CACHE_PREFIX = `${META_PREFIX}mark/`;
export const markCacheKey = (markStart: number): string => `${MARK_CACHE_PREFIX}${padOffset(markStart)}-${randomBytes(4).toString('hex')}.json.gz`;

/** Time the segment was written, parsed back from its key (orphan collection uses it). */
export function segmentKeyTime(key: string): number | undefined {
  const match = /\/(\d{13})-[0-9a-f]+$/.exec(key);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export const newTopicId = (): string => randomUUID();
