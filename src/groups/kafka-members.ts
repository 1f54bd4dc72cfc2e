/**
 * Members of a group id that joined through the Kafka gateway (classic protocol, items "c#<member>").
 * One group id serves one kind of member at a time (docs/consumer-groups.md#kafka-clients): a Floe
 * join, a reset or a standalone commit is refused while Kafka members are live, and the gateway
 * refuses a Kafka join while Floe members are. A static member counts only as its instance's
 * current incarnation (decision 40), as the gateway reads the group.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { groupKeys } from '../storage/keys.js';
import type { GroupsDeps } from './deps.js';
import { type ClassicIncarnation, instancesOf, isLive, isMappedIncarnation } from './model.js';
import { fromStoredMap } from '../storage/user-keyed.js';

type ClassicMemberRead = ClassicIncarnation & { expiresAt: number };

async function classicMembers(deps: GroupsDeps, groupId: string): Promise<ClassicMemberRead[]> {
  const members: ClassicMemberRead[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await deps.dynamo.send(
      new QueryCommand({
        TableName: deps.groupsTable,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': groupKeys.groupPk(groupId), ':prefix': groupKeys.classicMemberPrefix },
        ProjectionExpression: 'memberId, instanceId, joinedAt, expiresAt',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) members.push(item as ClassicMemberRead);
    start = page.LastEvaluatedKey;
  } while (start);
  return members;
}

/** The classic item's instance mapping (undefined without a classic item); an item written before the mapping: each instance's newest member. */
async function classicInstances(deps: GroupsDeps, groupId: string, members: ClassicMemberRead[]): Promise<Record<string, string> | undefined> {
  const read = await deps.dynamo.send(
    new GetCommand({ TableName: deps.groupsTable, Key: groupKeys.classicGroup(groupId), ProjectionExpression: 'instances, groupId', ConsistentRead: true }),
  );
  if (!read.Item) return undefined;
  return read.Item.instances === undefined ? instancesOf(members) : fromStoredMap<string>(read.Item.instances);
}

export async function liveKafkaMembers(deps: GroupsDeps, groupId: string, now: number): Promise<number> {
  const members = await classicMembers(deps, groupId);
  const live = members.filter((m) => isLive(m, now));
  // Only a static member can be a replaced incarnation: the classic item is read only then.
  if (!live.some((m) => m.instanceId !== undefined)) return live.length;
  const instances = await classicInstances(deps, groupId, members);
  const seen = new Set(members.map((m) => m.memberId));
  return live.filter((m) => isMappedIncarnation(m, instances, seen)).length;
}
