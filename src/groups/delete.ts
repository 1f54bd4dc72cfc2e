/**
 * kafka-consumer-groups --delete, and the gateway's DeleteGroups: a group with no live member,
 * Floe's or Kafka's, goes with every item under it (membership, offsets, the classic item) and
 * its groups-list entry. The group items go first, each conditional on the version read, so a
 * member that joined since the read (a join rewrites them) fails the delete with NON_EMPTY_GROUP
 * instead of losing its group. A group of the same name made later starts with no offsets.
 */
import { FloeError } from '@floe/protocol';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll, queryAll } from '../storage/dynamo-batch.js';
import { groupKeys } from '../storage/keys.js';
import { nowOf, writeIf, type GroupsDeps } from './deps.js';

type Item = Record<string, unknown>;

/** Floe's rule (model.ts isLive) and the gateway's (a classic member has no fencedBy): not replaced, lease not ended. */
const isLiveMember = (item: Item, now: number): boolean => {
  const sk = String(item.sk);
  const member = sk.startsWith(groupKeys.memberPrefix) || sk.startsWith(groupKeys.classicMemberPrefix);
  return member && item.fencedBy === undefined && Number(item.expiresAt) > now;
};

export async function deleteGroup(deps: GroupsDeps, groupId: string): Promise<void> {
  const now = nowOf(deps);
  const items: Item[] = [];
  const query = queryAll(deps.dynamo, {
    TableName: deps.groupsTable,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': groupKeys.groupPk(groupId) },
    ProjectionExpression: 'pk, sk, version, expiresAt, fencedBy',
    ConsistentRead: true,
  });
  for await (const item of query) items.push(item);
  if (items.length === 0) throw new FloeError('GROUP_ID_NOT_FOUND', `group "${groupId}" does not exist`);
  const live = items.filter((item) => isLiveMember(item, now)).length;
  if (live > 0) throw new FloeError('NON_EMPTY_GROUP', `group "${groupId}" has ${live} live member(s); stop its consumers before deleting it`);

  const versioned = new Set([groupKeys.group(groupId).sk, groupKeys.classicGroup(groupId).sk]);
  for (const item of items.filter((i) => versioned.has(String(i.sk)))) {
    const deleted = await writeIf(
      deps.dynamo,
      new DeleteCommand({
        TableName: deps.groupsTable,
        Key: { pk: item.pk, sk: item.sk },
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': item.version },
      }),
    );
    if (!deleted) throw new FloeError('NON_EMPTY_GROUP', `group "${groupId}" changed while it was being deleted (a member joined?); try again`);
  }
  const rest = items.filter((i) => !versioned.has(String(i.sk))).map((i) => ({ DeleteRequest: { Key: { pk: i.pk, sk: i.sk } } }));
  await batchWriteAll(deps.dynamo, deps.groupsTable, [...rest, { DeleteRequest: { Key: groupKeys.groupsListEntry(groupId) } }]);
}
