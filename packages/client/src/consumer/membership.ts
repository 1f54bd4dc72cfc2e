/**
 * Group membership, run by a timer in the background: heartbeats go out every
 * heartbeat.interval.ms whatever the application does between polls (kafkajs
 * only heartbeats from inside its processing loop). The membership never runs
 * application code: it records what changed (partitions added, to revoke,
 * lost) and poll() acts on it, calling the rebalance listener there, as Kafka does.
 *
 * Two clocks protect invariant 4 on the client side:
 * - lease: if no heartbeat *sent* in the last session.timeout.ms succeeded, the
 *   server may already have given the partitions away, so they are treated as
 *   lost before the server's own deadline (sentAt + session <= server expiry);
 * - max.poll.interval.ms: an application that stopped polling leaves the group
 *   by itself, and learns its partitions were lost on its next poll.
 * Both use the monotonic clock, which also advances while the process is stopped.
 */
import { randomUUID } from 'node:crypto';
import { FloeError, GROUP_LIMITS, isRetriable, JOIN_EPOCH, LEAVE_EPOCH, partitionKey, type PartitionKey, STATIC_LEAVE_EPOCH, type TopicPartition } from '@floe/protocol';
import type { GroupsApi, HeartbeatRequest, HeartbeatResponse } from './groups-api.js';

export interface MembershipOptions {
  /** only heartbeats are sent from here (commits go through the Committer) */
  api: Pick<GroupsApi, 'heartbeat'>;
  groupId: string;
  instanceId?: string;
  clientId: string;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxPollIntervalMs: number;
  assignors: string[];
  retryBackoffMs: number;
  warn: (message: string, context?: Record<string, unknown>) => void;
}

export type MembershipState = 'idle' | 'joining' | 'stable' | 'lost' | 'closed';

interface Held extends TopicPartition {
  epoch: number;
}

/** Errors after which this member id is over: its partitions are lost and it must rejoin. */
const FENCED = new Set(['UNKNOWN_MEMBER_ID', 'FENCED_MEMBER_EPOCH', 'STALE_MEMBER_EPOCH']);

/** The global performance (Node's perf_hooks one), looked up at each call so that tests' fake timers can drive it. */
export const monotonicNow = (): number => globalThis.performance.now();

