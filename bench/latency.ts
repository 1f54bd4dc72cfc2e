/**
 * Latency under a storage latency model. The handler's S3 and DynamoDB clients get
 * a seeded log-normal delay per request (src/faults/storage-faults.ts) with the p50/p99
 * of each model in bench/lib/prices.ts (S3 Standard, S3 Express One Zone, both with
 * DynamoDB); the stand-ins themselves run in their own process. Measured on this
 * machine, at p50/p99/p999:
 *
 *   latency.produce.handler  produceRaw → response (no client batching: linger.ms 0),
 *                            4 partitions × 4 KiB per request, 4 requests in flight
 *   latency.produce.send     Producer.send() → RecordMetadata (linger.ms 5, acks all,
 *                            idempotent), 1 KiB records paced at BENCH_LATENCY_RATE/s
 *   latency.e2e              the same records, send() → returned by Consumer.poll()
 *                            (assigned partitions, fetch.min.bytes 1, fetch.max.wait.ms 500)
 *
 * Target (issue 7): produce p99 ≤ linger.ms + model S3 PUT p99 + DynamoDB write p99 + 20 ms.
 * The model is each storage request's floor (latencyMode `floor`, decision 38): a request
 * takes max(the stand-in's own time, the model's draw), as it would on AWS wherever the
 * stand-in is the faster of the two; where it is not, the stand-in's excess stays in the
 * number (`standInOverran`: how many requests, and by how much at the mean).
 * Every model runs next to a run with no injected latency (model "none": the local
 * floor), and every line reports what the stand-ins themselves took per S3 PUT and
 * DynamoDB write (p99, timed below the latency layer).
 * Each line also carries the peers' published figures for the same storage class
 * (PEER_FIGURES) and ours/theirs as `ratio` (lower is better for latency).
 *
 *   npm run bench -- latency   (BENCH_LATENCY_SAMPLES handler samples per model, default 1000;
 *                               BENCH_LATENCY_SECONDS of paced sending per model, default 5;
 *                               BENCH_LATENCY_IN_FLIGHT handler requests in flight, default 4;
 *                               BENCH_LATENCY_MODE floor (default) or added, for an A/B of the two)
 */
import { pathToFileURL } from 'node:url';
import { Admin } from '../packages/client/src/admin.js';
import { Consumer } from '../packages/client/src/consumer/index.js';
import { FloeHttpClient } from '../packages/client/src/http-client.js';
import { produceRaw } from '../packages/client/src/log-client.js';
import { Producer } from '../packages/client/src/producer/index.js';
import { encodeRecordBatch } from '../packages/protocol/src/records/record-batch.js';
import { startMeteredCluster } from './lib/metered-cluster.js';
import { LATENCY_MODELS, PEER_FIGURES, type LatencyModel } from './lib/prices.js';
import { printResult, round, type BenchResult, type BenchSink } from './lib/report.js';
import { samplesBeyondQuantile, summarize } from './lib/stats.js';
import { startStorageProcess } from './lib/storage-process.js';
import { sleep } from '../packages/protocol/src/async.js';
import { envInteger } from '../src/config/index.js';

const SAMPLES = envInteger(process.env, 'BENCH_LATENCY_SAMPLES', 1000, 1);
const SECONDS = envInteger(process.env, 'BENCH_LATENCY_SECONDS', 5, 1);
const RATE = envInteger(process.env, 'BENCH_LATENCY_RATE', 200, 1);
const IN_FLIGHT = envInteger(process.env, 'BENCH_LATENCY_IN_FLIGHT', 4, 1);
const PARTITIONS = 16;
/** partitions per handler request; concurrent requests rotate over the topic's partitions */
const REQUEST_PARTITIONS = 4;
const LINGER_MS = 5;
const MODE = process.env.BENCH_LATENCY_MODE === 'added' ? 'added' : 'floor';
/** issue 7: the allowance on top of linger + storage p99s */
const TARGET_SLACK_MS = 20;


function peersFor(model: LatencyModel, metric: 'produce' | 'e2e', p99: number) {
  return PEER_FIGURES.filter((f) => f.model === model.name && f.metric === metric).map((f) => ({
    system: f.system,
    p50: f.p50,
    p99: f.p99,
    conditions: f.conditions,
    source: f.source.url,
    ratioP99: round(p99 / f.p99, 3),
  }));
}

