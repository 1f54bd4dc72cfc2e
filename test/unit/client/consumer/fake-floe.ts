/**
 * A Floe cluster in memory behind the SDK's transport seam (the config's `http`
 * option): topics with records, committed offsets, a one-member groups function
 * and the fetch/offsets/topics routes the Consumer uses. Every request is
 * recorded; any route can be scripted (`once`) to fail, stall or answer
 * differently. Meant for vi.useFakeTimers(): an empty fetch waits maxWaitMs on
 * the fake clock, as the server does.
 */
import { vi } from 'vitest';
import type { AssignedPartition, CommitPartition, FetchPartitionResult, FetchRequest, HeartbeatRequest, HeartbeatResponse, TopicPartition } from '@floe/protocol';
import { type ErrorCode, FloeError } from '../../../../packages/protocol/src/errors.js';
import { encodeFetchResponse } from '../../../../packages/protocol/src/http/fetch-response.js';
import { encodeRecordBatch } from '../../../../packages/protocol/src/records/record-batch.js';
import { FloeHttpClient, type FunctionName, type HttpRequestSpec, type HttpResponse } from '../../../../packages/client/src/http-client.js';
import { Consumer, Deserializers, type ConsumerConfig } from '../../../../packages/client/src/consumer/index.js';

export type Route = 'heartbeat' | 'commit' | 'fetchOffsets' | 'fetch' | 'listOffsets' | 'listTopics';

export interface SentRequest {
  route: Route;
  /** ms since the cluster was made, on the fake clock */
  at: number;
  body: any;
}

/** Handles one request: may answer itself, call `real` for the default answer, throw, or wait. */
export type Handler = (body: any, real: () => Promise<unknown>) => unknown;

interface StoredRecord {
  key: string | null;
  value: string | null;
  timestamp: number;
}

interface PartitionLog {
  logStartOffset: number;
  /** records by offset, from 0 (those below logStartOffset are gone) */
  records: StoredRecord[];
}

export const tp = (partition: number, topic = 't'): TopicPartition => ({ topic, partition });

export class FakeFloe extends FloeHttpClient {
  readonly sent: SentRequest[] = [];
  readonly committed = new Map<string, { offset: number; metadata: string }>();
  /** partitions the groups function assigns (default: every partition of the subscription), with claim epochs */
  target: AssignedPartition[] | undefined;
  /** at most this many records per partition in one fetch answer */
  recordsPerFetch = Number.POSITIVE_INFINITY;
  /** partitions ("topic:partition") every fetch answers with this error, as a server whose reads of them fail */
  readonly fetchErrors = new Map<string, ErrorCode>();
  private readonly logs = new Map<string, PartitionLog[]>();
  private readonly scripted = new Map<Route, Handler[]>();
  private members = 0;
  private subscription: string[] = [];
  private readonly startedAt = performance.now();

  constructor() {
    super('http://floe.invalid');
  }

  // ---- the cluster's contents ----

  createTopic(topic: string, partitions = 1): this {
    this.logs.set(
      topic,
      Array.from({ length: partitions }, () => ({ logStartOffset: 0, records: [] })),
    );
    return this;
  }

  /** Appends values (their offsets follow the partition's end). */
  append(topic: string, partition: number, ...values: Array<string | null>): this {
    const log = this.log(topic, partition);
    for (const value of values) log.records.push({ key: null, value, timestamp: 1_700_000_000_000 + log.records.length });
    return this;
  }

  /** Retention: the partition now starts at `offset`. */
  truncate(topic: string, partition: number, offset: number): void {
    this.log(topic, partition).logStartOffset = offset;
  }

  commit(topic: string, partition: number, offset: number, metadata = ''): this {
    this.committed.set(`${topic}:${partition}`, { offset, metadata });
    return this;
  }

  // ---- scripting and inspection ----

  /** The next request to `route` is handled by `handler` (handlers queue up in order). */
  once(route: Route, handler: Handler): this {
    this.scripted.set(route, [...(this.scripted.get(route) ?? []), handler]);
    return this;
  }

  /** The next `times` requests to `route` fail with `code`. */
  fail(route: Route, code: ErrorCode, times = 1): this {
    for (let i = 0; i < times; i++) {
      this.once(route, () => {
        throw new FloeError(code, `scripted ${code}`);
      });
    }
    return this;
  }

  /** A commit answer in which the partitions named ("topic:partition") fail with their code; the others are committed. */
  commitFailing(codes: Record<string, ErrorCode>): Handler {
    return (body) => {
      const results = flatten<CommitPartition>(body.topics).map((p) => {
        const errorCode = codes[`${p.topic}:${p.partition}`] ?? 'NONE';
        if (errorCode === 'NONE') this.committed.set(`${p.topic}:${p.partition}`, { offset: p.offset, metadata: p.metadata ?? '' });
        return { topic: p.topic, partition: p.partition, errorCode };
      });
      return { topics: nest(results) };
    };
  }

