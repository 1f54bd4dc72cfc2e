/**
 * The chaos runner: several `floe serve` processes behind a round-robin front,
 * idempotent producers sending numbered records to several topics and
 * partitions, a consumer group of member processes consuming and committing,
 * while a seeded schedule kills (-9) and restarts handlers and members, restarts
 * handlers with a crash point in the produce path, pauses members past their
 * session timeout, and toggles the storage fault layer (FLOE_FAULTS) in
 * handler processes. Then it quiesces, reads every partition in full and hands
 * the history to the checker. The same seed gives the same schedule and faults
 * (timing still varies, as in any Jepsen run).
 */
import { writeFileSync } from 'node:fs';
import { Admin, FloeHttpClient, GroupsAdmin, localPrincipal } from '@floe/client';
import { seededRandom } from '../faults/random.js';
import type { StorageFaultStats } from '../faults/storage-faults.js';
import { CRASH_POINTS } from '../faults/crash-points.js';
import { checkHistory, type AckedRecord, type CommitObservation, type Delivery, type PartitionLog } from './checker.js';
import type { EnvFaultPlan } from '../faults/env-faults.js';
import { startFront } from './front.js';
import { spawnHandler, spawnMember, type HandlerProc, type Proc } from './processes.js';
import { ChaosProducer } from './producer.js';
import { ChaosSdkProducer } from './sdk-producer.js';
import { readAll } from './read-all.js';
import type { ChaosSummary } from './summary.js';
import { sleep } from '@floe/protocol';

export { formatSummary, type ChaosSummary } from './summary.js';

export interface ChaosOptions {
  seed: number;
  durationMs: number;
  storage: { dynamoEndpoint: string; s3Endpoint: string };
  handlers?: number;
  members?: number;
  producers?: number;
  /**
   * 'sdk' (default): the SDK's Producer, idempotent, five batches per partition in flight (decision 28).
   * 'raw': src/chaos/producer.ts, one batch per partition in flight, every resend visible.
   */
  producer?: 'sdk' | 'raw';
  topics?: number;
  partitions?: number;
  sessionTimeoutMs?: number;
  /** mean time between chaos actions */
  actionEveryMs?: number;
  log?: (line: string) => void;
  /** writes the whole history (acks, member events, commits, final logs, result) here as JSON */
  historyFile?: string;
  /**
   * ACLs on (docs/security.md): every client acts as a restricted principal whose grants cover
   * the run's topics and group, so every request is checked; the rules are added as a super user.
   */
  authorization?: boolean;
}

const CHAOS_PRINCIPAL = 'User:chaos';
const CHAOS_ROOT = 'User:root';
const AUTH_SERVE_ARGS = ['--authorization', 'acl', '--principal', CHAOS_PRINCIPAL, '--super-user', CHAOS_ROOT, '--acl-cache-ms', '1000'];

/** The restricted principal's grants: everything on the run's topics and group (by prefix), producer ids. */
async function grantChaos(bootstrap: string, tag: string): Promise<void> {
  const root = Admin.fromClient(new FloeHttpClient(bootstrap, { requestTimeoutMs: 15_000, sign: localPrincipal(CHAOS_ROOT) }));
  const rule = (resourceType: 'topic' | 'group' | 'cluster', resourceName: string, operation: 'All' | 'IdempotentWrite') =>
    ({ principal: CHAOS_PRINCIPAL, resourceType, resourceName, patternType: resourceType === 'cluster' ? 'literal' : 'prefixed', operation, permission: 'allow' }) as const;
  await root.createAcls([rule('topic', `${tag}-`, 'All'), rule('group', `${tag}-`, 'All'), rule('cluster', 'kafka-cluster', 'IdempotentWrite')]);
}