function latencyLine(name: string, model: LatencyModel, metric: 'produce' | 'e2e', samples: number[], params: Record<string, unknown>, lingerMs?: number): BenchResult {
  const s = summarize(samples);
  const peers = peersFor(model, metric, s.p99);
  const first = peers[0];
  const line: BenchResult = {
    name,
    params: { model: model.name, ...params },
    value: s.p99,
    unit: 'ms (p99)',
    p50: s.p50,
    p99: s.p99,
    p999: s.p999,
    mean: s.mean,
    max: s.max,
    samples: s.count,
    samplesAboveP999: samplesBeyondQuantile(s.count, 0.999),
    ...(first ? { comparison: { name: `${first.system} published p99 (${first.conditions})`, value: first.p99, unit: 'ms (p99)' }, ratio: first.ratioP99 } : {}),
    peers,
  };
  if (lingerMs !== undefined) {
    const target = lingerMs + model.latency.s3Put.p99 + model.latency.dynamoWrite.p99 + TARGET_SLACK_MS;
    line.target = { name: `linger.ms ${lingerMs} + S3 PUT p99 ${model.latency.s3Put.p99} + DynamoDB write p99 ${model.latency.dynamoWrite.p99} + ${TARGET_SLACK_MS}`, value: target, unit: 'ms (p99)' };
    line.targetMet = s.p99 <= target;
  }
  return line;
}

async function handlerLatency(url: string, topic: string): Promise<{ samples: number[]; batchBytes: number }> {
  const http = new FloeHttpClient(url);
  const batch = encodeRecordBatch({ records: Array.from({ length: 4 }, (_, i) => ({ key: null, value: Buffer.alloc(1000, i) })) });
  const samples: number[] = [];
  let started = 0;
  let next = 0;
  const one = async () => {
    const first = next;
    next = (next + REQUEST_PARTITIONS) % PARTITIONS;
    const partitions = Array.from({ length: REQUEST_PARTITIONS }, (_, i) => ({ partition: (first + i) % PARTITIONS, records: batch }));
    const t = performance.now();
    const [r] = await produceRaw(http, { acks: -1, timeoutMs: 30_000, topics: [{ topic, partitions }] });
    if (r?.partitions.some((p) => p.errorCode !== 'NONE')) throw new Error('produce failed');
    return performance.now() - t;
  };
  for (let i = 0; i < IN_FLIGHT * 4; i++) await one(); // warm-up: connections, JIT, metadata
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (started < SAMPLES) {
        started++;
        samples.push(await one());
      }
    }),
  );
  return { samples, batchBytes: batch.length };
}

/** Producer.send() → ack, and send() → Consumer.poll(), for the same paced records. */
async function clientLatency(url: string, topic: string): Promise<{ send: number[]; e2e: number[] }> {
  const consumer = new Consumer({ bootstrap: url, autoOffsetReset: 'latest' });
  consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })));
  await consumer.poll(0); // resolve positions at the end of the log before sending
  const producer = new Producer({ bootstrap: url, lingerMs: LINGER_MS });
  await producer.partitionsFor(topic);
  const sentAt = new Map<number, number>();
  const send: number[] = [];
  const e2e: number[] = [];
  let sending = true;
  const pollLoop = (async () => {
    while (sending || e2e.length < sentAt.size) {
      for (const record of await consumer.poll(200)) {
        const seq = record.value!.readUInt32BE(0);
        const t = sentAt.get(seq);
        if (t !== undefined) e2e.push(performance.now() - t);
      }
      if (!sending && e2e.length >= sentAt.size) break;
    }
  })();
  const acks: Array<Promise<unknown>> = [];
  const warmup = Math.round(RATE / 2);
  const total = warmup + Math.round(RATE * SECONDS);
  const started = performance.now();
  for (let seq = 0; seq < total; seq++) {
    const due = started + (seq * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const value = Buffer.alloc(1024);
    value.writeUInt32BE(seq, 0);
    const t = performance.now();
    if (seq >= warmup) sentAt.set(seq, t);
    acks.push(producer.send({ topic, value }).then(() => seq >= warmup && send.push(performance.now() - t)));
  }
  await Promise.all(acks);
  sending = false;
  await Promise.race([pollLoop, sleep(10_000)]);
  await producer.close();
  await consumer.close();
  return { send, e2e };
}

