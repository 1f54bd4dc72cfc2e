/**
 * kafka-consumer-groups --delete and --delete-offsets, and the gateway's DeleteGroups and
 * OffsetDelete, over one read of the group's items.
 *
 * A group with no live member, Floe's or Kafka's, goes with every item under it (membership,
 * offsets, the classic item) and its groups-list entry. No transaction: each item is deleted only
 * as it was read. The group items go first, so a member that joined since the read (a join
 * rewrites them) fails the delete with NON_EMPTY_GROUP; one that joins after them keeps the items
 * it writes, and the group is listed again. A group of the same name made later starts with no
 * offsets.
 *
 * A partition's committed offset goes unless a live member subscribes to its topic
 * (GROUP_SUBSCRIBED_TO_TOPIC), as in Kafka; a live Kafka member whose subscription is not the
 * consumer protocol's (Kafka Connect, say) makes the whole request NON_EMPTY_GROUP, as there.
 * A static Kafka member counts only as its instance's current incarnation (decision 40).
 */
import { type ErrorCode, FloeError, mapConcurrent, type TopicPartition } from '@floe/protocol';
import { subscribedTopics } from '@floe/protocol/kafka';
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll, queryAll } from '../storage/dynamo-batch.js';
import { groupKeys } from '../storage/keys.js';
import { nowOf, writeIf, type GroupsDeps } from './deps.js';
import { type ClassicIncarnation, instancesOf, isLive, isMappedIncarnation } from './model.js';
import { listGroup } from './store.js';
import { fromStoredMap } from '../storage/user-keyed.js';

type Item = Record<string, unknown>;

async function groupItems(deps: GroupsDeps, groupId: string): Promise<Item[]> {
  const items: Item[] = [];
  const query = queryAll(deps.dynamo, {
    TableName: deps.groupsTable,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': groupKeys.groupPk(groupId) },
    ProjectionExpression: 'pk, sk, #version, #expiresAt, #claimEpoch, #committedAt, fencedBy, topics, protocols, memberId, instanceId, joinedAt, #instances',
    ExpressionAttributeNames: { '#version': 'version', '#expiresAt': 'expiresAt', '#claimEpoch': 'claimEpoch', '#committedAt': 'committedAt', '#instances': 'instances' },
    ConsistentRead: true,
  });
  for await (const item of query) items.push(item);
  if (items.length === 0) throw new FloeError('GROUP_ID_NOT_FOUND', `group "${groupId}" does not exist`);
  return items;
}

const isFloeMember = (item: Item): boolean => String(item.sk).startsWith(groupKeys.memberPrefix);
const isKafkaMember = (item: Item): boolean => String(item.sk).startsWith(groupKeys.classicMemberPrefix);

/** The classic item's instance mapping (undefined without one); an item written before the mapping: each instance's newest member. */
function classicInstances(groupId: string, items: Item[]): Record<string, string> | undefined {
  const classic = items.find((i) => i.sk === groupKeys.classicGroup(groupId).sk);
  if (!classic) return undefined;
  return classic.instances === undefined ? instancesOf(items.filter(isKafkaMember) as unknown as ClassicIncarnation[]) : fromStoredMap<string>(classic.instances);
}

/** The live members among the items: Floe's by their lease, Kafka's by their lease and, for a static one, the instance mapping. */
function liveMembersOf(groupId: string, items: Item[], now: number): Item[] {
  const instances = classicInstances(groupId, items);
  const seen = new Set(items.filter(isKafkaMember).map((item) => String(item.memberId)));
  return items.filter(
    (item) =>
      (isFloeMember(item) || (isKafkaMember(item) && isMappedIncarnation(item as unknown as ClassicIncarnation, instances, seen))) &&
      isLive(item as { expiresAt: unknown }, now),
  );
}

/** What a write to the item changes: a group's version, a member's lease, an offset's claim and commit. */
const WATCHED = ['version', 'expiresAt', 'claimEpoch', 'committedAt'] as const;

