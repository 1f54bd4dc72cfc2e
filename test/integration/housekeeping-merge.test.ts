/**
 * Merging small objects into per-partition segment objects, head upkeep and orphan collection,
 * run in this process against a storage of its own.
 */
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { allocateProducerId, produceRaw } from '../../packages/client/src/log-client.js';
import type { HousekeepingProcessDeps } from '../../src/handlers/housekeeping-deps.js';
import { readHead, spill } from '../../src/log/append.js';
import { produce } from '../../src/log/produce.js';
import { configFromEnv, configToEnv, housekeepingSettingsFromEnv } from '../../src/config/index.js';
import { createHandlerDeps } from '../../src/handlers/deps.js';
import { pruneProducers } from '../../src/housekeeping/head-upkeep.js';
import { runHousekeeping, type HousekeepingOptions } from '../../src/housekeeping/housekeeping.js';
import { iterateChunks, iterateLiveBatches } from '../../src/log/index-chunks.js';
import { acquireLease, LeaseGuard, releaseLease } from '../../src/leases/leases.js';
import { LIMITS } from '../../src/log/limits.js';
import { locateBatches } from '../../src/log/locate.js';
import { readBatches } from '../../src/log/read-ranges.js';
import { startCluster, type LocalCluster } from '../../src/local/cluster.js';
import { logKeys, newSegmentKey } from '../../src/storage/keys.js';
import { uniqueName } from '../helpers/cluster.js';
import { housekeepingDepsOn, segmentKeys, startOwnStorage, unreferencedObjects, type OwnStorage } from '../helpers/housekeeping.js';
import { batchOf, produceValues, readPartition, values } from '../helpers/log.js';
import { sleep } from '../../packages/protocol/src/async.js';

let storage: OwnStorage;
let cluster: LocalCluster;
let http: FloeHttpClient;
let admin: Admin;
let deps: HousekeepingProcessDeps;

const housekeep = (options: HousekeepingOptions = {}) =>
  runHousekeeping(deps, { ...options, settings: { graceMs: 60_000, leaseMs: 10_000, mergeTargetBytes: 64 * 1024, ...options.settings } });

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

describe('merging', () => {
  it('rewrites small multi-partition objects into per-partition objects; reads are unchanged and the old locations stay readable until swept', async () => {
    // Prepare: 28 produce requests, each one object holding a batch for each of 3 partitions
    const topic = uniqueName('merge');
    const { topicId } = await admin.createTopic(topic, 3);
    for (let i = 0; i < 28; i++) {
      const [result] = await produceRaw(http, {
        acks: -1,
        timeoutMs: 10_000,
        topics: [{ topic, partitions: [0, 1, 2].map((p) => ({ partition: p, records: batchOf([`p${p}-${i}-a`, `p${p}-${i}-b`]) })) }],
      });
      expect(result?.partitions.every((p) => p.errorCode === 'NONE')).toBe(true);
    }
    const before = await Promise.all([0, 1, 2].map((p) => readPartition(http, topic, p)));
    const head = (await readHead(deps, { topicId }, 0))!;
    const oldLocations = await locateBatches(deps, { topicId }, 0, head, { fromOffset: 0, maxBytes: 1 << 20, forceFirst: true });
    const objectsBefore = await segmentKeys(deps);

    // Act
    const merged = await housekeep({ topics: [topic], sweep: false, settings: { mergeTargetBytes: 1500 } });
    const newLocations = await locateBatches(deps, { topicId }, 0, head, { fromOffset: 0, maxBytes: 1 << 20, forceFirst: true });
    const [oldBytes, newBytes] = await readBatches(deps.store, [oldLocations, newLocations]);
    const after = await Promise.all([0, 1, 2].map((p) => readPartition(http, topic, p, 0, 1))); // batch by batch
    const fromMiddle = await readPartition(http, topic, 1, 23);
    const again = await housekeep({ topics: [topic], sweep: false, settings: { mergeTargetBytes: 1500 } });

    // Assess
    expect(merged).toMatchObject({ errors: [], mergeConflicts: 0 });
    expect(merged.mergedObjectsWritten).toBeGreaterThanOrEqual(6); // several per partition at a 1.5 KB target
    expect(merged.objectsMerged).toBeGreaterThanOrEqual(3 * 16);
    expect(after).toEqual(before);
    expect(fromMiddle[0]?.offset).toBe(23);
    expect(values(fromMiddle)).toEqual(values(before[1]!).slice(23));
    expect(oldBytes?.equals(newBytes!)).toBe(true); // a reader that read the old chunk gets the same bytes
    const moved = newLocations.filter((b, i) => b.k !== oldLocations[i]!.k);
    expect(moved.length).toBeGreaterThanOrEqual(16);
    expect(new Set(moved.map((b) => b.k)).size).toBeLessThan(moved.length / 3); // a few per-partition objects
    expect(again.mergedObjectsWritten).toBe(0); // nothing left to merge: no rewriting on every pass
    expect(objectsBefore.length).toBe(28);

    // Act 2: two sweeps (first sighting, then deletion after the grace)
    const sweepNow = { topics: [topic], settings: { graceMs: 1, mergeTargetBytes: 1500 } };
    await housekeep(sweepNow);
    await sleep(5);
    const swept = await housekeep(sweepNow);
    const objectsAfter = await segmentKeys(deps);

    // Assess 2: only the objects the heads' recent locations use, plus the merged ones, remain
    expect(swept).toMatchObject({ errors: [] });
    expect(objectsAfter.length).toBeLessThanOrEqual(objectsBefore.length / 2);
    expect(await unreferencedObjects(deps)).toEqual([]);
    expect(await Promise.all([0, 1, 2].map((p) => readPartition(http, topic, p)))).toEqual(before);
    const gone = oldLocations.filter((b) => !objectsAfter.includes(b.k));
    expect(gone.length).toBeGreaterThan(0);
    await expect(readBatches(deps.store, [gone.slice(0, 1)])).rejects.toThrow();
  });
});

