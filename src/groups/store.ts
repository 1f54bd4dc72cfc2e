/**
 * Reads and single-item conditional writes of group, member and offset items.
 * No transactions: every function here touches one item, and its condition is
 * what keeps concurrent handlers honest. Functions return false (or undefined)
 * when their condition failed; the callers decide what that means.
 */
import { GROUP_LIMITS, parsePartitionKey, partitionKey, type PartitionKey } from '@floe/protocol';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetAll, queryAll } from '../storage/dynamo-batch.js';
import { groupKeys, TTL_ATTRIBUTE } from '../storage/keys.js';
import { fromStoredMap, toStoredMap } from '../storage/user-keyed.js';
import { isConditionFailure, writeIf, type GroupsDeps } from './deps.js';
import { renewableAfter, ttlSeconds, type GroupItem, type MemberItem, type OffsetItem } from './model.js';

export interface Membership {
  group?: GroupItem;
  members: Map<string, MemberItem>;
}

/** An item without its key attributes. */
function strip<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as T;
}

/** The group item with its maps keyed by topic and member (decision 41). */
function toGroup(item: Record<string, unknown>): GroupItem {
  const g = strip<GroupItem>(item);
  return { ...g, target: fromStoredMap(g.target), subs: fromStoredMap(g.subs), meta: fromStoredMap(g.meta) };
}

function toMember(item: Record<string, unknown>): MemberItem {
  const m = strip<MemberItem>(item);
  return { ...m, owned: m.owned ?? {}, claiming: m.claiming ?? [], topics: m.topics ?? [], assignors: m.assignors ?? ['sticky'] };
}

function toOffset(item: Record<string, unknown>): OffsetItem {
  const o = strip<OffsetItem>(item);
  return { ...o, claimEpoch: o.claimEpoch ?? 0 };
}

/** The group item and all member items, in one strongly consistent Query. */
export async function readMembership(deps: GroupsDeps, groupId: string): Promise<Membership> {
  const out: Membership = { members: new Map() };
  const items = queryAll(deps.dynamo, {
    TableName: deps.groupsTable,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': groupKeys.groupPk(groupId),
      ':from': groupKeys.membershipSkRange[0],
      ':to': groupKeys.membershipSkRange[1],
    },
    ConsistentRead: true,
  });
  for await (const item of items) {
    if (item.sk === groupKeys.group(groupId).sk) out.group = toGroup(item);
    else if (String(item.sk).startsWith(groupKeys.memberPrefix)) {
      const member = toMember(item);
      out.members.set(member.memberId, member);
    }
  }
  return out;
}

