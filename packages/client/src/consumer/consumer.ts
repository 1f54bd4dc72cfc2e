/**
 * The Consumer: Kafka's KafkaConsumer in TypeScript idiom.
 *
 *   const consumer = new Consumer({ bootstrap, groupId: 'billing', valueDeserializer: Deserializers.string });
 *   consumer.subscribe(['orders']);
 *   for (;;) for (const r of await consumer.poll(1000)) handle(r);
 *
 * Not safe for concurrent poll() calls (one poll at a time, as in Kafka). The
 * group membership runs in the background (membership.ts); everything the
 * application sees - rebalance callbacks, new positions, auto-commits -
 * happens inside poll(), commit*() and close().
 */
import { FloeError, isRetriable, partitionKey, type PartitionKey, sleep, type TopicPartition } from '@floe/protocol';
import { Admin, type OffsetSpec } from '../admin.js';
import { FloeHttpClient } from '../http-client.js';
import { Committer } from './committer.js';
import { resolveConsumerConfig, type ConsumerConfig, type ResolvedConsumerConfig } from './config.js';
import { Fetcher, type FetchedRecord } from './fetcher.js';
import { GroupsApi } from './groups-api.js';
import { GroupMembership, monotonicNow } from './membership.js';
import { AssignedPartitions, toTopicPartition, type PartitionState } from './partitions.js';
import {
  CorruptRecordError,
  type CommitCallback,
  type ConsumerRebalanceListener,
  type ConsumerRecord,
  type OffsetAndMetadata,
  type PartitionLag,
  type TopicPartitionOffset,
} from './types.js';

/** Empty fetches in a row after which an idle consumer stops holding a (billed) server wait open. */
const IDLE_AFTER_EMPTY_FETCHES = 3;
/** The shortest gap between an idle consumer's fetches, even with fetch.max.wait.ms 0 (which would otherwise spin). */
const IDLE_MIN_INTERVAL_MS = 100;

type Mode = 'none' | 'subscribe' | 'assign';

export interface GroupMetadata {
  groupId: string | undefined;
  memberId: string | undefined;
  memberEpoch: number;
  groupInstanceId: string | undefined;
}

export class Consumer<K = Buffer | null, V = Buffer | null> {
  readonly config: ResolvedConsumerConfig<K, V>;
  private readonly http: FloeHttpClient;
  private readonly admin: Admin;
  private readonly groups: GroupsApi;
  private readonly assigned = new AssignedPartitions();
  private readonly fetcher: Fetcher;
  private readonly committer: Committer | undefined;
  private membership: GroupMembership | undefined;
  private mode: Mode = 'none';
  private pattern: RegExp | undefined;
  private patternCheckedAt = Number.NEGATIVE_INFINITY;
  private listener: ConsumerRebalanceListener = {};
  private nextAutoCommit = 0;
  /** last offset known committed per assigned partition: automatic commits skip partitions without progress (each is a DynamoDB write) */
  private readonly lastCommitted = new Map<PartitionKey, number>();
  private polling = false;
  private closed = false;
  /** close() has begun: a poll under way hands out nothing more (its partitions are being given up). */
  private closing = false;
  private closingDone: Promise<void> | undefined;
  /** wakeup() was called: the running or next poll() throws WAKEUP. */
  private wakeupPending = false;
  /** Polls waiting on the client (waitForChange): woken by wakeup() and close(). */
  private readonly wakers = new Set<() => void>();
  /** Fetches in a row that brought nothing: past IDLE_AFTER_EMPTY_FETCHES the consumer waits on the client. */
  private emptyFetches = 0;
  /** While idle: the gap between fetch starts, doubling per empty fetch up to fetchIdleMaxIntervalMs, and when the next may go. */
  private idleIntervalMs = 0;
  private nextIdleFetchAt = 0;
  /** The fetch sent while records were handed out (fetchAhead), and what it failed with, thrown at the next poll. */
  private fetchingAhead: Promise<void> | undefined;
  private fetchingAheadKeys = new Set<PartitionKey>();
  private fetchAheadError: unknown;

  constructor(config: ConsumerConfig<K, V>) {
    this.config = resolveConsumerConfig(config);
    this.http = config.http ?? new FloeHttpClient(this.config.bootstrap, { requestTimeoutMs: this.config.requestTimeoutMs, sign: this.config.sign });
    this.admin = Admin.fromClient(this.http);
    this.groups = new GroupsApi(this.http);
    this.fetcher = new Fetcher(this.http, this.config);
    const groupId = this.config.groupId;
    if (groupId !== undefined) {
      this.committer = new Committer(
        this.groups,
        groupId,
        () => ({
          // After a loss the old identity is still sent: the server, not the client, decides what is fenced.
          memberId: this.membership?.memberId ?? this.membership?.lastMemberId,
          memberEpoch: this.membership?.memberEpoch,
          epochOf: (key) => this.membership?.epochOf(key),
        }),
        this.config,
        (offsets) => {
          for (const o of offsets) this.lastCommitted.set(partitionKey(o.topic, o.partition), o.offset);
        },
      );
    }
  }

