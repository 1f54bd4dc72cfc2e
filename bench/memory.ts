/**
 * Memory: peak RSS of a handler process (with the range cache the CDK stack gives
 * the function at its configured memory, as a warm Lambda instance keeps it) serving produce requests of the maximum size, then of a
 * fresh one serving fetch responses of the maximum size, one request at a time as
 * a Lambda instance does. The storage runs in another process; each handler in a
 * child process of its own, so its RSS is only the handler's (an upper bound: the
 * process loads every function's code, a Lambda bundle only its own).
 *
 *   npm run bench -- memory    (BENCH_MEMORY_REQUESTS of each kind, default 24)
 *
 * Reports per function the peak RSS (getrusage maxRSS), the RSS after start-up, and
 * the Lambda memory setting this implies (peak × 1.5 headroom, rounded up to 64 MB),
 * next to the configured memory from the CDK stack's FUNCTION_DEFAULTS.
 */
import { pathToFileURL } from 'node:url';
import { FUNCTION_DEFAULTS, rangeCacheBytes } from '../cdk/constructs/floe.js';
import { Admin } from '../packages/client/src/admin.js';
import { FloeHttpClient } from '../packages/client/src/http-client.js';
import { fetchRaw, produceRaw } from '../packages/client/src/log-client.js';
import { LIMITS } from '../src/log/limits.js';
import { encodeRecordBatch } from '../packages/protocol/src/records/record-batch.js';
import { startHandlerProcess } from './lib/handler-client.js';
import { MiB, printResult, round, type BenchSink } from './lib/report.js';
import { startStorageProcess } from './lib/storage-process.js';
import { envInteger } from '../src/config/index.js';

const REQUESTS = envInteger(process.env, 'BENCH_MEMORY_REQUESTS', 24, 1);
const HEADROOM = 1.5;
const PARTITIONS = 4;

export const impliedLambdaMemoryMB = (peakRssBytes: number, headroom = HEADROOM): number => Math.max(128, Math.ceil((peakRssBytes * headroom) / MiB / 64) * 64);

export async function runMemoryBench(sink: BenchSink = printResult): Promise<void> {
  const storage = await startStorageProcess();
  try {
    // Produce and fetch run in handler processes of their own, as their Lambda functions do,
    // so each function's memory comes from its own peak.
    let handler = await startHandlerProcess(storage, rangeCacheBytes(FUNCTION_DEFAULTS.produce.memorySize));
    let http = new FloeHttpClient(handler.url);
    const topic = `bench-memory-${Date.now()}`;
    await Admin.fromClient(http).createTopic(topic, PARTITIONS);
    // The largest request: PARTITIONS batches just under max.message.bytes, the whole body under maxProduceRequestBytes.
    const batchBytes = Math.min(LIMITS.defaultMaxMessageBytes, Math.floor(LIMITS.maxProduceRequestBytes / PARTITIONS)) - 4096;
    const recordBytes = 16 * 1024;
    const records = Math.floor(batchBytes / (recordBytes + 16));
    const batches = Array.from({ length: PARTITIONS }, (_, p) =>
      encodeRecordBatch({ records: Array.from({ length: records }, (_, i) => ({ key: null, value: Buffer.alloc(recordBytes, (p * 31 + i) & 0xff) })) }),
    );
    const requestBytes = batches.reduce((s, b) => s + b.length, 0);
    const produceStart = await handler.stats();
    let t = performance.now();
    for (let i = 0; i < REQUESTS; i++) {
      const [r] = await produceRaw(http, { acks: -1, timeoutMs: 60_000, topics: [{ topic, partitions: batches.map((records, partition) => ({ partition, records })) }] });
      if (r?.partitions.some((p) => p.errorCode !== 'NONE')) throw new Error('produce failed');
    }
    const produceSeconds = (performance.now() - t) / 1000;
    const produceEnd = await handler.stats();
    await handler.stop();

    // Fetch responses of the maximum size: every partition from the start, 4 MiB per response.
    handler = await startHandlerProcess(storage, rangeCacheBytes(FUNCTION_DEFAULTS.fetch.memorySize));
    http = new FloeHttpClient(handler.url);
    const fetchStart = await handler.stats();
    let fetched = 0;
    let responses = 0;
    t = performance.now();
    const positions = Array.from({ length: PARTITIONS }, () => 0);
    const perBatch = records;
    while (responses < REQUESTS) {
      const [res] = await fetchRaw(http, {
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: LIMITS.maxFetchResponseBytes,
        topics: [{ topic, partitions: positions.map((fetchOffset, partition) => ({ partition, fetchOffset, partitionMaxBytes: LIMITS.maxFetchResponseBytes })) }],
      });
      let bytes = 0;
      res!.partitions.forEach((p, i) => {
        bytes += p.records.length;
        positions[i] = positions[i]! + Math.round(p.records.length / batches[i]!.length) * perBatch;
        if (positions[i]! >= p.highWatermark) positions[i] = 0; // wrap: keep reading full responses
      });
      fetched += bytes;
      responses++;
    }
    const fetchSeconds = (performance.now() - t) / 1000;
    const fetchEnd = await handler.stats();
    await handler.stop();

    const phases = [
      { fn: 'produce' as const, start: produceStart, end: produceEnd, params: { requestBytes }, miBps: (requestBytes * REQUESTS) / MiB / produceSeconds },
      { fn: 'fetch' as const, start: fetchStart, end: fetchEnd, params: { responseBytes: Math.round(fetched / responses) }, miBps: fetched / MiB / fetchSeconds },
    ];
    for (const phase of phases) {
      const configured = FUNCTION_DEFAULTS[phase.fn].memorySize;
      const implied = impliedLambdaMemoryMB(phase.end.maxRss);
      sink({
        name: 'memory.function',
        params: { function: phase.fn, ...phase.params, requests: REQUESTS, cacheBytes: rangeCacheBytes(FUNCTION_DEFAULTS[phase.fn].memorySize), headroom: HEADROOM },
        value: round(phase.end.maxRss / MiB, 1),
        unit: 'MiB peak RSS',
        comparison: { name: `configured Lambda memory (cdk FUNCTION_DEFAULTS.${phase.fn})`, value: configured, unit: 'MB' },
        // configured over implied: 1 is right-sized, above 1 pays for unused memory, below 1 risks running out
        ratio: round(configured / implied, 3),
        impliedLambdaMemoryMB: implied,
        rssAfterStartMiB: round(phase.start.rss / MiB, 1),
        rssAtEndMiB: round(phase.end.rss / MiB, 1),
        heapUsedMiB: round(phase.end.heapUsed / MiB, 1),
        externalMiB: round(phase.end.external / MiB, 1),
        MiBps: round(phase.miBps, 1),
      });
    }
  } finally {
    await storage.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runMemoryBench();
}
