/**
 * The chaos run's compacted mode (`npm run chaos -- --compacted`): keyed records, tombstones among
 * them, produced to a compacted topic while `floe housekeeping run` processes compact, merge and
 * sweep it, a seeded share of them killed (SIGKILL) at a housekeeping crash point. Then one clean
 * pass, a full read, and the compacted checker (compacted-checker.ts).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Admin, fetchRaw, FloeHttpClient, produceRaw } from '@floe/client';
import { encodeRecordBatch, readFetchedRecords, sleep } from '@floe/protocol';
import { createAwsClients } from '../aws/clients.js';
import { HOUSEKEEPING_CRASH_POINTS } from '../faults/crash-points.js';
import { seededRandom } from '../faults/random.js';
import { createHousekeepingDeps } from '../handlers/housekeeping-deps.js';
import { runHousekeeping } from '../housekeeping/housekeeping.js';
import { readHead } from '../log/append.js';
import { startCluster } from '../local/cluster.js';
import { localConfig } from '../local/storage.js';
import { checkCompacted, type KeyedAck } from './compacted-checker.js';

const FLOE_BIN = fileURLToPath(new URL('../../bin/floe.mjs', import.meta.url));
const LEASE_MS = 1000;
/** Long enough that no object a pass writes is swept before the pass references it. */
const GRACE_MS = 5000;
const PARTITIONS = 2;

export interface CompactedChaosOptions {
  seed: number;
  durationMs: number;
  storage: { dynamoEndpoint: string; s3Endpoint: string };
  keys?: number;
  log?: (line: string) => void;
}

export interface CompactedChaosSummary {
  ok: boolean;
  acked: number;
  read: number;
  passes: number;
  killedPasses: number;
  recordsCompactedAway: number;
  horizons: number[];
  violations: string[];
}

/** One `floe housekeeping run` process; its exit code (-1 when killed). */
function housekeepingProcess(storage: CompactedChaosOptions['storage'], crashPoint: string | undefined): Promise<number> {
  const args = [FLOE_BIN, 'housekeeping', 'run', '--dynamodb-endpoint', storage.dynamoEndpoint, '--s3-endpoint', storage.s3Endpoint];
  args.push('--lease-ms', String(LEASE_MS), '--grace-ms', String(GRACE_MS), '--merge-target-bytes', '4096');
  if (crashPoint) args.push('--crash-point', crashPoint);
  const child = spawn(process.execPath, args, { stdio: 'ignore', env: process.env });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : 0))));
}

async function readPartition(http: FloeHttpClient, topic: string, partition: number): Promise<KeyedAck[]> {
  const out: KeyedAck[] = [];
  let offset = 0;
  for (;;) {
    const [t] = await fetchRaw(http, { maxWaitMs: 0, minBytes: 0, maxBytes: 4 << 20, topics: [{ topic, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 1 << 20 }] }] });
    const p = t?.partitions[0];
    if (!p || p.errorCode !== 'NONE') throw new Error(`fetch of ${topic}/${partition} at ${offset}: ${p?.errorCode}`);
    const read = readFetchedRecords(p.records, offset);
    if (read.corrupt) throw new Error(`corrupt batch in ${topic}/${partition}: ${read.corrupt.message}`);
    for (const r of read.records) out.push({ offset: r.offset, key: r.key?.toString('utf8') ?? '', value: r.value === null ? null : r.value.toString('utf8') });
    if (read.nextOffset === undefined || read.nextOffset >= p.highWatermark) return out;
    offset = read.nextOffset;
  }
}

