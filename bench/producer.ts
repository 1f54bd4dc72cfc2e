/**
 * Producer throughput against the local cluster, next to the raw produce-handler floor.
 *
 *   node bin/run-ts.mjs bench/producer.ts     prints one JSON line per record size
 *
 * For 100-byte and 1 KiB values (null keys, linger.ms 5, other settings Kafka's defaults,
 * idempotence on) the producer sends to a topic of 8 partitions as fast as it accepts
 * records; once its buffer is full (steady state) the records acknowledged in a window of
 * BENCH_PRODUCER_SECONDS are counted, and the produce handler counts requests and body
 * bytes in that window. After each producer round the floor replays requests of that
 * round's shape (batches per request, records per batch, record size) pre-encoded, with
 * the same in-flight limit, through the same handler: what a client with no overhead
 * would get. ratio = producer MiB/s / floor MiB/s (medians of the rounds).
 * requestsPerSecond at the handler is the cost driver (one S3 PUT per request).
 *
 * The cluster (handlers and embedded storage) runs in this process's main thread; both
 * clients run in a worker thread, as a client runs on another machine than Lambda, so
 * the producer's CPU is not taken from the handlers it is measured against.
 */
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { Admin } from '../packages/client/src/admin.js';
import { FloeHttpClient } from '../packages/client/src/http-client.js';
import { allocateProducerId, produceRaw } from '../packages/client/src/log-client.js';
import { Producer } from '../packages/client/src/producer/index.js';
import { batchCrc, CRC_OFFSET } from '../packages/protocol/src/records/batch-header.js';
import { encodeRecordBatch } from '../packages/protocol/src/records/record-batch.js';
import { startCluster } from '../src/local/cluster.js';
import { isProduceRequest } from '../src/faults/handler-faults.js';
import { floorShape } from './lib/floor-shape.js';
import { MiB, perGiB, printResult, round, type BenchSink } from './lib/report.js';
import { sleep } from '../packages/protocol/src/async.js';
import { envInteger } from '../src/config/index.js';

const PARTITIONS = 8;
const LINGER_MS = 5;
const IN_FLIGHT = 5; // the producer's default max.in.flight.requests.per.connection, also the floor's
const SECONDS = envInteger(process.env, 'BENCH_PRODUCER_SECONDS', 3, 1);
const ROUNDS = envInteger(process.env, 'BENCH_PRODUCER_ROUNDS', 3, 1);
/** Time before the measured window: the producer's buffer fills, the floor reaches its in-flight limit. */
const SETTLE_SECONDS = 1;
/** baseSequence in the RecordBatch v2 header (src/log/batch-header.ts) */
const SEQUENCE_OFFSET = 53;

/** One measured window; requests and body bytes are counted at the handler. */
interface Run {
  seconds: number;
  records: number;
  batches: number;
  requests: number;
  bodyBytes: number;
  /** mean number of requests inside the handler */
  concurrency: number;
}

interface Task {
  kind: 'producer' | 'floor';
  bootstrap: string;
  topic: string;
  valueBytes: number;
  /** floor only: the producer round whose request shape it replays */
  shape?: Run;
}

type ClientRun = Pick<Run, 'seconds' | 'records' | 'batches'>;
/** Worker -> main: the measured window opens or closes (the main thread snapshots its handler counters). */
type Mark = { mark: 'start' | 'end' };

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** The measured window: opens SETTLE_SECONDS after `started` (telling the main thread), closes SECONDS later. */
function windowMarks(started: number): { inWindow: (now: number) => boolean; done: (now: number) => boolean } {
  const opens = started + SETTLE_SECONDS * 1000;
  const closes = opens + SECONDS * 1000;
  let opened = false;
  return {
    inWindow(now) {
      if (!opened && now >= opens) {
        opened = true;
        parentPort?.postMessage({ mark: 'start' } satisfies Mark);
      }
      return opened;
    },
    done: (now) => now >= closes,
  };
}

/**
 * Sends null-key records as fast as the producer takes them. Measured: records acknowledged
 * within the window, once the buffer is full (steady state); what is still buffered then is dropped.
 */
