/**
 * Consumer groups with real processes (test/fixtures/consumer-worker.ts) on the
 * local cluster: ownership, delivery and order with three members; a member
 * killed with SIGKILL; a member stopped past its session (a zombie) and
 * resumed; a fourth member joining while the others keep consuming.
 *
 * Ownership is checked from the workers' own events (same machine clock): the
 * interval from a worker's `assigned` to its `revoked`/`lost` (or to the
 * moment it was killed or stopped) must never overlap another worker's
 * interval for the same partition.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { GroupsAdmin } from '../../packages/client/src/consumer/index.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import type { LocalCluster } from '../../src/local/cluster.js';
import { startTestCluster, uniqueName } from '../helpers/cluster.js';
import { readClaims } from '../fixtures/consumer-claims.js';
import { keyedSequence, keysByPartition, produceKeyed, type KeyedValue } from '../fixtures/consumer-data.js';
import { eventually, overlaps, ownershipIntervals, WorkerProcess, type WorkerEvent } from '../fixtures/consumer-processes.js';
import type { WorkerOptions } from '../fixtures/consumer-worker.js';
import { sleep } from '../../packages/protocol/src/async.js';

const SESSION_MS = 3000;
const HEARTBEAT_MS = 300;

let cluster: LocalCluster;
let http: FloeHttpClient;
let admin: Admin;
let groups: GroupsAdmin;
let workers: WorkerProcess[] = [];

beforeAll(async () => {
  cluster = await startTestCluster();
  http = new FloeHttpClient(cluster.url);
  admin = Admin.fromClient(http);
  groups = new GroupsAdmin({ http });
});
afterEach(async () => {
  for (const w of workers) w.signal('SIGCONT');
  await Promise.all(workers.map((w) => w.stop(2000)));
  workers = [];
});
afterAll(() => cluster.close());

function startWorker(topic: string, groupId: string, name: string, options: Partial<WorkerOptions> = {}): WorkerProcess {
  const worker = new WorkerProcess({
    bootstrap: cluster.url,
    topic,
    groupId,
    name,
    sessionTimeoutMs: SESSION_MS,
    heartbeatIntervalMs: HEARTBEAT_MS,
    commitEvery: 0,
    processMs: 0,
    ...options,
  });
  workers.push(worker);
  return worker;
}

const records = (ws: WorkerProcess[]) => ws.flatMap((w) => w.of('record'));
const offsetKey = (e: WorkerEvent) => `${e.p}:${e.o}`;
const seq = (e: WorkerEvent) => Number((e.v ?? '').split(':')[1]);

async function endOffsets(topic: string, partitions: number): Promise<number[]> {
  const list = await admin.listOffsets(topic, Array.from({ length: partitions }, (_, p) => p), 'latest');
  return list.map((o) => o.offset);
}

async function committedOffsets(groupId: string, topic: string, partitions: number): Promise<number[]> {
  const list = await groups.listGroupOffsets(groupId, Array.from({ length: partitions }, (_, p) => ({ topic, partition: p })));
  return list.map((o) => o.offset);
}

/** Every stable holding: each partition held by exactly one of `ws`. */
function heldOnce(ws: WorkerProcess[], partitions: number): boolean {
  const all = ws.flatMap((w) => [...w.holding()]);
  return all.length === partitions && new Set(all).size === partitions;
}

/** Per key, each worker saw increasing sequence numbers, and all records of a key sorted by offset count 0, 1, 2, ... */
function expectPerKeyOrder(ws: WorkerProcess[]): void {
  for (const w of ws) {
    const last = new Map<string, number>();
    for (const r of w.of('record')) {
      expect(seq(r), `${w.name} ${r.k}`).toBeGreaterThan(last.get(r.k as string) ?? -1);
      last.set(r.k as string, seq(r));
    }
  }
  const byKey = new Map<string, WorkerEvent[]>();
  for (const r of records(ws)) byKey.set(r.k as string, [...(byKey.get(r.k as string) ?? []), r]);
  for (const [key, list] of byKey) {
    const unique = [...new Map(list.map((r) => [r.o, r])).values()].sort((a, b) => (a.o as number) - (b.o as number));
    expect(unique.map(seq), key).toEqual(unique.map((_, i) => i));
  }
}

