/**
 * The Kafka gateway against the HTTP API, in the same run, on the same storage: the gateway runs
 * in this process (startGateway, src/gateway/gateway.ts) next to a metered local cluster, each
 * with its own meters on its own AWS clients; the stand-ins run in their own process.
 *
 *   gateway.produce.throughput   kafkajs (idempotent, acks all) through the gateway vs the Floe SDK
 *                                Producer over HTTP, the same records: MiB/s (ratio), and S3 PUTs,
 *                                DynamoDB writes and write units per GiB for each path
 *   gateway.consume.throughput   kafkajs group consumer vs the SDK Consumer reading those records
 *                                back: MiB/s (ratio), S3 GETs and DynamoDB reads per GiB
 *   gateway.idle-consumer        one kafkajs consumer in a group on an empty topic (fetch.max.wait.ms
 *                                500, as librdkafka and Java): DynamoDB reads (and writes: heartbeats)
 *                                per idle consumer per hour, vs the SDK's idle consumer over HTTP
 *   gateway.produce.latency      send -> ack, one 4 KiB batch at a time, under the S3 Standard and
 *                                S3 Express latency models (bench/lib/prices.ts): p50/p99/p999 vs the
 *                                same batches through produceRaw over HTTP, and the issue-7 target
 *   gateway.fleet.monthly        what the default Fargate fleet adds per month (bench/lib/gateway-cost.ts)
 *
 *   npm run bench -- gateway   (BENCH_GATEWAY_MIB records to move, default 32;
 *                               BENCH_GATEWAY_IDLE_SECONDS, default 20;
 *                               BENCH_GATEWAY_LATENCY_SAMPLES per model and path, default 300)
 */
import { pathToFileURL } from 'node:url';
import { Kafka, logLevel, type Consumer as KafkaConsumer } from 'kafkajs';
import { Admin } from '../packages/client/src/admin.js';
import { Consumer } from '../packages/client/src/consumer/index.js';
import { FloeHttpClient } from '../packages/client/src/http-client.js';
import { produceRaw } from '../packages/client/src/log-client.js';
import { Producer } from '../packages/client/src/producer/index.js';
import { encodeRecordBatch } from '../packages/protocol/src/records/record-batch.js';
import { StorageFaults } from '../src/faults/storage-faults.js';
import { createGatewayDeps } from '../src/gateway/deps.js';
import { startGateway, type RunningGateway } from '../src/gateway/gateway.js';
import { silentLogger } from '../src/gateway/logger.js';
import { gatewaySettingsFromEnv } from '../src/gateway/settings.js';
import { setLocalCredentials } from '../src/local/cluster.js';
import { localConfig } from '../src/local/storage.js';
import { CapacityMeter, diffCapacity, type CapacityTotals } from './lib/capacity.js';
import { gatewayFleetMonthly, SMALL_FLEET } from './lib/gateway-cost.js';
import { diffSnapshot, startMeteredCluster, type MeteredCluster } from './lib/metered-cluster.js';
import { LATENCY_MODELS, PRICES, PRICES_AS_OF, type LatencyModel } from './lib/prices.js';
import { MiB, perGiB, printResult, round, type BenchSink } from './lib/report.js';
import { summarize } from './lib/stats.js';
import { startStorageProcess, type StorageProcess } from './lib/storage-process.js';

const MOVE_MIB = Number(process.env.BENCH_GATEWAY_MIB ?? 32);
const IDLE_SECONDS = Number(process.env.BENCH_GATEWAY_IDLE_SECONDS ?? 20);
const LATENCY_SAMPLES = Number(process.env.BENCH_GATEWAY_LATENCY_SAMPLES ?? 300);
const RECORD_BYTES = 1024;
const PARTITIONS = 8;
/** records per kafkajs request: about 1 MiB, a batch of ~128 KiB per partition */
const RECORDS_PER_SEND = 1024;
const IDLE_FETCH_MAX_WAIT_MS = 500;
/** issue 7: the allowance on top of the storage p99s (linger.ms 0 here) */
const TARGET_SLACK_MS = 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface StorageMeter {
  s3Puts: number;
  s3Gets: number;
  dynamo: CapacityTotals;
}