async function producerRun(task: Task): Promise<ClientRun> {
  const producer = new Producer({ bootstrap: task.bootstrap, lingerMs: LINGER_MS });
  await producer.partitionsFor(task.topic);
  const value = Buffer.alloc(task.valueBytes, 'x');
  const marks = windowMarks(performance.now());
  let from: { at: number; records: number; batches: number } | undefined;
  for (;;) {
    const now = performance.now();
    if (!from && marks.inWindow(now)) from = { at: now, ...producer.metrics() };
    if (from && marks.done(now)) break;
    for (let i = 0; i < 256; i++) void producer.send({ topic: task.topic, value });
    // Give the sender its turn; wait while the buffer is full.
    if (producer.blocked) await producer.whenUnblocked();
    else await new Promise((resolve) => setImmediate(resolve));
  }
  const to = { at: performance.now(), ...producer.metrics() };
  parentPort?.postMessage({ mark: 'end' } satisfies Mark);
  await producer.close({ timeoutMs: 0 });
  return { seconds: (to.at - from.at) / 1000, records: to.records - from.records, batches: to.batches - from.batches };
}

/**
 * Pre-encoded requests of the producer round's shape, IN_FLIGHT at a time. Each in-flight lane is an
 * idempotent producer of its own (own producer id, per-partition sequences patched into the encoded
 * batch), so the handler does the same idempotent commits as for the producer, while lanes overlap on
 * partitions freely. Measured: requests completed within the window.
 */
async function floorRun(task: Task): Promise<ClientRun> {
  const shape = task.shape as Run;
  const http = new FloeHttpClient(task.bootstrap);
  const { batchesPerRequest, recordsPerBatch } = floorShape(shape, task.valueBytes);
  const records = Array.from({ length: recordsPerBatch }, () => ({ key: null, value: Buffer.alloc(task.valueBytes, 'x') }));
  const marks = windowMarks(performance.now());
  let next = 0;
  let counted = 0;
  let from = 0;
  let to = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      const { producerId, producerEpoch } = await allocateProducerId(http);
      const template = encodeRecordBatch({ records, producerId, producerEpoch, baseSequence: 0 });
      const sequences = new Array<number>(PARTITIONS).fill(0);
      for (;;) {
        const now = performance.now();
        if (!from && marks.inWindow(now)) from = now;
        if (from && marks.done(now)) break;
        // Rotate partitions so concurrent requests touch different heads, as the producer's do.
        const partitions = Array.from({ length: batchesPerRequest }, () => {
          const partition = next++ % PARTITIONS;
          const batch = Buffer.from(template);
          batch.writeInt32BE(sequences[partition]!, SEQUENCE_OFFSET);
          batch.writeUInt32BE(batchCrc(batch), CRC_OFFSET);
          sequences[partition]! += recordsPerBatch;
          return { partition, records: batch };
        });
        const [result] = await produceRaw(http, { acks: -1, timeoutMs: 30_000, topics: [{ topic: task.topic, partitions }] });
        if (result?.partitions.some((p) => p.errorCode !== 'NONE')) throw new Error(`floor produce failed: ${JSON.stringify(result)}`);
        const done = performance.now();
        if (from && !marks.done(done)) counted++;
        else if (from && !to) {
          to = done;
          parentPort?.postMessage({ mark: 'end' } satisfies Mark);
        }
      }
    }),
  );
  return { seconds: ((to || performance.now()) - from) / 1000, records: counted * batchesPerRequest * recordsPerBatch, batches: counted * batchesPerRequest };
}

/** The client side, in the worker thread: runs tasks one at a time. */
function serveTasks(): void {
  parentPort?.on('message', (task: Task) => {
    (task.kind === 'producer' ? producerRun(task) : floorRun(task)).then(
      (run) => parentPort?.postMessage({ run }),
      (error: Error) => parentPort?.postMessage({ error: error.stack ?? error.message }),
    );
  });
}