describe('merging and the sweep grace', () => {
  it('leaves a merge to the sweep when its chunk rewrite would land more than half a grace after the merged object was written', async () => {
    // Prepare: small objects to merge, and a clock that jumps 0.6 grace between the merged PUT and the rewrite
    const topic = uniqueName('merge-late');
    const { topicId } = await admin.createTopic(topic, 1);
    for (let i = 0; i < 28; i++) await produceValues(http, topic, 0, [`v${i}`]);
    const head = (await readHead(deps, { topicId }, 0))!;
    const before = await locateBatches(deps, { topicId }, 0, head, { fromOffset: 0, maxBytes: 1 << 20, forceFirst: true });
    const graceMs = 60_000;
    let clock = Date.now();
    const merged: string[] = [];
    const late = { ...deps, now: () => clock, hooks: { afterMergedObjectPut: (key: string) => void (merged.push(key), (clock += graceMs * 0.6)) } };

    // Act
    const summary = await runHousekeeping(late, { topics: [topic], sweep: false, settings: { graceMs, leaseMs: 10 * graceMs, mergeTargetBytes: 1500 } });
    const after = await locateBatches(deps, { topicId }, 0, head, { fromOffset: 0, maxBytes: 1 << 20, forceFirst: true });

    // Assess: the merged object was written, but no chunk points at it; reads are unchanged
    expect(merged.length).toBeGreaterThan(0);
    expect(await segmentKeys(deps)).toEqual(expect.arrayContaining(merged));
    expect(summary).toMatchObject({ partitionsFailed: 1, chunksRewritten: 0 });
    expect(summary.errors.join()).toMatch(/past its deadline; left for the sweep/);
    expect(after.map((b) => b.k)).toEqual(before.map((b) => b.k));
    expect(values(await readPartition(http, topic, 0))).toEqual(Array.from({ length: 28 }, (_, i) => `v${i}`));
  });
});

