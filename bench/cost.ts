/**
 * Cost: measures what produce, fetch and an idle consumer cost in billable units
 * (S3 requests below the cache, DynamoDB request units as DynamoDB bills them,
 * Lambda invocations and billed milliseconds at the handler), then prices them
 * with the one table (bench/lib/prices.ts) and the cost model (bench/lib/cost-model.ts),
 * next to Kinesis Data Streams on-demand, MSK Serverless and Kafka on EC2 over 3 AZs.
 *
 * The handler's clients run under the S3 Standard latency model, so handler
 * durations (Lambda GB-seconds) include realistic storage waits; the stand-ins run
 * in their own process. Lambda memory comes from the CDK stack's FUNCTION_DEFAULTS.
 *
 *   npm run bench -- cost   (BENCH_COST_REQUESTS per request size, default 24;
 *                            BENCH_COST_IDLE_SECONDS of settled idle polling, default 10;
 *                            BENCH_COST_WAKE_TRIALS records after an idle spell, default 5)
 */
import { pathToFileURL } from 'node:url';
import { FUNCTION_DEFAULTS } from '../cdk/constructs/floe.js';
import { Admin } from '../packages/client/src/admin.js';
import { CONSUMER_DEFAULTS } from '../packages/client/src/consumer/index.js';
import { FloeHttpClient } from '../packages/client/src/http-client.js';
import { fetchRaw, produceRaw } from '../packages/client/src/log-client.js';
import { encodeRecordBatch } from '../packages/protocol/src/records/record-batch.js';
import {
  WORKLOADS,
  fetchCostPerGiB,
  floeMonthly,
  idleConsumerMonthly,
  kafkaMonthly,
  kinesisMonthly,
  lingerSweep,
  mskServerlessMonthly,
  produceCostPerGiB,
  type FetchUnits,
  type FloeUnits,
  type IdlePollUnits,
  type ProduceUnits,
} from './lib/cost-model.js';
import { measureIdlePolling, measureWakeLatency } from './lib/idle-consumer.js';
import { diffSnapshot, startMeteredCluster } from './lib/metered-cluster.js';
import { LATENCY_MODELS, PRICES, PRICES_AS_OF } from './lib/prices.js';
import { GiB, MiB, printResult, round, type BenchSink } from './lib/report.js';
import { summarize } from './lib/stats.js';
import { startStorageProcess } from './lib/storage-process.js';
import { envInteger } from '../src/config/index.js';

const REQUESTS = envInteger(process.env, 'BENCH_COST_REQUESTS', 24, 1);
const IDLE_SECONDS = envInteger(process.env, 'BENCH_COST_IDLE_SECONDS', 10, 1);
const WAKE_TRIALS = envInteger(process.env, 'BENCH_COST_WAKE_TRIALS', 5, 1);
const PARTITIONS = 16;
/** one request at a time: concurrent requests on the same heads queue in dynalite, which would inflate handler time */
const IN_FLIGHT = 1;
/** request sizes measured (16 partitions each); workloads use the nearest */
const REQUEST_SIZES = [64 * 1024, 256 * 1024, 1024 * 1024, 3 * 1024 * 1024];
const RECORD_BYTES = 1024;

const money = (x: number) => round(x, 4);
const breakdown = (b: { s3Requests: number; s3Storage: number; dynamodb: number; lambda: number; total: number }) => ({
  s3Requests: money(b.s3Requests),
  s3Storage: money(b.s3Storage),
  dynamodb: money(b.dynamodb),
  lambda: money(b.lambda),
  total: money(b.total),
});