interface MeteredGateway {
  gateway: RunningGateway;
  brokers: string[];
  snapshot(): StorageMeter;
}

/** The gateway with its own AWS clients, metered (and slowed by a latency model) before it serves: plaintext, no SASL. */
async function startMeteredGateway(storage: StorageProcess, latency?: LatencyModel): Promise<MeteredGateway> {
  const capacity = new CapacityMeter();
  const deps = createGatewayDeps(localConfig(storage));
  capacity.attach(deps.clients.dynamo);
  if (latency) new StorageFaults({ seed: 11, latency: latency.latency }).install(deps.clients);
  // Defaults as a deployment has them (not this machine's FLOE_GATEWAY_*), on any free port.
  const settings = gatewaySettingsFromEnv({}, { port: 0 });
  const running = await startGateway({ config: deps.config, settings, deps, log: silentLogger });
  // Deps passed in stay ours: close their clients after the gateway.
  const close = async () => {
    await running.close();
    deps.clients.dynamo.destroy();
    deps.clients.s3.destroy();
  };
  return {
    gateway: { ...running, close },
    brokers: [`${running.host}:${running.port}`],
    snapshot: () => ({ s3Puts: deps.s3.stats.puts, s3Gets: deps.s3.stats.gets, dynamo: capacity.snapshot() }),
  };
}

const httpMeter = (m: MeteredCluster): StorageMeter => {
  const s = m.snapshot();
  return { s3Puts: s.s3Puts, s3Gets: s.s3Gets, dynamo: s.dynamo };
};
const diff = (after: StorageMeter, before: StorageMeter): StorageMeter => ({
  s3Puts: after.s3Puts - before.s3Puts,
  s3Gets: after.s3Gets - before.s3Gets,
  dynamo: diffCapacity(after.dynamo, before.dynamo),
});

const kafkaOf = (brokers: string[], clientId: string) => new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING, retry: { retries: 5 } });
const valueOf = (i: number) => {
  const value = Buffer.alloc(RECORD_BYTES, 0x61);
  value.writeUInt32BE(i, 0);
  return value;
};

/** kafkajs, idempotent, acks all: the whole set in ~1 MiB requests, one in flight. Returns seconds. */
async function kafkaProduce(brokers: string[], topic: string, count: number): Promise<number> {
  const producer = kafkaOf(brokers, 'bench-producer').producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const started = performance.now();
  for (let first = 0; first < count; first += RECORDS_PER_SEND) {
    const messages = Array.from({ length: Math.min(RECORDS_PER_SEND, count - first) }, (_, j) => ({ value: valueOf(first + j), partition: (first + j) % PARTITIONS }));
    await producer.send({ topic, acks: -1, messages });
  }
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  return seconds;
}

/** The Floe SDK Producer over HTTP, the same records (batch.size sized like kafkajs' per-partition batches). */
async function httpProduce(bootstrap: string, topic: string, count: number): Promise<number> {
  const producer = new Producer({ bootstrap, lingerMs: 5, batchSize: 128 * 1024 });
  await producer.partitionsFor(topic);
  const started = performance.now();
  const acks: Array<Promise<unknown>> = [];
  for (let i = 0; i < count; i++) {
    acks.push(producer.send({ topic, partition: i % PARTITIONS, value: valueOf(i) }));
    if (producer.blocked) await producer.whenUnblocked();
  }
  await Promise.all(acks);
  const seconds = (performance.now() - started) / 1000;
  await producer.close();
  return seconds;
}

/** A kafkajs group consumer from the beginning until `count` records: seconds from subscribe to the last one. */
async function kafkaConsume(brokers: string[], topic: string, count: number): Promise<number> {
  const consumer = kafkaOf(brokers, 'bench-consumer').consumer({ groupId: `bench-gw-${Date.now()}`, maxBytesPerPartition: 1024 * 1024, maxWaitTimeInMs: 500 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const started = performance.now();
  let seen = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.run({
    autoCommit: true,
    eachBatch: async ({ batch }) => {
      seen += batch.messages.length;
      if (seen >= count) done();
    },
  });
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await consumer.disconnect();
  return seconds;
}

async function httpConsume(bootstrap: string, topic: string, count: number): Promise<number> {
  const consumer = new Consumer({ bootstrap, autoOffsetReset: 'earliest', maxPollRecords: 5000 });
  consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })));
  const started = performance.now();
  let seen = 0;
  while (seen < count) seen += (await consumer.poll(1000)).length;
  const seconds = (performance.now() - started) / 1000;
  await consumer.close();
  return seconds;
}

