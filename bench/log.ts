/**
 * Path efficiency of the log: produce and fetch through the Function URL
 * handlers vs the raw S3 + DynamoDB operations they require, side by side in
 * one run on the same stand-ins. Rounds alternate floor / ours; medians are reported.
 *
 *   produce: 1 MiB requests, one 64 KiB batch for each of 16 partitions, 8 in flight.
 *            floor = the storage requests the design needs, issued directly with the SDK: one PutObject
 *            of the same bytes, 16 head UpdateItems of the same shape (list_append, condition, returned
 *            values), and the spill writes at the same rate (one index PutItem + one trim per chunk).
 *            The line also reports the writes per GiB of a plain offset counter, the cheapest possible.
 *   validation: what walking the records at produce costs (issue 13: Kafka's broker validates records,
 *            so does Floe). produce.validation.cpu: CPU per batch of the header check alone vs header
 *            plus the record walk, per codec, for the produce workload's batches (64 x 1 KiB records).
 *            produce.validation.handler: the produce workload with record validation on vs off
 *            (ProduceDeps.validateRecords), alternating rounds: process CPU per MiB and throughput.
 *   producer state (issue 13): write units per idempotent append through the log API (appendBatch,
 *            no S3), as DynamoDB bills them (ReturnConsumedCapacity, dynalite computes it the same way):
 *            one producer appending steadily, then BENCH_PRODUCER_IDS (20,000) distinct producers each
 *            appending once to the same partition (first and last tenth side by side), then the first
 *            producer again. Also the largest head item seen, in bytes.
 *   fetch:   catch-up read of everything produced, 8 readers x 2 partitions, cold cache.
 *            floor = one GetItem per 1 MiB fetched + one ranged GetObject per batch.
 */
import { pathToFileURL } from 'node:url';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createAwsClients } from '../src/aws/clients.js';
import { isDynamoRead, isDynamoWrite, RequestCounter } from '../src/aws/request-counter.js';
import { Admin } from '../packages/client/src/admin.js';
import { FloeHttpClient } from '../packages/client/src/http-client.js';
import { fetchRaw, produceRaw } from '../packages/client/src/log-client.js';
import { appendBatch, readHead, shouldSpill } from '../src/log/append.js';
import { createTopic } from '../src/log/topics.js';
import { CapacityMeter, dynamoItemBytes } from './lib/capacity.js';
import { LIMITS } from '../src/log/limits.js';
import { locateBatches } from '../src/log/locate.js';
import { encodeRecordBatch } from '../packages/protocol/src/records/record-batch.js';
import { COMPRESSION_CODECS, validateBatch } from '../packages/protocol/src/records/batch-header.js';
import { validateRecords } from '../packages/protocol/src/records/validate-records.js';
import { startCluster, type LocalCluster } from '../src/local/cluster.js';
import { ensureStorage, localConfig } from '../src/local/storage.js';
import { newSegmentKey } from '../src/storage/keys.js';
import { MiB, perGiB, printResult, round, type BenchSink } from './lib/report.js';
import { startStorageProcess } from './lib/storage-process.js';
import { envInteger } from '../src/config/index.js';
import { mapConcurrent } from '../packages/protocol/src/async.js';

const PARTITIONS = 16;
const IN_FLIGHT = 8;
const REQUESTS_PER_ROUND = envInteger(process.env, 'BENCH_LOG_REQUESTS', 48, 1);
const ROUNDS = envInteger(process.env, 'BENCH_LOG_ROUNDS', 3, 1);
const WARMUP_REQUESTS = 8;
const RECORD_BYTES = 1024;
const RECORDS_PER_BATCH = 64; // 64 KiB per partition, 1 MiB per request

