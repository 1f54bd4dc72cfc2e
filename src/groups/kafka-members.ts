/**
 * Members of a group id that joined through the Kafka gateway (classic protocol, items "c#<member>").
 * One group id serves one kind of member at a time (docs/consumer-groups.md#kafka-clients): a Floe
 * join, a reset or a standalone commit is refused while Kafka members are live, and the gateway
 * refuses a Kafka join while Floe members are.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { groupKeys } from '../storage/keys.js';
import type { GroupsDeps } from './deps.js';
import { isLive } from './model.js';

export async function liveKafkaMembers(deps: GroupsDeps, groupId: string, now: number): Promise<number> {
  let live = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await deps.dynamo.send(
      new QueryCommand({
        TableName: deps.groupsTable,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': groupKeys.groupPk(groupId), ':prefix': groupKeys.classicMemberPrefix },
        ProjectionExpression: 'expiresAt',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) if (isLive(item as { expiresAt: unknown }, now)) live++;
    start = page.LastEvaluatedKey;
  } while (start);
  return live;
}