async function throughput(storage: StorageProcess, sink: BenchSink): Promise<void> {
  const count = Math.round((MOVE_MIB * MiB) / RECORD_BYTES);
  const bytes = count * RECORD_BYTES;
  const gw = await startMeteredGateway(storage);
  const http = await startMeteredCluster({ storage });
  try {
    const admin = Admin.fromClient(new FloeHttpClient(http.cluster.url));
    const kafkaTopic = `bench-gw-kafka-${Date.now()}`;
    const httpTopic = `bench-gw-http-${Date.now()}`;
    await admin.createTopic(kafkaTopic, PARTITIONS);
    await admin.createTopic(httpTopic, PARTITIONS);
    const params = { records: count, recordBytes: RECORD_BYTES, partitions: PARTITIONS, kafkaClient: 'kafkajs 2.2.4', idempotence: true, acks: 'all' };

    let g0 = gw.snapshot();
    const kafkaSeconds = await kafkaProduce(gw.brokers, kafkaTopic, count);
    const kafkaProduced = diff(gw.snapshot(), g0);
    let h0 = httpMeter(http);
    const httpSeconds = await httpProduce(http.cluster.url, httpTopic, count);
    const httpProduced = diff(httpMeter(http), h0);
    const kafkaMiBps = bytes / MiB / kafkaSeconds;
    const httpMiBps = bytes / MiB / httpSeconds;
    sink({
      name: 'gateway.produce.throughput',
      params,
      value: round(kafkaMiBps, 2),
      unit: 'MiB/s',
      comparison: { name: 'Floe SDK Producer over HTTP, same records, same run', value: round(httpMiBps, 2), unit: 'MiB/s' },
      ratio: round(kafkaMiBps / httpMiBps, 3),
      s3PutsPerGiB: perGiB(kafkaProduced.s3Puts, bytes),
      dynamoWritesPerGiB: perGiB(kafkaProduced.dynamo.writeRequests, bytes),
      dynamoWriteUnitsPerGiB: perGiB(kafkaProduced.dynamo.writeUnits, bytes),
      http: { s3PutsPerGiB: perGiB(httpProduced.s3Puts, bytes), dynamoWritesPerGiB: perGiB(httpProduced.dynamo.writeRequests, bytes), dynamoWriteUnitsPerGiB: perGiB(httpProduced.dynamo.writeUnits, bytes) },
    });

    g0 = gw.snapshot();
    const kafkaReadSeconds = await kafkaConsume(gw.brokers, kafkaTopic, count);
    const kafkaRead = diff(gw.snapshot(), g0);
    h0 = httpMeter(http);
    const httpReadSeconds = await httpConsume(http.cluster.url, httpTopic, count);
    const httpRead = diff(httpMeter(http), h0);
    const kafkaReadMiBps = bytes / MiB / kafkaReadSeconds;
    const httpReadMiBps = bytes / MiB / httpReadSeconds;
    sink({
      name: 'gateway.consume.throughput',
      params: { ...params, note: 'catch-up read of what was just produced (warm range cache)' },
      value: round(kafkaReadMiBps, 2),
      unit: 'MiB/s',
      comparison: { name: 'Floe SDK Consumer over HTTP, same records, same run', value: round(httpReadMiBps, 2), unit: 'MiB/s' },
      ratio: round(kafkaReadMiBps / httpReadMiBps, 3),
      s3GetsPerGiB: perGiB(kafkaRead.s3Gets, bytes),
      dynamoReadsPerGiB: perGiB(kafkaRead.dynamo.readRequests, bytes),
      dynamoReadUnitsPerGiB: perGiB(kafkaRead.dynamo.readUnits, bytes),
      http: { s3GetsPerGiB: perGiB(httpRead.s3Gets, bytes), dynamoReadsPerGiB: perGiB(httpRead.dynamo.readRequests, bytes), dynamoReadUnitsPerGiB: perGiB(httpRead.dynamo.readUnits, bytes) },
    });
  } finally {
    await gw.gateway.close();
    await http.close();
  }
}