/** A JSON-like event padded to RECORD_BYTES: compresses about as real events do. */
function textValue(i: number): Buffer {
  let x = (i + 1) * 2654435761;
  const rand = () => ((x = (x * 1103515245 + 12345) % 2147483648), x);
  let s = '';
  while (s.length < RECORD_BYTES) s += `{"user":"u${rand() % 10000}","page":"/p/${rand() % 500}","ms":${rand() % 100000},"ok":${rand() % 2 === 0}}`;
  return Buffer.from(s.slice(0, RECORD_BYTES));
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** `count` tasks, `workers` at a time. */
const inParallel = async (count: number, workers: number, task: (i: number) => Promise<void>): Promise<void> => {
  await mapConcurrent(Array.from({ length: count }, (_, i) => i), workers, (i) => task(i));
};

export async function runLogBench(sink: BenchSink = printResult): Promise<void> {
  const storage = await startStorageProcess();
  const clusters: LocalCluster[] = [];
  try {
    const config = localConfig(storage);
    await ensureStorage(config);
    const raw = createAwsClients(config);
    const rawDynamo = new RequestCounter().attach(raw.dynamo);
    const rawS3 = new RequestCounter().attach(raw.s3);

    const cluster = await startCluster({ storage });
    clusters.push(cluster);
    const ourDynamo = new RequestCounter().attach(cluster.deps!.clients.dynamo);
    const http = new FloeHttpClient(cluster.url);
    const topic = `bench-${Date.now()}`;
    await Admin.fromClient(http).createTopic(topic, PARTITIONS);

    const batch = encodeRecordBatch({
      records: Array.from({ length: RECORDS_PER_BATCH }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.alloc(RECORD_BYTES, i) })),
    });
    const requestBytes = batch.length * PARTITIONS;
    const floorItems = Array.from({ length: PARTITIONS }, (_, p) => ({ pk: `bench-floor#${topic}#${p}`, sk: 'head' }));
    await Promise.all(
      floorItems.map((Item) => raw.dynamo.send(new PutCommand({ TableName: config.logTable, Item: { ...Item, nextOffset: 0, recentBase: 0, recent: [] } }))),
    );
    const floorBody = Buffer.alloc(requestBytes, 7);

    const produceTo = (to: string, records: Buffer) => async () => {
      const [result] = await produceRaw(http, {
        acks: -1,
        timeoutMs: 30_000,
        topics: [{ topic: to, partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, records })) }],
      });
      if (result?.partitions.some((p) => p.errorCode !== 'NONE')) throw new Error('produce failed');
    };
    const ours = produceTo(topic, batch);
    const floorLocation = { k: newSegmentKey(), s: 0, l: batch.length, n: RECORDS_PER_BATCH, t: Date.now(), a: Date.now() };
    const floor = async () => {
      await raw.s3.send(new PutObjectCommand({ Bucket: config.bucket, Key: newSegmentKey(), Body: floorBody, ContentLength: floorBody.length }));
      await Promise.all(
        floorItems.map(async (Key) => {
          const result = await raw.dynamo.send(
            new UpdateCommand({
              TableName: config.logTable,
              Key,
              UpdateExpression: 'SET nextOffset = nextOffset + :n, recent = list_append(recent, :loc)',
              ConditionExpression: 'attribute_exists(nextOffset)',
              ExpressionAttributeValues: { ':n': RECORDS_PER_BATCH, ':loc': [floorLocation] },
              ReturnValues: 'UPDATED_NEW',
            }),
          );
          const attrs = result.Attributes as { nextOffset: number; recent: unknown[] };
          if (!shouldSpill(attrs.recent.length)) return;
          const chunk = LIMITS.spillChunkBatches;
          const base = attrs.nextOffset - attrs.recent.length * RECORDS_PER_BATCH;
          await raw.dynamo.send(
            new PutCommand({
              TableName: config.logTable,
              Item: { pk: Key.pk, sk: `i#${base + chunk * RECORDS_PER_BATCH - 1}`, base, entries: attrs.recent.slice(0, chunk) },
            }),
          );
          await raw.dynamo
            .send(
              new UpdateCommand({
                TableName: config.logTable,
                Key,
                UpdateExpression: `SET recentBase = :nb REMOVE ${Array.from({ length: chunk }, (_, i) => `recent[${chunk - 1 - i}]`).join(', ')}`,
                ConditionExpression: 'recentBase = :b',
                ExpressionAttributeValues: { ':b': base, ':nb': base + chunk * RECORDS_PER_BATCH },
              }),
            )
            .catch(() => undefined);
        }),
      );
    };
    const counter = async () => {
      await Promise.all(
        floorItems.map((Key) =>
          raw.dynamo.send(
            new UpdateCommand({ TableName: config.logTable, Key: { ...Key, sk: 'counter' }, UpdateExpression: 'ADD nextOffset :n', ExpressionAttributeValues: { ':n': RECORDS_PER_BATCH } }),
          ),
        ),
      );
    };

    // Warm up both paths (connections, JIT).
    await inParallel(WARMUP_REQUESTS, IN_FLIGHT, ours);
    await inParallel(WARMUP_REQUESTS, IN_FLIGHT, floor);
    rawDynamo.reset();
    await inParallel(REQUESTS_PER_ROUND, IN_FLIGHT, counter);
    const counterWritesPerRequest = rawDynamo.total(isDynamoWrite) / REQUESTS_PER_ROUND;
    const s3PutsBefore = cluster.deps!.s3.stats.puts;
    rawDynamo.reset();
    rawS3.reset();
    ourDynamo.reset();

    const oursRates: number[] = [];
    const floorRates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      let t = performance.now();
      await inParallel(REQUESTS_PER_ROUND, IN_FLIGHT, floor);
      floorRates.push((REQUESTS_PER_ROUND * requestBytes) / MiB / ((performance.now() - t) / 1000));
      t = performance.now();
      await inParallel(REQUESTS_PER_ROUND, IN_FLIGHT, ours);
      oursRates.push((REQUESTS_PER_ROUND * requestBytes) / MiB / ((performance.now() - t) / 1000));
    }
    const producedBytes = ROUNDS * REQUESTS_PER_ROUND * requestBytes;
    sink({
      name: 'produce.handler',
      params: { requestBytes, partitionsPerRequest: PARTITIONS, inFlight: IN_FLIGHT, requests: ROUNDS * REQUESTS_PER_ROUND, rounds: ROUNDS },
      value: round(median(oursRates), 1),
      unit: 'MiB/s',
      comparison: { name: 'the same S3 and DynamoDB requests issued directly', value: round(median(floorRates), 1), unit: 'MiB/s' },
      ratio: round(median(oursRates) / median(floorRates), 3),
      s3PutsPerGiB: perGiB(cluster.deps!.s3.stats.puts - s3PutsBefore, producedBytes),
      dynamoWritesPerGiB: perGiB(ourDynamo.total(isDynamoWrite), producedBytes),
      dynamoReadsPerGiB: perGiB(ourDynamo.total(isDynamoRead), producedBytes),
      floorS3PutsPerGiB: perGiB(rawS3.total((c) => c === 'PutObjectCommand'), producedBytes),
      floorDynamoWritesPerGiB: perGiB(rawDynamo.total(isDynamoWrite), producedBytes),
      counterOnlyDynamoWritesPerGiB: perGiB(counterWritesPerRequest * ROUNDS * REQUESTS_PER_ROUND, producedBytes),
    });

    // Record validation: the same workload (text-like records, as compressible as JSON events) with the
    // record walk on and off, alternating rounds, on a topic of its own.
    const validationTopic = `${topic}-validation`;
    await Admin.fromClient(http).createTopic(validationTopic, PARTITIONS);
    const shape = Array.from({ length: RECORDS_PER_BATCH }, (_, i) => ({ key: Buffer.from(`user-${i % 13}`), value: textValue(i) }));
    const validationCodec = (process.env.BENCH_VALIDATION_CODEC ?? 'lz4') as (typeof COMPRESSION_CODECS)[number];
    const oursValidated = produceTo(validationTopic, encodeRecordBatch({ records: shape, compression: validationCodec }));
    const cpuMs = (since: NodeJS.CpuUsage): number => {
      const used = process.cpuUsage(since);
      return (used.user + used.system) / 1000;
    };
    const validation = { on: { cpu: [] as number[], rate: [] as number[] }, off: { cpu: [] as number[], rate: [] as number[] } };
    for (let r = 0; r < ROUNDS * 2; r++) {
      const mode = r % 2 === 0 ? 'off' : 'on';
      cluster.deps!.validateRecords = mode === 'on';
      const started = performance.now();
      const cpu = process.cpuUsage();
      await inParallel(REQUESTS_PER_ROUND, IN_FLIGHT, oursValidated);
      const mib = (REQUESTS_PER_ROUND * RECORDS_PER_BATCH * RECORD_BYTES * PARTITIONS) / MiB;
      validation[mode].cpu.push(cpuMs(cpu) / mib);
      validation[mode].rate.push(mib / ((performance.now() - started) / 1000));
    }
    cluster.deps!.validateRecords = true;
    const cpuOn = median(validation.on.cpu);
    const cpuOff = median(validation.off.cpu);
    sink({
      name: 'produce.validation.handler',
      params: { partitionsPerRequest: PARTITIONS, recordsPerBatch: RECORDS_PER_BATCH, recordBytes: RECORD_BYTES, compression: validationCodec, rounds: ROUNDS },
      value: round(cpuOn, 2),
      unit: 'CPU ms per MiB of records produced (validation on)',
      comparison: { name: 'the same workload with record validation off', value: round(cpuOff, 2), unit: 'CPU ms per MiB produced' },
      ratio: round(cpuOn / cpuOff, 3),
      throughputOn: round(median(validation.on.rate), 1),
      throughputOff: round(median(validation.off.rate), 1),
      note: 'process CPU of the bench process (client encoding + in-process handlers); storage runs in its own process',
    });
    const ITERATIONS = Number(process.env.BENCH_VALIDATION_ITERATIONS ?? 300);
    for (const compression of COMPRESSION_CODECS) {
      const b = encodeRecordBatch({ records: shape, compression });
      const time = (f: () => void): number => {
        for (let i = 0; i < 20; i++) f(); // warm up
        const cpu = process.cpuUsage();
        for (let i = 0; i < ITERATIONS; i++) f();
        return (cpuMs(cpu) * 1000) / ITERATIONS;
      };
      const headerOnly = time(() => validateBatch(b));
      const full = time(() => validateRecords(b, validateBatch(b), 4 * MiB));
      const uncompressedBytes = RECORDS_PER_BATCH * (RECORD_BYTES + 8);
      sink({
        name: 'produce.validation.cpu',
        params: { compression, recordsPerBatch: RECORDS_PER_BATCH, recordBytes: RECORD_BYTES, batchBytes: b.length, iterations: ITERATIONS },
        value: round(full, 1),
        unit: 'µs CPU per batch (header + CRC + decompression + record walk)',
        comparison: { name: 'header + CRC only (before issue 13)', value: round(headerOnly, 1), unit: 'µs CPU per batch' },
        ratio: round(full / headerOnly, 2),
        walkMiBPerCpuSecond: round(uncompressedBytes / MiB / ((full - headerOnly) / 1e6), 0),
      });
    }

    // Catch-up read with a cold cache: a second cluster that caches nothing.
    const reader = await startCluster({ storage, config: { cacheBytes: 0 } });
    clusters.push(reader);
    const readerDynamo = new RequestCounter().attach(reader.deps!.clients.dynamo);
    const readerHttp = new FloeHttpClient(reader.url);
    const totalMessages = ROUNDS * REQUESTS_PER_ROUND + WARMUP_REQUESTS;
    const readers = Array.from({ length: IN_FLIGHT }, (_, r) => [2 * r, 2 * r + 1]);

    const oursRead = async (): Promise<number> => {
      let bytes = 0;
      await Promise.all(
        readers.map(async (partitions) => {
          const positions = partitions.map(() => 0);
          for (;;) {
            const [t] = await fetchRaw(readerHttp, {
              maxWaitMs: 0,
              minBytes: 0,
              maxBytes: 4 * MiB,
              topics: [{ topic, partitions: partitions.map((partition, i) => ({ partition, fetchOffset: positions[i]!, partitionMaxBytes: MiB })) }],
            });
            let progressed = false;
            t!.partitions.forEach((p, i) => {
              if (p.records.length === 0) return;
              bytes += p.records.length;
              positions[i] = Math.min(p.highWatermark, positions[i]! + (p.records.length / batch.length) * RECORDS_PER_BATCH);
              progressed = true;
            });
            if (!progressed) return;
          }
        }),
      );
      return bytes;
    };

    // The floor's plan: every batch location, read from DynamoDB once, untimed.
    const deps = reader.deps!;
    const topicMeta = (await deps.resolveTopic(topic))!;
    const plans = await Promise.all(
      Array.from({ length: PARTITIONS }, async (_, p) => {
        const head = (await readHead(deps, { topicId: topicMeta.topicId }, p))!;
        return locateBatches(deps, topicMeta, p, head, { fromOffset: 0, maxBytes: Number.MAX_SAFE_INTEGER, forceFirst: true });
      }),
    );
    if (plans.some((plan) => plan.length !== totalMessages)) throw new Error('unexpected batch count');
    const floorRead = async (): Promise<number> => {
      let bytes = 0;
      await Promise.all(
        readers.map(async (partitions) => {
          for (const p of partitions) {
            const plan = plans[p]!;
            for (let i = 0; i < plan.length; i++) {
              if (i % Math.floor(MiB / batch.length) === 0) {
                await raw.dynamo.send(new GetCommand({ TableName: config.logTable, Key: floorItems[p]!, ConsistentRead: true }));
              }
              const b = plan[i]!;
              const out = await raw.s3.send(new GetObjectCommand({ Bucket: config.bucket, Key: b.k, Range: `bytes=${b.s}-${b.s + b.l - 1}` }));
              bytes += (await out.Body!.transformToByteArray()).length;
            }
          }
        }),
      );
      return bytes;
    };

    const readRates: number[] = [];
    const floorReadRates: number[] = [];
    const getsBefore = deps.s3.stats.gets;
    readerDynamo.reset();
    rawS3.reset();
    rawDynamo.reset();
    let readBytes = 0;
    let floorBytes = 0;
    for (let round = 0; round < ROUNDS; round++) {
      let t = performance.now();
      const fb = await floorRead();
      floorBytes += fb;
      floorReadRates.push(fb / MiB / ((performance.now() - t) / 1000));
      t = performance.now();
      const ob = await oursRead();
      readBytes += ob;
      readRates.push(ob / MiB / ((performance.now() - t) / 1000));
    }
    sink({
      name: 'fetch.catchup',
      params: { bytesPerRound: readBytes / ROUNDS, readers: readers.length, partitionsPerReader: 2, partitionMaxBytes: MiB, cache: 'cold', rounds: ROUNDS },
      value: round(median(readRates), 1),
      unit: 'MiB/s',
      comparison: { name: 'raw DynamoDB GetItem + ranged S3 GetObject floor', value: round(median(floorReadRates), 1), unit: 'MiB/s' },
      ratio: round(median(readRates) / median(floorReadRates), 3),
      s3GetsPerGiB: perGiB(deps.s3.stats.gets - getsBefore, readBytes),
      dynamoReadsPerGiB: perGiB(readerDynamo.total(isDynamoRead), readBytes),
      floorS3GetsPerGiB: perGiB(rawS3.total((c) => c === 'GetObjectCommand'), floorBytes),
      floorDynamoReadsPerGiB: perGiB(rawDynamo.total(isDynamoRead), floorBytes),
    });
    await producerStateBench(config, sink);
    raw.s3.destroy();
    raw.dynamo.destroy();
  } finally {
    for (const c of clusters) await c.close();
    await storage.stop();
  }
}

