/**
 * The producer behind an injected fault layer (seeded): 5xx and throttling before the
 * handler, responses lost after a commit, and requests held past the client's timeout
 * that commit late. With idempotence — and five batches of a partition in flight, so
 * that the faults reorder them on their way to DynamoDB (decision 28) — every record is
 * stored exactly once, at dense offsets, in send order per partition, and each send()
 * is answered with its record's offset, the callbacks of a partition in send order; without
 * it, retries after lost responses leave duplicates (docs/configuration.md, "Delivery guarantees").
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { partitionForKey } from '../../packages/protocol/src/partitioning/murmur2.js';
import { Producer } from '../../packages/client/src/producer/index.js';
import type { HandlerFaultPlan } from '../../src/faults/handler-faults.js';
import { uniqueName } from '../helpers/cluster.js';
import { readPartition, values } from '../helpers/log.js';
import { startTappedCluster, type ProduceTap } from './producer-helpers.js';

const PARTITIONS = 4;
let tap: ProduceTap | undefined;

afterEach(async () => {
  await tap?.faults?.settled();
  await tap?.cluster.close();
  tap = undefined;
});

async function produceThroughFaults(plan: HandlerFaultPlan, records: number, enableIdempotence: boolean) {
  tap = await startTappedCluster(plan);
  const http = new FloeHttpClient(tap.cluster.url);
  const topic = uniqueName('faults');
  // Small batches (the topic's limit) and small requests: many requests, each with several partitions, meet the faults.
  await Admin.fromClient(http).createTopic(topic, PARTITIONS, { 'max.message.bytes': 512 });
  const producer = new Producer<string, string>({
    bootstrap: tap.cluster.url,
    keySerializer: 'string',
    valueSerializer: 'string',
    enableIdempotence,
    maxInFlightRequestsPerConnection: 5,
    lingerMs: 2,
    maxRequestSize: 2048,
    requestTimeoutMs: 250,
    retryBackoffMs: 10,
    retryBackoffMaxMs: 50,
  });
  const sent = Array.from({ length: records }, (_, i) => ({ key: `key-${i % 37}`, value: `value-${i}` }));
  const told: number[] = []; // indexes into `sent`, in the order their callbacks ran
  const results = await Promise.all(sent.map((r, i) => producer.send({ topic, ...r }, () => told.push(i))));
  const metrics = producer.metrics();
  await producer.close();
  await tap.faults!.settled(); // late attempts have committed (or been recognised as duplicates)
  const stored = await Promise.all(Array.from({ length: PARTITIONS }, (_, p) => readPartition(http, topic, p)));
  return { sent, told, results, stored, metrics, stats: tap.faults!.stats, maxConcurrentPerPartition: tap.maxConcurrentPerPartition };
}

describe('producer under injected faults', () => {
  it('with idempotence stores every record exactly once, densely, in send order per partition', async () => {
    // Prepare
    const plan: HandlerFaultPlan = { seed: 20240506, errorRate: 0.1, throttleRate: 0.1, dropResponseRate: 0.15, delayRate: 0.1, delayMs: 600 };
    // Act
    const { sent, told, results, stored, metrics, stats, maxConcurrentPerPartition } = await produceThroughFaults(plan, 3000, true);
    // Assess: the faults really happened and were retried, with several batches of a partition in flight
    expect(Math.min(stats.errors, stats.throttled, stats.dropped, stats.delayed), JSON.stringify(stats)).toBeGreaterThan(0);
    expect(maxConcurrentPerPartition).toBeGreaterThan(1);
    expect(metrics.retries).toBeGreaterThan(0);
    for (let p = 0; p < PARTITIONS; p++) {
      const expected = sent.filter((r) => partitionForKey(Buffer.from(r.key), PARTITIONS) === p).map((r) => r.value);
      expect(values(stored[p]!)).toEqual(expected);
      expect(stored[p]!.map((r) => r.offset)).toEqual(expected.map((_, i) => i));
    }
    // callbacks ran in send order per partition, though answers came back out of order
    const partitionOf = (i: number) => partitionForKey(Buffer.from(sent[i]!.key), PARTITIONS);
    for (let p = 0; p < PARTITIONS; p++) {
      const sentTo = sent.map((_, i) => i).filter((i) => partitionOf(i) === p);
      expect(told.filter((i) => partitionOf(i) === p)).toEqual(sentTo);
    }
    // each acknowledgement names the offset the record is stored at
    const at = new Map(stored.flatMap((records, p) => records.map((r) => [`${p}/${r.offset}`, r.value?.toString()] as const)));
    expect(results.map((m) => at.get(`${m.partition}/${m.offset}`))).toEqual(sent.map((r) => r.value));
  });

  it('with idempotence off, retries after lost responses store duplicates', async () => {
    // Prepare: responses lost after the commit, nothing else
    const plan: HandlerFaultPlan = { seed: 7, dropResponseRate: 0.3 };
    // Act
    const { sent, stored, stats } = await produceThroughFaults(plan, 400, false);
    // Assess
    const all = stored.flatMap((records) => values(records));
    const copies = new Map<string, number>();
    for (const v of all) copies.set(v, (copies.get(v) ?? 0) + 1);
    expect(stats.dropped).toBeGreaterThan(0);
    expect(new Set(all)).toEqual(new Set(sent.map((r) => r.value))); // nothing lost
    expect([...copies.values()].some((n) => n > 1)).toBe(true); // but some stored twice
    expect(all.length).toBeGreaterThan(sent.length);
  });

  it('with idempotence on, the same lost responses store no duplicate', async () => {
    // Prepare: the previous test's plan
    const plan: HandlerFaultPlan = { seed: 7, dropResponseRate: 0.3 };
    // Act
    const { sent, stored, stats } = await produceThroughFaults(plan, 400, true);
    // Assess
    const all = stored.flatMap((records) => values(records));
    expect(stats.dropped).toBeGreaterThan(0);
    expect(all.length).toBe(sent.length);
    expect(new Set(all).size).toBe(sent.length);
  });
});
