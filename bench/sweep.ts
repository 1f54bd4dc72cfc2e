/**
 * What one housekeeping pass's object sweep reads when nothing changed since the last pass,
 * at one and at BENCH_SWEEP_SCALE times the data. Issue 15 asks that this grow with what
 * changed, not with the log: today the mark reads every partition head and every live index
 * chunk on every pass, so the ratio is about the scale.
 *
 *   produce:  BENCH_SWEEP_REQUESTS requests (default 128) with one 16-record batch for each of
 *             4 partitions; housekeeping runs twice to settle (spills, merges, first sweep)
 *   measure:  a third pass, nothing produced since: index chunks and heads the mark read,
 *             DynamoDB read requests and units of the whole pass, and its duration
 *   then the same after producing (scale - 1) times as much again.
 *
 * Lines: housekeeping.sweep per size (value: index chunks read by the mark), and
 * housekeeping.sweep.growth (chunks read at scale × data over chunks read at 1×).
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
import { CapacityMeter } from './lib/capacity.js';
import { printResult, round, type BenchSink } from './lib/report.js';
import { startStorageProcess } from './lib/storage-process.js';

const PARTITIONS = 4;
const REQUESTS = envInteger(process.env, 'BENCH_SWEEP_REQUESTS', 128, 1);
const SCALE = envInteger(process.env, 'BENCH_SWEEP_SCALE', 10, 2);
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
    const measured: Array<{ requests: number; chunks: number }> = [];
    for (const requests of [REQUESTS, REQUESTS * (SCALE - 1)]) {
      await produce(requests);
      await pass();
      await pass();
      const before = meter.snapshot();
      const summary = await pass();
      const after = meter.snapshot();
      const total = measured.reduce((s, m) => s + m.requests, 0) + requests;
      measured.push({ requests, chunks: summary.markChunksRead });
      sink({
        name: 'housekeeping.sweep',
        params: { partitions: PARTITIONS, produceRequests: total, batchesPerPartition: total, changedSinceLastPass: 0 },
        value: summary.markChunksRead,
        unit: 'index chunks read by the mark (one pass)',
        markHeadsRead: summary.markHeadsRead,
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
      value: round(large!.chunks / Math.max(1, small!.chunks), 2),
      unit: `index chunks read per pass at ${SCALE}× the data / at 1× (target ≈ 1: what changed, nothing here)`,
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
