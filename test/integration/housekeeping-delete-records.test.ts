/**
 * DeleteRecords (Kafka's AdminClient.deleteRecords) over the HTTP API, and what housekeeping does
 * with a log start it put inside a batch: that batch stays live (fetched, referenced, counted by
 * retention and compaction) until the log start passes its end. On a storage of its own, since
 * the sweep runs here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { fetchRaw, produceRaw } from '../../packages/client/src/log-client.js';
import { decodeRecordBatches, encodeRecordBatch, type DecodedRecord, type ProducedRecord } from '../../packages/protocol/src/records/record-batch.js';
import { sleep } from '../../packages/protocol/src/async.js';
import type { HousekeepingProcessDeps } from '../../src/handlers/housekeeping-deps.js';
import { runHousekeeping, type HousekeepingOptions } from '../../src/housekeeping/housekeeping.js';
import { readHead } from '../../src/log/append.js';
import { listOffset, MAX_TIMESTAMP } from '../../src/log/list-offsets.js';
import { startCluster, type LocalCluster } from '../../src/local/cluster.js';
import { uniqueName } from '../helpers/cluster.js';
import { housekeepingDepsOn, segmentKeys, startOwnStorage, storedLocations, type OwnStorage } from '../helpers/housekeeping.js';
import { produceValues, readPartition, values } from '../helpers/log.js';

const HOUR = 60 * 60 * 1000;
let storage: OwnStorage;
let cluster: LocalCluster;
let http: FloeHttpClient;
let admin: Admin;
let deps: HousekeepingProcessDeps;

const housekeep = (options: HousekeepingOptions = {}) =>
  runHousekeeping(deps, { sweep: false, ...options, settings: { graceMs: 60_000, leaseMs: 10_000, mergeTargetBytes: 64 * 1024, ...options.settings } });

async function fetchAt(topic: string, offset: number, partition = 0) {
  const [t] = await fetchRaw(http, {
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1024 * 1024,
    topics: [{ topic, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 1024 * 1024 }] }],
  });
  return t!.partitions[0]!;
}

const record = (key: string, value: string | null): ProducedRecord => ({ key: Buffer.from(key), value: value === null ? null : Buffer.from(value) });

async function produceKeyed(topic: string, records: ProducedRecord[]): Promise<void> {
  const [result] = await produceRaw(http, { acks: -1, timeoutMs: 10_000, topics: [{ topic, partitions: [{ partition: 0, records: encodeRecordBatch({ records }) }] }] });
  if (result?.partitions[0]?.errorCode !== 'NONE') throw new Error(`produce failed: ${result?.partitions[0]?.errorCode}`);
}

const view = (records: DecodedRecord[]) => records.map((r) => [r.offset, r.key?.toString() ?? null, r.value === null ? null : r.value.toString()]);

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

describe('deleteRecords', () => {
  it('moves the log start (-1: the high watermark), never back, refuses past the high watermark; answers per partition', async () => {
    // Prepare: two partitions of 8 offsets each
    const topic = uniqueName('delrec');
    await admin.createTopic(topic, 2);
    for (const p of [0, 1]) {
      await produceValues(http, topic, p, ['a0', 'a1', 'a2', 'a3', 'a4']);
      await produceValues(http, topic, p, ['b0', 'b1', 'b2']);
    }

    // Act
    const first = await admin.deleteRecords(topic, [
      { partition: 0, offset: 5 },
      { partition: 1, offset: -1 },
      { partition: 7, offset: 1 },
    ]);
    const back = await admin.deleteRecords(topic, [{ partition: 0, offset: 3 }, { partition: 1, offset: 9 }]);
    const again = await admin.deleteRecords(topic, [{ partition: 0, offset: 5 }]);

    // Assess
    expect(first).toEqual([
      { partition: 0, errorCode: 'NONE', lowWatermark: 5 },
      { partition: 1, errorCode: 'NONE', lowWatermark: 8 },
      expect.objectContaining({ partition: 7, errorCode: 'UNKNOWN_TOPIC_OR_PARTITION', lowWatermark: -1 }),
    ]);
    expect(back).toEqual([
      { partition: 0, errorCode: 'NONE', lowWatermark: 5 },
      expect.objectContaining({ partition: 1, errorCode: 'OFFSET_OUT_OF_RANGE', lowWatermark: -1 }),
    ]);
    expect(again).toEqual([{ partition: 0, errorCode: 'NONE', lowWatermark: 5 }]);
    expect((await admin.describeTopic(topic)).partitionDetails.map((p) => [p.logStartOffset, p.highWatermark])).toEqual([[5, 8], [8, 8]]);
    expect(await fetchAt(topic, 4)).toMatchObject({ errorCode: 'OFFSET_OUT_OF_RANGE', logStartOffset: 5, highWatermark: 8 });
    expect(values(await readPartition(http, topic, 0, 5))).toEqual(['b0', 'b1', 'b2']);
  });

  it('refuses a compact-only topic with POLICY_VIOLATION, as Kafka does; compact,delete is allowed', async () => {
    // Prepare
    const compact = uniqueName('delrec-compact');
    const both = uniqueName('delrec-both');
    await admin.createTopic(compact, 1, { 'cleanup.policy': 'compact' });
    await admin.createTopic(both, 1, { 'cleanup.policy': 'compact,delete' });
    for (const t of [compact, both]) await produceKeyed(t, [record('k', 'v0'), record('k', 'v1')]);

    // Act
    const refused = await admin.deleteRecords(compact, [{ partition: 0, offset: 1 }]).catch((e: unknown) => e);
    const allowed = await admin.deleteRecords(both, [{ partition: 0, offset: 1 }]);

    // Assess
    expect(refused).toMatchObject({ code: 'POLICY_VIOLATION' });
    expect(allowed).toEqual([{ partition: 0, errorCode: 'NONE', lowWatermark: 1 }]);
    expect((await admin.listOffsets(compact, [0], 'earliest'))[0]?.offset).toBe(0);
  });

  it('a log start inside a batch: fetch answers that batch, readers skip below their position; earliest and by-time answer the start', async () => {
    // Prepare
    const topic = uniqueName('delrec-inside');
    await admin.createTopic(topic, 1);
    await produceValues(http, topic, 0, ['a0', 'a1', 'a2', 'a3', 'a4']);
    await produceValues(http, topic, 0, ['b0', 'b1']);

    // Act
    const [deleted] = await admin.deleteRecords(topic, [{ partition: 0, offset: 2 }]);

    // Assess
    expect(deleted).toEqual({ partition: 0, errorCode: 'NONE', lowWatermark: 2 });
    const at = await fetchAt(topic, 2);
    expect(at).toMatchObject({ errorCode: 'NONE', logStartOffset: 2 });
    expect(decodeRecordBatches(at.records)[0]?.header.baseOffset).toBe(0); // the whole batch, as Kafka answers
    expect(values(await readPartition(http, topic, 0, 2))).toEqual(['a2', 'a3', 'a4', 'b0', 'b1']);
    expect(await fetchAt(topic, 1)).toMatchObject({ errorCode: 'OFFSET_OUT_OF_RANGE', logStartOffset: 2 });
    expect((await admin.listOffsets(topic, [0], 'earliest'))[0]?.offset).toBe(2);
    expect((await admin.listOffsets(topic, [0], 0))[0]?.offset).toBe(2);
  });
});

describe('a log start inside a batch, through housekeeping', () => {
  it('retention, merging and the sweep keep the batch: still fetched from the log start, its object not deleted', async () => {
    // Prepare: a 5-record batch in its own object, spilled to an index chunk by 20 later batches;
    // the log start put inside it
    const topic = uniqueName('delrec-hk');
    const { topicId } = await admin.createTopic(topic, 1, { 'retention.ms': HOUR, 'retention.bytes': 1024 * 1024 });
    await produceValues(http, topic, 0, ['a0', 'a1', 'a2', 'a3', 'a4']);
    const straddling = String((await storedLocations(deps, topicId)).find((l) => l.n === 5)?.k);
    for (let i = 0; i < 20; i++) await produceValues(http, topic, 0, [`b${i}`]);
    await admin.deleteRecords(topic, [{ partition: 0, offset: 3 }]);

    // Act: retention and merging, then sweeps that collect what nothing references
    const pass = await housekeep({ topics: [topic] });
    await sleep(20);
    const sweeping = await housekeep({ topics: [topic], sweep: true, settings: { graceMs: 1 } });
    await sleep(20);
    const last = await housekeep({ topics: [topic], sweep: true, settings: { graceMs: 1 } });

    // Assess
    expect(pass).toMatchObject({ logStartAdvances: 0, errors: [] });
    expect(pass.objectsMerged).toBeGreaterThan(0);
    expect(last.errors).toEqual([]);
    expect(sweeping.objectsReclaimed + last.objectsReclaimed).toBeGreaterThan(0); // the sweep did collect: the merged-away objects
    expect((await readHead(deps, { topicId }, 0))?.logStartOffset).toBe(3);
    expect(await segmentKeys(deps)).toContain(straddling);
    expect(values(await readPartition(http, topic, 0, 3))).toEqual(['a3', 'a4', ...Array.from({ length: 20 }, (_, i) => `b${i}`)]);
  });

  it('retention by time stops at the batch the log start is inside when it is not expired', async () => {
    // Prepare: a fresh batch, then older ones (producer timestamps need not grow)
    const topic = uniqueName('delrec-ret');
    await admin.createTopic(topic, 1, { 'retention.ms': HOUR });
    await produceValues(http, topic, 0, ['a0', 'a1', 'a2', 'a3', 'a4']);
    for (let i = 0; i < 3; i++) await produceValues(http, topic, 0, [`old${i}`], { now: Date.now() - 2 * HOUR });
    await admin.deleteRecords(topic, [{ partition: 0, offset: 2 }]);

    // Act
    const summary = await housekeep({ topics: [topic] });

    // Assess: Kafka's rule, expiry stops at the first batch that is not expired
    expect(summary).toMatchObject({ logStartAdvances: 0, errors: [] });
    expect(values(await readPartition(http, topic, 0, 2))).toEqual(['a2', 'a3', 'a4', 'old0', 'old1', 'old2']);
  });

  it('ListOffsets max-timestamp sees the batch the log start is inside', async () => {
    // Prepare
    const topic = uniqueName('delrec-maxts');
    await admin.createTopic(topic, 1);
    const newest = Date.now();
    await produceValues(http, topic, 0, ['a0', 'a1', 'a2'], { now: newest });
    await produceValues(http, topic, 0, ['old'], { now: newest - HOUR });
    await admin.deleteRecords(topic, [{ partition: 0, offset: 1 }]);

    // Act
    const found = await listOffset(cluster.deps!, topic, 0, MAX_TIMESTAMP);

    // Assess
    expect(found).toMatchObject({ errorCode: 'NONE', offset: 1, timestamp: newest });
  });

  it('ListOffsets by time goes on past the batch the log start is inside when only its deleted records are that new', async () => {
    // Prepare: [a0, a1] new and [a2, a3] an hour old in one batch, the start at 2; then a batch half an hour old
    const topic = uniqueName('delrec-bytime');
    await admin.createTopic(topic, 1);
    const now = Date.now();
    const at = (value: string, timestamp: number): ProducedRecord => ({ key: null, value: Buffer.from(value), timestamp });
    await produceRaw(http, { acks: -1, timeoutMs: 10_000, topics: [{ topic, partitions: [{ partition: 0, records: encodeRecordBatch({ records: [at('a0', now), at('a1', now), at('a2', now - HOUR), at('a3', now - HOUR)] }) }] }] });
    await produceValues(http, topic, 0, ['b0'], { now: now - HOUR / 2 });
    await admin.deleteRecords(topic, [{ partition: 0, offset: 2 }]);

    // Act
    const found = await listOffset(cluster.deps!, topic, 0, now - HOUR * 0.75);

    // Assess: Kafka searches on from a batch whose records at or after the start are all older
    expect(found).toMatchObject({ errorCode: 'NONE', offset: 4, timestamp: now - HOUR / 2 });
  });

  it('ListOffsets max-timestamp never answers below the log start, when compaction left only records below it in the newest batch', async () => {
    // Prepare: the newest batch [a, b, c] with the start at 2 (on c), a later "c" with an older timestamp
    const topic = uniqueName('delrec-maxts-compact');
    await admin.createTopic(topic, 1, { 'cleanup.policy': 'compact,delete', 'segment.ms': 1, 'min.cleanable.dirty.ratio': 0.01 });
    const newest = Date.now();
    const at = (key: string, timestamp: number): ProducedRecord => ({ ...record(key, key), timestamp });
    const [first] = await produceRaw(http, { acks: -1, timeoutMs: 10_000, topics: [{ topic, partitions: [{ partition: 0, records: encodeRecordBatch({ records: [at('a', newest), at('b', newest), at('c', newest)] }) }] }] });
    expect(first?.partitions[0]?.errorCode).toBe('NONE');
    await produceRaw(http, { acks: -1, timeoutMs: 10_000, topics: [{ topic, partitions: [{ partition: 0, records: encodeRecordBatch({ records: [at('c', newest - HOUR)] }) }] }] });
    for (let i = 0; i < 12; i++) await produceRaw(http, { acks: -1, timeoutMs: 10_000, topics: [{ topic, partitions: [{ partition: 0, records: encodeRecordBatch({ records: [at(`f${i}`, newest - HOUR)] }) }] }] });
    await admin.deleteRecords(topic, [{ partition: 0, offset: 2 }]);
    await sleep(5);
    const compacted = await housekeep({ topics: [topic] }); // "c"@2 goes: the batch keeps only a@0 and b@1, below the start

    // Act
    const found = await listOffset(cluster.deps!, topic, 0, MAX_TIMESTAMP);

    // Assess
    expect(compacted).toMatchObject({ recordsCompactedAway: 1, errors: [] });
    expect(found).toMatchObject({ offset: 3, timestamp: newest - HOUR }); // the first live record holding the largest live timestamp; it answered 0, below the start
  });

  it('compaction (compact,delete) cleans the batch the log start is inside: a removed tombstone does not bring its key back', async () => {
    // Prepare: key "a" at offset 1 inside the first batch, the log start at 1, a tombstone of "a" later
    const topic = uniqueName('delrec-compact-hk');
    await admin.createTopic(topic, 1, { 'cleanup.policy': 'compact,delete', 'segment.ms': 1, 'min.cleanable.dirty.ratio': 0.01, 'delete.retention.ms': 200 });
    await produceKeyed(topic, [record('z', 'z0'), record('a', 'a1'), record('b', 'b2')]);
    await produceKeyed(topic, [record('a', null)]);
    for (let i = 0; i < 12; i++) await produceKeyed(topic, [record(`filler${i}`, 'x')]);
    await admin.deleteRecords(topic, [{ partition: 0, offset: 1 }]);
    await sleep(5);

    // Act: the first round reaches the tombstone, a later one removes it
    const first = await housekeep({ topics: [topic] });
    await sleep(300);
    const second = await housekeep({ topics: [topic] });

    // Assess
    expect(first.errors).toEqual([]);
    expect(second).toMatchObject({ tombstonesRemoved: 1, errors: [] });
    expect(view(await readPartition(http, topic, 0, 1)).slice(0, 2)).toEqual([[2, 'b', 'b2'], [4, 'filler0', 'x']]);
  });
});
