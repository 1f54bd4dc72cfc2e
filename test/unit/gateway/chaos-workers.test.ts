/**
 * The Kafka chaos mode's worker processes, with kafkajs against the codec's single-node mock
 * broker (the gateway is not needed to check the workers themselves): the idempotent producer
 * reports dense offsets for unique ids, the group consumer delivers every acknowledged record
 * and commits past it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRecordId } from '../../../src/chaos/checker.js';
import { spawnConsumerWorker, spawnProducerWorker } from '../../../src/chaos/kafka/processes.js';
import type { Proc } from '../../../src/chaos/processes.js';
import { startMockBroker, type MockBroker } from '../protocol/kafka/mock-broker.js';

let broker: MockBroker;
const procs: Proc[] = [];
beforeAll(async () => {
  broker = await startMockBroker();
});
afterAll(async () => {
  for (const p of procs) p.signal('SIGKILL');
  await broker.close();
});

const until = async (done: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
};

describe('Kafka chaos workers', () => {
  it('produce idempotently and consume in a group, with ids, offsets and generations the checker reads', { timeout: 90_000 }, async () => {
    // Prepare
    const brokers = [`127.0.0.1:${broker.port}`];
    const acks: Array<{ p: number; o: number; id: string }> = [];
    const deliveries: Array<{ o: number; id: string; g: number | null }> = [];
    const events: string[] = [];

    // Act: produce until 30 records are acknowledged, then consume them all.
    const producer = spawnProducerWorker({ brokers, name: 'p0', topics: [{ topic: 'chaos-t', partitions: 1 }], keysPerPartition: 3, seed: 7 }, (e) => {
      events.push(String(e.e));
      if (e.e === 'ack') acks.push({ p: e.p as number, o: e.o as number, id: e.id as string });
    });
    procs.push(producer);
    await until(() => acks.length >= 30, 40_000);
    producer.signal('SIGTERM');
    await producer.exited;
    const consumer = spawnConsumerWorker(
      { brokers, groupId: 'chaos-g', topics: ['chaos-t'], name: 'm0', sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, rebalanceTimeoutMs: 6000 },
      (e) => {
        events.push(String(e.e));
        if (e.e === 'r') deliveries.push({ o: e.o as number, id: e.id as string, g: e.g as number | null });
      },
    );
    procs.push(consumer);
    await until(() => deliveries.length >= acks.length, 40_000);
    consumer.signal('SIGTERM');
    await consumer.exited;

    // Assess
    expect(acks.length, events.join(' ')).toBeGreaterThanOrEqual(30);
    expect(acks.map((a) => a.o)).toEqual(acks.map((_, i) => i));
    expect(new Set(acks.map((a) => a.id)).size).toBe(acks.length);
    expect(acks.every((a) => parseRecordId(a.id)?.stream.startsWith('p0/chaos-t.0.k'))).toBe(true);
    expect(events).toContain('assigned');
    const delivered = new Map(deliveries.map((d) => [d.o, d.id]));
    for (const a of acks) expect(delivered.get(a.o)).toBe(a.id);
    expect(deliveries.every((d) => d.g === null || Number.isInteger(d.g))).toBe(true);
    expect(broker.seen).toEqual(expect.arrayContaining([expect.stringMatching(/^22 v/), expect.stringMatching(/^11 v/), expect.stringMatching(/^8 v/)]));
  });
});
