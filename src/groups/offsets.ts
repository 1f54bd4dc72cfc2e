/**
 * Offset commits and fetches. A member's commit is one conditional write per
 * partition requiring `owner = member AND claimEpoch = epoch` on the offset
 * item: once a new owner has claimed the partition (which it does before it
 * reads the committed offset), nothing the old owner sends can land.
 *
 * Errors (per partition unless the whole request is refused):
 *   UNKNOWN_MEMBER_ID     the member is not in the group (left, expired) - whole request
 *   FENCED_INSTANCE_ID    a newer incarnation of this static member replaced it - whole request
 *   FENCED_MEMBER_EPOCH   another member holds the partition (it was taken over)
 *   STALE_MEMBER_EPOCH    the member holds the partition under a newer claim epoch than the commit names
 */
import { type CommitPartition, type CommitRequest, type CommitResult, type CommittedOffset, FloeError, GROUP_LIMITS, mapConcurrent, partitionKey, type TopicPartition } from '@floe/protocol';
import { nowOf, type GroupsDeps } from './deps.js';
import { requireLive } from './heartbeat.js';
import { liveKafkaMembers } from './kafka-members.js';
import { isDead, type OffsetItem } from './model.js';
import { getTopic, isValidTopicName, type Topic } from '../log/topics.js';
import { commitOwned, getMember, readMembership, readOffsets, queryOffsets, writeUnowned } from './store.js';
import { ensureTarget, liveMembers } from './target.js';

/** Topic items read at once when offsets are checked against their topics. */
const TOPIC_READS_IN_FLIGHT = 8;

/** Rejects the whole request before any write: unknown topics or partitions, negative offsets, oversized metadata. */
export async function validatePartitions(deps: GroupsDeps, partitions: Array<TopicPartition & { offset?: number; metadata?: string }>): Promise<void> {
  const topics = new Map<string, number>();
  for (const p of partitions) {
    if (!topics.has(p.topic)) topics.set(p.topic, (await deps.resolveTopic(p.topic))?.partitions ?? 0);
    const count = topics.get(p.topic) as number;
    if (!Number.isInteger(p.partition) || p.partition < 0 || p.partition >= count) {
      throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `unknown topic or partition ${p.topic}/${p.partition}`);
    }
    if (p.offset !== undefined && (!Number.isSafeInteger(p.offset) || p.offset < 0)) {
      throw new FloeError('INVALID_REQUEST', `offset for ${p.topic}/${p.partition} must be a non-negative integer`);
    }
    if (p.metadata !== undefined && Buffer.byteLength(p.metadata) > GROUP_LIMITS.maxOffsetMetadataBytes) {
      throw new FloeError('INVALID_COMMIT_OFFSET_SIZE', `offset metadata is larger than ${GROUP_LIMITS.maxOffsetMetadataBytes} bytes`);
    }
  }
  const keys = partitions.map((p) => partitionKey(p.topic, p.partition));
  if (new Set(keys).size !== keys.length) throw new FloeError('INVALID_REQUEST', 'a partition appears twice in the request');
}

/**
 * Whether an offset item holds a commit of `topic` as it is now. Kafka drops a deleted topic's
 * committed offsets; here they stay in the groups table, keyed by name, so a commit made before
 * the topic of that name was created belongs to a deleted namesake: no commit of this topic (or
 * of any, while the name is free). Judged by time, not by topic id: a handler may hold a
 * namesake's id in its topic cache for seconds after the topic was created again.
 */
export function committedFor(item: Pick<OffsetItem, 'committedAt'>, topic: Pick<Topic, 'createdAt'> | undefined): boolean {
  if (!topic) return false;
  return topic.createdAt === undefined || item.committedAt === undefined || item.committedAt >= topic.createdAt;
}

/**
 * The topics named, read afresh, not from a handler's cache, which may still hold a deleted
 * namesake: offsets are fetched when a consumer starts or takes partitions over, not per record.
 */
export async function freshTopics(deps: GroupsDeps, names: Iterable<string>): Promise<Map<string, Topic | undefined>> {
  const unique = [...new Set(names)];
  const topics = await mapConcurrent(unique, TOPIC_READS_IN_FLIGHT, async (name) => (isValidTopicName(name) ? getTopic(deps, name) : undefined));
  return new Map(unique.map((name, i) => [name, topics[i]]));
}

/** The items with the offsets of deleted namesakes taken out (the claims stay). */
export function currentOffsets(items: OffsetItem[], topics: Map<string, Topic | undefined>): OffsetItem[] {
  return items.map((o) =>
    (o.offset === undefined && o.sentinel === undefined) || committedFor(o, topics.get(o.topic)) ? o : { ...o, offset: undefined, sentinel: undefined, metadata: undefined, committedAt: undefined },
  );
}