/** The same runs with no injected latency: what the local stand-ins and Floe itself take on this machine. */
const LOCAL_FLOOR = { name: 'none', description: 'local stand-ins only, no injected latency' } as const;

export async function runLatencyBench(sink: BenchSink = printResult): Promise<void> {
  const storage = await startStorageProcess();
  const floor = new Map<string, number>();
  try {
    for (const model of [LOCAL_FLOOR, ...Object.values(LATENCY_MODELS)]) {
      const latency = 'latency' in model ? model : undefined;
      const standIn = { s3Put: [] as number[], dynamoWrite: [] as number[], all: 0 };
      const metered = await startMeteredCluster({
        storage,
        latency,
        latencyMode: MODE,
        seed: 7,
        onStorageRequest: (service, command, ms) => {
          standIn.all++;
          if (service === 's3' && command === 'PutObjectCommand') standIn.s3Put.push(ms);
          if (service === 'dynamo' && /^(Update|Put)/.test(command)) standIn.dynamoWrite.push(ms);
        },
      });
      try {
        const url = metered.cluster.url;
        const topic = `bench-latency-${model.name}-${Date.now()}`;
        await Admin.fromClient(new FloeHttpClient(url)).createTopic(topic, PARTITIONS);
        const handler = await handlerLatency(url, topic);
        // The Producer and Consumer SDKs are measured when they work; a failure there must not lose the handler numbers.
        const { send, e2e } = await clientLatency(url, topic).catch((error: unknown) => {
          process.stderr.write(`latency: Producer/Consumer run failed (${String((error as Error)?.message ?? error)}); handler numbers only\n`);
          return { send: [] as number[], e2e: [] as number[] };
        });
        const runs: Array<[string, 'produce' | 'e2e', number[], Record<string, unknown>, number | undefined]> = [
          ['latency.produce.handler', 'produce', handler.samples, { partitionsPerRequest: REQUEST_PARTITIONS, requestBytes: handler.batchBytes * REQUEST_PARTITIONS, inFlight: IN_FLIGHT, lingerMs: 0 }, 0],
          ['latency.produce.send', 'produce', send, { lingerMs: LINGER_MS, recordBytes: 1024, recordsPerSecond: RATE, acks: 'all', idempotence: true }, LINGER_MS],
          ['latency.e2e', 'e2e', e2e, { lingerMs: LINGER_MS, recordBytes: 1024, recordsPerSecond: RATE, fetchMaxWaitMs: 500, fetchMinBytes: 1 }, undefined],
        ];
        // What the stand-ins took, below the injected latency (this machine's share of every number above).
        const overran = metered.faults?.stats;
        const standInFields = {
          standInS3PutP99: summarize(standIn.s3Put).p99,
          standInDynamoWriteP99: summarize(standIn.dynamoWrite).p99,
          ...(overran ? { standInOverran: { requests: overran.overran, of: standIn.all, meanMs: overran.overran === 0 ? 0 : round(overran.overranMs / overran.overran, 2) } } : {}),
        };
        for (const [name, metric, samples, params, linger] of runs) {
          if (samples.length === 0) continue;
          if (!latency) {
            const s = summarize(samples);
            floor.set(name, s.p99);
            sink({ name, params: { model: model.name, ...params }, value: s.p99, unit: 'ms (p99)', p50: s.p50, p99: s.p99, p999: s.p999, mean: s.mean, max: s.max, samples: s.count, note: model.description, ...standInFields });
            continue;
          }
          const line = latencyLine(name, latency, metric, samples, { ...params, latencyMode: MODE }, linger);
          line.localFloorP99 = floor.get(name);
          Object.assign(line, standInFields);
          sink(line);
        }
      } finally {
        await metered.close();
      }
    }
  } finally {
    await storage.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runLatencyBench();
}