describe('merging and late spillers', () => {
  it('a spiller that wakes up after its chunk was merged does not point it back at the old objects', async () => {
    // Prepare: a head snapshot holding 8 inline locations (what a slow spiller saw), then enough appends
    // that those locations are spilled by others and merged by housekeeping
    const topic = uniqueName('late-spill');
    const { topicId } = await admin.createTopic(topic, 1);
    for (let i = 0; i < 8; i++) await produceValues(http, topic, 0, [`v${i}`]);
    const stale = (await readHead(deps, { topicId }, 0))!;
    for (let i = 8; i < 30; i++) await produceValues(http, topic, 0, [`v${i}`]);
    const summary = await housekeep({ topics: [topic], sweep: false });
    const mergedChunk = (await first(iterateChunks(deps, topicId, 0, 0)))!;

    // Act: the stale spiller writes its chunk and tries to trim
    await spill(deps, topicId, 0, stale.recentBase, stale.recent);

    // Assess
    expect(stale.recent).toHaveLength(8);
    expect(summary.chunksRewritten).toBeGreaterThan(0);
    const after = (await first(iterateChunks(deps, topicId, 0, 0)))!;
    expect(after.entries.map((l) => l.k)).toEqual(mergedChunk.entries.map((l) => l.k));
    expect(after.entries.map((l) => l.k)).not.toEqual(stale.recent.slice(0, 4).map((l) => l.k));
    expect(values(await readPartition(http, topic, 0, 0, 1))).toEqual(Array.from({ length: 30 }, (_, i) => `v${i}`));
  });
});

async function first<T>(items: AsyncIterable<T>): Promise<T | undefined> {
  for await (const item of items) return item;
  return undefined;
}

describe('head upkeep', () => {
  it('spills a head left over-full by crashed spills; reads stay complete', async () => {
    // Prepare: 14 batches, then the state two crashed spills would leave: every location inline, no chunks
    const topic = uniqueName('overfull');
    const { topicId } = await admin.createTopic(topic, 1);
    for (let i = 0; i < 14; i++) await produceValues(http, topic, 0, [`v${i}`]);
    const head = (await readHead(deps, { topicId }, 0))!;
    const all = [];
    for await (const batch of iterateLiveBatches(deps, { topicId }, 0, head)) all.push(batch);
    const page = await deps.dynamo.send(
      new QueryCommand({
        TableName: cluster.config.logTable,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :i)',
        ExpressionAttributeValues: { ':pk': logKeys.partitionPk(topicId, 0), ':i': 'i#' },
      }),
    );
    for (const item of page.Items ?? []) {
      await deps.dynamo.send(new DeleteCommand({ TableName: cluster.config.logTable, Key: { pk: item.pk, sk: item.sk } }));
    }
    const recent = all.map(({ baseOffset: _omit, ...location }) => location);
    await deps.dynamo.send(new PutCommand({ TableName: cluster.config.logTable, Item: { ...head, ...logKeys.head(topicId, 0), recentBase: 0, recent } }));

    // Act
    const summary = await housekeep({ topics: [topic], sweep: false });

    // Assess
    expect(summary).toMatchObject({ spillsRepaired: 1, errors: [] });
    const repaired = (await readHead(deps, { topicId }, 0))!;
    expect(repaired.recent.length).toBeLessThanOrEqual(LIMITS.headInlineBatches);
    expect(repaired.recentBase).toBeGreaterThan(0);
    expect(values(await readPartition(http, topic, 0, 0, 1))).toEqual(Array.from({ length: 14 }, (_, i) => `v${i}`));
  });

  it('prunes idle idempotent-producer state, but never state a concurrent append changed after it was read', async () => {
    // Prepare: producers 7 and 8 appended long ago (their `t` is old); 8 appends again after the head was read
    const topic = uniqueName('producers');
    const { topicId } = await admin.createTopic(topic, 1);
    const [seven, eight] = [await issueProducerId(), await issueProducerId()];
    const idem = (producerId: bigint, baseSequence: number) => ({ producerId, producerEpoch: 0, baseSequence });
    await produceValues(http, topic, 0, ['a'], idem(seven, 0));
    await produceValues(http, topic, 0, ['b'], idem(eight, 0));
    const snapshot = (await readHead(deps, { topicId }, 0))!;
    await produceValues(http, topic, 0, ['c'], idem(eight, 1));
    const lease = (await acquireLease(deps, logKeys.partitionLeaseName(topicId, 0), 'test', 10_000))!;

    // Act: everything older than "now" counts as idle
    const pruned = await pruneProducers(deps, new LeaseGuard(deps, lease), topicId, 0, snapshot, Date.now() + 1, 1);
    await releaseLease(deps, lease);
    const next = await produceValues(http, topic, 0, ['d'], idem(eight, 2));

    // Assess
    const head = (await readHead(deps, { topicId }, 0))!;
    expect(pruned).toBe(1);
    expect(Object.keys(head.producers)).toEqual([eight.toString()]);
    expect(head.producers[eight.toString()]?.s).toBe(2);
    expect(next).toMatchObject({ errorCode: 'NONE', baseOffset: 3 }); // its sequence continued: nothing lost
  });

  it('prunes producer state idle longer than producer.id.expiration.ms in a housekeeping pass', async () => {
    // Prepare
    const topic = uniqueName('idle');
    const { topicId } = await admin.createTopic(topic, 1);
    await produceValues(http, topic, 0, ['a'], { producerId: await issueProducerId(), producerEpoch: 0, baseSequence: 0 });
    await sleep(30);

    // Act
    const kept = await housekeep({ topics: [topic], sweep: false, settings: { producerIdExpirationMs: 60_000 } });
    const expired = await housekeep({ topics: [topic], sweep: false, settings: { producerIdExpirationMs: 10 } });

    // Assess
    expect(kept.producersExpired).toBe(0);
    expect(expired.producersExpired).toBe(1);
    expect((await readHead(deps, { topicId }, 0))?.producers).toEqual({});
  });

  it('FLOE_PRODUCER_ID_EXPIRATION_MS is one setting for produce and housekeeping: a producer idle past it, its state pruned, continues as a producer whose state expired', async () => {
    // Prepare: a handler instance and housekeeping configured from one environment
    const env = { ...configToEnv(cluster.config), FLOE_PRODUCER_ID_EXPIRATION_MS: '300' };
    const handler = createHandlerDeps(configFromEnv(env));
    const topic = uniqueName('expiry');
    await admin.createTopic(topic, 1);
    const producerId = await issueProducerId();
    const send = async (baseSequence: number, value: string) =>
      (await produce(handler, { acks: -1, timeoutMs: 10_000, topics: [{ topic, partitions: [{ partition: 0, records: batchOf([value], { producerId, producerEpoch: 0, baseSequence }) }] }] }))[0]?.partitions[0];
    const first = await send(0, 'a');
    await sleep(400);
    const pruned = await housekeep({ topics: [topic], sweep: false, settings: housekeepingSettingsFromEnv(env) });

    // Act
    const next = await send(1, 'b');

    // Assess
    expect(first).toMatchObject({ errorCode: 'NONE', baseOffset: 0 });
    expect(pruned.producersExpired).toBe(1);
    expect(next).toMatchObject({ errorCode: 'NONE', baseOffset: 1 });
    handler.clients.dynamo.destroy();
    handler.clients.s3.destroy();
  });
});

