/**
 * Scaling: what one produce request costs as it touches more partitions, and
 * what happens as handler processes are added.
 *
 *   npm run bench -- scaling        (BENCH_SCALING_SECONDS per point, default 4)
 *
 * A. partitions per request: 1, 16, 256, 1,024 (the request stays ~512 KiB, split
 *    evenly), one handler process, 4 requests in flight. Reports MiB/s and, per
 *    request and per GiB, S3 PUTs, DynamoDB writes and write units (billed per KB
 *    of item). Expected by design: 1 PUT per request whatever the partition count;
 *    DynamoDB writes = partitions touched × (1 + spill writes).
 * B. handler processes: 1, 2, 4 (16 partitions per request, 8 requests in flight
 *    spread round-robin). Storage runs in its own process; on a 2-core machine the
 *    processes share the same two cores, so this shows that requests per GiB do not
 *    change with the number of processes (leaderless writes), not CPU scaling.
 */
import { pathToFileURL } from 'node:url';
import { Admin } from '../packages/client/src/admin.js';
import { FloeHttpClient } from '../packages/client/src/http-client.js';
import { produceRaw } from '../packages/client/src/log-client.js';
import { encodeRecordBatch } from '../packages/protocol/src/records/record-batch.js';
import { addSnapshots, diffSnapshot } from './lib/metered-cluster.js';
import { startHandlerProcess, type HandlerProcess } from './lib/handler-client.js';
import { MiB, perGiB, printResult, round, type BenchSink } from './lib/report.js';
import { startStorageProcess } from './lib/storage-process.js';
import { envInteger } from '../src/config/index.js';

const SECONDS = envInteger(process.env, 'BENCH_SCALING_SECONDS', 4, 1);
export const REQUEST_BYTES = 512 * 1024;
const PARTITION_COUNTS = [1, 16, 256, 1024];
const PROCESS_COUNTS = [1, 2, 4];
export const TOPIC_PARTITIONS = 1024;

/** One partition's batch of a request split evenly (bench/stripes.ts writes the same shapes). */
export function batchFor(bytes: number): Buffer {
  const recordBytes = Math.min(1024, Math.max(64, bytes - 120));
  const records = Math.max(1, Math.floor((bytes - 61) / (recordBytes + 20)));
  return encodeRecordBatch({ records: Array.from({ length: records }, (_, i) => ({ key: null, value: Buffer.alloc(recordBytes, i) })) });
}

/** Sends requests of `partitions` batches for `seconds`, `inFlight` at a time, round-robin over `clients`. */
async function drive(clients: FloeHttpClient[], topic: string, partitions: number, inFlight: number, seconds: number, offset: { next: number }) {
  const batch = batchFor(Math.floor(REQUEST_BYTES / partitions));
  let requests = 0;
  let bytes = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: inFlight }, async (_, w) => {
      // at least one request per worker, so the largest requests are measured too
      do {
        const first = offset.next;
        offset.next = (offset.next + partitions) % TOPIC_PARTITIONS;
        const parts = Array.from({ length: partitions }, (_, i) => ({ partition: (first + i) % TOPIC_PARTITIONS, records: batch }));
        const [result] = await produceRaw(clients[(requests + w) % clients.length]!, { acks: -1, timeoutMs: 60_000, topics: [{ topic, partitions: parts }] });
        const failed = result?.partitions.find((p) => p.errorCode !== 'NONE');
        if (failed) throw new Error(`produce failed: ${failed.errorCode}`);
        requests++;
        bytes += batch.length * partitions;
      } while (performance.now() < until);
    }),
  );
  return { requests, bytes, seconds: (performance.now() - started) / 1000 };
}