  /** ms of (fake) time since the cluster was made */
  elapsed(): number {
    return performance.now() - this.startedAt;
  }

  to(route: Route): SentRequest[] {
    return this.sent.filter((r) => r.route === route);
  }

  /** Commits the server received, as "topic/partition@offset" lists per request. */
  commits(): string[][] {
    return this.to('commit').map((r) => flatten(r.body.topics).map((p: any) => `${p.topic}/${p.partition}@${p.offset}`));
  }

  // ---- the transport ----

  override async call(fn: FunctionName, method: HttpRequestSpec['method'], path: string, options: { json?: unknown } = {}): Promise<HttpResponse> {
    const route = routeOf(fn, method, path);
    const body = structuredClone(options.json) as any;
    this.sent.push({ route, at: this.elapsed(), body });
    const queue = this.scripted.get(route) ?? [];
    const handler = queue.shift();
    const real = () => this.answer(route, body);
    const answer = await (handler ? handler(body, real) : real());
    return { status: 200, headers: new Headers(), body: Buffer.isBuffer(answer) ? answer : Buffer.from(JSON.stringify(answer)) };
  }

  private async answer(route: Route, body: any): Promise<unknown> {
    switch (route) {
      case 'heartbeat':
        return this.heartbeat(body as HeartbeatRequest);
      case 'commit': {
        const results = flatten<CommitPartition>(body.topics).map((p) => {
          this.committed.set(`${p.topic}:${p.partition}`, { offset: p.offset, metadata: p.metadata ?? '' });
          return { topic: p.topic, partition: p.partition, errorCode: 'NONE' };
        });
        return { topics: nest(results) };
      }
      case 'fetchOffsets': {
        const asked = (body.topics as Array<{ topic: string; partitions: number[] }>).flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
        return { topics: nest(asked.map((p) => ({ ...p, ...(this.committed.get(`${p.topic}:${p.partition}`) ?? { offset: -1, metadata: '' }) }))) };
      }
      case 'fetch':
        return this.fetch(body as FetchRequest);
      case 'listOffsets': {
        const [t] = body.topics as Array<{ topic: string; partitions: Array<{ partition: number; timestamp: 'earliest' | 'latest' }> }>;
        const partitions = (t?.partitions ?? []).map((p) => {
          const log = this.logs.get(t?.topic ?? '')?.[p.partition];
          if (!log) return { partition: p.partition, errorCode: 'UNKNOWN_TOPIC_OR_PARTITION', offset: -1, timestamp: -1 };
          return { partition: p.partition, errorCode: 'NONE', offset: p.timestamp === 'earliest' ? log.logStartOffset : log.records.length, timestamp: -1 };
        });
        return { topics: [{ topic: t?.topic, partitions }] };
      }
      case 'listTopics':
        return { topics: [...this.logs].map(([name, logs]) => ({ name, topicId: name, partitions: logs.length, configs: {} })) };
    }
  }

  private heartbeat(request: HeartbeatRequest): HeartbeatResponse {
    if (request.subscribedTopics) this.subscription = request.subscribedTopics;
    const memberId = request.memberId ?? `member-${++this.members}`;
    if (request.memberEpoch < 0) return { memberId, memberEpoch: request.memberEpoch, heartbeatIntervalMs: 1000, sessionTimeoutMs: 3000, assignment: [], pending: 0 };
    const assignment =
      this.target ?? this.subscription.flatMap((topic) => (this.logs.get(topic) ?? []).map((_, partition) => ({ topic, partition, epoch: 1 })));
    return { memberId, memberEpoch: 1, heartbeatIntervalMs: 1000, sessionTimeoutMs: 3000, assignment, pending: 0 };
  }

