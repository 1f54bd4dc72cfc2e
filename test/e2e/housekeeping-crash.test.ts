/**
 * A housekeeping invocation killed in the middle (SIGKILL inside `floe housekeeping run`, as a
 * Lambda instance dying would) leaves a state that the next invocation completes: after the log
 * start moved but before its index chunks went, after a merged object was written but before any
 * chunk pointed at it, after some chunks were rewritten, and before an object deletion. Reads
 * stay correct throughout, and in the end no unreferenced object is left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { produceRaw } from '../../packages/client/src/log-client.js';
import type { HousekeepingProcessDeps } from '../../src/handlers/housekeeping-deps.js';
import { runHousekeeping } from '../../src/housekeeping/housekeeping.js';
import type { DecodedRecord } from '../../packages/protocol/src/records/record-batch.js';
import { startCluster, type LocalCluster } from '../../src/local/cluster.js';
import { uniqueName } from '../helpers/cluster.js';
import { encodeRecordBatch } from '../../packages/protocol/src/records/record-batch.js';
import { readHead } from '../../src/log/append.js';
import { housekeepingCli, housekeepingDepsOn, segmentKeys, startOwnStorage, storedLocations, stripSpans, unreferencedObjects, type OwnStorage } from '../helpers/housekeeping.js';
import { batchOf, readPartition } from '../helpers/log.js';
import { sleep } from '../../packages/protocol/src/async.js';

const LEASE_MS = 1000;
const HOUR = 60 * 60 * 1000;
const PARTITIONS = 2;
let storage: OwnStorage;
let cluster: LocalCluster;
let http: FloeHttpClient;
let deps: HousekeepingProcessDeps;

/** Waits until the killed invocation's leases have expired. */
const pastLeases = () => sleep(LEASE_MS + 200);
const cli = (args: string[], graceMs = 60_000) =>
  housekeepingCli(storage, ['--lease-ms', String(LEASE_MS), '--merge-target-bytes', '2048', '--grace-ms', String(graceMs), ...args]);

beforeAll(async () => {
  storage = await startOwnStorage();
  cluster = await startCluster({ storage });
  http = new FloeHttpClient(cluster.url);
  deps = housekeepingDepsOn(storage);
});
afterAll(async () => {
  await cluster?.close();
  deps?.clients.s3.destroy();
  deps?.clients.dynamo.destroy();
  await storage?.stop();
});

