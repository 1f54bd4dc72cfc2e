/**
 * Rates and lag over time. Floe keeps no metrics history, so the console
 * samples the cluster itself, only while someone is looking (an API call in
 * the last minute), and keeps the points in small in-memory ring buffers:
 * restarting the console forgets them.
 *
 * A sample describes every topic (records, bytes, log end offsets) and up to
 * `maxGroups` consumer groups (committed offsets, lag), a few calls at a time.
 * Produce rate: growth of log end offsets; fetch rate: growth of committed
 * offsets of consumer groups (reads outside a group are not seen).
 */
import type { FloeGateway, GatewayGroupDescription } from './gateway.js';
import { mapLimit } from './map-limit.js';
import { RingBuffer } from './ring-buffer.js';
import type { LagPoint, RatePoint } from './shared/api-types.js';

export interface SamplerOptions {
  intervalMs?: number;
  /** stop sampling this long after the last API call */
  idleAfterMs?: number;
  /** points kept per series */
  capacity?: number;
  maxGroups?: number;
  concurrency?: number;
  now?: () => number;
}

export interface TopicStats {
  partitions: number;
  records: number;
  /** null when the server does not report bytes */
  bytes: number | null;
  /** sum of log end offsets */
  logEnd: number;
}

export interface ClusterTotals {
  at: number;
  topics: number;
  partitions: number;
  records: number;
  bytes: number | null;
  groups: number;
}

export const SAMPLER_DEFAULTS = { intervalMs: 5_000, idleAfterMs: 60_000, capacity: 120, maxGroups: 100, concurrency: 4 } as const;

/** Sum of positive growth between two maps of counters (a counter that went back, or vanished, adds nothing). */
function growth(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): number {
  let sum = 0;
  for (const [key, value] of after) {
    const previous = before.get(key);
    if (previous !== undefined && value > previous) sum += value - previous;
  }
  return sum;
}

function committedOffsets(group: GatewayGroupDescription): Array<[string, number]> {
  return group.partitions.flatMap((p) => (p.committedOffset === null ? [] : [[`${group.groupId}\u0000${p.topic}\u0000${p.partition}`, p.committedOffset] as [string, number]]));
}

export class ClusterSampler {
  readonly intervalMs: number;
  private readonly options: Required<Omit<SamplerOptions, 'now'>>;
  private readonly now: () => number;
  private readonly rates: RingBuffer<RatePoint>;
  private readonly lag = new Map<string, RingBuffer<LagPoint>>();
  private readonly watched = new Map<string, number>();
  private stats = new Map<string, TopicStats>();
  private groupLag = new Map<string, number>();
  private previous: { at: number; logEnds: Map<string, number>; commits: Map<string, number> } | undefined;
  private totalsNow: ClusterTotals | undefined;
  private lastTouch = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly gateway: FloeGateway,
    options: SamplerOptions = {},
  ) {
    this.options = { ...SAMPLER_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([k, v]) => k !== 'now' && v !== undefined)) };
    this.intervalMs = this.options.intervalMs;
    this.now = options.now ?? Date.now;
    this.rates = new RingBuffer(this.options.capacity);
  }

  /** Someone is looking (at a group, if given): sample now if not sampling already. */
  touch(groupId?: string): void {
    this.lastTouch = this.now();
    if (groupId !== undefined) this.watched.set(groupId, this.lastTouch);
    if (!this.timer && !this.running && !this.closed) this.loop();
  }

  totals(): ClusterTotals | undefined {
    return this.totalsNow;
  }

  topicStats(name: string): TopicStats | undefined {
    return this.stats.get(name);
  }

  lagOf(groupId: string): number | undefined {
    return this.groupLag.get(groupId);
  }

  rateSeries(): RatePoint[] {
    return this.rates.toArray();
  }

  lagSeries(groupId: string): LagPoint[] {
    return this.lag.get(groupId)?.toArray() ?? [];
  }

  /** Resolves when the sample in progress (if any) is done. */
  async settled(): Promise<void> {
    await this.running;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private loop(): void {
    this.timer = undefined;
    const started = this.now();
    this.running = this.sampleOnce()
      .catch(() => undefined) // a failed sample leaves a gap in the series; the next one retries
      .finally(() => {
        this.running = undefined;
        if (this.closed || this.now() - this.lastTouch > this.options.idleAfterMs) return;
        // A slow sweep (many topics) waits at least as long as it took: sampling never takes more than half the time.
        const took = this.now() - started;
        this.timer = setTimeout(() => this.loop(), Math.max(this.options.intervalMs - took, took));
        this.timer.unref();
      });
  }

  /** One sample of every topic and of up to maxGroups groups (watched ones first). */
  async sampleOnce(): Promise<void> {
    const { concurrency, maxGroups } = this.options;
    const topics = await this.gateway.listTopics();
    const described = await mapLimit(topics, concurrency, (t) => this.gateway.describeTopic(t.name).catch(() => undefined));
    const stats = new Map<string, TopicStats>();
    const logEnds = new Map<string, number>();
    for (const d of described) {
      if (!d) continue;
      let records = 0;
      let logEnd = 0;
      let bytes: number | null = 0;
      for (const p of d.partitionDetails) {
        records += p.highWatermark - p.logStartOffset;
        logEnd += p.highWatermark;
        bytes = bytes === null || p.bytes === undefined ? null : bytes + p.bytes;
      }
      stats.set(d.name, { partitions: d.partitions, records, bytes, logEnd });
      logEnds.set(d.name, logEnd);
    }

    const listed = await this.gateway.listGroups();
    const cutoff = this.now() - this.options.idleAfterMs;
    for (const [id, at] of this.watched) if (at < cutoff) this.watched.delete(id);
    const chosen = [...listed].sort((a, b) => Number(this.watched.has(b.groupId)) - Number(this.watched.has(a.groupId))).slice(0, maxGroups);
    const groups = (await mapLimit(chosen, concurrency, (g) => this.gateway.describeGroup(g.groupId).catch(() => undefined))).filter(
      (g): g is GatewayGroupDescription => g !== undefined,
    );
    const at = this.now();
    const commits = new Map(groups.flatMap(committedOffsets));
    const groupLag = new Map(groups.map((g) => [g.groupId, g.partitions.reduce((sum, p) => sum + (p.lag ?? 0), 0)]));
    for (const [groupId, lag] of groupLag) {
      let series = this.lag.get(groupId);
      if (!series) this.lag.set(groupId, (series = new RingBuffer(this.options.capacity)));
      series.push({ t: at, lag });
    }
    const present = new Set(listed.map((g) => g.groupId));
    for (const id of this.lag.keys()) if (!present.has(id)) this.lag.delete(id);

    if (this.previous && at > this.previous.at) {
      const seconds = (at - this.previous.at) / 1000;
      this.rates.push({ t: at, produce: growth(this.previous.logEnds, logEnds) / seconds, fetch: growth(this.previous.commits, commits) / seconds });
    }
    this.previous = { at, logEnds, commits };
    this.stats = stats;
    this.groupLag = groupLag;
    let bytes: number | null = 0;
    for (const s of stats.values()) bytes = bytes === null || s.bytes === null ? null : bytes + s.bytes;
    this.totalsNow = {
      at,
      topics: topics.length,
      partitions: topics.reduce((sum, t) => sum + t.partitions, 0),
      records: [...stats.values()].reduce((sum, s) => sum + s.records, 0),
      bytes,
      groups: listed.length,
    };
  }
}