export async function runScalingBench(sink: BenchSink = printResult): Promise<void> {
  const storage = await startStorageProcess();
  const handlers: HandlerProcess[] = [];
  try {
    handlers.push(...(await Promise.all(PROCESS_COUNTS.slice(-1).flatMap((n) => Array.from({ length: n }, () => startHandlerProcess(storage))))));
    const clients = handlers.map((h) => new FloeHttpClient(h.url));
    const topic = `bench-scaling-${Date.now()}`;
    await Admin.fromClient(clients[0]!).createTopic(topic, TOPIC_PARTITIONS);
    const offset = { next: 0 };

    // A. partitions per request, one handler process.
    await drive(clients.slice(0, 1), topic, 16, 4, 1, offset); // warm-up
    for (const partitions of PARTITION_COUNTS) {
      const before = (await handlers[0]!.stats()).snapshot;
      const run = await drive(clients.slice(0, 1), topic, partitions, 4, SECONDS, offset);
      const d = diffSnapshot((await handlers[0]!.stats()).snapshot, before);
      sink({
        name: 'scaling.partitions',
        params: { partitionsPerRequest: partitions, requestBytes: Math.round(run.bytes / run.requests), handlerProcesses: 1, inFlight: 4, seconds: SECONDS },
        value: round(run.bytes / MiB / run.seconds, 2),
        unit: 'MiB/s',
        requestsPerSecond: round(run.requests / run.seconds, 1),
        requests: run.requests,
        s3PutsPerRequest: round(d.s3Puts / run.requests, 3),
        dynamoWritesPerRequest: round(d.dynamo.writeRequests / run.requests, 2),
        dynamoWritesPerPartition: round(d.dynamo.writeRequests / run.requests / partitions, 3),
        dynamoWriteUnitsPerRequest: round(d.dynamo.writeUnits / run.requests, 2),
        dynamoReadUnitsPerRequest: round(d.dynamo.readUnits / run.requests, 2),
        s3PutsPerGiB: perGiB(d.s3Puts, run.bytes),
        dynamoWritesPerGiB: perGiB(d.dynamo.writeRequests, run.bytes),
        dynamoWriteUnitsPerGiB: perGiB(d.dynamo.writeUnits, run.bytes),
        handlerMsPerRequest: round(d.invocations.produce.billedMs / Math.max(1, d.invocations.produce.count), 1),
      });
    }

    // B. handler processes.
    const oneProcess: { mibps?: number } = {};
    for (const n of PROCESS_COUNTS) {
      const before = await Promise.all(handlers.slice(0, n).map(async (h) => (await h.stats()).snapshot));
      const run = await drive(clients.slice(0, n), topic, 16, 8, SECONDS, offset);
      const after = await Promise.all(handlers.slice(0, n).map(async (h) => (await h.stats()).snapshot));
      const d = diffSnapshot(addSnapshots(after), addSnapshots(before));
      const mibps = run.bytes / MiB / run.seconds;
      oneProcess.mibps ??= mibps;
      sink({
        name: 'scaling.processes',
        params: { handlerProcesses: n, partitionsPerRequest: 16, requestBytes: Math.round(run.bytes / run.requests), inFlight: 8, seconds: SECONDS, cpus: (await import('node:os')).availableParallelism() },
        value: round(mibps, 2),
        unit: 'MiB/s',
        comparison: { name: '1 handler process, same run', value: round(oneProcess.mibps, 2), unit: 'MiB/s' },
        ratio: round(mibps / oneProcess.mibps, 3),
        requestsPerSecond: round(run.requests / run.seconds, 1),
        s3PutsPerRequest: round(d.s3Puts / run.requests, 3),
        dynamoWritesPerRequest: round(d.dynamo.writeRequests / run.requests, 2),
        s3PutsPerGiB: perGiB(d.s3Puts, run.bytes),
        dynamoWritesPerGiB: perGiB(d.dynamo.writeRequests, run.bytes),
        dynamoWriteUnitsPerGiB: perGiB(d.dynamo.writeUnits, run.bytes),
      });
    }
  } finally {
    await Promise.all(handlers.map((h) => h.stop()));
    await storage.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runScalingBench();
}