export async function runCostBench(sink: BenchSink = printResult): Promise<void> {
  const produceMemoryMB = FUNCTION_DEFAULTS.produce.memorySize;
  const fetchMemoryMB = FUNCTION_DEFAULTS.fetch.memorySize;
  const model = LATENCY_MODELS['s3-standard'];
  const storage = await startStorageProcess();
  const writer = await startMeteredCluster({ storage, latency: model, seed: 11 });
  const reader = await startMeteredCluster({ storage, latency: model, seed: 12, cacheBytes: 0 });
  try {
    const http = new FloeHttpClient(writer.cluster.url);
    const admin = Admin.fromClient(http);

    // 1. Produce: per request, at several request sizes.
    const produce: ProduceUnits[] = [];
    let readTopic = '';
    let readBatch = { bytes: 1, records: 1 };
    for (const requestBytes of REQUEST_SIZES) {
      const topic = `bench-cost-${requestBytes}-${Date.now()}`;
      await admin.createTopic(topic, PARTITIONS);
      const records = Math.max(1, Math.round(requestBytes / PARTITIONS / (RECORD_BYTES + 12)));
      const batch = encodeRecordBatch({ records: Array.from({ length: records }, (_, i) => ({ key: null, value: Buffer.alloc(RECORD_BYTES, i) })) });
      const send = async () => {
        const [r] = await produceRaw(http, { acks: -1, timeoutMs: 30_000, topics: [{ topic, partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, records: batch })) }] });
        if (r?.partitions.some((p) => p.errorCode !== 'NONE')) throw new Error('produce failed');
      };
      await send(); // warm-up
      const before = writer.snapshot();
      let started = 0;
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (started < REQUESTS) {
            started++;
            await send();
          }
        }),
      );
      const d = diffSnapshot(writer.snapshot(), before);
      const n = d.invocations.produce.count;
      const units: ProduceUnits = {
        requestBytes: batch.length * PARTITIONS,
        partitionsPerRequest: PARTITIONS,
        s3PutsPerRequest: d.s3Puts / n,
        wruPerRequest: d.dynamo.writeUnits / n,
        rruPerRequest: d.dynamo.readUnits / n,
        durationMsPerRequest: d.invocations.produce.billedMs / n,
      };
      produce.push(units);
      const perGiB = produceCostPerGiB(units, produceMemoryMB);
      const requestsPerGiB = GiB / units.requestBytes;
      sink({
        name: 'cost.produce',
        params: { requestBytes: units.requestBytes, partitionsPerRequest: PARTITIONS, requests: n, inFlight: IN_FLIGHT, storageModel: model.name, lambdaMemoryMB: produceMemoryMB },
        value: money(perGiB.total),
        unit: '$/GiB ingested',
        breakdown: breakdown(perGiB),
        s3PutsPerGiB: round(units.s3PutsPerRequest * requestsPerGiB, 1),
        dynamoWritesPerGiB: round((d.dynamo.writeRequests / n) * requestsPerGiB, 1),
        dynamoWriteUnitsPerGiB: round(units.wruPerRequest * requestsPerGiB, 1),
        dynamoReadUnitsPerGiB: round(units.rruPerRequest * requestsPerGiB, 1),
        lambdaInvocationsPerGiB: round(requestsPerGiB, 1),
        lambdaGBSecondsPerGiB: round(((units.durationMsPerRequest * requestsPerGiB) / 1000) * (produceMemoryMB / 1024), 2),
        handlerMsPerRequest: round(units.durationMsPerRequest, 1),
        pricesAsOf: PRICES_AS_OF,
      });
      if (requestBytes === 1024 * 1024) {
        readTopic = topic;
        readBatch = { bytes: batch.length, records };
      }
    }

    // 2. Fetch: catch-up read of the 1 MiB-request topic through a cold-cache cluster.
    const readHttp = new FloeHttpClient(reader.cluster.url);
    const before = reader.snapshot();
    let got = 0;
    const groups = [0, 1, 2, 3].map((g) => [4 * g, 4 * g + 1, 4 * g + 2, 4 * g + 3]);
    await Promise.all(
      groups.map(async (partitions) => {
        const positions = partitions.map(() => 0);
        for (;;) {
          const [t] = await fetchRaw(readHttp, {
            maxWaitMs: 0,
            minBytes: 0,
            maxBytes: 4 * MiB,
            topics: [{ topic: readTopic, partitions: partitions.map((partition, i) => ({ partition, fetchOffset: positions[i]!, partitionMaxBytes: MiB })) }],
          });
          let progressed = false;
          t!.partitions.forEach((p, i) => {
            if (p.records.length === 0 || positions[i]! >= p.highWatermark) return;
            got += p.records.length;
            // every stored batch is the same: bytes → batches → records
            positions[i] = Math.min(p.highWatermark, positions[i]! + Math.round(p.records.length / readBatch.bytes) * readBatch.records);
            progressed = true;
          });
          if (!progressed) return;
        }
      }),
    );
    const r = diffSnapshot(reader.snapshot(), before);
    const fetchUnits: FetchUnits = {
      s3GetsPerGiB: (r.s3Gets * GiB) / got,
      rruPerGiB: (r.dynamo.readUnits * GiB) / got,
      invocationsPerGiB: (r.invocations.fetch.count * GiB) / got,
      durationMsPerGiB: (r.invocations.fetch.billedMs * GiB) / got,
    };
    const readCost = fetchCostPerGiB(fetchUnits, fetchMemoryMB);
    sink({
      name: 'cost.fetch',
      params: { bytesRead: got, partitionMaxBytes: MiB, maxBytes: 4 * MiB, cache: 'cold', storageModel: model.name, lambdaMemoryMB: fetchMemoryMB },
      value: money(readCost.total),
      unit: '$/GiB read',
      breakdown: breakdown(readCost),
      s3GetsPerGiB: round(fetchUnits.s3GetsPerGiB, 1),
      dynamoReadsPerGiB: round((r.dynamo.readRequests * GiB) / got, 1),
      dynamoReadUnitsPerGiB: round(fetchUnits.rruPerGiB, 1),
      lambdaInvocationsPerGiB: round(fetchUnits.invocationsPerGiB, 1),
      lambdaGBSecondsPerGiB: round((fetchUnits.durationMsPerGiB / 1000) * (fetchMemoryMB / 1024), 2),
      pricesAsOf: PRICES_AS_OF,
    });

    // 3. An idle consumer: the SDK with its defaults (fetch.max.wait.ms 500, idle backoff up to
    //    fetchIdleMaxIntervalMs 1000) polling an empty partition once settled, and without the backoff
    //    (every fetch holds a server wait of fetch.max.wait.ms); then how late the first record after an
    //    idle spell arrives either way: the backoff's price in latency.
    let idle: IdlePollUnits | undefined;
    for (const fetchIdleBackoff of [true, false]) {
      const m = await measureIdlePolling(writer, { fetchIdleBackoff }, IDLE_SECONDS);
      idle ??= m.units;
      const idleMonthly = idleConsumerMonthly(m.units, fetchMemoryMB);
      sink({
        name: 'cost.idle-consumer',
        params: { fetchIdleBackoff, fetchMaxWaitMs: CONSUMER_DEFAULTS.fetchMaxWaitMs, fetchIdleMaxIntervalMs: CONSUMER_DEFAULTS.fetchIdleMaxIntervalMs, pollTimeoutMs: 1000, seconds: IDLE_SECONDS, lambdaMemoryMB: fetchMemoryMB },
        value: money(idleMonthly.total),
        unit: '$/month',
        breakdown: breakdown(idleMonthly),
        fetchInvocationsPerHour: Math.round(m.units.invocationsPerHour),
        dynamoReadsPerHour: Math.round((m.dynamoReads * m.units.invocationsPerHour) / Math.max(1, m.fetches)),
        dynamoReadUnitsPerHour: Math.round(m.units.rruPerHour),
        handlerMsPerFetch: round(m.billedMs / Math.max(1, m.fetches), 1),
        lambdaBilledFractionOfWallTime: round(m.units.durationMsPerHour / 3_600_000, 3),
        pricesAsOf: PRICES_AS_OF,
      });
    }
    const wake = { backoff: await measureWakeLatency(writer, {}, WAKE_TRIALS), serverWait: await measureWakeLatency(writer, { fetchIdleBackoff: false }, WAKE_TRIALS) };
    const backoff = summarize(wake.backoff, 6);
    const serverWait = summarize(wake.serverWait, 6);
    sink({
      name: 'latency.idle-wake',
      params: { trials: WAKE_TRIALS, fetchMaxWaitMs: CONSUMER_DEFAULTS.fetchMaxWaitMs, fetchIdleMaxIntervalMs: CONSUMER_DEFAULTS.fetchIdleMaxIntervalMs, storageModel: model.name },
      value: round(backoff.mean, 1),
      unit: 'ms from produce ack to poll() returning the record, after an idle spell (mean)',
      comparison: { name: 'fetchIdleBackoff false (server waits)', value: round(serverWait.mean, 1), unit: 'ms (mean)' },
      addedMs: { mean: round(backoff.mean - serverWait.mean, 1), max: round(backoff.max - serverWait.mean, 1) },
      samples: { backoff: wake.backoff.map((x) => round(x, 1)), serverWait: wake.serverWait.map((x) => round(x, 1)) },
    });

    // 4. Named workloads, Floe vs the peers.
    const units: FloeUnits = { produce, fetch: fetchUnits, idlePoll: idle!, produceMemoryMB, fetchMemoryMB };
    for (const w of WORKLOADS) {
      const floe = floeMonthly(w, units);
      const kinesis = kinesisMonthly(w);
      const msk = mskServerlessMonthly(w);
      const kafka = kafkaMonthly(w);
      sink({
        name: 'cost.workload',
        params: { workload: w.name, ...w },
        value: money(floe.total),
        unit: '$/month',
        comparison: { name: 'Kinesis Data Streams on-demand', value: money(kinesis.total), unit: '$/month' },
        ratio: round(floe.total / kinesis.total, 3),
        breakdown: breakdown(floe),
        peers: {
          kinesisOnDemand: { total: money(kinesis.total), ratio: round(floe.total / kinesis.total, 3), items: kinesis.items },
          mskServerless: { total: money(msk.total), ratio: round(floe.total / msk.total, 3), items: msk.items },
          kafka3Az: { total: money(kafka.total), ratio: round(floe.total / kafka.total, 3), items: kafka.items },
        },
        pricesAsOf: PRICES_AS_OF,
        region: PRICES.region,
      });
    }
    // 5. The small workload against linger.ms (request size), at the measured request sizes.
    const small = WORKLOADS[0]!;
    for (const point of lingerSweep(small, units)) {
      sink({
        name: 'cost.linger',
        params: { workload: small.name, lingerMs: point.lingerMs, requestBytes: point.requestBytes },
        value: money(point.floe),
        unit: '$/month',
        comparison: { name: 'Kinesis Data Streams on-demand', value: money(point.kinesis), unit: '$/month' },
        ratio: round(point.floe / point.kinesis, 3),
      });
    }
  } finally {
    await writer.close();
    await reader.close();
    await storage.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runCostBench();
}