/** Per hour, from a meter difference over `ms`. */
const hourly = (count: number, ms: number) => Math.round((count * 3_600_000) / ms);

async function idleConsumer(storage: StorageProcess, sink: BenchSink): Promise<void> {
  const gw = await startMeteredGateway(storage);
  const http = await startMeteredCluster({ storage });
  let kafka: KafkaConsumer | undefined;
  try {
    const admin = Admin.fromClient(new FloeHttpClient(http.cluster.url));
    const topic = `bench-gw-idle-${Date.now()}`;
    await admin.createTopic(topic, 1);

    kafka = kafkaOf(gw.brokers, 'bench-idle').consumer({ groupId: `bench-gw-idle-${Date.now()}`, maxWaitTimeInMs: IDLE_FETCH_MAX_WAIT_MS });
    const joined = new Promise<void>((resolve) => kafka?.on(kafka.events.GROUP_JOIN, () => resolve()));
    await kafka.connect();
    await kafka.subscribe({ topics: [topic], fromBeginning: true });
    await kafka.run({ eachMessage: async () => undefined });
    await joined;
    await sleep(2000); // past the first fetches and offset lookups
    const g0 = gw.snapshot();
    const t0 = performance.now();
    await sleep(IDLE_SECONDS * 1000);
    const gatewayIdle = diff(gw.snapshot(), g0);
    const gatewayMs = performance.now() - t0;
    await kafka.disconnect();
    kafka = undefined;

    const sdk = new Consumer({ bootstrap: http.cluster.url, fetchMaxWaitMs: IDLE_FETCH_MAX_WAIT_MS });
    sdk.assign([{ topic, partition: 0 }]);
    await sdk.poll(0);
    const h0 = http.snapshot();
    const t1 = performance.now();
    while (performance.now() - t1 < IDLE_SECONDS * 1000) await sdk.poll(1000);
    const httpMs = performance.now() - t1;
    const httpIdle = diffSnapshot(http.snapshot(), h0);
    await sdk.close();

    const readsPerHour = hourly(gatewayIdle.dynamo.readRequests, gatewayMs);
    const rruPerHour = hourly(gatewayIdle.dynamo.readUnits, gatewayMs);
    const wruPerHour = hourly(gatewayIdle.dynamo.writeUnits, gatewayMs);
    const dollarsPerMonth = ((rruPerHour * PRICES.dynamodbOnDemand.perMillionRRU + wruPerHour * PRICES.dynamodbOnDemand.perMillionWRU) / 1e6) * PRICES.hoursPerMonth;
    sink({
      name: 'gateway.idle-consumer',
      params: { kafkaClient: 'kafkajs 2.2.4', group: true, fetchMaxWaitMs: IDLE_FETCH_MAX_WAIT_MS, seconds: IDLE_SECONDS },
      value: readsPerHour,
      unit: 'DynamoDB reads per idle consumer per hour',
      comparison: { name: 'Floe SDK Consumer over HTTP (assigned, same fetch.max.wait.ms)', value: hourly(httpIdle.dynamo.readRequests, httpMs), unit: 'DynamoDB reads per idle consumer per hour' },
      dynamoReadUnitsPerHour: rruPerHour,
      dynamoWritesPerHour: hourly(gatewayIdle.dynamo.writeRequests, gatewayMs),
      dynamoWriteUnitsPerHour: wruPerHour,
      s3GetsPerHour: hourly(gatewayIdle.s3Gets, gatewayMs),
      dynamoDollarsPerMonth: round(dollarsPerMonth, 4),
      http: { fetchInvocationsPerHour: hourly(httpIdle.invocations.fetch.count, httpMs), dynamoReadUnitsPerHour: hourly(httpIdle.dynamo.readUnits, httpMs) },
      pricesAsOf: PRICES_AS_OF,
    });
  } finally {
    await kafka?.disconnect().catch(() => undefined);
    await gw.gateway.close();
    await http.close();
  }
}