async function issueProducerId(): Promise<bigint> {
  return (await allocateProducerId(http)).producerId;
}

describe('orphan collection', () => {
  it('deletes an object no batch references once it is older than the grace and stayed unreferenced for the grace; young ones stay', async () => {
    // Prepare: what a produce that died after its PUT leaves, one written 10 s ago and one just now
    const oldOrphan = newSegmentKey(new Date(Date.now() - 10_000));
    const youngOrphan = newSegmentKey(new Date());
    await deps.store.put(oldOrphan, batchOf(['never committed']));
    await deps.store.put(youngOrphan, batchOf(['still in flight']));
    const grace = { settings: { graceMs: 2_000 } };

    // Act
    const first = await housekeep({ topics: [], ...grace });
    const tooSoon = await housekeep({ topics: [], ...grace });
    await sleep(2_100);
    const later = await housekeep({ topics: [], ...grace });
    const keys = await segmentKeys(deps);

    // Assess
    expect(first.candidatesMarked).toBeGreaterThanOrEqual(1);
    expect(tooSoon.objectsReclaimed).toBe(0);
    expect(later.objectsReclaimed).toBeGreaterThanOrEqual(1);
    expect(keys).not.toContain(oldOrphan);
    expect(keys).toContain(youngOrphan);
  });
});