/** Deletes the item if none of its WATCHED attributes changed since it was read. */
function deleteIfUnchanged(deps: GroupsDeps, item: Item): Promise<boolean> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const conditions = WATCHED.map((attribute, i) => {
    names[`#a${i}`] = attribute;
    if (item[attribute] === undefined) return `attribute_not_exists(#a${i})`;
    values[`:a${i}`] = item[attribute];
    return `#a${i} = :a${i}`;
  });
  return writeIf(
    deps.dynamo,
    new DeleteCommand({
      TableName: deps.groupsTable,
      Key: { pk: item.pk, sk: item.sk },
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: Object.keys(values).length > 0 ? values : undefined,
    }),
  );
}

/** Deletes in flight while a group's items go. */
const DELETES_IN_FLIGHT = 16;

export async function deleteGroup(deps: GroupsDeps, groupId: string): Promise<void> {
  const now = nowOf(deps);
  const items = await groupItems(deps, groupId);
  const live = liveMembersOf(groupId, items, now).length;
  if (live > 0) throw new FloeError('NON_EMPTY_GROUP', `group "${groupId}" has ${live} live member(s); stop its consumers before deleting it`);

  // The group items first: a join since the read has rewritten one, and the delete stops there.
  const groupSks = new Set([groupKeys.group(groupId).sk, groupKeys.classicGroup(groupId).sk]);
  for (const item of items.filter((i) => groupSks.has(String(i.sk)))) {
    if (!(await deleteIfUnchanged(deps, item))) throw new FloeError('NON_EMPTY_GROUP', `group "${groupId}" changed while it was being deleted (a member joined?); try again`);
  }
  // Then members and offsets, each as read: a member joining from here on keeps what it wrote (its claims).
  await mapConcurrent(
    items.filter((i) => !groupSks.has(String(i.sk))),
    DELETES_IN_FLIGHT,
    (item) => deleteIfUnchanged(deps, item),
  );
  await deps.dynamo.send(new DeleteCommand({ TableName: deps.groupsTable, Key: groupKeys.groupsListEntry(groupId) }));
  // A join that made the group afresh meanwhile found the entry still there: list it again.
  const again = await Promise.all([groupKeys.group(groupId), groupKeys.classicGroup(groupId)].map((Key) => deps.dynamo.send(new GetCommand({ TableName: deps.groupsTable, Key, ConsistentRead: true }))));
  if (again.some((r) => r.Item !== undefined)) await listGroup(deps, groupId, now);
}

/** The topics live members consume; undefined when a live Kafka member's subscription cannot be read. */
function liveSubscriptions(groupId: string, items: Item[], now: number): Set<string> | undefined {
  const topics = new Set<string>();
  for (const item of liveMembersOf(groupId, items, now)) {
    if (isFloeMember(item)) {
      for (const t of (item.topics as string[] | undefined) ?? []) topics.add(t);
      continue;
    }
    for (const protocol of (item.protocols as Array<{ metadata?: Uint8Array }> | undefined) ?? []) {
      const read = protocol.metadata ? subscribedTopics(protocol.metadata) : undefined;
      if (!read) return undefined;
      for (const t of read) topics.add(t);
    }
  }
  return topics;
}

export interface DeletedOffset extends TopicPartition {
  errorCode: ErrorCode;
}

/** Deletes the committed offsets of these partitions, except of topics a live member subscribes to. */
export async function deleteOffsets(deps: GroupsDeps, groupId: string, partitions: TopicPartition[]): Promise<DeletedOffset[]> {
  const items = await groupItems(deps, groupId);
  const subscribed = liveSubscriptions(groupId, items, nowOf(deps));
  if (!subscribed) throw new FloeError('NON_EMPTY_GROUP', `group "${groupId}" has live members whose subscriptions are not the consumer protocol's`);
  const results = partitions.map((p): DeletedOffset => ({ ...p, errorCode: subscribed.has(p.topic) ? 'GROUP_SUBSCRIBED_TO_TOPIC' : 'NONE' }));
  // One request per key: a batch naming a key twice is refused whole.
  const keys = new Map(results.filter((r) => r.errorCode === 'NONE').map((r) => [`${r.topic}:${r.partition}`, groupKeys.offset(groupId, r.topic, r.partition)]));
  await batchWriteAll(deps.dynamo, deps.groupsTable, [...keys.values()].map((Key) => ({ DeleteRequest: { Key } })));
  return results;
}
