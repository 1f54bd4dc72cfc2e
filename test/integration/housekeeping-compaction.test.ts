/**
 * Log compaction (cleanup.policy=compact) in housekeeping, against the stand-ins on a storage of
 * its own: the latest record per key survives with its offset, removed offsets become gaps that
 * every reader skips, tombstones stay delete.retention.ms after compaction reached them, the
 * active tail (the head's inline batches) is never touched, and rewritten batches keep their
 * producer fields and headers with a valid CRC.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { allocateProducerId, produceRaw } from '../../packages/client/src/log-client.js';
import { Consumer, Deserializers } from '../../packages/client/src/consumer/index.js';
import { localConfig } from '../../src/local/storage.js';
import { createGatewayDeps } from '../../src/gateway/deps.js';
import { startGateway } from '../../src/gateway/gateway.js';
import { silentLogger } from '../../src/gateway/logger.js';
import { TEST_SETTINGS } from '../helpers/gateway.js';
import { KafkaWire } from '../helpers/kafka-wire.js';
import { pollUntil } from '../fixtures/consumer-poll.js';
import { decodeRecordBatches, encodeRecordBatch, type DecodedRecord, type ProducedRecord } from '../../packages/protocol/src/records/record-batch.js';
import { sleep } from '../../packages/protocol/src/async.js';
import type { HousekeepingProcessDeps } from '../../src/handlers/housekeeping-deps.js';
import { runHousekeeping, type HousekeepingOptions } from '../../src/housekeeping/housekeeping.js';
import { readHead } from '../../src/log/append.js';
import { locateBatches } from '../../src/log/locate.js';
import { readBatches } from '../../src/log/read-ranges.js';
import { startCluster, type LocalCluster } from '../../src/local/cluster.js';
import { logKeys } from '../../src/storage/keys.js';
import { uniqueName } from '../helpers/cluster.js';
import { housekeepingDepsOn, startOwnStorage, storedLocations, stripSpans, type OwnStorage } from '../helpers/housekeeping.js';
import { readPartition } from '../helpers/log.js';

let storage: OwnStorage;
let cluster: LocalCluster;
let http: FloeHttpClient;
let admin: Admin;
let deps: HousekeepingProcessDeps;

const housekeep = (options: HousekeepingOptions = {}) =>
  runHousekeeping(deps, { sweep: false, ...options, settings: { graceMs: 60_000, leaseMs: 10_000, mergeTargetBytes: 64 * 1024, ...options.settings } });

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

/** Configs that make every spilled batch compactable at once (no active tail by time, no lag). */
const COMPACT_NOW = { 'cleanup.policy': 'compact', 'segment.ms': 1, 'min.cleanable.dirty.ratio': 0.01 };

const record = (key: string, value: string | null, headers: ProducedRecord['headers'] = []): ProducedRecord => ({
  key: Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
  headers,
});

async function produce(topic: string, records: ProducedRecord[], producer?: { producerId: bigint; producerEpoch: number; baseSequence: number }): Promise<number> {
  const [result] = await produceRaw(http, {
    acks: -1,
    timeoutMs: 10_000,
    topics: [{ topic, partitions: [{ partition: 0, records: encodeRecordBatch({ records, ...producer }) }] }],
  });
  const p = result?.partitions[0];
  if (p?.errorCode !== 'NONE') throw new Error(`produce failed: ${p?.errorCode}`);
  return p.baseOffset;
}

const view = (records: DecodedRecord[]) => records.map((r) => [r.offset, r.key?.toString(), r.value === null ? null : r.value.toString()]);

/**
 * What compaction must leave: from `cleanableEnd` on everything; below it the last record of each key
 * there (as Kafka's cleaner, the offset map does not reach into the active tail).
 */
function expectedAfter(records: DecodedRecord[], cleanableEnd: number): DecodedRecord[] {
  const last = new Map<string, number>();
  for (const r of records) if (r.offset < cleanableEnd) last.set(r.key!.toString(), r.offset);
  return records.filter((r) => r.offset >= cleanableEnd || last.get(r.key!.toString()) === r.offset);
}

