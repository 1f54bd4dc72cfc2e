/**
 * Retention by time and by bytes (Kafka's retention.ms / retention.bytes): the log start
 * offset moves past expired batches, fetch below it answers OFFSET_OUT_OF_RANGE, ListOffsets
 * earliest reflects it, index chunks below it go, and a segment object is deleted only when no
 * live batch of any partition references it. Also: what a deleted topic leaves is cleaned up.
 */
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { fetchRaw, produceRaw } from '../../packages/client/src/log-client.js';
import type { HousekeepingProcessDeps } from '../../src/handlers/housekeeping-deps.js';
import { fetchRecords } from '../../src/log/fetch.js';
import { addPartitions } from '../../src/log/topics.js';
import { readHead, spill } from '../../src/log/append.js';
import { listOffset } from '../../src/log/list-offsets.js';
import { runHousekeeping, type HousekeepingOptions } from '../../src/housekeeping/housekeeping.js';
import { startCluster, type LocalCluster } from '../../src/local/cluster.js';
import { logKeys } from '../../src/storage/keys.js';
import { uniqueName } from '../helpers/cluster.js';
import { housekeepingDepsOn, segmentKeys, startOwnStorage, type OwnStorage } from '../helpers/housekeeping.js';
import { batchOf, produceValues, readPartition, values } from '../helpers/log.js';
import { sleep } from '../../packages/protocol/src/async.js';

const HOUR = 60 * 60 * 1000;
let storage: OwnStorage;
let cluster: LocalCluster;
let http: FloeHttpClient;
let admin: Admin;
let deps: HousekeepingProcessDeps;

/** Sweeps that must collect pass a tiny grace: objects then go on the second pass after they become unreferenced. */
const housekeep = (options: HousekeepingOptions = {}) =>
  runHousekeeping(deps, { ...options, settings: { graceMs: 60_000, leaseMs: 10_000, ...options.settings } });

async function fetchAt(topic: string, offset: number) {
  const [t] = await fetchRaw(http, {
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1024 * 1024,
    topics: [{ topic, partitions: [{ partition: 0, fetchOffset: offset, partitionMaxBytes: 1024 * 1024 }] }],
  });
  return t!.partitions[0]!;
}

async function itemsUnder(pk: string): Promise<string[]> {
  const page = await deps.dynamo.send(
    new QueryCommand({ TableName: cluster.config.logTable, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true }),
  );
  return (page.Items ?? []).map((i) => i.sk as string);
}

beforeAll(async () => {
  storage = await startOwnStorage();
  cluster = await startCluster({ storage });
  http = new FloeHttpClient(cluster.url);
  admin = Admin.fromClient(http);
  deps = housekeepingDepsOn(storage);
});
afterAll(async () => {
  await cluster?.close();
  deps?.clients.s3.destroy();
  deps?.clients.dynamo.destroy();
  await storage?.stop();
});

