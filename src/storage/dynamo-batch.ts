/** DynamoDB paging and batching done once: every Query page, every BatchWrite/BatchGet chunk, unprocessed items retried. */
import {
  BatchGetCommand,
  BatchWriteCommand,
  QueryCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { FloeError, sleep } from '@floe/protocol';

type Item = Record<string, unknown>;
type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } };

const MAX_ATTEMPTS = 10;

/** Every item a Query matches, page after page. */
export async function* queryAll(dynamo: DynamoDBDocumentClient, input: QueryCommandInput): AsyncGenerator<Item> {
  let start: Item | undefined;
  do {
    const page = await dynamo.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    yield* page.Items ?? [];
    start = page.LastEvaluatedKey;
  } while (start);
}

/** Writes in chunks of 25, retrying what DynamoDB leaves unprocessed (throttling) with backoff. */
export async function batchWriteAll(dynamo: DynamoDBDocumentClient, table: string, requests: WriteRequest[]): Promise<void> {
  for (let i = 0; i < requests.length; i += 25) {
    let pending: WriteRequest[] | undefined = requests.slice(i, i + 25);
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new FloeError('STORAGE_UNAVAILABLE', `${pending.length} batch writes left unprocessed`);
      if (attempt > 0) await sleep(20 * 2 ** attempt);
      const result = await dynamo.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = result.UnprocessedItems?.[table] as WriteRequest[] | undefined;
    }
  }
}

/** Reads keys in chunks of 100 (strongly consistent), retrying unprocessed keys. Order of results is not the order of keys. */
export async function batchGetAll(dynamo: DynamoDBDocumentClient, table: string, keys: Item[]): Promise<Item[]> {
  const items: Item[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let pending: Item[] | undefined = keys.slice(i, i + 100);
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new FloeError('STORAGE_UNAVAILABLE', `${pending.length} batch reads left unprocessed`);
      if (attempt > 0) await sleep(20 * 2 ** attempt);
      const result: BatchGetCommandOutput = await dynamo.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }),
      );
      items.push(...(result.Responses?.[table] ?? []));
      pending = result.UnprocessedKeys?.[table]?.Keys;
    }
  }
  return items;
}