async function produceLatency(storage: StorageProcess, model: LatencyModel, sink: BenchSink): Promise<void> {
  const gw = await startMeteredGateway(storage, model);
  const http = await startMeteredCluster({ storage, latency: model, seed: 11 });
  try {
    const admin = Admin.fromClient(new FloeHttpClient(http.cluster.url));
    const topic = `bench-gw-latency-${model.name}-${Date.now()}`;
    await admin.createTopic(topic, PARTITIONS);
    const records = Array.from({ length: 4 }, (_, i) => valueOf(i));

    const producer = kafkaOf(gw.brokers, 'bench-latency').producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    const kafkaSamples: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES + 20; i++) {
      const t = performance.now();
      await producer.send({ topic, acks: -1, messages: records.map((value) => ({ value, partition: i % PARTITIONS })) });
      if (i >= 20) kafkaSamples.push(performance.now() - t); // the first 20 warm up connections and metadata
    }
    await producer.disconnect();

    const client = new FloeHttpClient(http.cluster.url);
    const batch = encodeRecordBatch({ records: records.map((value) => ({ key: null, value })) });
    const httpSamples: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES + 20; i++) {
      const t = performance.now();
      await produceRaw(client, { acks: -1, timeoutMs: 30_000, topics: [{ topic, partitions: [{ partition: i % PARTITIONS, records: batch }] }] });
      if (i >= 20) httpSamples.push(performance.now() - t);
    }

    const s = summarize(kafkaSamples);
    const h = summarize(httpSamples);
    const target = model.latency.s3Put.p99 + model.latency.dynamoWrite.p99 + TARGET_SLACK_MS;
    sink({
      name: 'gateway.produce.latency',
      params: { model: model.name, kafkaClient: 'kafkajs 2.2.4', recordsPerRequest: 4, recordBytes: RECORD_BYTES, inFlight: 1, lingerMs: 0, acks: 'all', idempotence: true },
      value: s.p99,
      unit: 'ms (p99)',
      p50: s.p50,
      p99: s.p99,
      p999: s.p999,
      mean: s.mean,
      max: s.max,
      samples: s.count,
      comparison: { name: 'the same batches through produceRaw over HTTP', value: h.p99, unit: 'ms (p99)' },
      ratio: round(s.p99 / h.p99, 3),
      http: { p50: h.p50, p99: h.p99, p999: h.p999 },
      target: { name: `S3 PUT p99 ${model.latency.s3Put.p99} + DynamoDB write p99 ${model.latency.dynamoWrite.p99} + ${TARGET_SLACK_MS}`, value: target, unit: 'ms (p99)' },
      targetMet: s.p99 <= target,
    });
  } finally {
    await gw.gateway.close();
    await http.close();
  }
}

function fleet(sink: BenchSink): void {
  const idle = gatewayFleetMonthly(SMALL_FLEET);
  const busy = gatewayFleetMonthly({ ...SMALL_FLEET, ingestMiBps: 1, egressMiBps: 2 });
  const money = (x: number) => round(x, 2);
  sink({
    name: 'gateway.fleet.monthly',
    params: { tasks: SMALL_FLEET.tasks, vcpuPerTask: SMALL_FLEET.vcpuPerTask, memoryGBPerTask: SMALL_FLEET.memoryGBPerTask, arch: SMALL_FLEET.arch, natGateways: SMALL_FLEET.natGateways },
    value: money(idle.total),
    unit: '$/month (idle)',
    idle: Object.fromEntries(Object.entries(idle).map(([k, v]) => [k, money(v)])),
    at1MiBpsIn2MiBpsOut: Object.fromEntries(Object.entries(busy).map(([k, v]) => [k, money(v)])),
    nlbDollarsPerGiBThrough: round(PRICES.nlb.perNlcuHour / PRICES.nlb.tcpNlcu.processedGBPerHour, 4),
    pricesAsOf: PRICES_AS_OF,
  });
}

export async function runGatewayBench(sink: BenchSink = printResult): Promise<void> {
  fleet(sink);
  setLocalCredentials();
  const storage = await startStorageProcess();
  try {
    await throughput(storage, sink);
    await idleConsumer(storage, sink);
    for (const model of Object.values(LATENCY_MODELS)) await produceLatency(storage, model, sink);
  } finally {
    await storage.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runGatewayBench();
}
