/**
 * Housekeeping under load: three handler processes take produce and fetch requests from many
 * writers and tailing readers while two housekeeping loops (separate holders, so they contend
 * for the same leases) merge, repair and sweep over and over. No fetch fails or skips an
 * offset, no acknowledged record is lost or moved, and in the end the objects are far fewer
 * than the produce requests and no orphan is left (including one from a produce that died
 * after its PUT).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { fetchRaw, produceRaw } from '../../packages/client/src/log-client.js';
import type { HousekeepingProcessDeps } from '../../src/handlers/housekeeping-deps.js';
import { runHousekeeping, type HousekeepingSummary } from '../../src/housekeeping/housekeeping.js';
import { acquireLease, releaseLease } from '../../src/leases/leases.js';
import { getTopic } from '../../src/log/topics.js';
import { logKeys } from '../../src/storage/keys.js';
import { decodeRecordBatches } from '../../packages/protocol/src/records/record-batch.js';
import { uniqueName } from '../helpers/cluster.js';
import { housekeepingDepsOn, segmentKeys, serveOn, startOwnStorage, unreferencedObjects, type OwnStorage, type ServeOn } from '../helpers/housekeeping.js';
import { batchOf, readPartition, values } from '../helpers/log.js';
import { sleep } from '../../packages/protocol/src/async.js';

const PROCESSES = 3;
const PARTITIONS = 4;
const WRITERS = 5;
const REQUESTS_PER_WRITER = 20;
/** Longer than any produce or fetch takes here, even on two busy cores. */
const GRACE_MS = 4000;
const SETTINGS = { graceMs: GRACE_MS, leaseMs: 5000, mergeTargetBytes: 16 * 1024 };

let storage: OwnStorage;
let servers: ServeOn[] = [];
let deps: HousekeepingProcessDeps;


beforeAll(async () => {
  storage = await startOwnStorage();
  servers = await Promise.all(Array.from({ length: PROCESSES }, () => serveOn(storage)));
  deps = housekeepingDepsOn(storage);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  deps?.clients.s3.destroy();
  deps?.clients.dynamo.destroy();
  await storage?.stop();
});

interface Reader {
  values: string[][];
  failures: string[];
}

/** Tails every partition through the processes in turn; records a failure on any error or skipped offset. */
async function tail(clients: FloeHttpClient[], topic: string, done: () => boolean, hwm: () => number[]): Promise<Reader> {
  const reader: Reader = { values: Array.from({ length: PARTITIONS }, () => []), failures: [] };
  const positions = Array.from({ length: PARTITIONS }, () => 0);
  for (let round = 0; ; round++) {
    const [t] = await fetchRaw(clients[round % clients.length]!, {
      maxWaitMs: 200,
      minBytes: 1,
      maxBytes: 64 * 1024,
      topics: [{ topic, partitions: positions.map((fetchOffset, partition) => ({ partition, fetchOffset, partitionMaxBytes: 4 * 1024 })) }],
    });
    for (const p of t!.partitions) {
      if (p.errorCode !== 'NONE') reader.failures.push(`${p.partition}@${positions[p.partition]}: ${p.errorCode} ${p.errorMessage}`);
      for (const batch of decodeRecordBatches(p.records)) {
        for (const record of batch.records) {
          if (record.offset < positions[p.partition]!) continue;
          if (record.offset !== positions[p.partition]) reader.failures.push(`${p.partition}: skipped from ${positions[p.partition]} to ${record.offset}`);
          reader.values[p.partition]!.push(record.value!.toString('utf8'));
          positions[p.partition] = record.offset + 1;
        }
      }
    }
    if (done() && positions.every((pos, i) => pos >= (hwm()[i] ?? 0))) return reader;
  }
}

async function housekeepingLoop(stop: () => boolean, seen: HousekeepingSummary[] = []): Promise<HousekeepingSummary[]> {
  const summaries: HousekeepingSummary[] = [];
  while (!stop()) {
    const summary = await runHousekeeping(deps, { settings: SETTINGS });
    summaries.push(summary);
    seen.push(summary);
    await sleep(200);
  }
  return summaries;
}

/**
 * A third holder keeps one partition's lease until a loop has found it busy (or `maxMs` passed).
 * The two loops meet on a lease only when their passes happen to overlap on one partition, which
 * the machine's timing may never give; this contention is certain, and brief.
 */
async function holdLeaseUntilMet(name: string, seen: HousekeepingSummary[], maxMs: number): Promise<void> {
  const lease = await acquireLease(deps, name, 'stalled-holder', SETTINGS.leaseMs);
  if (!lease) return; // a loop holds it: they contend on it already
  const until = Date.now() + maxMs;
  while (!seen.some((s) => s.partitionsBusy > 0) && Date.now() < until) await sleep(50);
  await releaseLease(deps, lease);
}

