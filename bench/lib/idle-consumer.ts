/**
 * An idle consumer, measured two ways for the cost bench: what its polling costs
 * per hour once it has settled into idle (billable units), and how late the first
 * record after an idle spell arrives, with the idle backoff on and off.
 */
import { Admin } from '../../packages/client/src/admin.js';
import { Consumer, type ConsumerConfig } from '../../packages/client/src/consumer/index.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { produceRaw } from '../../packages/client/src/log-client.js';
import { sleep } from '../../packages/protocol/src/async.js';
import { encodeRecordBatch } from '../../packages/protocol/src/records/record-batch.js';
import type { IdlePollUnits } from './cost-model.js';
import { diffSnapshot, type MeteredCluster } from './metered-cluster.js';

/** Long enough for the backoff to reach its widest gap with the defaults (3 × 500 ms server waits, then 500, 1000). */
const SETTLE_MS = 4000;
const POLL_TIMEOUT_MS = 1000;

type IdleConfig = Omit<ConsumerConfig<Buffer | null, Buffer | null>, 'bootstrap'>;

export interface IdleMeasurement {
  units: IdlePollUnits;
  fetches: number;
  dynamoReads: number;
  billedMs: number;
}

/** Billable units per hour of one consumer polling an empty partition, after SETTLE_MS of idling. */
export async function measureIdlePolling(cluster: MeteredCluster, config: IdleConfig, seconds: number): Promise<IdleMeasurement> {
  const topic = `bench-idle-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  await Admin.fromClient(new FloeHttpClient(cluster.cluster.url)).createTopic(topic, 1);
  const consumer = new Consumer({ ...config, bootstrap: cluster.cluster.url });
  consumer.assign([{ topic, partition: 0 }]);
  try {
    await pollFor(consumer, SETTLE_MS);
    const before = cluster.snapshot();
    const t0 = performance.now();
    await pollFor(consumer, seconds * 1000);
    const hours = (performance.now() - t0) / 3_600_000;
    const d = diffSnapshot(cluster.snapshot(), before);
    return {
      units: {
        invocationsPerHour: d.invocations.fetch.count / hours,
        rruPerHour: d.dynamo.readUnits / hours,
        s3GetsPerHour: d.s3Gets / hours,
        durationMsPerHour: d.invocations.fetch.billedMs / hours,
      },
      fetches: d.invocations.fetch.count,
      dynamoReads: d.dynamo.readRequests,
      billedMs: d.invocations.fetch.billedMs,
    };
  } finally {
    await consumer.close();
  }
}

/**
 * Milliseconds from a produce's acknowledgement to the consumer returning the
 * record, each after an idle spell of SETTLE_MS plus a random part of a second (so
 * records land at every phase of the consumer's fetch schedule).
 */
export async function measureWakeLatency(cluster: MeteredCluster, config: IdleConfig, trials: number): Promise<number[]> {
  const http = new FloeHttpClient(cluster.cluster.url);
  const topic = `bench-wake-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  await Admin.fromClient(http).createTopic(topic, 1);
  const consumer = new Consumer({ ...config, bootstrap: cluster.cluster.url });
  consumer.assign([{ topic, partition: 0 }]);
  consumer.seekToEnd();
  const arrived = new Map<string, number>();
  let stop = false;
  const loop = (async () => {
    while (!stop) for (const r of await consumer.poll(POLL_TIMEOUT_MS)) arrived.set(r.value?.toString() ?? '', performance.now());
  })();
  const out: number[] = [];
  try {
    for (let i = 0; i < trials; i++) {
      await sleep(SETTLE_MS + Math.random() * 1000);
      const value = `wake-${i}`;
      await produceOne(http, topic, value);
      const acked = performance.now();
      while (!arrived.has(value)) {
        if (performance.now() - acked > 30_000) throw new Error(`record ${value} not delivered in 30 s`);
        await sleep(5);
      }
      out.push(arrived.get(value)! - acked);
    }
  } finally {
    stop = true;
    await loop;
    await consumer.close();
  }
  return out;
}

async function produceOne(http: FloeHttpClient, topic: string, value: string): Promise<void> {
  const records = encodeRecordBatch({ records: [{ key: null, value: Buffer.from(value) }] });
  const [r] = await produceRaw(http, { acks: -1, timeoutMs: 30_000, topics: [{ topic, partitions: [{ partition: 0, records }] }] });
  if (r?.partitions.some((p) => p.errorCode !== 'NONE')) throw new Error('produce failed');
}

async function pollFor(consumer: Consumer<Buffer | null, Buffer | null>, ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (performance.now() < until) await consumer.poll(Math.min(POLL_TIMEOUT_MS, Math.max(0, until - performance.now())));
}