describe('compaction', () => {
  it('keeps the latest record per key at its offset; removed offsets are gaps every read skips; the inline tail stays whole', async () => {
    // Prepare: 40 batches, each updating one of 5 keys and a hot key; the newest 8 stay inline in the head
    const topic = uniqueName('compact');
    const { topicId } = await admin.createTopic(topic, 1, COMPACT_NOW);
    for (let i = 0; i < 40; i++) await produce(topic, [record(`k${i % 5}`, `v${i}`), record('hot', `h${i}`)]);
    await sleep(5);
    const before = await readPartition(http, topic, 0);
    const head = (await readHead(deps, { topicId }, 0))!;

    // Act
    const summary = await housekeep({ topics: [topic] });
    const after = await readPartition(http, topic, 0);
    const again = await housekeep({ topics: [topic] });
    const fromGap = await readPartition(http, topic, 0, 1); // offset 1: hot's first value, superseded

    // Assess
    const expected = expectedAfter(before, head.recentBase);
    expect(summary).toMatchObject({ errors: [], compactionConflicts: 0 });
    expect(summary.compactionRounds).toBe(1);
    expect(view(after)).toEqual(view(expected));
    expect(summary.recordsCompactedAway).toBe(before.length - expected.length);
    expect(after.length).toBeLessThan(before.length / 2);
    expect(after.filter((r) => r.offset >= head.recentBase)).toHaveLength(2 * head.recent.length);
    expect(again.recordsCompactedAway).toBe(0);
    expect(view(fromGap)).toEqual(view(expected.filter((r) => r.offset >= 1)));
  });

  it('keeps headers and idempotent-producer fields of a rewritten batch, with a CRC that checks', async () => {
    // Prepare: an idempotent batch of three records with headers, two of them superseded later
    const topic = uniqueName('compact-pid');
    const { topicId } = await admin.createTopic(topic, 1, COMPACT_NOW);
    const producer = await allocateProducerId(http);
    const headers = [{ key: 'trace', value: Buffer.from('t-1') }];
    await produce(topic, [record('a', 'a0', headers), record('b', 'b0', headers), record('c', 'c0', headers)], { ...producer, baseSequence: 0 });
    await produce(topic, [record('a', 'a1'), record('c', 'c1')]);
    for (let i = 0; i < 10; i++) await produce(topic, [record(`filler${i}`, 'x')]);
    await sleep(5);

    // Act
    const summary = await housekeep({ topics: [topic] });
    const head = (await readHead(deps, { topicId }, 0))!;
    const [located] = [await locateBatches(deps, { topicId }, 0, head, { fromOffset: 0, maxBytes: 1 << 20, forceFirst: true })];
    const [bytes] = await readBatches(deps.store, [located.slice(0, 1)]);
    const [batch] = decodeRecordBatches(bytes!); // checks the CRC

    // Assess
    expect(summary.recordsCompactedAway).toBe(2);
    expect(batch?.header).toMatchObject({ baseOffset: 0, lastOffsetDelta: 2, recordCount: 1, producerId: producer.producerId, producerEpoch: producer.producerEpoch, baseSequence: 0 });
    expect(batch?.records.map((r) => [r.offset, r.key?.toString(), r.value?.toString(), r.headers.map((h) => h.value?.toString())])).toEqual([[1, 'b', 'b0', ['t-1']]]);
    expect(located[0]).toMatchObject({ baseOffset: 0, n: 1, w: 3 });
  });

  it('an SDK consumer moves past a rewritten batch whose last records were removed', async () => {
    // Prepare: a batch of three records whose last two are superseded, then enough batches to spill it
    const topic = uniqueName('compact-end');
    const { topicId } = await admin.createTopic(topic, 1, COMPACT_NOW);
    await produce(topic, [record('keep', 'k0'), record('a', 'a0'), record('b', 'b0')]);
    await produce(topic, [record('a', 'a1'), record('b', 'b1')]);
    for (let i = 0; i < 10; i++) await produce(topic, [record(`filler${i}`, 'x')]);
    await sleep(5);
    await housekeep({ topics: [topic] });
    const head = (await readHead(deps, { topicId }, 0))!;
    const consumer = new Consumer<string | null, string | null>({ bootstrap: cluster.url, fetchMaxWaitMs: 50, maxPartitionFetchBytes: 1, autoOffsetReset: 'earliest', keyDeserializer: Deserializers.string as never, valueDeserializer: Deserializers.string as never });

    try {
      // Act
      consumer.assign([{ topic, partition: 0 }]);
      const polled = await pollUntil(consumer, 13);
      const position = await consumer.position({ topic, partition: 0 });

      // Assess
      expect(polled.slice(0, 3).map((r) => [r.offset, r.key])).toEqual([[0, 'keep'], [3, 'a'], [4, 'b']]);
      expect(position).toBe(head.nextOffset);
    } finally {
      await consumer.close();
    }
  });

  it('keeps a tombstone delete.retention.ms after compaction reached it, then removes it', async () => {
    // Prepare
    const topic = uniqueName('compact-tomb');
    await admin.createTopic(topic, 1, { ...COMPACT_NOW, 'delete.retention.ms': 200 });
    await produce(topic, [record('gone', 'g0'), record('kept', 'k0')]);
    await produce(topic, [record('gone', null)]);
    for (let i = 0; i < 10; i++) await produce(topic, [record(`filler${i}`, 'x')]);
    await sleep(5);

    // Act
    const first = await housekeep({ topics: [topic] });
    const afterFirst = await readPartition(http, topic, 0);
    await sleep(300);
    const second = await housekeep({ topics: [topic] });
    const afterSecond = await readPartition(http, topic, 0);

    // Assess
    expect(first.tombstonesRemoved).toBe(0);
    expect(view(afterFirst).slice(0, 2)).toEqual([[1, 'kept', 'k0'], [2, 'gone', null]]);
    expect(second.tombstonesRemoved).toBe(1);
    expect(view(afterSecond).slice(0, 2)).toEqual([[1, 'kept', 'k0'], [3, 'filler0', 'x']]);
  });

  it('a batch whose tombstone was removed loses its horizon too: later passes start no round and read nothing', async () => {
    // Prepare: a tombstone next to a live record in one batch, so the batch survives its removal
    const topic = uniqueName('compact-horizon');
    await admin.createTopic(topic, 1, { ...COMPACT_NOW, 'min.cleanable.dirty.ratio': 0.99, 'delete.retention.ms': 1 });
    await produce(topic, [record('gone', null), record('stays', 'v')]);
    for (let i = 0; i < 12; i++) await produce(topic, [record(`filler${i}`, 'x')]);
    await sleep(300);
    await housekeep({ topics: [topic] }); // reaches the tombstone: gives the batch its horizon
    await sleep(20);
    const removal = await housekeep({ topics: [topic] });

    // Act
    const later = [await housekeep({ topics: [topic] }), await housekeep({ topics: [topic] })];

    // Assess
    expect(removal.tombstonesRemoved).toBe(1);
    expect(later.map((s) => [s.compactionRounds, s.compactionBytesRead])).toEqual([[0, 0], [0, 0]]);
    expect(view(await readPartition(http, topic, 0)).slice(0, 2)).toEqual([[1, 'stays', 'v'], [2, 'filler0', 'x']]);
  });

  it('an SDK consumer, ListOffsets and a Kafka fetch through the gateway skip the gaps; a position inside one continues at the next survivor', async () => {
    // Prepare: a compacted partition whose first 30 offsets hold 3 keys (10 updates each)
    const topic = uniqueName('compact-read');
    const { topicId } = await admin.createTopic(topic, 1, COMPACT_NOW);
    for (let i = 0; i < 30; i++) await produce(topic, [record(`k${i % 3}`, `v${i}`)]);
    for (let i = 0; i < 10; i++) await produce(topic, [record(`tail${i}`, 't')]);
    await sleep(5);
    await housekeep({ topics: [topic] });
    const survivors = await readPartition(http, topic, 0);
    const head = (await readHead(deps, { topicId }, 0))!;
    const config = localConfig(storage);
    const gatewayDeps = createGatewayDeps(config);
    const gateway = await startGateway({ config, settings: TEST_SETTINGS, deps: gatewayDeps, log: silentLogger });
    const wire = await KafkaWire.connect(gateway.port);
    const consumer = new Consumer<string | null, string | null>({
      bootstrap: cluster.url,
      fetchMaxWaitMs: 50,
      autoOffsetReset: 'earliest',
      keyDeserializer: Deserializers.string as never,
      valueDeserializer: Deserializers.string as never,
    });

    try {
      // Act
      consumer.assign([{ topic, partition: 0 }]);
      const polled = await pollUntil(consumer, survivors.length);
      const position = await consumer.position({ topic, partition: 0 });
      consumer.seek({ topic, partition: 0 }, 3); // inside the removed range
      const [afterSeek] = await pollUntil(consumer, 1);
      const fetched = await wire.request(1, 12, {
        replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
        topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 3n, partitionMaxBytes: 1 << 20 }] }], forgottenTopicsData: [], rackId: '',
      });
      const listed = await admin.listOffsets(topic, [0], 'earliest');

      // Assess
      expect(survivors.map((r) => r.offset).slice(0, 3)).toEqual([27, 28, 29]);
      expect(polled.map((r) => [r.offset, r.key, r.value])).toEqual(survivors.map((r) => [r.offset, r.key?.toString(), r.value?.toString()]));
      expect(position).toBe(head.nextOffset);
      expect(afterSeek?.offset).toBe(27);
      const gatewayRecords = decodeRecordBatches(fetched.responses[0].partitions[0].records).flatMap((b) => b.records);
      expect(gatewayRecords[0]?.offset).toBe(27);
      expect(listed[0]?.offset).toBe(0); // the log start, as Kafka answers for a compacted partition
    } finally {
      await consumer.close();
      wire.close();
      await gateway.close();
      gatewayDeps.clients.dynamo.destroy();
      gatewayDeps.clients.s3.destroy();
    }
  });
});

