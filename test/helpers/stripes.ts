/** Helpers for striped-topic tests (decision 52): log deps with stripes on, counting the requests they send. */
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { FetchDeps } from '../../src/log/fetch.js';
import type { ProduceDeps } from '../../src/log/produce.js';
import { getTopic } from '../../src/log/topics.js';
import { batchOf } from './log.js';

export type StripedDeps = ProduceDeps & FetchDeps & { updates: string[]; gets: string[]; queries: QueryCommandInput[] };

/**
 * `base` with stripes of `width` for topics of more than `above` partitions (4 and 4 by default),
 * recording the UpdateItems and GetItems sent (by key, "pk/sk") and the Queries.
 */
export function stripedDeps(base: ProduceDeps & FetchDeps, width = 4, above = 4): StripedDeps {
  const updates: string[] = [];
  const gets: string[] = [];
  const queries: QueryCommandInput[] = [];
  const send = (command: unknown) => {
    if (command instanceof UpdateCommand) updates.push(`${command.input.Key?.pk}/${command.input.Key?.sk}`);
    if (command instanceof GetCommand) gets.push(`${command.input.Key?.pk}/${command.input.Key?.sk}`);
    if (command instanceof QueryCommand) queries.push(command.input);
    return base.dynamo.send(command as GetCommand);
  };
  const deps = { ...base, stripes: { width, above }, updates, gets, queries, dynamo: { send } as unknown as DynamoDBDocumentClient } as StripedDeps;
  deps.resolveTopic = (name: string) => getTopic(deps, name);
  return deps;
}

/** A produce request of one batch per partition. */
export const stripeRequest = (topic: string, batches: Array<[partition: number, values: string[]]>, now?: number) => ({
  acks: -1 as const,
  timeoutMs: 30_000,
  topics: [{ topic, partitions: batches.map(([partition, vs]) => ({ partition, records: batchOf(vs, now === undefined ? {} : { now }) })) }],
});
