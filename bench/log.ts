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
import { readHead, shouldSpill } from '../src/log/append.js';
import { LIMITS } from '../src/log/limits.js';
import { locateBatches } from '../src/log/locate.js';
import { encodeRecordBatch } from '../packages/protocol/src/records/record-batch.js';
import { startCluster, type LocalCluster } from '../src/local/cluster.js';
import { ensureStorage, localConfig } from '../src/local/storage.js';
import { newSegmentKey } from '../src/storage/keys.js';
import { MiB, perGiB, printResult, round, type BenchSink } from './lib/report.js';
import { startStorageProcess } from './lib/storage-process.js';
import { envInteger } from '../src/config.js';
import { mapConcurrent } from '../packages/protocol/src/async.js';

const PARTITIONS = 16;
const IN_FLIGHT = 8;
const REQUESTS_PER_ROUND = envInteger(process.env, 'BENCH_LOG_REQUESTS', 48, 1);
const ROUNDS = envInteger(process.env, 'BENCH_LOG_ROUNDS', 3, 1);
const WARMUP_REQUESTS = 8;
const RECORD_BYTES = 1024;
const RECORDS_PER_BATCH = 64; // 64 KiB per partition, 1 MiB per request

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

    const ours = async () => {
      const [result] = await produceRaw(http, {
        acks: -1,
        timeoutMs: 30_000,
        topics: [{ topic, partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, records: batch })) }],
      });
      if (result?.partitions.some((p) => p.errorCode !== 'NONE')) throw new Error('produce failed');
    };
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
        const head = (await readHead(deps, topicMeta.topicId, p))!;
        return locateBatches(deps, topicMeta.topicId, p, head, { fromOffset: 0, maxBytes: Number.MAX_SAFE_INTEGER, forceFirst: true });
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
    raw.s3.destroy();
    raw.dynamo.destroy();
  } finally {
    for (const c of clusters) await c.close();
    await storage.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runLogBench();
}
