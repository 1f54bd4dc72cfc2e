/**
 * Memory: peak RSS of one handler process (all four functions, default 64 MiB
 * range cache, as a warm Lambda instance keeps it) serving produce requests of the
 * maximum size and fetch responses of the maximum size, one request at a time as
 * a Lambda instance does. The storage runs in another process; the handler in a
 * child process of its own, so its RSS is only the handler's.
 *
 *   npm run bench -- memory    (BENCH_MEMORY_REQUESTS of each kind, default 24)
 *
 * Reports the peak RSS (getrusage maxRSS), the RSS after start-up, and the Lambda
 * memory setting this implies (peak × 1.5 headroom, rounded up to 64 MB), next to
 * the configured memory from the CDK stack's FUNCTION_DEFAULTS.
 */
import { pathToFileURL } from 'node:url';
import { FUNCTION_DEFAULTS } from '../cdk/constructs/floe.js';
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
  const handler = await startHandlerProcess(storage);
  try {
    const http = new FloeHttpClient(handler.url);
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
    const idle = await handler.stats();
    let t = performance.now();
    for (let i = 0; i < REQUESTS; i++) {
      const [r] = await produceRaw(http, { acks: -1, timeoutMs: 60_000, topics: [{ topic, partitions: batches.map((records, partition) => ({ partition, records })) }] });
      if (r?.partitions.some((p) => p.errorCode !== 'NONE')) throw new Error('produce failed');
    }
    const produceSeconds = (performance.now() - t) / 1000;
    const afterProduce = await handler.stats();
    // Fetch responses of the maximum size: every partition from the start, 4 MiB per response.
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
    const end = await handler.stats();
    const configured = FUNCTION_DEFAULTS.produce.memorySize;
    const implied = impliedLambdaMemoryMB(end.maxRss);
    sink({
      name: 'memory.handler',
      params: { produceRequestBytes: requestBytes, fetchResponseBytes: Math.round(fetched / responses), requests: REQUESTS, cacheBytes: 64 * MiB, headroom: HEADROOM },
      value: round(end.maxRss / MiB, 1),
      unit: 'MiB peak RSS',
      comparison: { name: 'configured Lambda memory (cdk FUNCTION_DEFAULTS.produce/fetch)', value: configured, unit: 'MB' },
      ratio: round(end.maxRss / MiB / configured, 3),
      impliedLambdaMemoryMB: implied,
      rssAfterStartMiB: round(idle.rss / MiB, 1),
      rssAfterProduceMiB: round(afterProduce.rss / MiB, 1),
      rssAfterFetchMiB: round(end.rss / MiB, 1),
      peakAfterProduceMiB: round(afterProduce.maxRss / MiB, 1),
      heapUsedMiB: round(end.heapUsed / MiB, 1),
      externalMiB: round(end.external / MiB, 1),
      produceMiBps: round((requestBytes * REQUESTS) / MiB / produceSeconds, 1),
      fetchMiBps: round(fetched / MiB / fetchSeconds, 1),
    });
  } finally {
    await handler.stop();
    await storage.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runMemoryBench();
}
