/**
 * Partition counts (and max.message.bytes) per topic, cached for metadata.max.age.ms and refreshed on demand
 * (an UNKNOWN_TOPIC_OR_PARTITION answer, an explicit partition beyond the known count).
 * A stale entry keeps serving while a background refresh runs, so added partitions
 * come into use without send() ever waiting for it.
 */
import { backoffDelay, FloeError, isRetriable } from '@floe/protocol';
import type { Admin } from '../admin.js';

interface Entry {
  partitions: number;
  /** the topic's max.message.bytes: the largest batch its partitions accept */
  maxMessageBytes: number | undefined;
  fetchedAt: number;
  /** no background refresh before this time (after a failed one) */
  retryAt: number;
}

export class TopicMetadata {
  private readonly entries = new Map<string, Entry>();
  private readonly refreshing = new Map<string, Promise<number | undefined>>();
  /** Set by stop(): every wait for a topic ends with it. */
  private stopped: Error | undefined;
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly admin: Pick<Admin, 'metadata'>,
    private readonly maxAgeMs: number,
    private readonly retryBackoffMs: number,
    private readonly retryBackoffMaxMs: number,
  ) {}

  /** The cached partition count (a stale one triggers a background refresh), or undefined. */
  cached(topic: string, now = Date.now()): number | undefined {
    const entry = this.entries.get(topic);
    if (entry && now - entry.fetchedAt >= this.maxAgeMs && now >= entry.retryAt) {
      void this.refresh(topic).catch(() => {
        // Keep the old count; try again after a backoff rather than on every send.
        entry.retryAt = Date.now() + this.retryBackoffMaxMs;
      });
    }
    return entry?.partitions;
  }

  maxMessageBytes(topic: string): number | undefined {
    return this.entries.get(topic)?.maxMessageBytes;
  }

  /** Asks the server now; undefined means the topic does not exist. Concurrent calls share one request. */
  refresh(topic: string): Promise<number | undefined> {
    let pending = this.refreshing.get(topic);
    if (!pending) {
      pending = this.admin
        .metadata([topic])
        .then(([found]) => {
          if (!found || found.errorCode !== 'NONE') {
            this.entries.delete(topic);
            return undefined;
          }
          this.entries.set(topic, { partitions: found.partitions, maxMessageBytes: numberOr(found.configs?.['max.message.bytes']), fetchedAt: Date.now(), retryAt: 0 });
          return found.partitions;
        })
        .finally(() => this.refreshing.delete(topic));
      this.refreshing.set(topic, pending);
    }
    return pending;
  }

  /** Waits until the topic is known (Kafka's send() waits on metadata the same way), at most until `deadline`. */
  async partitions(topic: string, deadline: number): Promise<number> {
    const known = this.cached(topic);
    if (known !== undefined) return known;
    let lastError: unknown;
    for (let attempt = 0; ; attempt++) {
      if (this.stopped) throw this.stopped;
      try {
        const count = await this.refresh(topic);
        if (count !== undefined) return count;
        lastError = undefined;
      } catch (error) {
        if (!isRetriable(error)) throw error;
        lastError = error;
      }
      const delay = Math.min(backoffDelay(attempt, this.retryBackoffMs, this.retryBackoffMaxMs), deadline - Date.now());
      if (delay <= 0) break;
      await this.pause(delay);
    }
    if (lastError) throw lastError;
    throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${topic}" not present in metadata within max.block.ms`, {
      retriable: false,
    });
  }

  /** Ends every wait for a topic with `error` (a producer's close with a timeout, as Kafka's wakes a blocked send). */
  stop(error: Error): void {
    this.stopped = error;
    for (const wake of [...this.wakers]) wake();
  }

  /** A backoff that stop() cuts short, leaving no timer behind. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }
}

/** A numeric topic config (configs hold cleanup.policy's string too). */
const numberOr = (value: number | string | undefined): number | undefined => (typeof value === 'number' ? value : undefined);
