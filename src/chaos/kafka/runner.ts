/**
 * The chaos runner's Kafka-client mode (`npm run chaos -- --kafka`): several `floe gateway`
 * processes behind a round-robin TCP front (the NLB), kafkajs idempotent producers and a kafkajs
 * consumer group in their own processes, while a seeded schedule kills (-9) and restarts gateways,
 * pauses gateways (SIGSTOP: clients time out and reconnect elsewhere), kills and pauses group
 * members past their session timeout, and kills producers. Then it quiesces, reads every
 * partition in full over the HTTP API (an independent path) and hands the history to the same
 * checker as the HTTP mode: 0 lost, 0 duplicated, dense offsets, one owner per generation,
 * commits monotonic, nothing committed undelivered.
 */
import { writeFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { Admin, FloeHttpClient } from '@floe/client';
import { seededRandom } from '../../faults/random.js';
import { checkHistory, type AckedRecord, type CommitObservation, type Delivery, type PartitionLog } from '../checker.js';
import { spawnHandler, type Proc } from '../processes.js';
import { readAll } from '../read-all.js';
import type { ChaosSummary } from '../summary.js';
import { spawnConsumerWorker, spawnGateway, spawnProducerWorker, type GatewayProc } from './processes.js';
import { startTcpFront } from './tcp-front.js';

export interface KafkaChaosOptions {
  seed: number;
  durationMs: number;
  storage: { dynamoEndpoint: string; s3Endpoint: string };
  gateways?: number;
  members?: number;
  producers?: number;
  topics?: number;
  partitions?: number;
  sessionTimeoutMs?: number;
  /** mean time between chaos actions */
  actionEveryMs?: number;
  log?: (line: string) => void;
  historyFile?: string;
}

export interface KafkaChaosSummary extends ChaosSummary {
  mode: 'kafka';
  gateways: { killed: number; paused: number };
  producersKilled: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runKafkaChaos(options: KafkaChaosOptions): Promise<KafkaChaosSummary> {
  const log = options.log ?? (() => undefined);
  const random = seededRandom(options.seed);
  const nGateways = options.gateways ?? 3;
  const nMembers = options.members ?? 3;
  const nProducers = options.producers ?? 3;
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 6000;
  const tag = `kchaos-${options.seed}-${Date.now().toString(36)}`;
  const topics = Array.from({ length: options.topics ?? 2 }, (_, i) => ({ topic: `${tag}-t${i}`, partitions: options.partitions ?? 3 }));
  const groupId = `${tag}-g`;
  const acks: AckedRecord[] = [];
  const deliveries: Delivery[] = [];
  const commits: CommitObservation[] = [];
  const anomalies: string[] = [];
  const events: Array<Record<string, unknown>> = [];
  const counts = { gatewaysKilled: 0, gatewaysPaused: 0, membersKilled: 0, membersPaused: 0, producersKilled: 0, rebalances: 0, sendFailed: 0, reinits: 0 };

  // --- one HTTP handler process: topics, and the final read through the other front door ---
  const handler = spawnHandler(options.storage, undefined, () => undefined);
  const http = new FloeHttpClient(await handler.url, { requestTimeoutMs: 15_000 });
  for (const t of topics) await Admin.fromClient(http).createTopic(t.topic, t.partitions);
  const allTps = topics.flatMap((t) => Array.from({ length: t.partitions }, (_, p) => ({ topic: t.topic, partition: p })));

  // --- gateways behind the front ---------------------------------------------------
  const front = await startTcpFront();
  const brokers = [`${front.host}:${front.port}`];
  const gateways: Array<{ proc: GatewayProc; paused: boolean }> = [];
  const refresh = () => front.setBackends(gateways.filter((g) => g.proc.alive() && !g.paused).map((g) => g.proc.port));
  async function startGateway(index: number): Promise<void> {
    const proc = await spawnGateway(options.storage, { host: front.host, port: front.port });
    gateways[index] = { proc, paused: false };
    void proc.exited.then(refresh);
    await proc.ready.catch((error: unknown) => anomalies.push(`gateway ${index} did not start: ${String(error)}`));
    refresh();
  }
  await Promise.all(Array.from({ length: nGateways }, (_, i) => startGateway(i)));

  // --- producers and members, each a process of its own ----------------------------------
  const producers: Array<{ proc: Proc; incarnation: number }> = [];
  function startProducer(index: number): void {
    const incarnation = (producers[index]?.incarnation ?? -1) + 1;
    const name = `p${index}.${incarnation}`; // a new stream of ids per incarnation: ids are never reused
    const proc = spawnProducerWorker({ brokers, name, topics, keysPerPartition: 3, seed: options.seed * 31 + index * 1000 + incarnation }, (e) => {
      if (e.e === 'ack') acks.push({ topic: e.t as string, partition: e.p as number, offset: e.o as number, id: e.id as string });
      else if (e.e === 'send-failed') counts.sendFailed++;
      else if (e.e === 'reinit') counts.reinits++;
    });
    producers[index] = { proc, incarnation };
  }
  const members: Array<{ proc: Proc; incarnation: number; paused: boolean }> = [];
  function startMember(index: number): void {
    const incarnation = (members[index]?.incarnation ?? -1) + 1;
    const name = `m${index}.${incarnation}`;
    const proc = spawnConsumerWorker(
      { brokers, groupId, topics: topics.map((t) => t.topic), name, sessionTimeoutMs, heartbeatIntervalMs: Math.floor(sessionTimeoutMs / 6), rebalanceTimeoutMs: sessionTimeoutMs },
      (e) => {
        events.push({ ...e, m: name, at: Date.now() });
        // generation unknown (between a join and the next heartbeat): one of its own, never a double owner
        if (e.e === 'r') deliveries.push({ member: name, generation: typeof e.g === 'number' ? e.g : -1 - index * 1000 - incarnation, topic: e.t as string, partition: e.p as number, offset: e.o as number, id: String(e.id) });
        else if (e.e === 'assigned' && (e.ps as string[]).length > 0) counts.rebalances++;
      },
    );
    members[index] = { proc, incarnation, paused: false };
  }
  for (let i = 0; i < nProducers; i++) startProducer(i);
  for (let i = 0; i < nMembers; i++) startMember(i);

  // --- committed offsets, observed through the gateways all along ----------------------
  const admin = new Kafka({ clientId: `${tag}-observer`, brokers, logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin();
  const committedNow = async (): Promise<Map<string, number>> => {
    const result = new Map<string, number>();
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics: topics.map((t) => t.topic) })) {
      for (const p of partitions) if (Number(p.offset) >= 0) result.set(`${topic}/${p.partition}`, Number(p.offset));
    }
    return result;
  };
  let observing = true;
  const observer = (async () => {
    await admin.connect().catch(() => undefined);
    while (observing) {
      const at = Date.now();
      try {
        for (const [tp, offset] of await committedNow()) {
          const cut = tp.lastIndexOf('/');
          commits.push({ topic: tp.slice(0, cut), partition: Number(tp.slice(cut + 1)), offset, at });
        }
      } catch {
        // no gateway reachable for a moment
      }
      await sleep(300);
    }
  })();

  // --- the chaos schedule ---------------------------------------------------------------
  const chaosUntil = Date.now() + Math.max(5_000, options.durationMs - 40_000);
  const every = options.actionEveryMs ?? 2000;
  const pick = (n: number) => Math.floor(random() * n);
  while (Date.now() < chaosUntil) {
    await sleep(every * (0.5 + random()));
    const roll = random();
    const liveGateways = gateways.filter((g) => g.proc.alive() && !g.paused).length;
    if (roll < 0.25) {
      const index = pick(nGateways);
      const g = gateways[index];
      if (!g || !g.proc.alive() || g.paused || liveGateways < 2) continue;
      log(`kill -9 gateway ${index}`);
      g.proc.signal('SIGKILL');
      counts.gatewaysKilled++;
      await g.proc.exited;
      await sleep(200 + random() * 1000);
      await startGateway(index);
    } else if (roll < 0.35) {
      const index = pick(nGateways);
      const g = gateways[index];
      if (!g || !g.proc.alive() || g.paused || liveGateways < 2) continue;
      const pauseMs = 1000 + random() * 4000;
      log(`SIGSTOP gateway ${index} for ${Math.round(pauseMs)} ms`);
      g.paused = true;
      refresh();
      counts.gatewaysPaused++;
      g.proc.signal('SIGSTOP');
      void sleep(pauseMs).then(() => {
        g.proc.signal('SIGCONT');
        g.paused = false;
        refresh();
      });
    } else if (roll < 0.55) {
      const index = pick(nMembers);
      const m = members[index];
      if (!m || m.paused) continue;
      log(`kill -9 member ${index}`);
      m.proc.signal('SIGKILL');
      counts.membersKilled++;
      await m.proc.exited;
      await sleep(500 + random() * 1500);
      startMember(index);
    } else if (roll < 0.7) {
      const index = pick(nMembers);
      const m = members[index];
      if (!m || m.paused || !m.proc.alive()) continue;
      const pauseMs = sessionTimeoutMs + 500 + random() * 2000;
      log(`SIGSTOP member ${index} for ${Math.round(pauseMs)} ms`);
      m.paused = true;
      counts.membersPaused++;
      m.proc.signal('SIGSTOP');
      void sleep(pauseMs).then(() => {
        m.proc.signal('SIGCONT');
        m.paused = false;
      });
    } else if (roll < 0.8) {
      const index = pick(nProducers);
      const p = producers[index];
      if (!p || !p.proc.alive()) continue;
      log(`kill -9 producer ${index}`);
      p.proc.signal('SIGKILL');
      counts.producersKilled++;
      await p.proc.exited;
      startProducer(index);
    }
  }

  // --- quiesce: everyone back, producers stop, consumers catch up ----------------------
  log('quiescing');
  for (const g of gateways) {
    g.proc.signal('SIGCONT');
    g.paused = false;
  }
  refresh();
  for (let i = 0; i < nGateways; i++) if (!gateways[i]?.proc.alive()) await startGateway(i);
  for (const m of members) {
    m.proc.signal('SIGCONT');
    m.paused = false;
  }
  for (let i = 0; i < nMembers; i++) if (!members[i]?.proc.alive()) startMember(i);
  await Promise.all(
    producers.map(async (p) => {
      p.proc.signal('SIGTERM');
      const timer = setTimeout(() => {
        anomalies.push(`producer ${p.incarnation} did not stop within 30 s (a send never completed)`);
        p.proc.signal('SIGKILL');
      }, 30_000);
      await p.proc.exited;
      clearTimeout(timer);
    }),
  );
  const endOffsets = async () => {
    const ends = new Map<string, number>();
    for (const t of topics) {
      for (const o of await Admin.fromClient(http).listOffsets(t.topic, Array.from({ length: t.partitions }, (_, p) => p), 'latest')) ends.set(`${t.topic}/${o.partition}`, o.offset);
    }
    return ends;
  };
  let caughtUp = false;
  const catchUpUntil = Date.now() + 60_000;
  while (!caughtUp && Date.now() < catchUpUntil) {
    try {
      const [ends, committed] = await Promise.all([endOffsets(), committedNow()]);
      caughtUp = [...ends].every(([tp, end]) => end === 0 || committed.get(tp) === end);
    } catch {
      // retry
    }
    if (!caughtUp) await sleep(500);
  }
  observing = false;
  await observer;
  await admin.disconnect().catch(() => undefined);

  // --- final full read over HTTP, then stop everything ------------------------------------
  const logs: PartitionLog[] = [];
  for (const tp of allTps) logs.push(await readAll(http, tp.topic, tp.partition));
  await Promise.all(
    members.map(async (m) => {
      m.proc.signal('SIGTERM');
      const timer = setTimeout(() => m.proc.signal('SIGKILL'), 5000);
      await m.proc.exited;
      clearTimeout(timer);
    }),
  );
  for (const g of gateways) g.proc.signal('SIGKILL');
  handler.signal('SIGKILL');
  await Promise.all([...gateways.map((g) => g.proc.exited), handler.exited]);
  await front.close();

  const result = checkHistory({ acks, logs, deliveries, commits, idempotent: true });
  if (options.historyFile) writeFileSync(options.historyFile, JSON.stringify({ seed: options.seed, mode: 'kafka', acks, events, commits, logs, violations: result.violations }));
  return {
    mode: 'kafka',
    seed: options.seed,
    minutes: Math.round((options.durationMs / 60_000) * 10) / 10,
    ok: result.ok && anomalies.length === 0 && caughtUp,
    records: { acked: result.counts.acked, logged: result.counts.logged, delivered: result.counts.delivered, lost: result.counts.lost, duplicated: result.counts.duplicated },
    violations: result.violations,
    anomalies,
    faults: { errors: 0, throttles: 0, timeouts: 0, lostResponses: 0, toggles: 0 },
    killed: { handlers: counts.gatewaysKilled, members: counts.membersKilled, crashPoints: 0 },
    paused: counts.membersPaused,
    rebalances: counts.rebalances,
    producer: { requests: 0, failedRequests: counts.sendFailed, retriedBatches: 0, reinits: counts.reinits },
    caughtUp,
    gateways: { killed: counts.gatewaysKilled, paused: counts.gatewaysPaused },
    producersKilled: counts.producersKilled,
  };
}

/** The Kafka mode's extra line after formatSummary's (there "handlers" are gateways). */
export const formatKafkaExtras = (s: KafkaChaosSummary): string =>
  `  kafka mode: ${s.gateways.killed} gateways killed, ${s.gateways.paused} paused; ${s.producersKilled} producers killed; ` +
  `${s.producer.failedRequests} sends failed, ${s.producer.reinits} producer re-inits`;