export async function commitOffsets(deps: GroupsDeps, groupId: string, request: CommitRequest): Promise<CommitResult[]> {
  await validatePartitions(deps, request.partitions);
  const now = nowOf(deps);
  if (request.memberId === undefined) return commitStandalone(deps, groupId, request.partitions, now);

  const memberId = request.memberId;
  const member = requireLive(await getMember(deps, groupId, memberId), memberId, now);
  return Promise.all(
    request.partitions.map(async (p): Promise<CommitResult> => {
      const key = partitionKey(p.topic, p.partition);
      const epoch = p.epoch ?? member.owned[key];
      const result = { topic: p.topic, partition: p.partition };
      if (epoch !== undefined && (await commitOwned(deps, groupId, key, p, memberId, epoch, now))) return { ...result, errorCode: 'NONE' };
      const claim = (await readOffsets(deps, groupId, [key])).get(key);
      if (claim?.owner === memberId && epoch !== undefined && epoch !== claim.claimEpoch) {
        return { ...result, errorCode: 'STALE_MEMBER_EPOCH', errorMessage: `claim epoch ${epoch} is stale; the partition is held at epoch ${claim.claimEpoch}` };
      }
      return { ...result, errorCode: 'FENCED_MEMBER_EPOCH', errorMessage: `member ${memberId} does not own ${p.topic}/${p.partition}` };
    }),
  );
}

/** Commits without a member: only while nobody in the group is live, each conditional on the claim staying as read. */
async function commitStandalone(deps: GroupsDeps, groupId: string, partitions: CommitPartition[], now: number): Promise<CommitResult[]> {
  const state = await readMembership(deps, groupId);
  if (liveMembers(state, now).length > 0 || (await liveKafkaMembers(deps, groupId, now)) > 0) {
    throw new FloeError('UNKNOWN_MEMBER_ID', `group "${groupId}" has live members: only a member (with its memberId) can commit`);
  }
  if (!state.group) await ensureTarget(deps, groupId, state, now);
  const claims = await readOffsets(deps, groupId, partitions.map((p) => partitionKey(p.topic, p.partition)));
  return Promise.all(
    partitions.map(async (p): Promise<CommitResult> => {
      const key = partitionKey(p.topic, p.partition);
      const seen = claims.get(key);
      const result = { topic: p.topic, partition: p.partition };
      const free = seen?.owner === undefined || isDead(state.members.get(seen.owner), now);
      if (free && (await writeUnowned(deps, groupId, key, p, seen, now))) return { ...result, errorCode: 'NONE' };
      return { ...result, errorCode: 'REBALANCE_IN_PROGRESS', errorMessage: `a member is taking ${p.topic}/${p.partition}; retry` };
    }),
  );
}

/**
 * Committed offsets of the given partitions, or of every partition the group has an offset for.
 * With `sentinels` (the gateway's OffsetFetch), a negative offset a Kafka client committed counts
 * as that commit, as Kafka answers it; otherwise it is no commit (-1).
 */
export async function fetchOffsets(deps: GroupsDeps, groupId: string, partitions?: TopicPartition[], sentinels = false): Promise<CommittedOffset[]> {
  const committed = (item?: Pick<OffsetItem, 'offset' | 'sentinel'>) => item?.offset ?? (sentinels ? item?.sentinel : undefined);
  const toResult = (topic: string, partition: number, item?: Pick<OffsetItem, 'offset' | 'sentinel' | 'metadata' | 'committedAt'>): CommittedOffset => {
    const offset = committed(item);
    return {
      topic,
      partition,
      offset: offset ?? -1,
      metadata: offset === undefined ? '' : (item?.metadata ?? ''),
      ...(item?.committedAt === undefined ? {} : { committedAt: item.committedAt }),
    };
  };
  if (partitions === undefined) {
    const stored = await queryOffsets(deps, groupId);
    const topics = await freshTopics(deps, stored.map((o) => o.topic));
    return currentOffsets(stored, topics)
      .filter((o) => committed(o) !== undefined)
      .map((o) => toResult(o.topic, o.partition, o));
  }
  const items = await readOffsets(deps, groupId, partitions.map((p) => partitionKey(p.topic, p.partition)));
  const topics = await freshTopics(deps, [...items.values()].map((o) => o.topic));
  return partitions.map((p) => {
    const item = items.get(partitionKey(p.topic, p.partition));
    return toResult(p.topic, p.partition, item && committedFor(item, topics.get(p.topic)) ? item : undefined);
  });
}