describe('a consumer group of processes', () => {
  it('three members on six partitions: each partition owned by exactly one member, every record consumed once, per-key order kept', async () => {
    // Prepare
    const topic = uniqueName('three');
    const groupId = uniqueName('g3');
    await admin.createTopic(topic, 6);
    await produceKeyed(http, topic, keyedSequence(24, 600));

    // Act
    const ws = ['a', 'b', 'c'].map((name) => startWorker(topic, groupId, name, { processMs: 2 }));
    await eventually(() => records(ws).length >= 600 && heldOnce(ws, 6) && ws.every((w) => w.holding().size === 2), 30_000, 'all records, balanced');
    const ends = await endOffsets(topic, 6);
    await eventually(async () => (await committedOffsets(groupId, topic, 6)).every((c, p) => c === ends[p]), 10_000, 'auto-commits');
    const stoppedAt = Date.now();
    await Promise.all(ws.map((w) => w.stop()));
    const after = await groups.describeGroup(groupId);

    // Assess
    const consumed = records(ws).map(offsetKey);
    expect(consumed).toHaveLength(600);
    expect(new Set(consumed).size).toBe(600);
    expectPerKeyOrder(ws);
    expect(overlaps(ownershipIntervals(ws, () => stoppedAt))).toEqual([]);
    expect(after.state).toBe('Empty');
    expect(after.partitions.map((p) => p.lag)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('a member killed with SIGKILL loses its partitions within session.timeout.ms + heartbeat.interval.ms; nothing is skipped, only records after its last commit come again', async () => {
    // Prepare
    const topic = uniqueName('kill');
    const groupId = uniqueName('gk');
    await admin.createTopic(topic, 6);
    await produceKeyed(http, topic, keyedSequence(24, 600));
    const ws = ['a', 'b', 'victim'].map((name) => startWorker(topic, groupId, name, { processMs: 8, commitEvery: 15 }));
    const [a, b, victim] = ws as [WorkerProcess, WorkerProcess, WorkerProcess];
    await eventually(() => heldOnce(ws, 6) && ws.every((w) => w.holding().size === 2), 30_000, 'a balanced group');
    const settled = Date.now();
    // It must have processed records past its last commit, or the test proves nothing about redelivery.
    await eventually(() => {
      const last = victim.of('committed').filter((e) => e.at > settled).pop();
      return last !== undefined && victim.of('record').filter((r) => r.at > last.at).length >= 3;
    }, 20_000, 'uncommitted records at the victim');

    // Act
    const victimPartitions = [...victim.holding()];
    const killedAt = Date.now();
    victim.signal('SIGKILL');
    await victim.exited;
    const takeovers = await Promise.all(
      victimPartitions.map((p) =>
        Promise.any([a, b].map((w) => w.waitFor((e) => e.e === 'assigned' && e.at > killedAt && (e.partitions ?? []).includes(p), 20_000, `partition ${p}`))),
      ),
    );
    const claims = await readClaims(cluster, groupId);
    await eventually(() => new Set(records(ws).map(offsetKey)).size >= 600, 30_000, 'every record');
    const stoppedAt = Date.now();
    await Promise.all([a.stop(), b.stop()]);

    // Assess
    // Ownership moves when a survivor's heartbeat claims the partition: the victim's lease ends <= session after its
    // last heartbeat (<= the kill), and a survivor's next heartbeat follows within one interval. The heartbeat
    // request itself (under test load, 2 cores) comes on top: 250 ms of slack.
    const survivors = new Set([a, b].flatMap((w) => w.of('assigned').map((e) => e.memberId)));
    for (const p of victimPartitions) {
      const claim = claims.get(`${topic}:${p}`);
      expect(survivors.has(claim?.owner)).toBe(true);
      expect((claim?.claimedAt as number) - killedAt).toBeLessThanOrEqual(SESSION_MS + HEARTBEAT_MS + 250);
    }
    expect(new Set(records(ws).map(offsetKey)).size).toBe(600);
    for (const p of victimPartitions) {
      const takeover = takeovers.find((e) => (e.partitions ?? []).includes(p)) as WorkerEvent;
      const start = (takeover.positions ?? {})[p] as number;
      const victimRecords = victim.of('record').filter((r) => r.p === p);
      const lastCommit = victim.of('committed').reduce((c, e) => (e.offsets?.[p] !== undefined ? (e.offsets[p] as number) : c), -1);
      expect(start).toBeGreaterThanOrEqual(lastCommit);
      // Redelivered = exactly what the victim processed from the committed offset on.
      const redelivered = records([a, b]).filter((r) => r.p === p && victimRecords.some((v) => v.o === r.o)).map((r) => r.o);
      expect(redelivered).toEqual(victimRecords.filter((r) => (r.o as number) >= start).map((r) => r.o));
    }
    const survivorDuplicates = records([a, b]).map(offsetKey).filter((k, i, all) => all.indexOf(k) !== i);
    expect(survivorDuplicates).toEqual([]);
    expect(overlaps(ownershipIntervals(ws, (w) => (w === victim ? killedAt : stoppedAt)))).toEqual([]);
  });

  it('a zombie (stopped past its session, then resumed) cannot commit for the partitions it lost; committed offsets never move backwards', async () => {
    // Prepare
    const topic = uniqueName('zombie');
    const groupId = uniqueName('gz');
    await admin.createTopic(topic, 4);
    await produceKeyed(http, topic, keyedSequence(16, 400));
    const zombie = startWorker(topic, groupId, 'zombie', { processMs: 20, commitEvery: 10, zombieCommitOnResume: true });
    const other = startWorker(topic, groupId, 'other', { processMs: 5, commitEvery: 10 });
    await eventually(() => heldOnce([zombie, other], 4) && zombie.holding().size === 2, 30_000, 'a balanced group');
    const settled = Date.now();
    await eventually(() => {
      const last = zombie.of('committed').filter((e) => e.at > settled).pop();
      return last !== undefined && zombie.of('record').filter((r) => r.at > last.at).length >= 2;
    }, 20_000, 'uncommitted records at the zombie');
    const samples: number[][] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push(await committedOffsets(groupId, topic, 4));
        await sleep(50);
      }
    })();

    // Act
    const lost = [...zombie.holding()];
    const stoppedAt = Date.now();
    zombie.signal('SIGSTOP');
    const positionAtStop = (p: number) => 1 + Math.max(-1, ...zombie.of('record').filter((r) => r.p === p && r.at <= stoppedAt).map((r) => r.o as number));
    await Promise.all(lost.map((p) => other.waitFor((e) => e.e === 'assigned' && e.at > stoppedAt && (e.partitions ?? []).includes(p), 20_000, `partition ${p}`)));
    const ends = await endOffsets(topic, 4);
    await eventually(async () => (await committedOffsets(groupId, topic, 4)).every((c, p) => c === ends[p]), 30_000, 'the other member to finish');
    const before = await committedOffsets(groupId, topic, 4);
    zombie.signal('SIGCONT');
    const attempt = await zombie.waitFor((e) => e.e === 'zombie-commit', 10_000, 'the zombie commit');
    const after = await committedOffsets(groupId, topic, 4);
    sampling = false;
    await sampler;

    // Assess
    // What it tried to commit: where it had got to (it may finish a record it held when it wakes up),
    // behind the other member's commits for the partitions it lost.
    const tried = lost.filter((p) => attempt.offsets?.[p] !== undefined);
    expect(tried.length).toBeGreaterThan(0);
    for (const p of tried) {
      expect(attempt.offsets?.[p]).toBeGreaterThanOrEqual(positionAtStop(p));
      expect(attempt.offsets?.[p]).toBeLessThan(before[p] as number); // accepted, it would have moved the offset back
    }
    expect(['UNKNOWN_MEMBER_ID', 'FENCED_MEMBER_EPOCH']).toContain(attempt.code);
    expect(after).toEqual(before);
    for (let p = 0; p < 4; p++) {
      const series = samples.map((s) => s[p] as number);
      expect(series.every((offset, i) => i === 0 || offset >= (series[i - 1] as number)), `partition ${p}: ${series.join(',')}`).toBe(true);
    }
    expect(new Set(records([zombie, other]).map(offsetKey)).size).toBe(400);
    expect(overlaps(ownershipIntervals([zombie, other], (w) => (w === zombie ? stoppedAt : Date.now())))).toEqual([]);
  });

  it('a fourth member joining moves only the partitions it receives, and the others keep consuming meanwhile (cooperative)', async () => {
    // Prepare
    const topic = uniqueName('fourth');
    const groupId = uniqueName('g4');
    await admin.createTopic(topic, 6);
    const keys = keysByPartition(6, 2).flat();
    const counters = new Map<string, number>();
    const next = (): KeyedValue[] =>
      keys.map((key) => {
        const n = counters.get(key) ?? 0;
        counters.set(key, n + 1);
        return { key, value: `${key}:${n}` };
      });
    let producing = true;
    const producer = (async () => {
      while (producing) {
        await produceKeyed(http, topic, next());
        await sleep(50);
      }
    })();
    const old = ['a', 'b', 'c'].map((name) => startWorker(topic, groupId, name, { autoCommitIntervalMs: 200 }));
    await eventually(() => heldOnce(old, 6) && old.every((w) => w.holding().size === 2), 30_000, 'a balanced group of three');
    const before = new Map(old.map((w) => [w.name, [...w.holding()]]));

    // Act
    const fourth = startWorker(topic, groupId, 'd', { autoCommitIntervalMs: 200 });
    const ready = await fourth.waitFor((e) => e.e === 'ready', 20_000, 'ready');
    const gotten = await fourth.waitFor((e) => e.e === 'assigned' && (e.partitions ?? []).length > 0, 20_000, 'an assignment');
    const all = [...old, fourth];
    await eventually(() => heldOnce(all, 6), 10_000, 'a settled group of four');
    const settledAt = Date.now();
    const holdings = new Map(all.map((w) => [w.name, [...w.holding()].sort()]));
    producing = false;
    await producer;
    const total = [...counters.values()].reduce((a, b) => a + b, 0);
    await eventually(() => new Set(records(all).map(offsetKey)).size >= total, 20_000, 'every record');
    const stoppedAt = Date.now();
    await Promise.all(all.map((w) => w.stop()));

    // Assess
    const moved = old.flatMap((w) => w.of('revoked').filter((e) => e.at >= ready.at && e.at <= settledAt).flatMap((e) => e.partitions ?? [])).sort();
    expect(moved).toEqual([...(gotten.partitions ?? [])].sort());
    expect(holdings.get('d')).toEqual(moved);
    for (const w of old) {
      const kept = (before.get(w.name) ?? []).filter((p) => !moved.includes(p));
      expect(holdings.get(w.name)).toEqual(kept.sort());
      // Not a stop-the-world rebalance: its kept partitions delivered records while the fourth member waited.
      const during = w.of('record').filter((r) => r.at > ready.at && r.at < gotten.at && kept.includes(r.p as number));
      expect(during.length, `${w.name} consumed nothing between ${ready.at} and ${gotten.at}`).toBeGreaterThan(0);
    }
    const consumed = records(all).map(offsetKey);
    expect(new Set(consumed).size).toBe(total);
    expect(consumed).toHaveLength(total); // no duplicates: commits happen before each revocation
    expectPerKeyOrder(all);
    expect(overlaps(ownershipIntervals(all, () => stoppedAt))).toEqual([]);
  });
});