describe('a housekeeping invocation killed in the middle', () => {
  it('leaves a state the next invocation completes, with reads correct at every step', async () => {
    // Prepare: 36 requests over 2 partitions; the first 12 are two hours old (retention 1 hour)
    const topic = uniqueName('hk-crash');
    await Admin.fromClient(http).createTopic(topic, PARTITIONS, { 'retention.ms': HOUR });
    const old = Date.now() - 2 * HOUR;
    for (let i = 0; i < 36; i++) {
      const [result] = await produceRaw(http, {
        acks: -1,
        timeoutMs: 10_000,
        topics: [{ topic, partitions: [0, 1].map((p) => ({ partition: p, records: batchOf([`p${p}-${i}`.padEnd(120, '.')], i < 12 ? { now: old } : {}) })) }],
      });
      expect(result?.partitions.every((p) => p.errorCode === 'NONE')).toBe(true);
    }
    const live = async () => Promise.all([0, 1].map((p) => readPartition(http, topic, p, 12, 1)));
    const expected: DecodedRecord[][] = await live();
    const objectsBefore = (await segmentKeys(deps)).length;

    // Act + Assess, one crash point after another
    const crashes = [];
    for (const point of ['after-log-start-advance', 'after-merged-object-put', 'after-chunk-rewrite']) {
      const run = await cli(['--crash-point', point, '--no-sweep']);
      crashes.push([point, run.code]);
      expect(await live()).toEqual(expected);
      await pastLeases();
    }
    const completed = await cli([]);
    const afterCompletion = await live();
    const earliest = await Admin.fromClient(http).listOffsets(topic, [0, 1], 'earliest');

    // Sweep with a tiny grace: one pass sees the unreferenced objects, a killed one dies before deleting, the next deletes
    const sweepNow = { settings: { graceMs: 1, leaseMs: LEASE_MS, mergeTargetBytes: 2048 } };
    const sighting = await runHousekeeping(deps, sweepNow);
    await sleep(5);
    const killedSweep = await cli(['--crash-point', 'before-object-delete'], 1);
    await pastLeases();
    const finalSweep = await runHousekeeping(deps, sweepNow);
    const objectsAfter = (await segmentKeys(deps)).length;

    expect(crashes).toEqual([
      ['after-log-start-advance', -1],
      ['after-merged-object-put', -1],
      ['after-chunk-rewrite', -1],
    ]);
    expect(completed.code).toBe(0);
    expect(completed.summary).toMatchObject({ errors: [], partitionsProcessed: PARTITIONS });
    expect(completed.summary!.leaseTakeovers).toBeGreaterThanOrEqual(1); // the killed run's leases
    expect(completed.summary!.chunksRewritten).toBeGreaterThan(0); // the merge the crashes interrupted got done
    expect(afterCompletion).toEqual(expected);
    expect(earliest.map((e) => e.offset)).toEqual([12, 12]);
    expect(sighting.candidatesMarked).toBeGreaterThan(0);
    expect(killedSweep.code).toBe(-1);
    expect(finalSweep).toMatchObject({ errors: [] });
    expect(finalSweep.leaseTakeovers).toBeGreaterThan(0); // the killed sweep's shard leases
    expect(finalSweep.objectsReclaimed).toBeGreaterThan(0);
    expect(await unreferencedObjects(deps)).toEqual([]); // orphans of the killed merges are gone too
    expect(objectsAfter).toBeLessThan(objectsBefore / 2);
    expect(await live()).toEqual(expected);
  });

  it('compacting (after the span migration write, the compacted object PUT, a chunk rewrite): every key keeps its latest value, offsets never move, the next invocation completes', async () => {
    // Prepare: a compacted topic, 60 one-record batches over 6 keys; its locations as written before decision 32
    const topic = uniqueName('hk-compact-crash');
    const { topicId } = await Admin.fromClient(http).createTopic(topic, 1, { 'cleanup.policy': 'compact', 'segment.ms': 1 });
    for (let i = 0; i < 60; i++) {
      const records = [{ key: Buffer.from(`k${i % 6}`), value: Buffer.from(`v${i}`.padEnd(100, '.')) }];
      const [result] = await produceRaw(http, { acks: -1, timeoutMs: 10_000, topics: [{ topic, partitions: [{ partition: 0, records: encodeRecordBatch({ records }) }] }] });
      expect(result?.partitions[0]?.errorCode).toBe('NONE');
    }
    await sleep(200); // the background spill
    const original = await readPartition(http, topic, 0);
    const { recentBase } = (await readHead(deps, { topicId }, 0))!;
    await stripSpans(deps, topicId);
    const latest = new Map<string, number>();
    for (const r of original) if (r.offset < recentBase) latest.set(r.key!.toString(), r.offset);
    const compacted = original.filter((r) => r.offset >= recentBase || latest.get(r.key!.toString()) === r.offset);
    const key = (r: DecodedRecord) => `${r.offset}:${r.key?.toString()}:${r.value?.toString()}`;
    // Between crashes: a subset of the original, holding at least every record compaction keeps
    const consistent = (records: DecodedRecord[]) => {
      const now = new Set(records.map(key));
      return records.every((r) => original.some((o) => key(o) === key(r))) && compacted.every((r) => now.has(key(r)));
    };

    // Act + Assess, one crash point after another
    const crashes = [];
    for (const point of ['after-span-migration-write', 'after-compacted-object-put', 'after-compacted-chunk-rewrite']) {
      const run = await cli(['--crash-point', point, '--no-sweep']);
      crashes.push([point, run.code]);
      expect(consistent(await readPartition(http, topic, 0))).toBe(true);
      await pastLeases();
    }
    const completed = await cli(['--no-sweep']);
    const after = await readPartition(http, topic, 0);

    expect(crashes).toEqual([
      ['after-span-migration-write', -1],
      ['after-compacted-object-put', -1],
      ['after-compacted-chunk-rewrite', -1],
    ]);
    expect(completed.summary).toMatchObject({ errors: [], compactionConflicts: 0 });
    expect(after.map(key)).toEqual(compacted.map(key));
    expect((await storedLocations(deps, topicId)).every((l) => l.w !== undefined)).toBe(true);
  });
});
