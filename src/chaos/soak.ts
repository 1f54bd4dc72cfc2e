/**
 * npm run soak -- --minutes M: steady produce and consume through a local cluster
 * of handler processes (behind the round-robin front), sampling each handler's
 * RSS. Fails when, after the warm-up (the first quarter of the run), memory grows
 * more than 10% or produce throughput decays more than 10% (last quarter against
 * the second). Values are padded (--value-bytes, default 1 KiB) so that each
 * handler's 64 MiB range cache fills during the warm-up: RSS growth after it is
 * then growth, not the cache doing its job. Prints one JSON line of results.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Admin, fetchRaw, FloeHttpClient } from '@floe/client';
import { decodeRecordBatches } from '@floe/protocol';
import { setLocalCredentials } from '../local/cluster.js';
import { ensureStorage, localConfig, startStorage } from '../local/storage.js';
import { seededRandom } from '../faults/random.js';
import { startFront } from './front.js';
import { spawnHandler } from './processes.js';
import { ChaosProducer } from './producer.js';
import { sleep } from '@floe/protocol';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, handlers: { type: 'string', default: '2' }, limit: { type: 'string', default: '10' }, 'value-bytes': { type: 'string', default: '1024' } } });
const durationMs = Number(values.minutes) * 60_000;
const limitPct = Number(values.limit);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

const rssKb = (pid: number | undefined): number => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

setLocalCredentials();
const storage = await startStorage();
await ensureStorage(localConfig(storage));
const front = await startFront();
const handlers = Array.from({ length: Number(values.handlers) }, () => spawnHandler(storage, undefined, () => undefined));
front.setBackends(await Promise.all(handlers.map((h) => h.url)));
const http = new FloeHttpClient(front.url, { requestTimeoutMs: 30_000 });
const topics = [{ topic: `soak-${Date.now().toString(36)}`, partitions: 4 }];
await Admin.fromClient(http).createTopic(topics[0]!.topic, 4);

let acked = 0;
let consumed = 0;
const anomalies: string[] = [];
const producers = [0, 1].map((i) => new ChaosProducer(http, { name: `p${i}`, topics, keysPerPartition: 8, maxBatchRecords: 100, valuePadding: Number(values['value-bytes']), random: seededRandom(i + 1), onAck: () => acked++, onAnomaly: (m) => anomalies.push(m) }));
let running = true;
const loops = producers.map(async (p) => {
  while (running) await p.round(true);
});
// a tailing reader of every partition (the fetch path, its cache and the head reads)
const positions = [0, 1, 2, 3];
const reader = (async () => {
  while (running) {
    try {
      const [t] = await fetchRaw(http, { maxWaitMs: 200, minBytes: 1, maxBytes: 4 * 1024 * 1024, topics: [{ topic: topics[0]!.topic, partitions: positions.map((fetchOffset, partition) => ({ partition, fetchOffset, partitionMaxBytes: 1024 * 1024 })) }] });
      for (const p of t?.partitions ?? []) {
        for (const b of decodeRecordBatches(p.records)) for (const r of b.records) if (r.offset >= (positions[p.partition] ?? 0)) {
          consumed++;
          positions[p.partition] = r.offset + 1;
        }
      }
    } catch {
      await sleep(100);
    }
  }
})();

interface Sample { at: number; acked: number; consumed: number; rss: number[] }
const samples: Sample[] = [];
const start = Date.now();
while (Date.now() - start < durationMs) {
  await sleep(5000);
  samples.push({ at: Date.now() - start, acked, consumed, rss: handlers.map((h) => rssKb(h.child.pid)) });
}
running = false;
await Promise.all([...loops, reader]);

// windows: warm-up = first quarter; throughput compares the 2nd and 4th quarters, memory the 2nd quarter's mean to the last samples
const quarter = durationMs / 4;
const inQ = (q: number) => samples.filter((s) => s.at > q * quarter && s.at <= (q + 1) * quarter);
const rate = (q: number) => {
  const w = inQ(q);
  const first = w[0];
  const last = w[w.length - 1];
  return first && last && last.at > first.at ? ((last.acked - first.acked) * 1000) / (last.at - first.at) : NaN;
};
const perHandler = handlers.map((_, i) => {
  const afterWarmup = mean(inQ(1).map((s) => s.rss[i] ?? NaN));
  const end = mean(samples.slice(-3).map((s) => s.rss[i] ?? NaN));
  return { rssAfterWarmupMb: Math.round(afterWarmup / 102.4) / 10, rssEndMb: Math.round(end / 102.4) / 10, growthPct: Math.round(((end - afterWarmup) / afterWarmup) * 1000) / 10 };
});
const early = rate(1);
const late = rate(3);
const decayPct = Math.round(((early - late) / early) * 1000) / 10;
const ok = perHandler.every((h) => h.growthPct <= limitPct) && decayPct <= limitPct && anomalies.length === 0;
console.log(JSON.stringify({ minutes: Number(values.minutes), valueBytes: Number(values['value-bytes']), ok, acked, consumed, recordsPerSec: { afterWarmup: Math.round(early), end: Math.round(late), decayPct }, handlers: perHandler, anomalies }));
for (const h of handlers) h.signal('SIGKILL');
await front.close();
await storage.close();
process.exit(ok ? 0 : 1);