/** Writes the whole group item if nobody wrote it since `expectedVersion` was read (undefined = must not exist). */
export async function putGroup(deps: GroupsDeps, group: GroupItem, expectedVersion: number | undefined): Promise<boolean> {
  try {
    await deps.dynamo.send(
      new PutCommand({
        TableName: deps.groupsTable,
        Item: { ...groupKeys.group(group.groupId), ...group, target: toStoredMap(group.target), subs: toStoredMap(group.subs), meta: toStoredMap(group.meta) },
        ConditionExpression: expectedVersion === undefined ? 'attribute_not_exists(pk)' : 'version = :v',
        ExpressionAttributeValues: expectedVersion === undefined ? undefined : { ':v': expectedVersion },
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
  if (expectedVersion === undefined) await listGroup(deps, group.groupId, group.createdAt);
  return true;
}

/**
 * The groups-list entry; written after the group item so a listed group always exists (a crash in
 * between is repaired by the next write). `ttl` (epoch seconds) is for a group holding only handed-out
 * member ids (decision 49): its entry expires with them, so one no member ever joined does not stay
 * listed with nothing under it; the listing of a lasting item (a group, a commit) clears that TTL.
 */
export async function listGroup(deps: GroupsDeps, groupId: string, createdAt: number, ttl?: number): Promise<void> {
  const names = { '#ttl': TTL_ATTRIBUTE };
  const values: Record<string, unknown> = { ':g': groupId, ':c': createdAt };
  const key = groupKeys.groupsListEntry(groupId);
  if (ttl === undefined) {
    // One write either way, as the conditional put it replaces.
    await deps.dynamo.send(
      new UpdateCommand({ TableName: deps.groupsTable, Key: key, UpdateExpression: 'SET groupId = :g, createdAt = if_not_exists(createdAt, :c) REMOVE #ttl', ExpressionAttributeNames: names, ExpressionAttributeValues: values }),
    );
    return;
  }
  // A new entry, or a later expiry for one that has a TTL; a lasting group's entry (no TTL) is left as it is.
  await writeIf(
    deps.dynamo,
    new UpdateCommand({
      TableName: deps.groupsTable,
      Key: key,
      UpdateExpression: 'SET groupId = :g, createdAt = if_not_exists(createdAt, :c), #ttl = :t',
      ConditionExpression: 'attribute_not_exists(pk) OR (attribute_exists(#ttl) AND #ttl < :t)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ...values, ':t': ttl },
    }),
  );
}

export async function listGroupIds(deps: GroupsDeps): Promise<string[]> {
  const ids: string[] = [];
  const items = queryAll(deps.dynamo, { TableName: deps.groupsTable, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': groupKeys.groupsListPk } });
  for await (const item of items) ids.push(String(item.sk));
  return ids;
}

/** Whether the group has its groups-list entry: what the lists (ours and Kafka's ListGroups) show. */
export async function isListed(deps: GroupsDeps, groupId: string): Promise<boolean> {
  const { Item } = await deps.dynamo.send(new GetCommand({ TableName: deps.groupsTable, Key: groupKeys.groupsListEntry(groupId), ConsistentRead: true }));
  return Item !== undefined;
}

export async function createMember(deps: GroupsDeps, groupId: string, member: MemberItem): Promise<void> {
  await deps.dynamo.send(
    new PutCommand({
      TableName: deps.groupsTable,
      Item: { ...groupKeys.member(groupId, member.memberId), ...member, [TTL_ATTRIBUTE]: ttlSeconds(member.expiresAt) },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/**
 * Updates a member that is still renewable (see renewableAfter) and unchanged
 * since it was read. Setting `expiresAt` extends the lease (and the TTL) in the same write.
 */
export async function updateMember(
  deps: GroupsDeps,
  groupId: string,
  member: Pick<MemberItem, 'memberId' | 'version'>,
  now: number,
  set: Partial<MemberItem>,
  remove: Array<keyof MemberItem> = [],
): Promise<boolean> {
  const names: Record<string, string> = { '#version': 'version', '#expiresAt': 'expiresAt', '#fencedBy': 'fencedBy' };
  const values: Record<string, unknown> = { ':version': member.version, ':next': member.version + 1, ':now': renewableAfter(now) };
  const sets = ['#version = :next'];
  for (const [field, value] of Object.entries(set)) {
    if (field === 'version' || value === undefined) continue;
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    sets.push(`#${field} = :${field}`);
  }
  if (set.expiresAt !== undefined) {
    names['#ttl'] = TTL_ATTRIBUTE;
    values[':ttl'] = ttlSeconds(set.expiresAt);
    sets.push('#ttl = :ttl');
  }
  for (const field of remove) names[`#${field}`] = field;
  const removes = remove.length > 0 ? ` REMOVE ${remove.map((f) => `#${f}`).join(', ')}` : '';
  return writeIf(
    deps.dynamo,
    new UpdateCommand({
      TableName: deps.groupsTable,
      Key: groupKeys.member(groupId, member.memberId),
      UpdateExpression: `SET ${sets.join(', ')}${removes}`,
      ConditionExpression: '#version = :version AND #expiresAt > :now AND attribute_not_exists(#fencedBy)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

/** Marks a static member's previous incarnation as replaced: from then on it is dead and its heartbeats get FENCED_INSTANCE_ID. */
export async function tombstoneMember(deps: GroupsDeps, groupId: string, member: MemberItem, by: string, now: number): Promise<boolean> {
  return writeIf(
    deps.dynamo,
    new UpdateCommand({
      TableName: deps.groupsTable,
      Key: groupKeys.member(groupId, member.memberId),
      UpdateExpression: 'SET fencedBy = :by, expiresAt = :zero, #ttl = :ttl, version = :next',
      ConditionExpression: 'version = :version AND attribute_not_exists(fencedBy)',
      ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
      ExpressionAttributeValues: {
        ':by': by,
        ':zero': 0,
        ':ttl': ttlSeconds(now) + GROUP_LIMITS.tombstoneTtlSeconds,
        ':version': member.version,
        ':next': member.version + 1,
      },
    }),
  );
}

/** Deletes a member item if it is unchanged since read (leave, or cleanup of a dead member). */
export async function deleteMember(deps: GroupsDeps, groupId: string, member: Pick<MemberItem, 'memberId' | 'version'>): Promise<boolean> {
  return writeIf(
    deps.dynamo,
    new DeleteCommand({
      TableName: deps.groupsTable,
      Key: groupKeys.member(groupId, member.memberId),
      ConditionExpression: 'version = :v',
      ExpressionAttributeValues: { ':v': member.version },
    }),
  );
}

export async function getMember(deps: GroupsDeps, groupId: string, memberId: string): Promise<MemberItem | undefined> {
  const result = await deps.dynamo.send(
    new GetCommand({ TableName: deps.groupsTable, Key: groupKeys.member(groupId, memberId), ConsistentRead: true }),
  );
  return result.Item ? toMember(result.Item) : undefined;
}

/** Offset items for the given partitions (strongly consistent), keyed by partition key. */
export async function readOffsets(deps: GroupsDeps, groupId: string, keys: PartitionKey[]): Promise<Map<PartitionKey, OffsetItem>> {
  const out = new Map<PartitionKey, OffsetItem>();
  const itemKeys = [...new Set(keys)].map((key) => {
    const { topic, partition } = parsePartitionKey(key);
    return groupKeys.offset(groupId, topic, partition);
  });
  for (const item of await batchGetAll(deps.dynamo, deps.groupsTable, itemKeys)) {
    const offset = toOffset(item);
    out.set(partitionKey(offset.topic, offset.partition), offset);
  }
  return out;
}

/** Every offset item of a group, or of one topic. */
export async function queryOffsets(deps: GroupsDeps, groupId: string, topic?: string): Promise<OffsetItem[]> {
  const out: OffsetItem[] = [];
  const items = queryAll(deps.dynamo, {
    TableName: deps.groupsTable,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: {
      ':pk': groupKeys.groupPk(groupId),
      ':prefix': topic === undefined ? groupKeys.offsetPrefix : groupKeys.offsetTopicPrefix(topic),
    },
    ConsistentRead: true,
  });
  for await (const item of items) out.push(toOffset(item));
  return out;
}

/**
 * Takes a partition's claim for `memberId`. `seen` is the offset item as read
 * (undefined = no item): the write succeeds only if the claim is still exactly
 * as seen, so a claim is taken from a free partition, or from an owner the
 * caller has established to be dead, and never from anyone else.
 * Returns the new claim epoch, or undefined if the claim changed meanwhile.
 */
export async function claimPartition(
  deps: GroupsDeps,
  groupId: string,
  key: PartitionKey,
  memberId: string,
  seen: OffsetItem | undefined,
  now: number,
): Promise<number | undefined> {
  const { topic, partition } = parsePartitionKey(key);
  const epoch = (seen?.claimEpoch ?? 0) + 1;
  const values: Record<string, unknown> = { ':me': memberId, ':epoch': epoch, ':now': now, ':topic': topic, ':partition': partition };
  let condition: string;
  if (!seen) condition = 'attribute_not_exists(pk)';
  else {
    values[':seen'] = seen.claimEpoch;
    condition = seen.owner === undefined ? 'claimEpoch = :seen AND attribute_not_exists(#owner)' : 'claimEpoch = :seen AND #owner = :old';
    if (seen.owner !== undefined) values[':old'] = seen.owner;
  }
  try {
    await deps.dynamo.send(
      new UpdateCommand({
        TableName: deps.groupsTable,
        Key: groupKeys.offset(groupId, topic, partition),
        UpdateExpression: 'SET #owner = :me, claimEpoch = :epoch, claimedAt = :now, topic = :topic, #partition = :partition',
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#owner': 'owner', '#partition': 'partition' },
        ExpressionAttributeValues: values,
      }),
    );
    return epoch;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** Gives a claim back (the member revoked the partition). False if the member no longer held it. */
export async function releasePartition(deps: GroupsDeps, groupId: string, key: PartitionKey, memberId: string, claimEpoch: number): Promise<boolean> {
  const { topic, partition } = parsePartitionKey(key);
  return writeIf(
    deps.dynamo,
    new UpdateCommand({
      TableName: deps.groupsTable,
      Key: groupKeys.offset(groupId, topic, partition),
      UpdateExpression: 'REMOVE #owner',
      ConditionExpression: '#owner = :me AND claimEpoch = :epoch',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':me': memberId, ':epoch': claimEpoch },
    }),
  );
}

export interface OffsetWrite {
  offset: number;
  metadata?: string;
}

/** A member's commit: lands only while the member holds the claim with that exact epoch. */
export async function commitOwned(
  deps: GroupsDeps,
  groupId: string,
  key: PartitionKey,
  write: OffsetWrite,
  memberId: string,
  claimEpoch: number,
  now: number,
): Promise<boolean> {
  const { topic, partition } = parsePartitionKey(key);
  return writeIf(
    deps.dynamo,
    new UpdateCommand({
      TableName: deps.groupsTable,
      Key: groupKeys.offset(groupId, topic, partition),
      UpdateExpression: 'SET #offset = :offset, metadata = :metadata, committedAt = :now',
      ConditionExpression: '#owner = :me AND claimEpoch = :epoch',
      ExpressionAttributeNames: { '#owner': 'owner', '#offset': 'offset' },
      ExpressionAttributeValues: {
        ':offset': write.offset,
        ':metadata': write.metadata ?? '',
        ':now': now,
        ':me': memberId,
        ':epoch': claimEpoch,
      },
    }),
  );
}

/**
 * A commit or reset without a claim (standalone consumers, `reset-offsets`):
 * lands only if the claim is exactly as `seen` (whose owner, if any, the caller
 * found dead), and bumps the claim epoch and drops the owner so that the dead
 * owner's late commits are fenced too.
 */
export async function writeUnowned(
  deps: GroupsDeps,
  groupId: string,
  key: PartitionKey,
  write: OffsetWrite,
  seen: OffsetItem | undefined,
  now: number,
): Promise<boolean> {
  const { topic, partition } = parsePartitionKey(key);
  const values: Record<string, unknown> = {
    ':offset': write.offset,
    ':metadata': write.metadata ?? '',
    ':now': now,
    ':epoch': (seen?.claimEpoch ?? 0) + 1,
    ':topic': topic,
    ':partition': partition,
  };
  let condition = 'attribute_not_exists(pk)';
  if (seen) {
    values[':seen'] = seen.claimEpoch;
    condition = 'claimEpoch = :seen';
  }
  return writeIf(
    deps.dynamo,
    new UpdateCommand({
      TableName: deps.groupsTable,
      Key: groupKeys.offset(groupId, topic, partition),
      UpdateExpression:
        'SET #offset = :offset, metadata = :metadata, committedAt = :now, claimEpoch = :epoch, topic = :topic, #partition = :partition REMOVE #owner',
      ConditionExpression: condition,
      ExpressionAttributeNames: { '#owner': 'owner', '#offset': 'offset', '#partition': 'partition' },
      ExpressionAttributeValues: values,
    }),
  );
}
