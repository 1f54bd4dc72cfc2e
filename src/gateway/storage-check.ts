/**
 * A deployed gateway's storage, checked once before it listens: a table name, bucket or region that
 * is wrong (or a task role without read access) stops the task with one line saying which, as a
 * Kafka broker that cannot open its log dirs does, instead of listening and failing every request.
 * One eventually consistent GetItem per table (a one-item Query of the ACL rules with ACLs on) and
 * one GetObject of a key that never exists, all reads the gateway's role already has. S3 answers a missing key as AccessDenied without
 * s3:ListBucket, so only a missing bucket is told apart there.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { FloeError } from '@floe/protocol';
import type { AwsClients } from '../aws/clients.js';
import type { FloeConfig } from '../config/index.js';
import { aclKeys, groupKeys, logKeys, SEGMENT_PREFIX } from '../storage/keys.js';

const PROBE_KEY = 'floe-gateway-start-check';
/** Under the segments' prefix: the only objects the gateway's role may read. */
const PROBE_OBJECT = `${SEGMENT_PREFIX}${PROBE_KEY}`;

const nameOf = (error: unknown): string => (error as Error)?.name ?? '';
const why = (error: unknown): string => String((error as Error)?.message ?? error);

export async function checkGatewayStorage(config: FloeConfig, clients: AwsClients): Promise<void> {
  const region = config.region ?? 'the default region (no AWS_REGION set)';
  const tableRead = (role: string, table: string) => (error: unknown) => {
    if (nameOf(error) === 'ResourceNotFoundException') throw new FloeError('INVALID_CONFIG', `the ${role} table "${table}" does not exist in ${region}`);
    if (nameOf(error) === 'AccessDeniedException') throw new FloeError('INVALID_CONFIG', `the gateway may not read the ${role} table "${table}": ${why(error)}`);
    throw new FloeError('INVALID_CONFIG', `DynamoDB did not answer a read of the ${role} table "${table}" in ${region}: ${why(error)}`);
  };
  const tables: Array<[string, string, Record<string, string>]> = [
    ['log', config.logTable, logKeys.topic(PROBE_KEY)],
    ['groups', config.groupsTable, groupKeys.groupsListEntry(PROBE_KEY)],
  ];
  for (const [role, table, key] of tables) await clients.dynamo.send(new GetCommand({ TableName: table, Key: key })).catch(tableRead(role, table));
  // The rules table with ACLs on: the gateway's role may only Query it (what the rules cache does).
  if (config.authorization === 'acl' && config.aclTable) {
    const query = new QueryCommand({ TableName: config.aclTable, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': aclKeys.rulesPk }, Limit: 1 });
    await clients.dynamo.send(query).catch(tableRead('ACL', config.aclTable));
  }
  await clients.s3.send(new GetObjectCommand({ Bucket: config.bucket, Key: PROBE_OBJECT })).then(
    (object) => object.Body?.transformToByteArray(),
    (error: unknown) => {
      if (nameOf(error) === 'NoSuchKey' || nameOf(error) === 'AccessDenied') return;
      if (nameOf(error) === 'NoSuchBucket') throw new FloeError('INVALID_CONFIG', `the bucket "${config.bucket}" does not exist in ${region}`);
      throw new FloeError('INVALID_CONFIG', `S3 did not answer a read of the bucket "${config.bucket}" in ${region}: ${why(error)}`);
    },
  );
}
