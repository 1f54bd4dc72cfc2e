/**
 * Every DynamoDB request on the ACL table: one item per rule, all under one partition key, the
 * rule itself in the sort key (src/storage/keys.ts), so reading every rule is one paged Query of
 * small items. Adding and removing are single-item conditional writes.
 */
import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AclRule } from '@floe/protocol';
import { writeIf } from '../log/deps.js';
import { queryAll } from '../storage/dynamo-batch.js';
import { aclKeys } from '../storage/keys.js';
import { parseRule } from './rules.js';

export interface AclStore {
  dynamo: DynamoDBDocumentClient;
  aclTable: string;
}

/** Every rule, strongly consistent (a rule just removed is gone from the next read). Items that are not rules are skipped. */
export async function readRules(store: AclStore): Promise<AclRule[]> {
  const rules: AclRule[] = [];
  const items = queryAll(store.dynamo, {
    TableName: store.aclTable,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': aclKeys.rulesPk },
    ConsistentRead: true,
  });
  for await (const item of items) {
    const parts = aclKeys.ruleParts(String(item.sk));
    if (!parts) continue;
    try {
      rules.push(parseRule(parts));
    } catch {
      // written by hand, or by a later version: never let it widen or break decisions
    }
  }
  return rules;
}

/** Adds a rule; false when it was there already (adding is idempotent, as Kafka's CreateAcls). */
export function putRule(store: AclStore, rule: AclRule): Promise<boolean> {
  return writeIf(store.dynamo, new PutCommand({ TableName: store.aclTable, Item: aclKeys.rule(rule), ConditionExpression: 'attribute_not_exists(pk)' }));
}

/** Removes a rule; false when it was not there. */
export function deleteRule(store: AclStore, rule: AclRule): Promise<boolean> {
  return writeIf(store.dynamo, new DeleteCommand({ TableName: store.aclTable, Key: aclKeys.rule(rule), ConditionExpression: 'attribute_exists(pk)' }));
}
