/**
 * Reads and single-item conditional writes of classic group items (model.ts). The classic item is
 * written only with a condition on its version; member items are upserted by their own JoinGroup,
 * renewed only while live, and deleted only in the state they were seen in.
 */
import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { GroupsDeps } from '../../groups/deps.js';
import { writeIf } from '../../groups/deps.js';
import { isLive } from '../../groups/model.js';
import { listGroup } from '../../groups/store.js';
import { groupKeys, TTL_ATTRIBUTE } from '../../storage/keys.js';
import { fromStoredMap, toStoredMap } from '../../storage/user-keyed.js';
import { instancesOf, type ClassicGroupItem, type ClassicMemberItem, type GroupView } from './model.js';

/** Member items stay a day past their lease for cleanup only (liveness is always expiresAt > now). */
const TTL_AFTER_EXPIRY_S = 24 * 3600;

const ttlOf = (expiresAt: number): number => Math.ceil(expiresAt / 1000) + TTL_AFTER_EXPIRY_S;

function strip<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, [TTL_ATTRIBUTE]: _ttl, ...rest } = item;
  return rest as T;
}

/** Classic and Floe membership of a group in one strongly consistent Query (offset items excluded). */
export async function readGroup(deps: GroupsDeps, groupId: string, now: number): Promise<GroupView> {
  const view: GroupView = { groupId, members: new Map(), pending: new Map(), floeLiveMembers: 0, floeGroup: false, readAt: now };
  let start: Record<string, unknown> | undefined;
  let mapped = false;
  do {
    const page = await deps.dynamo.send(
      new QueryCommand({
        TableName: deps.groupsTable,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': groupKeys.groupPk(groupId), ':from': groupKeys.anyMembershipSkRange[0], ':to': groupKeys.anyMembershipSkRange[1] },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const sk = String(item.sk);
      if (sk === groupKeys.classicGroup(groupId).sk) {
        const group = strip<ClassicGroupItem>(item);
        mapped = group.instances !== undefined;
        // Maps keyed by member and instance ids (decision 41).
        view.group = { ...group, members: group.members ?? [], assignments: fromStoredMap(group.assignments), instances: fromStoredMap(group.instances) };
      } else if (sk.startsWith(groupKeys.classicMemberPrefix)) {
        const member = strip<ClassicMemberItem>(item);
        view.members.set(member.memberId, { ...member, protocols: member.protocols ?? [] });
      } else if (sk.startsWith(groupKeys.classicPendingPrefix)) {
        view.pending.set(String(item.memberId), Number(item.expiresAt));
      } else if (sk === groupKeys.group(groupId).sk) {
        view.floeGroup = true;
      } else if (sk.startsWith(groupKeys.memberPrefix)) {
        if (isLive(item as { expiresAt: unknown }, now)) view.floeLiveMembers++;
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  // An item written before instances were mapped (or by an older gateway during a deploy): its static members stay members.
  if (view.group && !mapped) view.group.instances = instancesOf(view.members.values());
  // A static member replaced by a newer incarnation is no member: it cannot hold up a join or be assigned.
  for (const [memberId, member] of view.members) {
    if (member.instanceId !== undefined && view.group?.instances[member.instanceId] !== memberId) view.members.delete(memberId);
  }
  return view;
}

/** Writes the classic item if its version is still `expected` (undefined: it must not exist yet). */
export async function putGroup(deps: GroupsDeps, group: ClassicGroupItem, expected: number | undefined): Promise<boolean> {
  const ok = await writeIf(
    deps.dynamo,
    new PutCommand({
      TableName: deps.groupsTable,
      Item: { ...groupKeys.classicGroup(group.groupId), ...group, assignments: toStoredMap(group.assignments), instances: toStoredMap(group.instances) },
      ConditionExpression: expected === undefined ? 'attribute_not_exists(pk)' : 'version = :v',
      ExpressionAttributeValues: expected === undefined ? undefined : { ':v': expected },
    }),
  );
  if (ok && expected === undefined) await listGroup(deps, group.groupId, group.createdAt);
  return ok;
}

/** A member's JoinGroup: creates or replaces its item (joining is how a member comes back). */
export async function putMember(deps: GroupsDeps, groupId: string, member: ClassicMemberItem): Promise<void> {
  await deps.dynamo.send(
    new PutCommand({
      TableName: deps.groupsTable,
      Item: { ...groupKeys.classicMember(groupId, member.memberId), ...member, [TTL_ATTRIBUTE]: ttlOf(member.expiresAt) },
    }),
  );
}

/**
 * Records a member id handed out with MEMBER_ID_REQUIRED: a JoinGroup may use it until `expiresAt`
 * (Kafka's pending member, expired after the session timeout). The item is gone a day later (TTL).
 */
export async function putPending(deps: GroupsDeps, groupId: string, memberId: string, expiresAt: number): Promise<void> {
  await deps.dynamo.send(
    new PutCommand({ TableName: deps.groupsTable, Item: { ...groupKeys.classicPending(groupId, memberId), memberId, expiresAt, [TTL_ATTRIBUTE]: ttlOf(expiresAt) } }),
  );
}

/** The groups-list entry of a group whose only items may be handed-out ids: it expires with the one handed out last (decision 49). */
export function listPendingGroup(deps: GroupsDeps, groupId: string, now: number, expiresAt: number): Promise<void> {
  return listGroup(deps, groupId, now, ttlOf(expiresAt));
}

/** The id was used: it is a member's now, and is not handed out again once that member is gone. */
export async function deletePending(deps: GroupsDeps, groupId: string, memberId: string): Promise<void> {
  await deps.dynamo.send(new DeleteCommand({ TableName: deps.groupsTable, Key: groupKeys.classicPending(groupId, memberId) }));
}

/** Extends a live member's lease; false when it is gone or its lease already ended (it must rejoin). */
export async function renewMember(deps: GroupsDeps, groupId: string, memberId: string, now: number, sessionTimeoutMs: number): Promise<boolean> {
  const expiresAt = now + sessionTimeoutMs;
  return writeIf(
    deps.dynamo,
    new UpdateCommand({
      TableName: deps.groupsTable,
      Key: groupKeys.classicMember(groupId, memberId),
      UpdateExpression: 'SET expiresAt = :e, #ttl = :ttl',
      ConditionExpression: 'attribute_exists(pk) AND expiresAt > :now',
      ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
      ExpressionAttributeValues: { ':e': expiresAt, ':ttl': ttlOf(expiresAt), ':now': now },
    }),
  );
}

/** Removes a member that left. */
export async function deleteMember(deps: GroupsDeps, groupId: string, memberId: string): Promise<void> {
  await deps.dynamo.send(new DeleteCommand({ TableName: deps.groupsTable, Key: groupKeys.classicMember(groupId, memberId) }));
}

/**
 * Removes a member that has not rejoined since it was seen (same joinGeneration); with `deadAt`,
 * only if its lease is still over at that time. A member that rejoined meanwhile is kept.
 */
export async function removeMemberAsSeen(deps: GroupsDeps, groupId: string, member: ClassicMemberItem, deadAt?: number): Promise<boolean> {
  return writeIf(
    deps.dynamo,
    new DeleteCommand({
      TableName: deps.groupsTable,
      Key: groupKeys.classicMember(groupId, member.memberId),
      ConditionExpression: deadAt === undefined ? 'joinGeneration = :g' : 'joinGeneration = :g AND expiresAt <= :now',
      ExpressionAttributeValues: deadAt === undefined ? { ':g': member.joinGeneration } : { ':g': member.joinGeneration, ':now': deadAt },
    }),
  );
}

/**
 * A classic commit: lands unless a later generation already committed this partition, so a
 * stale member's late commit never moves the offset back. It also drops any Floe claim and bumps
 * the claim epoch (a dead Floe member's late commit stays fenced), as a standalone commit does.
 */
export async function commitOffset(
  deps: GroupsDeps,
  groupId: string,
  commit: { topic: string; partition: number; offset: number; metadata: string },
  generation: number,
  now: number,
): Promise<boolean> {
  // A negative offset (Kafka's "earliest"/"latest" sentinels) is kept apart, as Kafka keeps it, so
  // OffsetFetch answers it back while Floe's readers see no commit.
  const sentinel = commit.offset < 0;
  const claim = 'committedAt = :now, topic = :topic, #partition = :partition, cgen = :gen, claimEpoch = if_not_exists(claimEpoch, :zero) + :one';
  return writeIf(
    deps.dynamo,
    new UpdateCommand({
      TableName: deps.groupsTable,
      Key: groupKeys.offset(groupId, commit.topic, commit.partition),
      UpdateExpression: sentinel
        ? `SET #sentinel = :offset, metadata = :metadata, ${claim} REMOVE #owner, #offset`
        : `SET #offset = :offset, metadata = :metadata, ${claim} REMOVE #owner, #sentinel`,
      ConditionExpression: 'attribute_not_exists(cgen) OR cgen <= :gen',
      ExpressionAttributeNames: { '#offset': 'offset', '#sentinel': 'sentinel', '#partition': 'partition', '#owner': 'owner' },
      ExpressionAttributeValues: {
        ':offset': commit.offset,
        ':metadata': commit.metadata,
        ':now': now,
        ':topic': commit.topic,
        ':partition': commit.partition,
        ':gen': generation,
        ':zero': 0,
        ':one': 1,
      },
    }),
  );
}