export async function runCompactedChaos(options: CompactedChaosOptions): Promise<CompactedChaosSummary> {
  const log = options.log ?? (() => undefined);
  const random = seededRandom(options.seed);
  const keys = options.keys ?? 40;
  const cluster = await startCluster({ storage: options.storage });
  const config = localConfig(options.storage);
  const hk = createHousekeepingDeps(config, createAwsClients(config));
  const http = new FloeHttpClient(cluster.url);
  const topic = `chaos-compacted-${options.seed}-${Date.now().toString(36)}`;
  const { topicId } = await Admin.fromClient(http).createTopic(topic, PARTITIONS, {
    'cleanup.policy': 'compact',
    'segment.ms': 1,
    'min.cleanable.dirty.ratio': 0.1,
    'delete.retention.ms': 3000,
  });
  const acked: KeyedAck[][] = Array.from({ length: PARTITIONS }, () => []);
  const summary: CompactedChaosSummary = { ok: false, acked: 0, read: 0, passes: 0, killedPasses: 0, recordsCompactedAway: 0, horizons: [], violations: [] };
  const deadline = Date.now() + options.durationMs;
  try {
    const producing = (async () => {
      let seq = 0;
      while (Date.now() < deadline) {
        const partition = Math.floor(random() * PARTITIONS);
        const records = Array.from({ length: 1 + Math.floor(random() * 5) }, () => {
          const key = `k${Math.floor(random() * keys)}`;
          return { key, value: random() < 0.1 ? null : `${key}-${seq++}` };
        });
        const batch = encodeRecordBatch({ records: records.map((r) => ({ key: Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value) })) });
        const [result] = await produceRaw(http, { acks: -1, timeoutMs: 10_000, topics: [{ topic, partitions: [{ partition, records: batch }] }] });
        const p = result?.partitions[0];
        if (p?.errorCode !== 'NONE') throw new Error(`produce failed: ${p?.errorCode} ${p?.errorMessage ?? ''}`);
        records.forEach((r, i) => acked[partition]!.push({ offset: p.baseOffset + i, ...r }));
        await sleep(random() * 20);
      }
    })();
    const housekeeping = (async () => {
      const points = HOUSEKEEPING_CRASH_POINTS.filter((p) => p !== 'after-log-start-advance'); // compact-only: retention never runs
      while (Date.now() < deadline) {
        const crashPoint = random() < 0.5 ? points[Math.floor(random() * points.length)] : undefined;
        const code = await housekeepingProcess(options.storage, crashPoint);
        summary.passes++;
        if (code === -1) {
          summary.killedPasses++;
          await sleep(LEASE_MS + 200); // its leases expire
        } else if (code !== 0) throw new Error(`housekeeping exited with ${code}`);
        log(`housekeeping pass ${summary.passes}${crashPoint ? ` (crash point ${crashPoint}): ${code}` : ''}`);
        await sleep(200 + random() * 500);
      }
    })();
    await Promise.all([producing, housekeeping]);

    // One clean pass, then the full read.
    const final = await runHousekeeping(hk, { topics: [topic], sweep: false, settings: { leaseMs: LEASE_MS, graceMs: GRACE_MS, mergeTargetBytes: 4096 } });
    if (final.errors.length > 0) summary.violations.push(...final.errors.map((e) => `final housekeeping: ${e}`));
    summary.recordsCompactedAway = final.recordsCompactedAway;
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const head = await readHead(hk, { topicId }, partition);
      const horizon = head?.recentBase ?? 0; // compaction never touches the head's inline batches
      const read = await readPartition(http, topic, partition);
      summary.horizons.push(horizon);
      summary.acked += acked[partition]!.length;
      summary.read += read.length;
      summary.violations.push(...checkCompacted(acked[partition]!, read, horizon).map((v) => `${topic}/${partition}: ${v}`));
    }
    summary.ok = summary.violations.length === 0;
    return summary;
  } finally {
    await cluster.close();
    hk.clients.s3.destroy();
    hk.clients.dynamo.destroy();
  }
}

export const formatCompactedSummary = (s: CompactedChaosSummary): string =>
  [
    `compacted chaos: ${s.ok ? 'OK' : 'VIOLATIONS'}`,
    `  records acknowledged ${s.acked}, readable after compaction ${s.read}, removed by the final pass ${s.recordsCompactedAway}`,
    `  housekeeping passes ${s.passes} (${s.killedPasses} killed at a crash point), horizons ${s.horizons.join(', ')}`,
    ...s.violations.slice(0, 20).map((v) => `  violation: ${v}`),
  ].join('\n');