export class GroupMembership {
  state: MembershipState = 'idle';
  memberId: string | undefined;
  /** the member id of the last incarnation, kept after a loss until the next join answers */
  lastMemberId: string | undefined;
  memberEpoch = 0;
  /** claims this client holds: assigned, including those being revoked */
  readonly held = new Map<PartitionKey, Held>();
  /** held partitions the server no longer wants here: poll() must revoke them */
  readonly revoking = new Set<PartitionKey>();
  /** partitions lost (fenced, lease ended, poll timeout), waiting for poll() to tell the application */
  lost: TopicPartition[] | undefined;
  lostReason: string | undefined;
  /** fatal error (FENCED_INSTANCE_ID, bad configuration): poll() throws it */
  fatal: FloeError | undefined;
  /** claim epochs by partition, kept after a loss so a late commit is still sent (and refused by the server, not here) */
  private readonly lastEpochs = new Map<PartitionKey, number>();
  /** idempotency key of the current join: kept across its retries, new for every new incarnation */
  private joinId = randomUUID();
  private topics: string[] = [];
  private subscriptionDirty = true;
  private leaseDeadline = Number.POSITIVE_INFINITY;
  private lastPollAt = monotonicNow();
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  private failures = 0;
  /** a prompt heartbeat was asked for while one was in flight */
  private wantSoon = false;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly options: MembershipOptions) {}

  /** Sets (or changes) the subscribed topics; a member already in the group tells the server at once. */
  subscribe(topics: string[]): void {
    const next = [...new Set(topics)].sort();
    if (next.join(',') === this.topics.join(',')) return;
    this.topics = next;
    this.subscriptionDirty = true;
    if (this.state !== 'idle') this.heartbeatSoon();
  }

  /** Joins, if not yet started (the consumer calls this from poll(), as Kafka joins in poll). */
  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'joining';
    this.lastPollAt = monotonicNow();
    this.heartbeatSoon();
  }

  subscribedTopics(): string[] {
    return [...this.topics];
  }

  notePoll(): void {
    this.lastPollAt = monotonicNow();
  }

  /** Wakes whoever waits for the assignment to change (poll). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  epochOf(key: PartitionKey): number | undefined {
    return this.held.get(key)?.epoch ?? this.lastEpochs.get(key);
  }

  /** Revocation done by poll(): the partitions are no longer held; the next heartbeat (sent now) releases them. */
  ackRevoked(keys: PartitionKey[]): void {
    for (const key of keys) {
      this.held.delete(key);
      this.revoking.delete(key);
    }
    this.heartbeatSoon();
  }

  /** The application was told about the loss: join again as a new member. */
  ackLost(): void {
    this.lost = undefined;
    this.lostReason = undefined;
    if (this.state !== 'lost') return;
    this.state = 'joining';
    this.memberId = undefined;
    this.joinId = randomUUID();
    this.memberEpoch = JOIN_EPOCH;
    this.subscriptionDirty = true;
    this.lastPollAt = monotonicNow();
    this.heartbeatSoon();
  }

  /** True while the last successful heartbeat keeps the claims safe; marks them lost otherwise. */
  checkLease(): boolean {
    // Already lost (fenced, or the timer saw the lease end) while poll() was busy: nothing is safe until ackLost.
    if (this.state === 'lost') return false;
    if (this.state !== 'stable' || monotonicNow() <= this.leaseDeadline) return true;
    this.markLost(`no heartbeat succeeded within session.timeout.ms (${this.options.sessionTimeoutMs} ms)`);
    return false;
  }

  /** Leaves the group (epoch -1; -2 for a static member so that a restart keeps its partitions) and stops. */
  async leave(): Promise<void> {
    this.stopTimer();
    await this.inflight?.catch(() => undefined);
    const memberId = this.memberId;
    const wasMember = memberId !== undefined && (this.state === 'stable' || this.state === 'joining');
    this.state = 'closed';
    if (!wasMember) return;
    const memberEpoch = this.options.instanceId === undefined ? LEAVE_EPOCH : STATIC_LEAVE_EPOCH;
    await this.options.api
      .heartbeat(this.options.groupId, { memberId, memberEpoch, instanceId: this.options.instanceId }, this.requestTimeoutMs())
      .catch((error: unknown) => this.options.warn('leaving the group failed; the session will expire instead', { error: String(error) }));
  }

  close(): void {
    this.stopTimer();
    this.state = 'closed';
  }

  private requestTimeoutMs(joining = false): number {
    // A join may take a while (it can recompute the target and claim partitions) and is safe to retry (joinId);
    // a heartbeat stuck longer than a third of the session would leave too little of it for a retry.
    return joining ? this.options.sessionTimeoutMs : Math.max(500, Math.floor(this.options.sessionTimeoutMs / 3));
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delayMs: number): void {
    if (this.state === 'closed') return;
    this.stopTimer();
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  private heartbeatSoon(): void {
    if (this.inflight) this.wantSoon = true; // the heartbeat in flight schedules the next one when it ends
    else this.schedule(0);
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }

  private markLost(reason: string): void {
    this.lost = [...(this.lost ?? []), ...[...this.held.values()].map((h) => ({ topic: h.topic, partition: h.partition }))];
    this.lostReason = reason;
    this.held.clear();
    this.revoking.clear();
    this.state = 'lost';
    this.options.warn('consumer group membership lost', { reason, memberId: this.memberId });
    this.emit();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (this.state === 'closed' || this.state === 'idle' || this.inflight) return;
    if (this.state === 'lost') return; // poll() must acknowledge the loss first (ackLost schedules the rejoin)
    if (this.memberId !== undefined && monotonicNow() - this.lastPollAt > this.options.maxPollIntervalMs) {
      this.leaveForPollTimeout();
      return;
    }
    if (!this.checkLease()) return;
    this.inflight = this.beat();
    try {
      await this.inflight;
    } finally {
      this.inflight = undefined;
    }
  }

  private leaveForPollTimeout(): void {
    const memberId = this.memberId;
    this.markLost(`poll() was not called for max.poll.interval.ms (${this.options.maxPollIntervalMs} ms)`);
    if (memberId === undefined) return;
    const memberEpoch = this.options.instanceId === undefined ? LEAVE_EPOCH : STATIC_LEAVE_EPOCH;
    void this.options.api
      .heartbeat(this.options.groupId, { memberId, memberEpoch, instanceId: this.options.instanceId }, this.requestTimeoutMs())
      .catch(() => undefined);
  }

  private request(): HeartbeatRequest {
    const owned = [...this.held.values()].map((h) => ({ topic: h.topic, partition: h.partition }));
    if (this.memberId === undefined) {
      return {
        memberEpoch: JOIN_EPOCH,
        joinId: this.joinId,
        instanceId: this.options.instanceId,
        clientId: this.options.clientId,
        sessionTimeoutMs: this.options.sessionTimeoutMs,
        heartbeatIntervalMs: this.options.heartbeatIntervalMs,
        rebalanceTimeoutMs: this.options.maxPollIntervalMs,
        assignors: this.options.assignors as HeartbeatRequest['assignors'],
        subscribedTopics: this.topics,
        ownedPartitions: [],
      };
    }
    return {
      memberId: this.memberId,
      memberEpoch: this.memberEpoch,
      instanceId: this.options.instanceId,
      ...(this.subscriptionDirty ? { subscribedTopics: this.topics } : {}),
      ownedPartitions: owned,
    };
  }

  private async beat(): Promise<void> {
    const sentAt = monotonicNow();
    const request = this.request();
    const sentOwned = new Set(this.held.keys());
    let response: HeartbeatResponse;
    try {
      response = await this.options.api.heartbeat(this.options.groupId, request, this.requestTimeoutMs(request.memberEpoch === JOIN_EPOCH));
    } catch (error) {
      this.onError(error);
      return;
    }
    if (this.state === 'closed' || this.state === 'lost') return; // answered after we gave up on this member id
    this.failures = 0;
    this.memberId = response.memberId;
    this.lastMemberId = response.memberId;
    this.memberEpoch = response.memberEpoch;
    // The server's lease runs from when it processed this heartbeat (after sentAt); stopping a skew allowance
    // earlier keeps this client from consuming anything another member may already have claimed.
    this.leaseDeadline = sentAt + this.options.sessionTimeoutMs - GROUP_LIMITS.clockSkewAllowanceMs;
    if (request.subscribedTopics && request.subscribedTopics.join(',') === this.topics.join(',')) this.subscriptionDirty = false;
    this.state = 'stable';
    const changed = this.apply(response, sentOwned);
    if (changed) this.emit();
    // Partitions still held by others (response.pending) arrive at a later heartbeat; one per interval keeps the cost flat.
    const soon = this.wantSoon || this.subscriptionDirty;
    this.wantSoon = false;
    // Paced from when this heartbeat was sent, so a slow answer does not stretch the interval.
    this.schedule(soon ? 0 : Math.max(0, this.options.heartbeatIntervalMs - (monotonicNow() - sentAt)));
  }

  /** Folds the server's answer into what this client holds. */
  private apply(response: HeartbeatResponse, sentOwned: Set<PartitionKey>): boolean {
    let changed = false;
    const assigned = new Set<PartitionKey>();
    for (const a of response.assignment) {
      const key = partitionKey(a.topic, a.partition);
      assigned.add(key);
      this.lastEpochs.set(key, a.epoch);
      const held = this.held.get(key);
      // A partition revoked (and released) while this heartbeat was in flight comes back as a new claim next time.
      if (!held && sentOwned.has(key)) continue;
      if (!held || held.epoch !== a.epoch) {
        this.held.set(key, { topic: a.topic, partition: a.partition, epoch: a.epoch });
        changed = true;
      }
      if (this.revoking.delete(key)) changed = true;
    }
    for (const key of this.held.keys()) {
      if (!assigned.has(key) && !this.revoking.has(key)) {
        this.revoking.add(key);
        changed = true;
      }
    }
    return changed;
  }

  private onError(error: unknown): void {
    const code = error instanceof FloeError ? error.code : undefined;
    if (this.state === 'closed') return;
    if (code === 'FENCED_INSTANCE_ID') {
      this.fatal = error as FloeError;
      this.markLost((error as FloeError).message);
      return;
    }
    if (code !== undefined && FENCED.has(code)) {
      this.markLost(`${code}: ${(error as FloeError).message}`);
      return;
    }
    if (!isRetriable(error) && code !== undefined && code !== 'UNKNOWN_SERVER_ERROR') {
      this.fatal = error as FloeError; // bad configuration: retrying cannot help
      this.markLost((error as FloeError).message);
      return;
    }
    this.failures++;
    this.options.warn('heartbeat failed; retrying', { error: String(error), failures: this.failures });
    const delay = Math.min(this.options.heartbeatIntervalMs, this.options.retryBackoffMs * 2 ** Math.min(this.failures - 1, 6));
    this.schedule(delay);
  }
}