export async function runProducerBench(sink: BenchSink = printResult): Promise<void> {
  const tap = { requests: 0, bodyBytes: 0, active: 0, busyMs: 0 };
  const cluster = await startCluster({
    wrapHandler: (name, handler) =>
      name !== 'produce'
        ? handler
        : async (event) => {
            if (!isProduceRequest(event)) return handler(event);
            tap.requests++;
            tap.bodyBytes += event.body ? Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : 0;
            tap.active++;
            const started = performance.now();
            try {
              return await handler(event);
            } finally {
              tap.active--;
              tap.busyMs += performance.now() - started;
            }
          },
  });
  // The worker runs this file through tsx, as the main thread does.
  const tsx = import.meta.resolve('tsx/esm/api');
  const worker = new Worker(`import(${JSON.stringify(tsx)}).then((m) => m.register()).then(() => import(${JSON.stringify(import.meta.url)}))`, { eval: true });
  /** Runs a client task; the handler counts cover its measured window. Returns once the handler is idle again. */
  const run = (task: Task): Promise<Run> =>
    new Promise<Run>((resolve, reject) => {
      let start = { ...tap };
      let end = { ...tap };
      const onMessage = (reply: Mark | { run?: ClientRun; error?: string }) => {
        if ('mark' in reply) {
          if (reply.mark === 'start') start = { ...tap };
          else end = { ...tap };
          return;
        }
        worker.off('message', onMessage);
        if (!reply.run) return reject(new Error(`bench client failed: ${reply.error}`));
        const measured = {
          ...reply.run,
          requests: end.requests - start.requests,
          bodyBytes: end.bodyBytes - start.bodyBytes,
          concurrency: (end.busyMs - start.busyMs) / 1000 / reply.run.seconds,
        };
        void (async () => {
          while (tap.active > 0) await sleep(10); // abandoned requests finish before the next round
          resolve(measured);
        })();
      };
      worker.on('message', onMessage);
      worker.postMessage(task);
    });
  try {
    const admin = Admin.fromClient(new FloeHttpClient(cluster.url));
    for (const valueBytes of [100, 1024]) {
      const topic = `bench-producer-${valueBytes}-${Date.now()}`;
      await admin.createTopic(topic, PARTITIONS);
      const base = { bootstrap: cluster.url, topic, valueBytes };
      const ours: Run[] = [];
      const floors: Run[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const producer = await run({ ...base, kind: 'producer' });
        ours.push(producer);
        floors.push(await run({ ...base, kind: 'floor', shape: producer }));
      }
      const mibps = (x: Run) => (x.records * valueBytes) / MiB / x.seconds;
      const oursMiB = median(ours.map(mibps));
      const floorMiB = median(floors.map(mibps));
      const total = (key: keyof Run) => ours.reduce((sum, x) => sum + x[key], 0);
      sink({
        name: 'producer.throughput',
        params: { valueBytes, partitions: PARTITIONS, lingerMs: LINGER_MS, batchSize: 16_384, maxInFlight: IN_FLIGHT, seconds: SECONDS, rounds: ROUNDS },
        value: round(oursMiB, 2),
        unit: 'MiB/s',
        comparison: { name: 'raw produce handler, same request shape, pre-encoded', value: round(floorMiB, 2), unit: 'MiB/s' },
        ratio: round(oursMiB / floorMiB, 3),
        recordsPerSecond: Math.round(median(ours.map((x) => x.records / x.seconds))),
        floorRecordsPerSecond: Math.round(median(floors.map((x) => x.records / x.seconds))),
        requestsPerSecond: round(median(ours.map((x) => x.requests / x.seconds)), 1),
        floorRequestsPerSecond: round(median(floors.map((x) => x.requests / x.seconds)), 1),
        avgRequestBytes: Math.round(total('bodyBytes') / total('requests')),
        batchesPerRequest: round(total('batches') / total('requests'), 2),
        recordsPerBatch: round(total('records') / total('batches'), 1),
        requestsPerGiB: perGiB(total('requests'), total('records') * valueBytes),
        handlerConcurrency: round(median(ours.map((x) => x.concurrency)), 2),
        floorHandlerConcurrency: round(median(floors.map((x) => x.concurrency)), 2),
      });
    }
  } finally {
    await worker.terminate();
    await cluster.close();
  }
}

if (!isMainThread) serveTasks();
else if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await runProducerBench(printResult);