  // ---- subscription and assignment ----

  /** Joins the group (at the first poll) for these topics, or every topic matching the pattern. */
  subscribe(topics: string[] | RegExp, listener?: ConsumerRebalanceListener): void {
    this.ensureOpen();
    if (this.mode === 'assign') throw new FloeError('INVALID_REQUEST', 'subscribe() and assign() are mutually exclusive: call unsubscribe() first');
    if (this.config.groupId === undefined) throw new FloeError('INVALID_GROUP_ID', 'subscribe() needs a groupId');
    if (!(topics instanceof RegExp) && (!Array.isArray(topics) || topics.some((t) => typeof t !== 'string' || t === ''))) {
      // A bare string would be read as its characters ('t1' -> ['t', '1']).
      throw new FloeError('INVALID_REQUEST', 'subscribe() takes an array of topic names (none empty) or a RegExp');
    }
    this.mode = 'subscribe';
    this.listener = listener ?? this.listener;
    if (topics instanceof RegExp) {
      this.pattern = topics;
      this.patternCheckedAt = Number.NEGATIVE_INFINITY;
    } else {
      this.pattern = undefined;
      this.membershipFor().subscribe(topics);
    }
  }

  /** Reads exactly these partitions, outside any group membership (commits still work with a groupId while the group is empty). */
  assign(partitions: TopicPartition[]): void {
    this.ensureOpen();
    if (this.mode === 'subscribe') throw new FloeError('INVALID_REQUEST', 'subscribe() and assign() are mutually exclusive: call unsubscribe() first');
    if (!Array.isArray(partitions)) throw new FloeError('INVALID_REQUEST', 'assign() takes an array of { topic, partition }');
    for (const p of partitions) {
      if (typeof p?.topic !== 'string' || p.topic === '' || !Number.isSafeInteger(p.partition) || p.partition < 0) {
        throw new FloeError('INVALID_REQUEST', `assign() needs a topic name and a non-negative integer partition, got ${JSON.stringify(p)}`);
      }
    }
    this.mode = partitions.length === 0 ? 'none' : 'assign';
    const keep = new Set(partitions.map((p) => partitionKey(p.topic, p.partition)));
    for (const key of this.assigned.keys()) {
      if (!keep.has(key)) {
        this.assigned.remove(key);
        this.fetcher.discard(key);
      }
    }
    for (const p of partitions) this.assigned.add(p);
    this.leaveIdle();
  }

  /** Leaves the group (revoking everything first) or drops the manual assignment. */
  async unsubscribe(): Promise<void> {
    this.ensureOpen();
    try {
      if (this.mode === 'subscribe') await this.leaveGroup();
    } finally {
      // Even after a throwing listener: partitions kept without a membership would be fetched without a claim.
      this.assigned.clear();
      this.fetcher.clear();
      this.mode = 'none';
      this.pattern = undefined;
    }
  }

  assignment(): TopicPartition[] {
    return this.assigned.all().map(toTopicPartition);
  }

  subscription(): string[] {
    return this.membership?.subscribedTopics() ?? [];
  }

  groupMetadata(): GroupMetadata {
    return {
      groupId: this.config.groupId,
      memberId: this.membership?.memberId,
      memberEpoch: this.membership?.memberEpoch ?? -1,
      groupInstanceId: this.config.groupInstanceId,
    };
  }

  // ---- poll ----