describe('housekeeping while producers and consumers run', () => {
  it('loses nothing, skips nothing, and ends with far fewer objects and no orphans', { timeout: 120_000 }, async () => {
    // Prepare
    const clients = servers.map((s) => new FloeHttpClient(s.url));
    const topic = uniqueName('hk-load');
    await Admin.fromClient(clients[0]!).createTopic(topic, PARTITIONS);
    const doomed = await serveOn(storage, ['--crash-point', 'after-segment-put']);
    const acked = new Map<number, Array<{ baseOffset: number; values: string[] }>>();
    const hwm = Array.from({ length: PARTITIONS }, () => 0);
    let slowestProduceMs = 0;
    let producing = true;
    let housekeeping = true;

    // Act: writers, readers and two housekeeping loops at once
    const seen: HousekeepingSummary[] = [];
    const held = holdLeaseUntilMet(logKeys.partitionLeaseName((await getTopic(deps, topic))!.topicId, 0), seen, SETTINGS.leaseMs - 1000);
    const loops = [housekeepingLoop(() => !housekeeping, seen), sleep(300).then(() => housekeepingLoop(() => !housekeeping, seen))];
    const readers = [0, 1].map(() => tail(clients, topic, () => !producing, () => hwm));
    const orphanAttempt = produceRaw(new FloeHttpClient(doomed.url), {
      acks: -1,
      timeoutMs: 5_000,
      topics: [{ topic, partitions: [{ partition: 0, records: batchOf(['lost']) }] }],
    }).catch(() => 'failed');
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, writer) => {
        for (let seq = 0; seq < REQUESTS_PER_WRITER; seq++) {
          const partitions = Array.from({ length: PARTITIONS }, (_, p) => p).filter((p) => (p + seq + writer) % PARTITIONS !== 0);
          const batches = partitions.map((partition) => ({ partition, vals: [`w${writer}-s${seq}-p${partition}-a`, `w${writer}-s${seq}-p${partition}-b`] }));
          const started = Date.now();
          const [result] = await produceRaw(clients[(writer + seq) % PROCESSES]!, {
            acks: -1,
            timeoutMs: 30_000,
            topics: [{ topic, partitions: batches.map((b) => ({ partition: b.partition, records: batchOf(b.vals) })) }],
          });
          slowestProduceMs = Math.max(slowestProduceMs, Date.now() - started);
          for (const p of result!.partitions) {
            expect(p.errorCode).toBe('NONE');
            const list = acked.get(p.partition) ?? [];
            list.push({ baseOffset: p.baseOffset, values: batches.find((b) => b.partition === p.partition)!.vals });
            acked.set(p.partition, list);
            hwm[p.partition] = Math.max(hwm[p.partition]!, p.baseOffset + 2);
          }
        }
      }),
    );
    producing = false;
    await held;
    const tailed = await Promise.all(readers);
    // Let the loops merge what the last spills wrote and collect what became unreferenced (two graces).
    await sleep(2 * GRACE_MS + 1500);
    housekeeping = false;
    const summaries = (await Promise.all(loops)).flat();
    const final = await runHousekeeping(deps, { settings: SETTINGS });

    // Assess
    expect(slowestProduceMs, 'the grace must outlast every produce (the design assumption)').toBeLessThan(GRACE_MS);
    expect(await orphanAttempt).toBe('failed');
    expect(await doomed.exited).toBe(-1);
    for (const reader of tailed) expect(reader.failures).toEqual([]);
    const reader = clients[PROCESSES - 1]!;
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const log = await readPartition(reader, topic, partition);
      const inCommitOrder = (acked.get(partition) ?? []).sort((a, b) => a.baseOffset - b.baseOffset);
      expect(log.map((r) => r.offset)).toEqual(log.map((_, i) => i));
      expect(values(log)).toEqual(inCommitOrder.flatMap((a) => a.values));
      let expectedBase = 0;
      for (const batch of inCommitOrder) {
        expect(batch.baseOffset).toBe(expectedBase);
        expectedBase += batch.values.length;
      }
      for (const tailedReader of tailed) expect(tailedReader.values[partition]).toEqual(values(log));
    }
    const all = [...summaries, final];
    expect(all.flatMap((s) => s.errors)).toEqual([]);
    expect(all.reduce((n, s) => n + s.mergedObjectsWritten, 0)).toBeGreaterThan(0);
    expect(all.reduce((n, s) => n + s.objectsReclaimed, 0)).toBeGreaterThan(0);
    expect(all.reduce((n, s) => n + s.partitionsBusy, 0)).toBeGreaterThan(0); // the loops met a lease another holder held
    const objects = await segmentKeys(deps);
    const requests = WRITERS * REQUESTS_PER_WRITER;
    expect(objects.length).toBeLessThan(requests / 4);
    expect(await unreferencedObjects(deps)).toEqual([]);
  });
});
