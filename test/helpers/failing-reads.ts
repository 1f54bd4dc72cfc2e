/**
 * DynamoDB reads that fail for chosen keys only, over the real store: a copy of `deps` whose `send`
 * rejects the commands `fails` picks with `error` (by default as DynamoDB does when unavailable:
 * HTTP 500, as src/faults injects), everything else reaching dynalite. The fault layer's rates hit
 * every request alike; these single out one partition's head GetItem or index Query.
 */
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { logKeys } from '../../src/storage/keys.js';

const unavailable = (): Error => Object.assign(new Error('Internal server error'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } });

export function failingReads<D extends { dynamo: DynamoDBDocumentClient }>(
  deps: D,
  fails: (command: unknown) => boolean,
  error: () => unknown = unavailable,
): D & { failed: number } {
  const out = { ...deps, failed: 0 };
  const send = (command: unknown) => {
    if (fails(command)) {
      out.failed++;
      return Promise.reject(error());
    }
    return deps.dynamo.send(command as GetCommand);
  };
  out.dynamo = { send } as unknown as DynamoDBDocumentClient;
  return out;
}

/** A GetItem of `key` (strongly consistent only, when `consistent` is given true). */
export const isGetOf =
  (key: Record<string, unknown>, consistent?: true) =>
  (command: unknown): boolean =>
    command instanceof GetCommand && JSON.stringify(command.input.Key) === JSON.stringify(key) && (consistent === undefined || command.input.ConsistentRead === true);

/** A Query of a partition's items (fetch and duplicates query its index chunks). */
export const isQueryOfPartition =
  (topicId: string, partition: number) =>
  (command: unknown): boolean =>
    command instanceof QueryCommand && command.input.ExpressionAttributeValues?.[':pk'] === logKeys.partitionPk(topicId, partition);
