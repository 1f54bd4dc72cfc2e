/**
 * Describe and list groups (kafka-consumer-groups --describe / --list): state,
 * epoch, live members with what they own and what they are meant to own, and
 * per partition the committed offset, the log end offset and the lag.
 *
 * States (KIP-848 names): Empty (no live member), Assigning (the target does
 * not yet reflect the live members), Reconciling (some member does not yet own
 * exactly its target), Stable.
 */
import { FloeError, type GroupDescription, type GroupListing, type GroupState, mapConcurrent, parsePartitionKey, partitionKey, type TopicPartition } from '@floe/protocol';
import { describePartitions } from '../log/topics.js';
import { nowOf, type GroupsDeps } from './deps.js';
import { currentOffsets, freshTopics } from './offsets.js';
import { isLive, subscriptionSignature, type MemberItem } from './model.js';
import { isListed, listGroupIds, queryOffsets, readMembership, type Membership } from './store.js';
import { liveMembers } from './target.js';

const toPartitions = (keys: Iterable<string>): TopicPartition[] =>
  [...keys].map(parsePartitionKey).sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));

function stateOf(membership: Membership, live: MemberItem[]): GroupState {
  if (live.length === 0) return 'Empty';
  const group = membership.group;
  if (!group || live.some((m) => group.subs[m.memberId] !== subscriptionSignature(m)) || Object.keys(group.subs).length !== live.length) {
    return 'Assigning';
  }
  const reconciled = live.every((m) => {
    const target = group.target[m.memberId] ?? [];
    const owned = Object.keys(m.owned);
    return target.length === owned.length && target.every((k) => m.owned[k] !== undefined);
  });
  return reconciled ? 'Stable' : 'Reconciling';
}

export async function describeGroup(deps: GroupsDeps, groupId: string): Promise<GroupDescription> {
  const [membership, stored] = await Promise.all([readMembership(deps, groupId), queryOffsets(deps, groupId)]);
  // A listed group with none of our items (a Kafka client's group with only handed-out member ids, decision 49)
  // is described as the lists show it: Empty, no member.
  if (!membership.group && membership.members.size === 0 && stored.length === 0 && !(await isListed(deps, groupId))) {
    throw new FloeError('GROUP_ID_NOT_FOUND', `group "${groupId}" does not exist`);
  }
  const now = nowOf(deps);
  const live = liveMembers(membership, now);
  const group = membership.group;
  const members = live.map((m) => ({
    memberId: m.memberId,
    ...(m.instanceId === undefined ? {} : { instanceId: m.instanceId }),
    clientId: m.clientId,
    memberEpoch: m.memberEpoch,
    subscribedTopics: m.topics,
    assignment: toPartitions(Object.keys(m.owned)),
    targetAssignment: toPartitions(group?.target[m.memberId] ?? []),
    sessionTimeoutMs: m.sessionTimeoutMs,
    rebalanceTimeoutMs: m.rebalanceTimeoutMs,
    heartbeatIntervalMs: m.heartbeatIntervalMs,
    expiresAt: m.expiresAt,
    lastHeartbeatAt: m.heartbeatAt,
  }));

  // Every partition with a committed offset (of the topic as it is now), a claim or a place in the target.
  const targetKeys = Object.values(group?.target ?? {}).flat();
  const topics = await freshTopics(deps, [...stored.map((o) => o.topic), ...targetKeys.map((k) => parsePartitionKey(k).topic)]);
  const offsets = currentOffsets(stored, topics).filter((o) => o.offset !== undefined || o.owner !== undefined);
  const byKey = new Map(offsets.map((o) => [partitionKey(o.topic, o.partition), o]));
  const keys = new Set([...byKey.keys(), ...targetKeys]);
  const partitions = toPartitions(keys);
  const ends = new Map<string, number>();
  for (const topic of new Set(partitions.map((p) => p.topic))) {
    const resolved = topics.get(topic);
    if (!resolved) continue;
    for (const d of await describePartitions(deps, resolved)) ends.set(partitionKey(topic, d.partition), d.highWatermark);
  }
  const owners = new Map<string, string>();
  for (const m of live) for (const k of Object.keys(m.owned)) owners.set(k, m.memberId);
  return {
    groupId,
    state: stateOf(membership, live),
    groupEpoch: group?.epoch ?? 0,
    assignor: group?.assignor ?? null,
    members,
    partitions: partitions.map((p) => {
      const key = partitionKey(p.topic, p.partition);
      const committed = byKey.get(key)?.offset;
      const end = ends.get(key);
      const owner = byKey.get(key)?.owner;
      return {
        ...p,
        committedOffset: committed ?? null,
        logEndOffset: end ?? null,
        lag: committed === undefined || end === undefined ? null : Math.max(0, end - committed),
        owner: owner !== undefined && isLive(membership.members.get(owner), now) ? owner : (owners.get(key) ?? null),
      };
    }),
  };
}

export async function listGroups(deps: GroupsDeps): Promise<GroupListing[]> {
  const ids = await listGroupIds(deps);
  const now = nowOf(deps);
  // A few groups at a time: each is one Query.
  const memberships = await mapConcurrent(ids, 8, (id) => readMembership(deps, id));
  return memberships.map((membership, n): GroupListing => {
    const live = liveMembers(membership, now);
    return { groupId: ids[n] as string, state: stateOf(membership, live), members: live.length };
  });
}