describe('retention', () => {
  it('by time: the log start moves past batches older than retention.ms; fetch below it is out of range; earliest follows', async () => {
    // Prepare: 20 batches two hours old (spilled to index chunks), then 5 fresh ones
    const topic = uniqueName('ret-time');
    const { topicId } = await admin.createTopic(topic, 1, { 'retention.ms': HOUR });
    const old = Date.now() - 2 * HOUR;
    for (let i = 0; i < 20; i++) await produceValues(http, topic, 0, [`old-${i}`], { now: old + i });
    for (let i = 0; i < 5; i++) await produceValues(http, topic, 0, [`new-${i}`]);
    const chunksBefore = (await itemsUnder(logKeys.partitionPk(topicId, 0))).filter((sk) => sk.startsWith('i#'));

    // Act
    const summary = await housekeep({ topics: [topic], sweep: false });

    // Assess
    expect(summary).toMatchObject({ logStartAdvances: 1, errors: [] });
    expect(summary.indexChunksDeleted).toBeGreaterThan(0);
    const [earliest] = await admin.listOffsets(topic, [0], 'earliest');
    const [latest] = await admin.listOffsets(topic, [0], 'latest');
    const [byOldTime] = await admin.listOffsets(topic, [0], old - HOUR);
    expect(earliest?.offset).toBe(20);
    expect(latest?.offset).toBe(25);
    expect(byOldTime?.offset).toBe(20); // nothing before the log start is found by time either
    const below = await fetchAt(topic, 5);
    expect(below).toMatchObject({ errorCode: 'OFFSET_OUT_OF_RANGE', logStartOffset: 20, highWatermark: 25 });
    expect(values(await readPartition(http, topic, 0, 20))).toEqual(['new-0', 'new-1', 'new-2', 'new-3', 'new-4']);
    const chunksAfter = (await itemsUnder(logKeys.partitionPk(topicId, 0))).filter((sk) => sk.startsWith('i#'));
    expect(chunksBefore.length).toBeGreaterThan(0);
    expect(chunksAfter.every((sk) => Number(sk.slice(2)) >= 20)).toBe(true); // chunks wholly below the log start are gone
    expect((await admin.describeTopic(topic)).partitionDetails[0]).toMatchObject({ logStartOffset: 20, highWatermark: 25 });
    expect(await produceValues(http, topic, 0, ['after'])).toMatchObject({ errorCode: 'NONE', baseOffset: 25, logStartOffset: 20 }); // as Kafka's Produce v5+
  });

  it('a fetch that read the head just before retention deleted the chunks it needs answers OFFSET_OUT_OF_RANGE, never a skip', async () => {
    // Prepare: 20 expired batches in index chunks and 4 fresh ones; the fetch's head read triggers a housekeeping pass
    const topic = uniqueName('ret-race');
    await admin.createTopic(topic, 1, { 'retention.ms': HOUR });
    const old = Date.now() - 2 * HOUR;
    for (let i = 0; i < 20; i++) await produceValues(http, topic, 0, [`old-${i}`], { now: old });
    for (let i = 0; i < 4; i++) await produceValues(http, topic, 0, [`new-${i}`]);
    const real = cluster.deps!.dynamo;
    let raced = false;
    const racing = new Proxy(real, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return async (command: unknown) => {
          const result = await target.send(command as never);
          if (!raced && command instanceof GetCommand && command.input.Key?.sk === 'head') {
            raced = true;
            await housekeep({ topics: [topic], sweep: false }); // lands between the head read and the index Query
          }
          return result;
        };
      },
    }) as DynamoDBDocumentClient;

    // Act
    const [t] = await fetchRecords(
      { ...cluster.deps!, dynamo: racing },
      { maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 3, partitionMaxBytes: 1 << 20 }] }] },
    );

    // Assess
    expect(raced).toBe(true);
    expect(t?.partitions[0]).toMatchObject({ errorCode: 'OFFSET_OUT_OF_RANGE', logStartOffset: 20, highWatermark: 24 });
    expect(t?.partitions[0]?.records).toHaveLength(0);
  });

  it('an offset lookup by time that read the head just before retention deleted the chunks answers from the new log start', async () => {
    // Prepare: 20 expired batches in index chunks and 4 fresh ones; the lookup's head read triggers a housekeeping pass
    const topic = uniqueName('ret-race-time');
    await admin.createTopic(topic, 1, { 'retention.ms': HOUR });
    const old = Date.now() - 2 * HOUR;
    for (let i = 0; i < 20; i++) await produceValues(http, topic, 0, [`old-${i}`], { now: old + i });
    for (let i = 0; i < 4; i++) await produceValues(http, topic, 0, [`new-${i}`]);
    const real = cluster.deps!.dynamo;
    let raced = false;
    const racing = new Proxy(real, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return async (command: unknown) => {
          const result = await target.send(command as never);
          if (!raced && command instanceof GetCommand && command.input.Key?.sk === 'head') {
            raced = true;
            await housekeep({ topics: [topic], sweep: false }); // lands between the head read and the index Query
          }
          return result;
        };
      },
    }) as DynamoDBDocumentClient;

    // Act
    const found = await listOffset({ ...cluster.deps!, dynamo: racing }, topic, 0, old);

    // Assess: Kafka's answer for a time before the log start, the first offset kept
    expect(raced).toBe(true);
    expect(found).toMatchObject({ errorCode: 'NONE', offset: 20 });
  });

  it('by bytes: the oldest batches go while what remains stays at least retention.bytes', async () => {
    // Prepare: 12 batches of equal size, a limit of three and a half batches
    const topic = uniqueName('ret-bytes');
    const size = batchOf(['x'.repeat(100)]).length;
    await admin.createTopic(topic, 1, { 'retention.bytes': Math.floor(size * 3.5) });
    for (let i = 0; i < 12; i++) await produceValues(http, topic, 0, [`${i}`.padStart(100, '-')]);

    // Act
    const first = await housekeep({ topics: [topic], sweep: false });
    const again = await housekeep({ topics: [topic], sweep: false });

    // Assess: 4 batches kept (3 would be under the limit), and a second pass changes nothing
    expect(first).toMatchObject({ logStartAdvances: 1, errors: [] });
    expect(again.logStartAdvances).toBe(0);
    expect((await admin.listOffsets(topic, [0], 'earliest'))[0]?.offset).toBe(8);
    expect((await fetchAt(topic, 7)).errorCode).toBe('OFFSET_OUT_OF_RANGE');
    expect((await readPartition(http, topic, 0, 8)).map((r) => r.offset)).toEqual([8, 9, 10, 11]);
  });

  it('retention.ms=0 and retention.bytes=0 (Kafka\'s way to purge a topic) are accepted and empty the partition on the next pass', async () => {
    // Prepare: two topics of 5 batches; one altered to retention.ms 0, one created with retention.bytes 0
    const byTime = uniqueName('ret-zero-ms');
    const byBytes = uniqueName('ret-zero-bytes');
    await admin.createTopic(byTime, 1);
    await admin.createTopic(byBytes, 1, { 'retention.bytes': 0 });
    for (let i = 0; i < 5; i++) {
      await produceValues(http, byTime, 0, [`t-${i}`], { now: Date.now() - 1000 });
      await produceValues(http, byBytes, 0, [`b-${i}`]);
    }
    const altered = await http.callJson<{ configs: Record<string, unknown> }>('admin', 'PUT', `/v1/topics/${byTime}/configs`, { configs: { 'retention.ms': 0 } });

    // Act
    const summary = await housekeep({ topics: [byTime, byBytes], sweep: false });

    // Assess: the log start reaches the high watermark in both; the next record is read from there
    expect(altered.configs['retention.ms']).toBe(0);
    expect(summary).toMatchObject({ logStartAdvances: 2, errors: [] });
    for (const topic of [byTime, byBytes]) {
      expect((await admin.listOffsets(topic, [0], 'earliest'))[0]?.offset).toBe(5);
      expect((await fetchAt(topic, 4)).errorCode).toBe('OFFSET_OUT_OF_RANGE');
    }
  });

  it('an expired object is deleted only when no live batch of another partition still references it', async () => {
    // Prepare: "short" keeps 1 hour and gets old records, "long" keeps everything; half the requests carry both
    const short = uniqueName('ret-short');
    const long = uniqueName('ret-long');
    await admin.createTopic(short, 1, { 'retention.ms': HOUR });
    await admin.createTopic(long, 1);
    const old = Date.now() - 2 * HOUR;
    const shared: string[] = [];
    const shortOnly: string[] = [];
    for (let i = 0; i < 6; i++) {
      const before = new Set(await segmentKeys(deps));
      const both = i % 2 === 0;
      const [result] = await produceRaw(http, {
        acks: -1,
        timeoutMs: 10_000,
        topics: [
          { topic: short, partitions: [{ partition: 0, records: batchOf([`s${i}`], { now: old }) }] },
          ...(both ? [{ topic: long, partitions: [{ partition: 0, records: batchOf([`l${i}`]) }] }] : []),
        ],
      });
      expect(result?.partitions[0]?.errorCode).toBe('NONE');
      const [key] = (await segmentKeys(deps)).filter((k) => !before.has(k));
      (both ? shared : shortOnly).push(key!);
    }
    const objectsBefore = await segmentKeys(deps);

    // Act: retention, then sweeps until collected (first sighting, then deletion after the grace)
    await housekeep({ topics: [short, long], settings: { graceMs: 1 } });
    await sleep(5);
    const second = await housekeep({ topics: [short, long], settings: { graceMs: 1 } });
    const objectsAfter = await segmentKeys(deps);

    // Assess
    expect((await admin.listOffsets(short, [0], 'earliest'))[0]?.offset).toBe(6);
    expect(second).toMatchObject({ errors: [] });
    expect(second.objectsReclaimed).toBeGreaterThanOrEqual(3);
    for (const key of shared) expect(objectsAfter).toContain(key); // still referenced by "long"
    for (const key of shortOnly) expect(objectsAfter).not.toContain(key);
    expect(objectsBefore.length).toBeGreaterThan(objectsAfter.length);
    expect(values(await readPartition(http, long, 0))).toEqual(['l0', 'l2', 'l4']);
    expect(await fetchAt(short, 6)).toMatchObject({ errorCode: 'NONE', records: Buffer.alloc(0) });
  });
});

