/**
 * Striped heads against DynamoDB's stand-in (src/log/stripe-head.ts):
 * the append's expressions are accepted, the counters UPDATED_NEW returns give each batch its
 * offsets, and the view read back from the stored item agrees; an idempotent producer's write
 * (src/log/stripe-producer.ts, decision 53) holds only while its sequences continue.
 */
import { describe, expect, it } from 'vitest';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { withOffsets } from '../../src/log/partition-head.js';
import { planProducerStripeAppend, type ProducerStripeWrite } from '../../src/log/stripe-producer.js';
import { baseOffsetsIn, baseOffsetsOf, newStripe, partitionView, planStripeAppend, type StripeBatch, type StripeItem, type StripeWrite } from '../../src/log/stripe-head.js';
import { uniqueName, useTestCluster } from '../helpers/cluster.js';

const env = useTestCluster();

const batch = (partition: number, w: number): StripeBatch => ({ partition, s: 100 * partition, l: 90, n: w, w, t: 1_700_000_000_000 });

describe('striped heads on the stand-in', () => {
  it('assigns offsets from the returned counters, and the stored item reads back as each partition head', async () => {
    // Prepare: one stripe of 128 partitions and one of 1,024 (whose request takes several writes).
    const deps = env.cluster.deps!;
    const pk = uniqueName('stripe');
    const key = (stripe: number) => ({ pk: `${pk}#${stripe}`, sk: 'stripe' });
    const put = (stripe: number, partitions: number) => deps.dynamo.send(new PutCommand({ TableName: deps.logTable, Item: { ...key(stripe), ...newStripe(partitions) } }));
    await put(0, 128);
    await put(1, 1024);
    const send = async (write: StripeWrite, stripe: number): Promise<number[]> => {
      const result = await deps.dynamo.send(
        new UpdateCommand({
          TableName: deps.logTable,
          Key: key(stripe),
          UpdateExpression: `SET ${write.update.set.join(', ')}`,
          ConditionExpression: write.update.condition,
          ExpressionAttributeValues: write.update.values,
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return baseOffsetsOf(write, result.Attributes ?? {});
    };
    // Act: a request naming partitions out of order, then one touching the whole stripe; then 1,024 partitions of the wide stripe at once.
    const [first] = planStripeAppend('seg/a', 1000, [batch(127, 2), batch(5, 3), batch(64, 1)], 128);
    const firstBases = await send(first!, 0);
    const [second] = planStripeAppend('seg/b', 2000, Array.from({ length: 128 }, (_, p) => batch(p, 1 + (p % 2))), 128);
    const secondBases = await send(second!, 0);
    const wide = planStripeAppend('seg/c', 3000, Array.from({ length: 1024 }, (_, p) => batch(p, 1)), 1024);
    const wideBases = await Promise.all(wide.map((w) => send(w, 1)));
    // Assess
    expect(first!.indexes).toEqual([5, 64, 127]);
    expect(firstBases).toEqual([0, 0, 0]);
    expect(secondBases.filter((_, i) => [5, 64, 127].includes(i))).toEqual([3, 1, 2]);
    expect(secondBases.filter((_, i) => ![5, 64, 127].includes(i)).every((b) => b === 0)).toBe(true);
    const stored = (await deps.dynamo.send(new GetCommand({ TableName: deps.logTable, Key: key(0) }))).Item as unknown as StripeItem;
    const view = partitionView(stored, 5);
    expect(view.nextOffset).toBe(5);
    expect(withOffsets(view.recentBase, view.recent).map((b) => [b.k, b.baseOffset, b.end, b.s, b.a])).toEqual([
      ['seg/a', 0, 3, 500, 1000],
      ['seg/b', 3, 5, 500, 2000],
    ]);
    expect(wide.length).toBeGreaterThan(1);
    expect(wideBases.flat()).toEqual(new Array(1024).fill(0));
    const wideItem = (await deps.dynamo.send(new GetCommand({ TableName: deps.logTable, Key: key(1) }))).Item as unknown as StripeItem;
    expect(wideItem.o).toEqual(new Array(1024).fill(1));
    expect(wideItem.recent).toHaveLength(wide.length);
  });

  it('checks an idempotent producer sequences in the same write (decision 53): a retry fails its condition, a first batch conditions on none', async () => {
    // Prepare: a stripe of 64 whose producer wrote sequences up to 9 on partitions 0-31 and nothing on 32-63
    const deps = env.cluster.deps!;
    const key = { pk: uniqueName('stripe-producer'), sk: 'stripe' };
    const producer = { id: '8123456789012345678', epoch: 2 };
    const state = { e: 2, t: 0, s: Array.from({ length: 64 }, (_, i) => (i < 32 ? 9 : -1)) };
    await deps.dynamo.send(new PutCommand({ TableName: deps.logTable, Item: { ...key, ...newStripe(64), P: { [producer.id]: state } } }));
    const send = (write: ProducerStripeWrite) =>
      deps.dynamo.send(
        new UpdateCommand({
          TableName: deps.logTable,
          Key: key,
          UpdateExpression: `SET ${write.update.set.join(', ')}`,
          ConditionExpression: write.update.condition,
          ExpressionAttributeNames: write.update.names,
          ExpressionAttributeValues: write.update.values,
          ReturnValues: 'ALL_NEW',
        }),
      );
    const request = Array.from({ length: 64 }, (_, p) => ({ partition: p, s: 10 * p, l: 10, n: 2, w: 2, t: 5, first: p < 32 ? 10 : 0, last: p < 32 ? 11 : 1 }));
    const [write] = planProducerStripeAppend('seg/a', 1000, request, 64, producer);

    // Act
    const appended = await send(write!);
    const retry = await send(write!).catch((error: unknown) => error);
    const [stale] = planProducerStripeAppend('seg/b', 2000, [{ ...request[40]!, first: 5, last: 6 }], 64, { ...producer, epoch: 1 });
    const fenced = await send(stale!).catch((error: unknown) => error);

    // Assess
    expect(baseOffsetsIn(write! as unknown as StripeWrite, appended.Attributes ?? {})).toEqual(new Array(64).fill(0));
    expect((appended.Attributes?.P as Record<string, typeof state>)[producer.id]!.s).toEqual(Array.from({ length: 64 }, (_, i) => (i < 32 ? 11 : 1)));
    expect(retry).toMatchObject({ name: 'ConditionalCheckFailedException' });
    expect(fenced).toMatchObject({ name: 'ConditionalCheckFailedException' });
    const stored = (await deps.dynamo.send(new GetCommand({ TableName: deps.logTable, Key: key }))).Item as unknown as StripeItem;
    expect(stored.o).toEqual(new Array(64).fill(2));
  });
});
