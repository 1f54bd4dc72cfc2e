/**
 * What one housekeeping pass's object sweep reads, at one and at BENCH_SWEEP_SCALE times the
 * data: with nothing changed since the last pass, and after a few more produce requests. The
 * mark reads the heads and only the index chunks written since the last pass (decision 36),
 * so what it reads should follow what changed, not the size of the log.
 *
 *   produce:  BENCH_SWEEP_REQUESTS requests (default 128) with one 16-record batch for each of
 *             4 partitions; housekeeping runs twice to settle (spills, merges, first sweep)
 *   measure:  a third pass, nothing produced since: index chunks and heads the mark read,
 *             DynamoDB read requests and units of the whole pass, and its duration;
 *             then the same after producing (scale - 1) times as much again;
 *             then a pass after BENCH_SWEEP_DELTA more requests (default 16), next to what a
 *             mark without the cache reads at that size.
 *
 * Lines: housekeeping.sweep per size, housekeeping.sweep.growth (DynamoDB read units of the
 * unchanged pass at scale × the data over 1×) and housekeeping.sweep.delta.
 * Run alone: node bin/run-ts.mjs bench/sweep.ts
 */
import { pathToFileURL } from 'node:url';
import { Admin } from '../packages/client/src/admin.js';
import { FloeHttpClient } from '../packages/client/src/http-client.js';
import { produceRaw } from '../packages/client/src/log-client.js';
import { mapConcurrent } from '../packages/protocol/src/async.js';
import { encodeRecordBatch } from '../packages/protocol/src/records/record-batch.js';
import { envInteger } from '../src/config/index.js';
import { createHousekeepingDeps } from '../src/handlers/housekeeping-deps.js';
import { DEFAULT_HOUSEKEEPING_SETTINGS, runHousekeeping, type HousekeepingSummary } from '../src/housekeeping/housekeeping.js';
import { startCluster } from '../src/local/cluster.js';
import { markReferences } from '../src/housekeeping/sweep.js';
import { listTopics } from '../src/log/topics.js';
import { CapacityMeter } from './lib/capacity.js';
import { printResult, round, type BenchSink } from './lib/report.js';
import { startStorageProcess } from './lib/storage-process.js';

const PARTITIONS = 4;
const REQUESTS = envInteger(process.env, 'BENCH_SWEEP_REQUESTS', 128, 1);
const SCALE = envInteger(process.env, 'BENCH_SWEEP_SCALE', 10, 2);
const DELTA = envInteger(process.env, 'BENCH_SWEEP_DELTA', 16, 1);
const IN_FLIGHT = 8;

const batch = encodeRecordBatch({ records: Array.from({ length: 16 }, (_, i) => ({ key: null, value: Buffer.alloc(1024, i) })) });

export async function runSweepBench(sink: BenchSink = printResult): Promise<void> {
  const storage = await startStorageProcess();
  const cluster = await startCluster({ storage });
  const http = new FloeHttpClient(cluster.url);
  const hk = createHousekeepingDeps({ ...cluster.config });
  const meter = new CapacityMeter();
  meter.attach(hk.clients.dynamo);
  // A small grace so the settling passes' sweeps run as they would on a long-lived log.
  const settings = { ...DEFAULT_HOUSEKEEPING_SETTINGS, graceMs: 60_000 };
  try {
    const topic = `bench-sweep-${Date.now()}`;
    await Admin.fromClient(http).createTopic(topic, PARTITIONS);
    const produce = (requests: number) =>
      mapConcurrent(
        Array.from({ length: requests }, (_, i) => i),
        IN_FLIGHT,
        async () => {
          const [r] = await produceRaw(http, { acks: -1, timeoutMs: 30_000, topics: [{ topic, partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, records: batch })) }] });
          if (r?.partitions.some((p) => p.errorCode !== 'NONE')) throw new Error('produce failed');
        },
      );
    const pass = async (): Promise<HousekeepingSummary> => {
      const summary = await runHousekeeping(hk, { settings });
      if (summary.errors.length > 0) throw new Error(`housekeeping failed: ${summary.errors.join('; ')}`);
      return summary;
    };
    const measured: Array<{ requests: number; chunks: number; readUnits: number }> = [];
    for (const requests of [REQUESTS, REQUESTS * (SCALE - 1)]) {
      await produce(requests);
      await pass();
      await pass();
      const before = meter.snapshot();
      const summary = await pass();
      const after = meter.snapshot();
      const total = measured.reduce((s, m) => s + m.requests, 0) + requests;
      measured.push({ requests, chunks: summary.markChunksRead, readUnits: after.readUnits - before.readUnits });
      sink({
        name: 'housekeeping.sweep',
        params: { partitions: PARTITIONS, produceRequests: total, batchesPerPartition: total, changedSinceLastPass: 0 },
        value: summary.markChunksRead,
        unit: 'index chunks read by the mark (one pass)',
        markHeadsRead: summary.markHeadsRead,
        markPartitionsReadInFull: summary.markPartitionsReadInFull,
        objectsScanned: summary.objectsScanned,
        dynamoReadRequests: after.readRequests - before.readRequests,
        dynamoReadUnits: round(after.readUnits - before.readUnits, 1),
        passMs: summary.durationMs,
      });
    }
    const [small, large] = measured;
    sink({
      name: 'housekeeping.sweep.growth',
      params: { scale: SCALE, changedSinceLastPass: 0 },
      value: round(large!.readUnits / Math.max(0.5, small!.readUnits), 2),
      unit: `DynamoDB read units of a pass at ${SCALE}× the data / at 1×, nothing changed (1 = independent of the log's size)`,
      chunksRead: { small: small!.chunks, large: large!.chunks },
    });
    await produce(DELTA);
    const delta = await pass();
    const full = { headsRead: 0, chunksRead: 0, partitionsReadInFull: 0 };
    await markReferences(hk, await listTopics(hk), { stats: full });
    sink({
      name: 'housekeeping.sweep.delta',
      params: { partitions: PARTITIONS, produceRequests: REQUESTS * SCALE + DELTA, changedSinceLastPass: DELTA },
      value: delta.markChunksRead,
      unit: 'index chunks read by the mark (one pass)',
      comparison: { name: 'a mark without the cache, same data', value: full.chunksRead, unit: 'index chunks' },
      ratio: round(delta.markChunksRead / Math.max(1, full.chunksRead), 4),
    });
  } finally {
    hk.clients.s3.destroy();
    hk.clients.dynamo.destroy();
    await cluster.close();
    await storage.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runSweepBench();
}