export async function runChaos(options: ChaosOptions): Promise<ChaosSummary> {
  const log = options.log ?? (() => undefined);
  const random = seededRandom(options.seed);
  const pick = <T>(list: T[]): T | undefined => list[Math.floor(random() * list.length)];
  const nHandlers = options.handlers ?? 3;
  const nMembers = options.members ?? 3;
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 3000;
  const tag = `chaos-${options.seed}-${Date.now().toString(36)}`;
  const topics = Array.from({ length: options.topics ?? 2 }, (_, i) => ({ topic: `${tag}-t${i}`, partitions: options.partitions ?? 3 }));
  const groupId = `${tag}-g`;

  const acks: AckedRecord[] = [];
  const deliveries: Delivery[] = [];
  const commits: CommitObservation[] = [];
  const anomalies: string[] = [];
  /** every member event, for the history file */
  const events: Array<Record<string, unknown>> = [];
  const faultTotals = { errors: 0, throttles: 0, timeouts: 0, lostResponses: 0, toggles: 0 };
  const killed = { handlers: 0, members: 0, crashPoints: 0 };
  let paused = 0;
  let rebalances = 0;

  // --- handler processes behind the front --------------------------------------
  let stopping = false;
  const front = await startFront();
  const handlers: Array<{ proc: HandlerProc; url?: string; faultsOn: boolean; lastStats: StorageFaultStats | undefined; incarnation: number; crashing: boolean }> = [];
  const refreshBackends = () => front.setBackends(handlers.filter((h) => h.url && h.proc.alive()).map((h) => h.url as string));
  const faultPlan = (index: number, incarnation: number): EnvFaultPlan => ({
    seed: options.seed * 1000 + index * 100 + incarnation,
    enabled: false,
    errorRate: 0.05,
    throttleRate: 0.05,
    timeoutRate: 0.01,
    timeoutMs: 500,
    lostResponseRate: 0.03,
    latency: { s3Put: { p50: 5, p99: 60 }, dynamoWrite: { p50: 3, p99: 30 } },
  });
  const addStats = (s: StorageFaultStats | undefined) => {
    if (!s) return;
    faultTotals.errors += s.errors;
    faultTotals.throttles += s.throttles;
    faultTotals.timeouts += s.timeouts;
    faultTotals.lostResponses += s.lostResponses;
  };
  /** Starts (or restarts) handler `index`; never rejects: a process killed while starting is simply dead. */
  async function startHandler(index: number, crashPoint?: string): Promise<void> {
    const previous = handlers[index];
    if (previous) addStats(previous.lastStats);
    const incarnation = (previous?.incarnation ?? -1) + 1;
    const entry = { proc: undefined as unknown as HandlerProc, url: undefined as string | undefined, faultsOn: false, lastStats: undefined as StorageFaultStats | undefined, incarnation, crashing: crashPoint !== undefined };
    entry.proc = spawnHandler(options.storage, faultPlan(index, incarnation), (event) => {
      const f = event.faults as (StorageFaultStats & { enabled: boolean }) | undefined;
      if (f) entry.lastStats = f;
    }, crashPoint, options.authorization ? AUTH_SERVE_ARGS : []);
    handlers[index] = entry;
    void entry.proc.exited.then(() => {
      refreshBackends();
      if (entry.crashing && handlers[index] === entry && !stopping) {
        killed.crashPoints++; // died at its crash point: restart it normally
        void startHandler(index);
      }
    });
    try {
      entry.url = await entry.proc.url;
      refreshBackends();
    } catch (error) {
      log(`handler ${index} did not start: ${String(error)}`);
    }
  }
  await Promise.all(Array.from({ length: nHandlers }, (_, i) => startHandler(i)));

  const http = new FloeHttpClient(front.url, { requestTimeoutMs: 15_000 });
  const admin = Admin.fromClient(http);
  if (options.authorization) await grantChaos(front.url, tag);
  for (const t of topics) await admin.createTopic(t.topic, t.partitions);
  const allTps = topics.flatMap((t) => Array.from({ length: t.partitions }, (_, p) => ({ topic: t.topic, partition: p })));

  // --- consumer-group members ----------------------------------------------------
  const members: Array<{ proc: Proc; incarnation: number; paused: boolean }> = [];
  function startMember(index: number): void {
    const incarnation = (members[index]?.incarnation ?? -1) + 1;
    const name = `m${index}.${incarnation}`;
    const proc = spawnMember({ bootstrap: front.url, groupId, topics: topics.map((t) => t.topic), name, sessionTimeoutMs, heartbeatIntervalMs: Math.floor(sessionTimeoutMs / 6) }, (e) => {
      events.push({ ...e, m: name, at: Date.now() });
      // no claim epoch known: a generation of its own, so it is never counted as a double owner
      if (e.e === 'r') deliveries.push({ member: name, generation: typeof e.g === 'number' ? e.g : -1 - index * 1000 - incarnation, topic: e.t as string, partition: e.p as number, offset: e.o as number, id: String(e.id) });
      else if (e.e === 'assigned' && (e.ps as string[]).length > 0) rebalances++;
    });
    members[index] = { proc, incarnation, paused: false };
  }
  for (let i = 0; i < nMembers; i++) startMember(i);

  // --- committed offsets, observed all along -----------------------------------
  let observing = true;
  const groups = new GroupsAdmin({ http });
  const observe = async () => {
    try {
      const at = Date.now();
      for (const c of await groups.listGroupOffsets(groupId, allTps)) {
        if (typeof c.offset === 'number' && c.offset >= 0) commits.push({ topic: c.topic, partition: c.partition, offset: c.offset, at });
      }
    } catch {
      // the front may have no live backend for a moment
    }
  };
  const observer = (async () => {
    while (observing) {
      await observe();
      await sleep(300);
    }
  })();

  // --- producers -------------------------------------------------------------
  let producing = true;
  const producers: Array<ChaosProducer | ChaosSdkProducer> = Array.from({ length: options.producers ?? 3 }, (_, i) => {
    const common = { name: `p${i}`, topics, keysPerPartition: 3, random: seededRandom(options.seed * 31 + i), onAck: (a: AckedRecord) => acks.push(a), onAnomaly: (m: string) => anomalies.push(m) };
    return options.producer === 'raw' ? new ChaosProducer(http, common) : new ChaosSdkProducer({ ...common, bootstrap: front.url, maxInFlight: 5 });
  });
  const producing$ = producers.map(async (p) => {
    while (producing) await p.round(true);
  });

  // --- the chaos schedule -------------------------------------------------------
  const chaosUntil = Date.now() + Math.max(5_000, options.durationMs - 30_000);
  const every = options.actionEveryMs ?? 2000;
  while (Date.now() < chaosUntil) {
    await sleep(every * (0.5 + random()));
    const roll = random();
    if (roll < 0.25) {
      const index = Math.floor(random() * nHandlers);
      const h = handlers[index];
      const othersAlive = handlers.filter((x, i) => i !== index && x.url && x.proc.alive()).length;
      if (!h || !h.url || !h.proc.alive() || othersAlive === 0) continue;
      h.crashing = false;
      h.proc.signal('SIGKILL');
      killed.handlers++;
      await h.proc.exited;
      const crashPoint = random() < 0.3 ? pick([...CRASH_POINTS]) : undefined;
      log(`kill -9 handler ${index}${crashPoint ? `, restart with crash point ${crashPoint}` : ''}`);
      await sleep(200 + random() * 1000);
      await startHandler(index, crashPoint);
    } else if (roll < 0.45) {
      const index = Math.floor(random() * nMembers);
      const m = members[index];
      if (!m || m.paused) continue;
      log(`kill -9 member ${index}`);
      m.proc.signal('SIGKILL');
      killed.members++;
      await m.proc.exited;
      await sleep(500 + random() * 1500);
      startMember(index);
    } else if (roll < 0.6) {
      const index = Math.floor(random() * nMembers);
      const m = members[index];
      if (!m || m.paused || !m.proc.alive()) continue;
      const pauseMs = sessionTimeoutMs + 500 + random() * 2000;
      log(`SIGSTOP member ${index} for ${Math.round(pauseMs)} ms`);
      m.paused = true;
      paused++;
      m.proc.signal('SIGSTOP');
      void sleep(pauseMs).then(() => {
        m.proc.signal('SIGCONT');
        m.paused = false;
      });
    } else {
      const h = pick(handlers);
      // only a ready process has its SIGUSR2 handler: before that the signal would kill it
      if (!h || !h.url || !h.proc.alive() || h.crashing) continue;
      h.faultsOn = !h.faultsOn;
      faultTotals.toggles++;
      log(`faults ${h.faultsOn ? 'on' : 'off'} in a handler`);
      h.proc.signal('SIGUSR2');
    }
  }

  // --- quiesce: no more chaos, faults off, everyone back -------------------------
  log('quiescing');
  for (const h of handlers) {
    if (h.faultsOn && h.proc.alive()) {
      h.faultsOn = false;
      h.proc.signal('SIGUSR2');
    }
  }
  for (const m of members) {
    m.proc.signal('SIGCONT');
    m.paused = false;
  }
  for (let i = 0; i < nMembers; i++) if (!members[i]?.proc.alive()) startMember(i);
  for (let i = 0; i < nHandlers; i++) if (!handlers[i]?.proc.alive()) await startHandler(i);
  producing = false;
  await Promise.all(producing$);
  await Promise.all(producers.map((p) => p.drain(Date.now() + 60_000)));
  for (const p of producers) if (p.inFlight > 0) anomalies.push(`a producer still had ${p.inFlight} unacknowledged batches after the drain`);

  // consumers catch up: committed offset = high watermark everywhere
  const endOffsets = async () => (await Promise.all(topics.map((t) => admin.listOffsets(t.topic, Array.from({ length: t.partitions }, (_, p) => p), 'latest')))).flat().map((o) => o.offset);
  let caughtUp = false;
  const catchUpUntil = Date.now() + 40_000;
  while (!caughtUp && Date.now() < catchUpUntil) {
    try {
      const [ends, committed] = await Promise.all([endOffsets(), groups.listGroupOffsets(groupId, allTps)]);
      caughtUp = committed.every((c, i) => c.offset === ends[i]);
    } catch {
      // retry
    }
    if (!caughtUp) await sleep(500);
  }
  observing = false;
  await observer;
  await observe();

  // --- final full read ------------------------------------------------------------
  const logs: PartitionLog[] = [];
  for (const tp of allTps) logs.push(await readAll(http, tp.topic, tp.partition));

  stopping = true;
  await Promise.all(members.map(async (m) => {
    m.proc.signal('SIGTERM');
    const timer = setTimeout(() => m.proc.signal('SIGKILL'), 5000);
    await m.proc.exited;
    clearTimeout(timer);
  }));
  for (const h of handlers) if (h.proc.alive()) h.proc.signal('SIGUSR2'); // last stats line
  await sleep(200);
  for (const h of handlers) {
    addStats(h.lastStats);
    h.proc.signal('SIGKILL');
  }
  await Promise.all(handlers.map((h) => h.proc.exited));
  await front.close();

  const result = checkHistory({ acks, logs, deliveries, commits, idempotent: true });
  if (options.historyFile) writeFileSync(options.historyFile, JSON.stringify({ seed: options.seed, acks, events, commits, logs, violations: result.violations }));
  const sum = (f: (p: ChaosProducer | ChaosSdkProducer) => number) => producers.reduce((n, p) => n + f(p), 0);
  return {
    seed: options.seed,
    minutes: Math.round((options.durationMs / 60_000) * 10) / 10,
    ok: result.ok && anomalies.length === 0,
    records: { acked: result.counts.acked, logged: result.counts.logged, delivered: result.counts.delivered, lost: result.counts.lost, duplicated: result.counts.duplicated },
    violations: result.violations,
    anomalies,
    faults: faultTotals,
    killed,
    paused,
    rebalances,
    producer: { requests: sum((p) => p.stats.requests), failedRequests: sum((p) => p.stats.failedRequests), retriedBatches: sum((p) => p.stats.retriedBatches), reinits: sum((p) => p.stats.reinits) },
    caughtUp,
  };
}