/** Write units per idempotent append with one producer vs many distinct producers on one partition. */
async function producerStateBench(config: ReturnType<typeof localConfig>, sink: BenchSink): Promise<void> {
  const clients = createAwsClients(config);
  const meter = new CapacityMeter().attach(clients.dynamo);
  const deps = { dynamo: clients.dynamo, logTable: config.logTable, store: undefined as never };
  const crowdSize = Number(process.env.BENCH_PRODUCER_IDS ?? 20_000);
  const topic = await createTopic(deps, `bench-producers-${Date.now()}`, 1);
  let largestHead = 0;
  const headBytes = async () => {
    const head = await readHead(deps, { topicId: topic.topicId }, 0);
    largestHead = Math.max(largestHead, head ? dynamoItemBytes(head as unknown as Record<string, unknown>) : 0);
  };
  const location = () => ({ k: newSegmentKey(), s: 0, l: 1100, n: 1, t: Date.now(), a: Date.now() });
  const append = (producerId: string, first: number) =>
    appendBatch(deps, topic.topicId, 0, location(), { producerId, epoch: 0, first, last: first, recentlyIssued: true });
  const units = async (task: () => Promise<void>, appends: number) => {
    const before = meter.snapshot();
    await task();
    await new Promise((r) => setTimeout(r, 100)); // background spills
    const after = meter.snapshot();
    return { perAppend: round((after.writeUnits - before.writeUnits) / appends, 3), writesPerAppend: round((after.writeRequests - before.writeRequests) / appends, 3) };
  };
  const STEADY = 400;
  const steady = async (producerId: string, from: number) => {
    for (let seq = from; seq < from + STEADY; seq++) {
      await append(producerId, seq);
      if (seq % 50 === 0) await headBytes();
    }
  };
  const one = await units(() => steady('1', 0), STEADY);
  const ids = Array.from({ length: crowdSize }, (_, i) => String(1_000_000 + i));
  const tenth = Math.max(1, Math.floor(crowdSize / 10));
  const crowdPhase = async (list: string[]) =>
    units(async () => {
      await inParallel(list.length, 4, async (i) => {
        await append(list[i]!, 0);
        if (i % 500 === 0) await headBytes();
      });
    }, list.length);
  const early = await crowdPhase(ids.slice(0, tenth));
  await crowdPhase(ids.slice(tenth, crowdSize - tenth));
  const late = await crowdPhase(ids.slice(crowdSize - tenth));
  await headBytes();
  await append('1', STEADY); // producer 1 comes back: re-admitted once
  const after = await units(() => steady('1', STEADY + 1), STEADY);
  sink({
    name: 'produce.producerState',
    params: { producers: 1, appends: STEADY },
    value: one.perAppend,
    unit: 'write units per append (head write + amortized spill)',
    writesPerAppend: one.writesPerAppend,
  });
  sink({
    name: 'produce.producerState',
    params: { producers: crowdSize, appendsPerProducer: 1 },
    value: late.perAppend,
    unit: 'write units per append, last tenth of the producers (admission + demotion of the least recently active + amortized spill)',
    comparison: { name: 'first tenth of the producers', value: early.perAppend, unit: 'write units per append' },
    ratio: round(late.perAppend / early.perAppend, 3),
    writesPerAppend: late.writesPerAppend,
    steadyProducerAfterwards: after.perAppend,
    steadyProducerBefore: one.perAppend,
    largestHeadBytes: largestHead,
    largestHeadWriteUnits: Math.ceil(largestHead / 1024),
  });
  clients.dynamo.destroy();
  clients.s3.destroy();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runLogBench();
}