describe('compaction with a Kafka client', () => {
  it('kafkajs sets cleanup.policy with AlterConfigs and its consumer group reads the compacted partition through the gateway, past a rewritten batch\'s removed end', async () => {
    // Prepare: a gateway on this storage; a batch of three whose last two are superseded, then enough batches to spill it
    process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
    const topic = uniqueName('compact-kjs');
    const { topicId } = await admin.createTopic(topic, 1, { 'segment.ms': 1 });
    const config = localConfig(storage);
    const gatewayDeps = createGatewayDeps(config);
    const gateway = await startGateway({ config, settings: TEST_SETTINGS, deps: gatewayDeps, log: silentLogger });
    const kafka = new Kafka({ clientId: 'compaction-test', brokers: [`127.0.0.1:${gateway.port}`], logLevel: logLevel.NOTHING });
    const kafkaAdmin = kafka.admin();
    const consumer = kafka.consumer({ groupId: uniqueName('kjs-g') });
    const seen: Array<[number, string]> = [];

    try {
      await kafkaAdmin.connect();
      await kafkaAdmin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'segment.ms', value: '1' }] }] });
      await produce(topic, [record('keep', 'k0'), record('a', 'a0'), record('b', 'b0')]);
      await produce(topic, [record('a', 'a1'), record('b', 'b1')]);
      for (let i = 0; i < 10; i++) await produce(topic, [record(`filler${i}`, 'x')]);
      await sleep(5);
      const summary = await housekeep({ topics: [topic] });
      const head = (await readHead(deps, { topicId }, 0))!;

      // Act
      const described = await kafkaAdmin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] }] });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void seen.push([Number(message.offset), message.key?.toString() ?? '']) });
      const deadline = Date.now() + 20_000;
      while (seen.length < 13 && Date.now() < deadline) await sleep(100);

      // Assess
      expect(summary.recordsCompactedAway).toBe(2);
      expect(described.resources[0]?.configEntries.map((e) => [e.configName, e.configValue])).toEqual([['cleanup.policy', 'compact']]);
      expect(seen.slice(0, 3)).toEqual([[0, 'keep'], [3, 'a'], [4, 'b']]);
      expect(seen.map(([o]) => o)).toEqual([0, ...Array.from({ length: head.nextOffset - 3 }, (_, i) => i + 3)]);
    } finally {
      await consumer.disconnect();
      await kafkaAdmin.disconnect();
      await gateway.close();
      gatewayDeps.clients.dynamo.destroy();
      gatewayDeps.clients.s3.destroy();
    }
  });
});