describe('deleted topics', () => {
  it('leave nothing behind: index chunks, the housekeeping record and their objects are collected', async () => {
    // Prepare: a topic with spilled index chunks that housekeeping has seen
    const topic = uniqueName('doomed');
    const { topicId } = await admin.createTopic(topic, 2);
    for (let i = 0; i < 14; i++) await produceValues(http, topic, i % 2, [`v${i}`]);
    await housekeep({ topics: [topic] });
    const objects = await segmentKeys(deps);
    const keysOfTopic = new Set((await itemsUnder(logKeys.partitionPk(topicId, 0))).concat(await itemsUnder(logKeys.partitionPk(topicId, 1))));

    // Act
    await admin.deleteTopic(topic);
    const first = await housekeep({ topics: [], settings: { graceMs: 1 } });
    await sleep(5);
    const second = await housekeep({ topics: [], settings: { graceMs: 1 } });

    // Assess
    expect(keysOfTopic.size).toBeGreaterThan(0);
    expect(first).toMatchObject({ deletedTopicsCleaned: 1, errors: [] });
    expect(second.deletedTopicsCleaned).toBe(0);
    expect(await itemsUnder(logKeys.partitionPk(topicId, 0))).toEqual([]);
    expect(await itemsUnder(logKeys.partitionPk(topicId, 1))).toEqual([]);
    expect(await itemsUnder(logKeys.knownTopicsPk)).not.toContain(topicId);
    const remaining = await segmentKeys(deps);
    expect(objects.length - remaining.length).toBeGreaterThanOrEqual(7);
  });

  it('leave nothing behind in partitions added since housekeeping last saw the topic, nor in a topic it never saw', async () => {
    // Prepare: a topic seen with 1 partition, then grown to 2 with chunks in the new one; another never seen
    const grown = uniqueName('grown');
    const unseen = uniqueName('unseen');
    const { topicId: grownId } = await admin.createTopic(grown, 1);
    await housekeep({ topics: [grown] });
    await admin.createPartitions(grown, 2);
    const { topicId: unseenId } = await admin.createTopic(unseen, 1);
    for (let i = 0; i < 16; i++) {
      await produceValues(http, grown, 1, [`g${i}`]);
      await produceValues(http, unseen, 0, [`u${i}`]);
    }
    await sleep(300); // spills run after the acknowledgement
    const before = [await itemsUnder(logKeys.partitionPk(grownId, 1)), await itemsUnder(logKeys.partitionPk(unseenId, 0))];

    // Act
    await admin.deleteTopic(grown);
    await admin.deleteTopic(unseen);
    const cleaned = await housekeep({ topics: [] });

    // Assess
    expect(before.map((items) => items.length > 0)).toEqual([true, true]);
    expect(cleaned.errors).toEqual([]);
    expect(await itemsUnder(logKeys.partitionPk(grownId, 1))).toEqual([]);
    expect(await itemsUnder(logKeys.partitionPk(unseenId, 0))).toEqual([]);
    expect(await itemsUnder(logKeys.knownTopicsPk)).not.toEqual(expect.arrayContaining([grownId]));
  });

  it('a spill that stalled past the delete of its topic and the cleanup leaves no index chunk behind', async () => {
    // Prepare: a head with 8 inline batches, as an appender read it before its spill stalled (frozen with its Lambda, say)
    const topic = uniqueName('latespill');
    const { topicId } = await admin.createTopic(topic, 1);
    for (let i = 0; i < 8; i++) await produceValues(http, topic, 0, [`v${i}`]);
    const head = (await readHead(deps, { topicId }, 0))!;

    // Act: the topic is deleted and housekeeping cleans up; then the stalled spill goes on; then housekeeping runs again
    await admin.deleteTopic(topic);
    await housekeep({ topics: [] });
    await spill(deps, topicId, 0, head.recentBase, head.recent);
    await housekeep({ topics: [] });

    // Assess
    expect(head.recent).toHaveLength(8);
    expect(await itemsUnder(logKeys.partitionPk(topicId, 0))).toEqual([]);
  });

  it('an add of partitions that a delete overtakes leaves no head behind once housekeeping cleaned up', async () => {
    // Prepare: the add reads the topic (1 partition), then stalls before writing the new partitions' heads
    const topic = uniqueName('addgone');
    const { topicId } = await admin.createTopic(topic, 1);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let stalled!: () => void;
    const atHeads = new Promise<void>((resolve) => (stalled = resolve));
    const send = deps.dynamo.send.bind(deps.dynamo) as (command: unknown) => Promise<unknown>;
    const stalling = {
      send: async (command: { input?: { Item?: { sk?: unknown } } }) => {
        if (command instanceof PutCommand && command.input.Item?.sk === 'head') {
          stalled();
          await gate;
        }
        return send(command);
      },
    };
    const adding = addPartitions({ ...deps, dynamo: stalling as unknown as DynamoDBDocumentClient }, topic, 3).then(
      () => 'added',
      (error: { code?: string }) => error.code,
    );
    await atHeads;

    // Act: the delete reads and records 1 partition; then the add writes its heads; then housekeeping cleans up
    await admin.deleteTopic(topic);
    release();
    const outcome = await adding;
    const cleaned = await housekeep({ topics: [] });

    // Assess
    expect(cleaned.errors).toEqual([]);
    for (const p of [0, 1, 2]) expect(await itemsUnder(logKeys.partitionPk(topicId, p))).toEqual([]);
    expect(outcome).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });
});