  private async fetch(request: FetchRequest): Promise<Buffer> {
    const build = () =>
      request.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p): FetchPartitionResult => {
          const log = this.logs.get(t.topic)?.[p.partition];
          if (!log) return empty(p.partition, 'UNKNOWN_TOPIC_OR_PARTITION');
          const failing = this.fetchErrors.get(`${t.topic}:${p.partition}`);
          if (failing) return empty(p.partition, failing);
          const end = log.records.length;
          const base = { partition: p.partition, highWatermark: end, logStartOffset: log.logStartOffset };
          if (p.fetchOffset < log.logStartOffset || p.fetchOffset > end) return { ...base, errorCode: 'OFFSET_OUT_OF_RANGE', records: Buffer.alloc(0) };
          const records = log.records.slice(p.fetchOffset, Math.min(end, p.fetchOffset + this.recordsPerFetch));
          const batch =
            records.length === 0
              ? Buffer.alloc(0)
              : encodeRecordBatch({
                  baseOffset: p.fetchOffset,
                  records: records.map((r) => ({ key: r.key === null ? null : Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value), timestamp: r.timestamp })),
                });
          return { ...base, errorCode: 'NONE', records: batch };
        }),
      }));
    let topics = build();
    if (request.maxWaitMs > 0 && topics.every((t) => t.partitions.every((p) => p.records.length === 0 && p.errorCode === 'NONE'))) {
      await new Promise((resolve) => setTimeout(resolve, request.maxWaitMs));
      topics = build();
    }
    return encodeFetchResponse(topics);
  }

  private log(topic: string, partition: number): PartitionLog {
    const log = this.logs.get(topic)?.[partition];
    if (!log) throw new Error(`no partition ${topic}/${partition}: createTopic first`);
    return log;
  }
}

function routeOf(fn: FunctionName, method: string, path: string): Route {
  if (fn === 'groups' && path.endsWith('/heartbeat')) return 'heartbeat';
  if (fn === 'groups' && path.endsWith('/offsets/commit')) return 'commit';
  if (fn === 'groups' && path.endsWith('/offsets/fetch')) return 'fetchOffsets';
  if (fn === 'fetch' && path === '/v1/fetch') return 'fetch';
  if (fn === 'fetch' && path === '/v1/offsets') return 'listOffsets';
  if (fn === 'admin' && method === 'GET' && path === '/v1/topics') return 'listTopics';
  throw new Error(`the fake cluster does not serve ${fn} ${method} ${path}`);
}

const empty = (partition: number, errorCode: ErrorCode): FetchPartitionResult => ({ partition, errorCode, highWatermark: -1, logStartOffset: -1, records: Buffer.alloc(0) });

function flatten<T>(topics: Array<{ topic: string; partitions: Array<Omit<T, 'topic'>> }>): T[] {
  return topics.flatMap((t) => t.partitions.map((p) => ({ ...p, topic: t.topic }) as T));
}

function nest<T extends { topic: string }>(items: T[]): Array<{ topic: string; partitions: Array<Omit<T, 'topic'>> }> {
  const topics = new Map<string, Array<Omit<T, 'topic'>>>();
  for (const { topic, ...rest } of items) topics.set(topic, [...(topics.get(topic) ?? []), rest]);
  return [...topics].map(([topic, partitions]) => ({ topic, partitions }));
}

export type StringConsumer = Consumer<string | null, string | null>;

/** A Consumer on the fake cluster with string keys and values, short group timings and the given settings. */
export function consumerOn(floe: FakeFloe, config: Partial<ConsumerConfig<string | null, string | null>> = {}): StringConsumer {
  return new Consumer<string | null, string | null>({
    bootstrap: floe.bootstrap,
    http: floe,
    keyDeserializer: Deserializers.string,
    valueDeserializer: Deserializers.string,
    sessionTimeoutMs: 3000,
    heartbeatIntervalMs: 1000,
    fetchMaxWaitMs: 100,
    ...config,
  });
}

/** Runs the fake clock in small steps until the promise settles (or maxMs of fake time passed). */
export async function settle<T>(promise: Promise<T>, maxMs = 60_000, stepMs = 10): Promise<T> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let t = 0; !done && t < maxMs; t += stepMs) await vi.advanceTimersByTimeAsync(stepMs);
  if (!done) throw new Error(`still pending after ${maxMs} ms of fake time`);
  return promise;
}

/** poll(timeoutMs) on the fake clock; the values it returned. */
export async function pollValues(consumer: StringConsumer, timeoutMs = 1000): Promise<Array<string | null>> {
  return (await settle(consumer.poll(timeoutMs))).map((r) => r.value);
}

/** Polls until `count` records arrived; their values. */
export async function pollUntil(consumer: StringConsumer, count: number, maxPolls = 50): Promise<Array<string | null>> {
  const out: Array<string | null> = [];
  for (let i = 0; out.length < count; i++) {
    if (i >= maxPolls) throw new Error(`got ${out.length} of ${count} records in ${maxPolls} polls`);
    out.push(...(await pollValues(consumer, 200)));
  }
  return out;
}

/** Failure of a promise, run on the fake clock. */
export const failureOf = (promise: Promise<unknown>): Promise<FloeError> =>
  settle(promise).then(
    () => {
      throw new Error('expected a failure');
    },
    (error: FloeError) => error,
  );