describe('span migration', () => {
  it('gives old locations their offset span once, under the lease; reads are the same before and after', async () => {
    // Prepare: 14 batches of 1-3 records (some spilled to index chunks), then their spans removed
    const topic = uniqueName('spans');
    const { topicId } = await admin.createTopic(topic, 1);
    for (let i = 0; i < 14; i++) await produce(topic, Array.from({ length: 1 + (i % 3) }, (_, j) => record(`k${i}-${j}`, `v${i}-${j}`)));
    await sleep(200); // the background spill
    const before = await readPartition(http, topic, 0);
    await stripSpans(deps, topicId);
    const stripped = await readPartition(http, topic, 0);

    // Act
    const first = await housekeep({ topics: [topic] });
    const migrated = await storedLocations(deps, topicId);
    const second = await housekeep({ topics: [topic] });
    const after = await readPartition(http, topic, 0);
    const head = await deps.dynamo.send(new GetCommand({ TableName: cluster.config.logTable, Key: logKeys.head(topicId, 0) }));

    // Assess
    expect(migrated.length).toBeGreaterThanOrEqual(14);
    expect(view(stripped)).toEqual(view(before));
    expect(first.spanMigrations).toBeGreaterThanOrEqual(2); // the head and at least one chunk
    expect(migrated.every((l) => l.w === l.n)).toBe(true);
    expect(second.spanMigrations).toBe(0);
    expect(view(after)).toEqual(view(before));
    expect(head.Item?.nextOffset).toBe(before.length);
  });
});
