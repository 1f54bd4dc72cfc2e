/**
 * What merging buys a reader: a partition's catch-up read before and after housekeeping merged
 * its small objects (one per produce request, shared by all partitions of the request) into
 * per-partition segment objects. Same data, same reader (cold cache), measured in one run.
 *
 *   produce:  requests with one 16 KiB batch for each of 4 partitions (64 KiB objects)
 *   read:     every partition from offset 0, one consumer per partition, max.partition.fetch.bytes 1 MiB
 *   merge:    one housekeeping pass (target FLOE_MERGE_TARGET_BYTES, default 16 MiB), timed
 *
 * Lines: merge.read (MiB/s after vs before, ratio = after/before, S3 GETs per GiB before and
 * after) and merge.rewrite (the merge's own throughput and S3 requests per GiB merged).
 * Run alone: node bin/run-ts.mjs bench/merge.ts
 */
import { pathToFileURL } from 'node:url';
import { Admin } from '../packages/client/src/admin.js';
import { FloeHttpClient } from '../packages/client/src/http-client.js';
import { fetchRaw, produceRaw } from '../packages/client/src/log-client.js';
import { createHousekeepingDeps } from '../src/handlers/housekeeping-deps.js';
import { envInteger, housekeepingSettingsFromEnv } from '../src/config/index.js';
import { DEFAULT_HOUSEKEEPING_SETTINGS, runHousekeeping } from '../src/housekeeping/housekeeping.js';
import { encodeRecordBatch } from '../packages/protocol/src/records/record-batch.js';
import { startCluster, type LocalCluster } from '../src/local/cluster.js';
import { MiB, perGiB, printResult, round, type BenchSink } from './lib/report.js';
import { startStorageProcess } from './lib/storage-process.js';
import { mapConcurrent } from '../packages/protocol/src/async.js';

const PARTITIONS = 4;
const REQUESTS = envInteger(process.env, 'BENCH_MERGE_REQUESTS', 256, 1);
const ROUNDS = envInteger(process.env, 'BENCH_MERGE_ROUNDS', 3, 1);
const IN_FLIGHT = 8;
const RECORDS_PER_BATCH = 16;
const RECORD_BYTES = 1024;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** `count` tasks, `workers` at a time. */
const inParallel = async (count: number, workers: number, task: (i: number) => Promise<void>): Promise<void> => {
  await mapConcurrent(Array.from({ length: count }, (_, i) => i), workers, (i) => task(i));
};

/** Reads every partition from 0 to its end, one consumer per partition; returns the bytes read. */
async function catchUp(http: FloeHttpClient, topic: string): Promise<number> {
  let bytes = 0;
  await Promise.all(
    Array.from({ length: PARTITIONS }, async (_, partition) => {
      let offset = 0;
      for (;;) {
        const [t] = await fetchRaw(http, {
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: 4 * MiB,
          topics: [{ topic, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: MiB }] }],
        });
        const p = t!.partitions[0]!;
        if (p.errorCode !== 'NONE') throw new Error(`fetch failed: ${p.errorCode}`);
        if (p.records.length === 0) return;
        bytes += p.records.length;
        // Batches are equal: records read = bytes / batch size * records per batch.
        offset += Math.round(p.records.length / batchBytes) * RECORDS_PER_BATCH;
        if (offset >= p.highWatermark) return;
      }
    }),
  );
  return bytes;
}

const batch = encodeRecordBatch({
  records: Array.from({ length: RECORDS_PER_BATCH }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.alloc(RECORD_BYTES, i) })),
});
const batchBytes = batch.length;

export async function runMergeBench(sink: BenchSink = printResult): Promise<void> {
  const storage = await startStorageProcess();
  const clusters: LocalCluster[] = [];
  try {
    const writer = await startCluster({ storage });
    clusters.push(writer);
    const http = new FloeHttpClient(writer.url);
    const topic = `bench-merge-${Date.now()}`;
    await Admin.fromClient(http).createTopic(topic, PARTITIONS);
    await inParallel(REQUESTS, IN_FLIGHT, async () => {
      const [result] = await produceRaw(http, {
        acks: -1,
        timeoutMs: 30_000,
        topics: [{ topic, partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, records: batch })) }],
      });
      if (result?.partitions.some((p) => p.errorCode !== 'NONE')) throw new Error('produce failed');
    });

    // A reader that caches nothing: every fetch goes to S3, as a cold consumer's would.
    const reader = await startCluster({ storage, config: { cacheBytes: 0 } });
    clusters.push(reader);
    const readerHttp = new FloeHttpClient(reader.url);
    const measure = async (): Promise<{ rate: number; getsPerGiB: number }> => {
      const rates: number[] = [];
      let bytes = 0;
      const getsBefore = reader.deps!.s3.stats.gets;
      for (let r = 0; r < ROUNDS; r++) {
        const t = performance.now();
        const read = await catchUp(readerHttp, topic);
        rates.push(read / MiB / ((performance.now() - t) / 1000));
        bytes += read;
      }
      return { rate: median(rates), getsPerGiB: perGiB(reader.deps!.s3.stats.gets - getsBefore, bytes) };
    };
    await catchUp(readerHttp, topic); // warm up connections and JIT
    const before = await measure();

    const settings = { ...DEFAULT_HOUSEKEEPING_SETTINGS, ...housekeepingSettingsFromEnv() };
    const hk = createHousekeepingDeps({ ...writer.config });
    const t = performance.now();
    const summary = await runHousekeeping(hk, { settings, sweep: false, topics: [topic] });
    const mergeSeconds = (performance.now() - t) / 1000;
    if (summary.errors.length > 0) throw new Error(`housekeeping failed: ${summary.errors.join('; ')}`);
    const after = await measure();

    const produced = REQUESTS * PARTITIONS * batchBytes;
    sink({
      name: 'merge.read',
      params: { partitions: PARTITIONS, batchBytes, requests: REQUESTS, producedBytes: produced, mergeTargetBytes: settings.mergeTargetBytes, partitionMaxBytes: MiB, cache: 'cold', rounds: ROUNDS },
      value: round(after.rate, 1),
      unit: 'MiB/s',
      comparison: { name: 'the same reads before merging (one object per produce request)', value: round(before.rate, 1), unit: 'MiB/s' },
      ratio: round(after.rate / before.rate, 3),
      s3GetsPerGiBBefore: before.getsPerGiB,
      s3GetsPerGiBAfter: after.getsPerGiB,
      s3GetsRatio: before.getsPerGiB === 0 ? 0 : round(after.getsPerGiB / before.getsPerGiB, 4),
    });
    sink({
      name: 'merge.rewrite',
      params: { mergeTargetBytes: settings.mergeTargetBytes, partitions: PARTITIONS },
      value: round(summary.bytesMerged / MiB / mergeSeconds, 1),
      unit: 'MiB/s',
      bytesMerged: summary.bytesMerged,
      sourceObjects: summary.objectsMerged,
      mergedObjectsWritten: summary.mergedObjectsWritten,
      chunksRewritten: summary.chunksRewritten,
      s3GetsPerGiBMerged: perGiB(hk.s3.stats.gets, summary.bytesMerged),
      s3PutsPerGiBMerged: perGiB(hk.s3.stats.puts, summary.bytesMerged),
    });
    hk.clients.s3.destroy();
    hk.clients.dynamo.destroy();
  } finally {
    for (const c of clusters) await c.close();
    await storage.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runMergeBench();
}