  /** Records from the assigned partitions, at most max.poll.records, waiting up to timeoutMs for some. */
  async poll(timeoutMs: number): Promise<Array<ConsumerRecord<K, V>>> {
    this.ensureOpen();
    if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) throw new FloeError('INVALID_REQUEST', `poll() timeout must be a non-negative number of milliseconds, got ${String(timeoutMs)}`);
    if (this.mode === 'none') throw new FloeError('INVALID_REQUEST', 'poll() needs subscribe() or assign() first');
    if (this.polling) throw new FloeError('INVALID_REQUEST', 'poll() is already running: a Consumer is not safe for concurrent polls');
    this.polling = true;
    try {
      const deadline = monotonicNow() + Math.max(0, timeoutMs);
      this.maybeAutoCommit();
      this.throwCorrupt();
      this.throwFetchAheadError();
      for (;;) {
        if (this.closing) return [];
        this.throwWakeup();
        // max.poll.interval.ms bounds the time between polls: time spent waiting inside a long poll() is polling.
        this.membership?.notePoll();
        try {
          await this.refreshPattern();
          this.membership?.start();
          await this.rebalance();
          await this.initPositions(this.assigned.all().filter((s) => s.position === undefined && !s.revoking));
        } catch (error) {
          // Storage or network trouble: try again within this poll's time, as Kafka does; at its end, nothing yet.
          if (!isRetriable(error)) throw error;
          if (monotonicNow() >= deadline) {
            this.config.logger.warn('poll: timed out while retrying', { error: String(error) });
            return [];
          }
          this.config.logger.warn('poll: retrying after an error', { error: String(error) });
          await sleep(Math.min(this.config.retryBackoffMs, Math.max(0, deadline - monotonicNow())));
          continue;
        }
        if (this.closing) return [];
        this.throwWakeup();
        const records = this.fetcher.drain(this.assigned, this.config.maxPollRecords);
        // Self-fencing: records are handed out only while the membership's lease is valid (a subscriber that left has none).
        const leased = this.mode === 'subscribe' ? (this.membership?.checkLease() ?? false) : true;
        if (records.length > 0 && leased) {
          this.fetchAhead();
          return this.deserialize(records);
        }
        if (records.length > 0) continue; // lease ended: the loop reports the loss instead
        this.throwCorrupt();
        const remaining = deadline - monotonicNow();
        if (remaining <= 0) return [];
        // Partitions the fetch sent ahead is asking for are not asked for twice.
        const fetchable = this.assigned.fetchable().filter((s) => !this.fetchingAheadKeys.has(s.key));
        if (fetchable.length === 0 && this.fetchingAhead) {
          // Its answer may be what this poll waits for.
          await this.untilFetchedAhead(remaining);
          this.throwFetchAheadError();
          continue;
        }
        if (fetchable.length === 0) {
          await this.waitForChange(Math.min(remaining, 100));
          continue;
        }
        const idle = this.config.fetchIdleBackoff && this.emptyFetches >= IDLE_AFTER_EMPTY_FETCHES;
        // The gap is kept across polls: a short poll(timeout) must not turn into a fetch per poll.
        if (idle && monotonicNow() < this.nextIdleFetchAt) {
          await this.waitForChange(Math.min(this.nextIdleFetchAt, deadline) - monotonicNow());
          continue;
        }
        const started = monotonicNow();
        await this.fetchOnce(fetchable, idle ? 0 : Math.min(this.config.fetchMaxWaitMs, remaining));
        if (this.fetcher.buffered) this.leaveIdle();
        else this.emptyFetches++;
        if (idle && !this.fetcher.buffered) {
          const first = Math.max(this.config.fetchMaxWaitMs, IDLE_MIN_INTERVAL_MS);
          this.idleIntervalMs = this.idleIntervalMs === 0 ? first : Math.min(this.idleIntervalMs * 2, Math.max(first, this.config.fetchIdleMaxIntervalMs));
          this.nextIdleFetchAt = started + this.idleIntervalMs;
        }
      }
    } finally {
      this.polling = false;
    }
  }

  /**
   * Kafka's RecordDeserializationException: the records before a bad one are
   * returned, the positions go back to the first record not returned, and the
   * next poll throws at the bad record (seek past it to skip it).
   */
  private deserialize(records: FetchedRecord[]): Array<ConsumerRecord<K, V>> {
    const out: Array<ConsumerRecord<K, V>> = [];
    for (const [i, r] of records.entries()) {
      const context = { topic: r.topic, headers: r.headers };
      try {
        out.push({
          topic: r.topic,
          partition: r.partition,
          offset: r.offset,
          key: this.config.keyDeserializer(r.key, context),
          value: this.config.valueDeserializer(r.value, context),
          headers: r.headers,
          timestamp: r.timestamp,
        });
      } catch (error) {
        for (const rest of records.slice(i).reverse()) {
          const state = this.assigned.get(rest);
          if (state) state.position = rest.offset;
          this.fetcher.discard(partitionKey(rest.topic, rest.partition));
        }
        if (out.length > 0) return out;
        throw new FloeError('SERIALIZATION_ERROR', `cannot deserialize ${r.topic}/${r.partition} offset ${r.offset}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
    return out;
  }

  private async fetchOnce(fetchable: PartitionState[], maxWaitMs: number): Promise<void> {
    let outcome;
    try {
      outcome = await this.fetcher.fetch(fetchable, maxWaitMs, (state) => this.assigned.get(state.key) === state);
    } catch (error) {
      if (!(error instanceof FloeError) || !error.retriable) throw error;
      this.config.logger.warn('fetch failed; retrying', { error: error.message });
      await sleep(this.config.retryBackoffMs);
      return;
    }
    for (const state of outcome.outOfRange) {
      if (this.config.autoOffsetReset === 'none') {
        throw new FloeError('OFFSET_OUT_OF_RANGE', `position ${state.position} of ${state.topic}/${state.partition} is out of range and auto.offset.reset is none`);
      }
      state.position = undefined;
      state.resetTo = this.config.autoOffsetReset;
      this.fetcher.discard(state.key);
    }
    for (const { state, batch } of outcome.corrupt) {
      state.corrupt = { batch, reported: false };
      this.config.logger.warn('a stored batch cannot be read; the partition is stopped at it', { partition: state.key, offset: batch.offset, error: batch.message });
    }
    if (outcome.errors.length > 0) {
      const first = outcome.errors[0];
      this.config.logger.warn('fetch returned partition errors', { errors: outcome.errors.map((e) => `${e.state.key}: ${e.code}`) });
      // Nothing to return: back off, or a partition whose reads keep failing (a throttled head) is fetched
      // again at once - an error ends the server's wait - adding load to what failed (Kafka's retry.backoff.ms).
      if (first && outcome.delivered === 0) await sleep(this.config.retryBackoffMs);
    }
  }

  /**
   * A partition stopped at a batch that cannot be read is reported once, as Kafka's consumer
   * reports a corrupt record: records already fetched (of it and of other partitions) stay
   * buffered for the next poll, and the other partitions keep being fetched.
   */
  private throwCorrupt(): void {
    const state = this.assigned.all().find((s) => s.corrupt && !s.corrupt.reported);
    if (!state?.corrupt) return;
    state.corrupt.reported = true;
    const { batch } = state.corrupt;
    throw new CorruptRecordError(state.topic, state.partition, batch.offset, batch.nextOffset, batch.message);
  }

  /**
   * Like Kafka's consumer, sends the next fetch before it returns records, so that a quiet
   * partition's new record does not wait until a busy partition's buffer is spent. One such fetch
   * at a time, with the server wait. With nothing left buffered it fetches every partition (the
   * fetch the next poll would make, sent early); otherwise only those caught up at the last fetch
   * or never fetched: a partition with a backlog waits to be fetched with the others, as before,
   * which keeps a consumer working through a backlog at one fetch per round (Kafka's fetch-per-
   * drained-partition nearly doubled the fetches, each a Lambda invocation, in a 4-partition run).
   */
  private fetchAhead(): void {
    if (this.fetchingAhead) return;
    const idle = this.assigned.fetchable().filter((s) => !this.fetcher.hasBuffered(s.key));
    const quiet = (s: PartitionState) => s.highWatermark === undefined || (s.position as number) >= s.highWatermark;
    const wanted = this.fetcher.buffered ? idle.filter(quiet) : idle;
    if (wanted.length === 0) return;
    this.fetchingAheadKeys = new Set(wanted.map((s) => s.key));
    this.fetchingAhead = this.fetchOnce(wanted, this.config.fetchMaxWaitMs)
      .catch((error: unknown) => {
        this.fetchAheadError ??= error;
      })
      .finally(() => {
        this.fetchingAhead = undefined;
        this.fetchingAheadKeys = new Set();
      });
  }

  private async untilFetchedAhead(ms: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.fetchingAhead, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  private throwFetchAheadError(): void {
    const error = this.fetchAheadError;
    if (error === undefined) return;
    this.fetchAheadError = undefined;
    throw error;
  }

  /** Records flowed, or the application moved a position: fetch with server waits again, at once. */
  private leaveIdle(): void {
    this.emptyFetches = 0;
    this.idleIntervalMs = 0;
    this.nextIdleFetchAt = 0;
  }

  private waitForChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const off = this.membership?.onChange(done);
      const timer = setTimeout(done, ms);
      const wakers = this.wakers;
      wakers.add(done);
      function done() {
        clearTimeout(timer);
        off?.();
        wakers.delete(done);
        resolve();
      }
    });
  }

  private wake(): void {
    for (const done of [...this.wakers]) done();
  }

  /**
   * Kafka's wakeup(): the poll() under way, or else the next one, throws WAKEUP (not retriable)
   * without handing out records, e.g. to end a poll loop from a signal handler. A poll waiting on
   * the server ends when that fetch answers (at most fetch.max.wait.ms).
   */
  wakeup(): void {
    this.wakeupPending = true;
    this.wake();
  }

  private throwWakeup(): void {
    if (!this.wakeupPending) return;
    this.wakeupPending = false;
    throw new FloeError('WAKEUP', 'poll() was interrupted by wakeup()');
  }

  // ---- group rebalancing, as seen by the application ----

  private membershipFor(): GroupMembership {
    this.membership ??= new GroupMembership({
      api: this.groups,
      groupId: this.config.groupId as string,
      instanceId: this.config.groupInstanceId,
      clientId: this.config.clientId,
      sessionTimeoutMs: this.config.sessionTimeoutMs,
      heartbeatIntervalMs: this.config.heartbeatIntervalMs,
      maxPollIntervalMs: this.config.maxPollIntervalMs,
      assignors: this.config.partitionAssignmentStrategy,
      retryBackoffMs: this.config.retryBackoffMs,
      warn: (message, context) => this.config.logger.warn(message, context),
    });
    return this.membership;
  }

  private async refreshPattern(): Promise<void> {
    if (!this.pattern || monotonicNow() - this.patternCheckedAt < this.config.metadataMaxAgeMs) return;
    const pattern = this.pattern;
    const topics = (await this.admin.listTopics()).map((t) => t.name).filter((name) => pattern.test(name));
    this.patternCheckedAt = monotonicNow();
    this.membershipFor().subscribe(topics);
  }

  /** Applies what the membership learned: lost first, then revocations (after committing), then new partitions. */
  private async rebalance(): Promise<void> {
    const m = this.membership;
    if (!m || this.mode !== 'subscribe') return;
    m.checkLease();
    if (m.lost) {
      const lost = this.assigned.all().map(toTopicPartition);
      this.assigned.clear();
      this.fetcher.clear();
      this.lastCommitted.clear();
      const fatal = m.fatal;
      try {
        if (lost.length > 0) await (this.listener.onPartitionsLost ?? this.listener.onPartitionsRevoked)?.call(this.listener, lost);
      } finally {
        if (fatal) this.closeAfterFatal();
        else m.ackLost();
      }
      if (fatal) throw fatal;
    }
    const revoke = this.assigned.all().filter((s) => m.revoking.has(s.key) || !m.held.has(s.key));
    if (revoke.length > 0) {
      for (const s of revoke) s.revoking = true;
      // Commit before revocation (cooperative rebalancing): the next owner starts where this one stopped.
      if (this.config.enableAutoCommit) {
        await this.committer?.commit(this.progressed(this.positionsOf(revoke)), Date.now() + this.config.defaultApiTimeoutMs).catch((error: unknown) => {
          this.config.logger.warn('commit before revocation failed', { error: String(error) });
        });
      }
      const keys = revoke.map((s) => s.key);
      for (const key of keys) this.lastCommitted.delete(key);
      try {
        await this.listener.onPartitionsRevoked?.(revoke.map(toTopicPartition));
      } finally {
        for (const key of keys) {
          this.assigned.remove(key);
          this.fetcher.discard(key);
        }
        m.ackRevoked(keys);
      }
    }
    const added = [...m.held.values()].filter((h) => !m.revoking.has(partitionKey(h.topic, h.partition)) && !this.assigned.has(partitionKey(h.topic, h.partition)));
    if (added.length > 0) {
      for (const h of added) this.assigned.add(h);
      this.leaveIdle(); // new partitions may hold records: fetch them now
      await this.listener.onPartitionsAssigned?.(added.map(toTopicPartition));
    }
  }

  private closeAfterFatal(): void {
    this.membership?.close();
  }

  /** Committed offset, else the reset policy (seekToBeginning/End first, if asked). */
  private async initPositions(states: PartitionState[]): Promise<void> {
    if (states.length === 0) return;
    const need = new Map<PartitionKey, PartitionState>(states.map((s) => [s.key, s]));
    const fromCommitted = states.filter((s) => s.resetTo === undefined);
    if (this.config.groupId !== undefined && fromCommitted.length > 0) {
      const committed = await this.groups.fetchOffsets(this.config.groupId, fromCommitted.map(toTopicPartition));
      for (const c of committed) {
        const state = need.get(partitionKey(c.topic, c.partition));
        if (state && c.offset >= 0 && state.position === undefined) {
          state.position = c.offset;
          this.lastCommitted.set(state.key, c.offset);
          need.delete(state.key);
        }
      }
    }
    const reset = [...need.values()];
    for (const s of reset) {
      if (s.resetTo === undefined && this.config.autoOffsetReset === 'none') {
        throw new FloeError('OFFSET_OUT_OF_RANGE', `no committed offset for ${s.topic}/${s.partition} and auto.offset.reset is none`);
      }
    }
    // Each partition's policy is decided before any is applied: applying one clears resetTo.
    const policyOf = new Map(reset.map((s) => [s, s.resetTo ?? this.config.autoOffsetReset]));
    for (const policy of ['earliest', 'latest'] as const) {
      const list = reset.filter((s) => policyOf.get(s) === policy);
      for (const topic of new Set(list.map((s) => s.topic))) {
        const parts = list.filter((s) => s.topic === topic);
        const offsets = await this.admin.listOffsets(topic, parts.map((s) => s.partition), policy);
        for (const o of offsets) {
          const state = this.assigned.get({ topic, partition: o.partition });
          if (!state || o.errorCode !== 'NONE') continue;
          state.position = o.offset;
          state.resetTo = undefined;
        }
      }
    }
  }

  // ---- offsets ----

  private positionsOf(states: PartitionState[]): TopicPartitionOffset[] {
    return states.filter((s) => s.position !== undefined).map((s) => ({ topic: s.topic, partition: s.partition, offset: s.position as number }));
  }

  /** Positions of everything assigned: what poll() has handed out so far. */
  private consumed(): TopicPartitionOffset[] {
    return this.positionsOf(this.assigned.all().filter((s) => !s.revoking));
  }

  /** For automatic commits: only partitions whose position moved since their last commit. */
  private progressed(offsets: TopicPartitionOffset[]): TopicPartitionOffset[] {
    return offsets.filter((o) => this.lastCommitted.get(partitionKey(o.topic, o.partition)) !== o.offset);
  }

  private maybeAutoCommit(): void {
    if (!this.config.enableAutoCommit || !this.committer || Date.now() < this.nextAutoCommit) return;
    this.nextAutoCommit = Date.now() + this.config.autoCommitIntervalMs;
    const offsets = this.progressed(this.consumed());
    if (offsets.length === 0) return;
    // Counted as committed when sent, so that the next interval does not send it again while this one is in flight.
    for (const o of offsets) this.lastCommitted.set(partitionKey(o.topic, o.partition), o.offset);
    this.committer.commitAsync(offsets, (error) => {
      if (!error) return;
      this.config.logger.warn('auto-commit failed', { error: error.message });
      for (const o of offsets) {
        const key = partitionKey(o.topic, o.partition);
        if (this.lastCommitted.get(key) === o.offset) this.lastCommitted.delete(key);
      }
    });
  }

  private requireCommitter(): Committer {
    if (!this.committer) throw new FloeError('INVALID_GROUP_ID', 'commits need a groupId');
    return this.committer;
  }

  private normalize(offsets?: TopicPartitionOffset[] | Map<string, OffsetAndMetadata>): TopicPartitionOffset[] {
    if (offsets === undefined) return this.consumed();
    let list: unknown[];
    if (Array.isArray(offsets)) list = offsets;
    else if (offsets instanceof Map) {
      list = [...offsets].map(([key, o]) => {
        const at = String(key).lastIndexOf(':');
        return { topic: String(key).slice(0, at), partition: at < 0 ? NaN : Number(String(key).slice(at + 1)), ...(o as object) };
      });
    } else throw new FloeError('INVALID_REQUEST', 'offsets must be a list of { topic, partition, offset, metadata? } or a Map of "topic:partition" to { offset, metadata? }');
    return list.map(checkedOffset);
  }

  /** Commits what poll() returned (or the given offsets: the next offset to read, as in Kafka) and waits. */
  async commitSync(offsets?: TopicPartitionOffset[] | Map<string, OffsetAndMetadata>): Promise<void> {
    this.ensureOpen();
    const committer = this.requireCommitter();
    await committer.commit(this.normalize(offsets), Date.now() + this.config.defaultApiTimeoutMs);
  }

  /** Commits without waiting; the callback hears the outcome. Commits always land in call order. */
  commitAsync(offsets?: TopicPartitionOffset[] | Map<string, OffsetAndMetadata> | CommitCallback, callback?: CommitCallback): void {
    this.ensureOpen();
    const committer = this.requireCommitter();
    if (typeof offsets === 'function') committer.commitAsync(this.normalize(undefined), offsets);
    else committer.commitAsync(this.normalize(offsets), callback);
  }

  /** The group's committed offsets (null where nothing was committed). */
  async committed(partitions: TopicPartition[]): Promise<Array<(TopicPartition & OffsetAndMetadata) | (TopicPartition & { offset: null })>> {
    this.ensureOpen();
    if (this.config.groupId === undefined) throw new FloeError('INVALID_GROUP_ID', 'committed() needs a groupId');
    const found = await this.groups.fetchOffsets(this.config.groupId, partitions);
    return found.map((c) => (c.offset >= 0 ? { topic: c.topic, partition: c.partition, offset: c.offset, metadata: c.metadata } : { topic: c.topic, partition: c.partition, offset: null }));
  }

  /** The offset of the next record poll() returns for the partition. */
  async position(tp: TopicPartition): Promise<number> {
    const state = this.requireAssigned(tp);
    if (state.position === undefined) await this.initPositions([state]);
    if (state.position === undefined) throw new FloeError('OFFSET_OUT_OF_RANGE', `no position for ${tp.topic}/${tp.partition}`);
    return state.position;
  }

  seek(tp: TopicPartition, offset: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new FloeError('INVALID_REQUEST', `seek offset must be a non-negative integer, got ${offset}`);
    const state = this.requireAssigned(tp);
    state.position = offset;
    state.resetTo = undefined;
    state.corrupt = undefined;
    this.fetcher.discard(state.key);
    this.leaveIdle();
  }

  seekToBeginning(partitions: TopicPartition[] = this.assignment()): void {
    for (const tp of partitions) this.seekTo(tp, 'earliest');
  }

  seekToEnd(partitions: TopicPartition[] = this.assignment()): void {
    for (const tp of partitions) this.seekTo(tp, 'latest');
  }

  private seekTo(tp: TopicPartition, where: 'earliest' | 'latest'): void {
    const state = this.requireAssigned(tp);
    state.position = undefined;
    state.resetTo = where;
    state.corrupt = undefined;
    this.fetcher.discard(state.key);
    this.leaveIdle();
  }

  pause(partitions: TopicPartition[]): void {
    for (const tp of partitions) this.requireAssigned(tp).paused = true;
  }

  resume(partitions: TopicPartition[]): void {
    for (const tp of partitions) this.requireAssigned(tp).paused = false;
    this.leaveIdle();
  }

  paused(): TopicPartition[] {
    return this.assigned.all().filter((s) => s.paused).map(toTopicPartition);
  }

  /** Log end offset minus position, from the last fetch (Kafka's currentLag); undefined until known. */
  currentLag(tp: TopicPartition): number | undefined {
    const state = this.requireAssigned(tp);
    return state.highWatermark === undefined || state.position === undefined ? undefined : Math.max(0, state.highWatermark - state.position);
  }

  /** currentLag of every assigned partition. */
  lag(): PartitionLag[] {
    return this.assigned.all().map((s) => ({ ...toTopicPartition(s), lag: this.currentLag(s) }));
  }

  // ---- offsets and topics of any partition, assigned or not (Kafka's consumer has the same) ----

  /** Each partition's log start offset (Kafka's beginningOffsets). */
  beginningOffsets(partitions: TopicPartition[]): Promise<Array<TopicPartition & { offset: number }>> {
    return this.offsetsAt(partitions.map((tp) => ({ ...tp, spec: 'earliest' as const })));
  }

  /** Each partition's log end offset, the offset the next record will get (Kafka's endOffsets). */
  endOffsets(partitions: TopicPartition[]): Promise<Array<TopicPartition & { offset: number }>> {
    return this.offsetsAt(partitions.map((tp) => ({ ...tp, spec: 'latest' as const })));
  }

  /**
   * Each partition's first offset whose timestamp is at or after the time asked for, with that
   * record's timestamp; offset null where no record is that late (Kafka's offsetsForTimes).
   */
  async offsetsForTimes(query: Array<TopicPartition & { timestamp: number | Date }>): Promise<Array<TopicPartition & ({ offset: number; timestamp: number } | { offset: null })>> {
    if (!Array.isArray(query)) throw new FloeError('INVALID_REQUEST', 'offsetsForTimes takes a list of { topic, partition, timestamp }');
    for (const [i, q] of query.entries()) {
      // 'earliest' or 'latest' would be taken by the server as those offsets: only times here.
      if (typeof q?.timestamp !== 'number' && !(q?.timestamp instanceof Date)) throw new FloeError('INVALID_REQUEST', `query[${i}].timestamp must be a number (ms) or a Date`);
    }
    const found = await this.offsetsAt(query.map(({ topic, partition, timestamp }) => ({ topic, partition, spec: timestamp })));
    return found.map((f) => (f.offset >= 0 ? f : { topic: f.topic, partition: f.partition, offset: null }));
  }

  /** The partitions of a topic (Kafka's partitionsFor); UNKNOWN_TOPIC_OR_PARTITION when there is no such topic. */
  async partitionsFor(topic: string): Promise<TopicPartition[]> {
    this.ensureOpen();
    const [found] = await this.admin.metadata([topic]);
    if (!found || found.errorCode !== 'NONE') throw new FloeError(found?.errorCode ?? 'UNKNOWN_TOPIC_OR_PARTITION', `no topic "${topic}"`);
    return Array.from({ length: found.partitions }, (_, partition) => ({ topic, partition }));
  }

  /** Every topic the caller may describe, with its partition count (Kafka's listTopics). */
  async listTopics(): Promise<Array<{ topic: string; partitions: number }>> {
    this.ensureOpen();
    return (await this.admin.listTopics()).map((t) => ({ topic: t.name, partitions: t.partitions }));
  }

  /** One offset lookup per topic; a partition's error is thrown, as Kafka's consumer throws it. */
  private async offsetsAt(query: Array<TopicPartition & { spec: OffsetSpec }>): Promise<Array<TopicPartition & { offset: number; timestamp: number }>> {
    this.ensureOpen();
    if (!Array.isArray(query)) throw new FloeError('INVALID_REQUEST', 'partitions must be a list of { topic, partition }');
    // Keyed by what is asked (time and topic), then partition: one partition may be asked at several times.
    const out = new Map<string, TopicPartition & { offset: number; timestamp: number }>();
    const bySpecAndTopic = new Map<string, { topic: string; spec: OffsetSpec; partitions: number[] }>();
    const keys: string[] = [];
    for (const [i, q] of query.entries()) {
      if (typeof q?.topic !== 'string' || typeof q.partition !== 'number' || !Number.isSafeInteger(q.partition) || q.partition < 0) {
        throw new FloeError('INVALID_REQUEST', `partitions[${i}] must be { topic, partition } with a non-negative integer partition`);
      }
      const spec = q.spec instanceof Date ? q.spec.getTime() : q.spec;
      if (typeof spec === 'number' && (!Number.isSafeInteger(spec) || spec < 0)) throw new FloeError('INVALID_REQUEST', `partitions[${i}]: a timestamp must be a non-negative integer (ms) or a Date`);
      const group = `${String(spec)}\u0000${q.topic}`;
      const entry = bySpecAndTopic.get(group) ?? { topic: q.topic, spec, partitions: [] };
      if (!entry.partitions.includes(q.partition)) entry.partitions.push(q.partition);
      bySpecAndTopic.set(group, entry);
      keys.push(`${group}\u0000${q.partition}`);
    }
    for (const [group, { topic, spec, partitions }] of bySpecAndTopic) {
      for (const r of await this.admin.listOffsets(topic, partitions, spec)) {
        if (r.errorCode !== 'NONE') throw new FloeError(r.errorCode, r.errorMessage ?? `offset lookup of ${topic}/${r.partition} failed`);
        out.set(`${group}\u0000${r.partition}`, { topic, partition: r.partition, offset: r.offset, timestamp: r.timestamp });
      }
    }
    return keys.map((key) => out.get(key) as TopicPartition & { offset: number; timestamp: number });
  }

  private requireAssigned(tp: TopicPartition): PartitionState {
    this.ensureOpen();
    const state = this.assigned.get(tp);
    if (!state) throw new FloeError('INVALID_REQUEST', `${tp.topic}/${tp.partition} is not assigned to this consumer`);
    return state;
  }

  // ---- close ----

  /** Commits (with auto-commit on), revokes, leaves the group, and waits for pending commits; every caller waits for the one close. */
  close(): Promise<void> {
    this.closingDone ??= this.closeOnce();
    return this.closingDone;
  }

  private async closeOnce(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    this.wake();
    try {
      if (this.mode === 'subscribe') await this.leaveGroup();
      else if (this.mode === 'assign' && this.config.enableAutoCommit && this.committer) {
        await this.committer.commit(this.progressed(this.consumed()), Date.now() + this.config.defaultApiTimeoutMs).catch((error: unknown) => {
          this.config.logger.warn('commit on close failed', { error: String(error) });
        });
      }
    } finally {
      await this.committer?.flush();
      this.membership?.close();
      this.assigned.clear();
      this.fetcher.clear();
      this.mode = 'none';
      this.closed = true;
    }
  }

  private async leaveGroup(): Promise<void> {
    const m = this.membership;
    if (!m) return;
    const owned = this.assigned.all().filter((s) => m.held.has(s.key));
    try {
      if (owned.length > 0 && m.state === 'stable') {
        if (this.config.enableAutoCommit) {
          await this.committer?.commit(this.progressed(this.positionsOf(owned)), Date.now() + this.config.defaultApiTimeoutMs).catch((error: unknown) => {
            this.config.logger.warn('commit on close failed', { error: String(error) });
          });
        }
        await this.listener.onPartitionsRevoked?.(owned.map(toTopicPartition));
      }
    } finally {
      // Leave even if the listener threw: otherwise the partitions stay claimed until the session expires.
      await m.leave();
      this.membership = undefined;
    }
  }

  private ensureOpen(): void {
    if (this.closed) throw new FloeError('INVALID_REQUEST', 'the consumer is closed');
  }
}

/** A value as the application gave it: a string quoted, so "5" does not read as 5. */
const shown = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : String(value));

/** An offset to commit, as the application gave it: refused here, with what is wrong, rather than by the server. */
function checkedOffset(entry: unknown, i: number): TopicPartitionOffset {
  const o = entry as Partial<TopicPartitionOffset> | null;
  const where = `offsets[${i}]`;
  if (typeof o !== 'object' || o === null) throw new FloeError('INVALID_REQUEST', `${where} must be { topic, partition, offset, metadata? }, got ${String(entry)}`);
  if (typeof o.topic !== 'string' || o.topic.length === 0) throw new FloeError('INVALID_REQUEST', `${where}.topic must be a topic name`);
  if (typeof o.partition !== 'number' || !Number.isSafeInteger(o.partition) || o.partition < 0) {
    throw new FloeError('INVALID_REQUEST', `${where}.partition must be a non-negative integer, got ${shown(o.partition)}`);
  }
  if (typeof o.offset !== 'number' || !Number.isSafeInteger(o.offset) || o.offset < 0) {
    throw new FloeError('INVALID_REQUEST', `${where}.offset must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}, got ${shown(o.offset)}`);
  }
  if (o.metadata !== undefined && o.metadata !== null && typeof o.metadata !== 'string') {
    throw new FloeError('INVALID_REQUEST', `${where}.metadata must be a string`);
  }
  return o as TopicPartitionOffset;
}
