/**
 * Cached partition heads for long-polling fetches. Waiting fetches never poll DynamoDB themselves:
 * they register here, and one loop re-reads the heads of the partitions someone waits on once per
 * interval (one strongly consistent read per partition per interval, however many fetches wait),
 * waking the waiters whose partition moved. A produce through this gateway wakes them at once.
 */
import type { PartitionHeadView, Topic } from '../log-port.js';

export interface HeadSource {
  heads(topic: Topic, partitions: number[]): Promise<Map<number, PartitionHeadView>>;
}

export interface WaitItem {
  topic: Topic;
  partition: number;
  /** Wake when the head's next offset is beyond this. */
  offset: number;
}

interface Waiter {
  items: WaitItem[];
  wake: () => void;
}

interface Watched {
  topic: Topic;
  partition: number;
  head?: PartitionHeadView;
  readAt: number;
  waiters: Set<Waiter>;
  /** When the last waiter left (entries stay warm a little, as idle consumers come straight back). */
  idleSince: number;
}

const keyOf = (topicId: string, partition: number): string => `${topicId}:${partition}`;

export class HeadWatcher {
  private readonly watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  /** Head reads made (one per partition per poll). */
  reads = 0;

  constructor(
    private readonly source: HeadSource,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** The cached head if it was read within the last interval. */
  fresh(topic: Topic, partition: number): PartitionHeadView | undefined {
    const entry = this.watched.get(keyOf(topic.topicId, partition));
    return entry?.head !== undefined && this.now() - entry.readAt <= this.intervalMs ? entry.head : undefined;
  }

  /** Resolves true when a head moved past its offset, false at the timeout or when `signal` aborts. */
  wait(items: WaitItem[], timeoutMs: number, signal: AbortSignal): Promise<boolean> {
    if (items.length === 0 || timeoutMs <= 0 || signal.aborted) return Promise.resolve(false);
    if (items.some((item) => this.moved(item))) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = { items, wake: () => finish(true) };
      const entries = items.map((item) => this.entry(item.topic, item.partition));
      const finish = (woken: boolean) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', aborted);
        const at = this.now();
        for (const entry of entries) {
          entry.waiters.delete(waiter);
          if (entry.waiters.size === 0) entry.idleSince = at;
        }
        resolve(woken);
      };
      const aborted = () => finish(false);
      const timer = setTimeout(() => finish(false), timeoutMs);
      signal.addEventListener('abort', aborted, { once: true });
      for (const entry of entries) entry.waiters.add(waiter);
      this.schedule();
    });
  }

  /** A write through this gateway moved a head: wake its waiters without waiting for the next poll. */
  advanced(topicId: string, partition: number, nextOffset: number): void {
    const entry = this.watched.get(keyOf(topicId, partition));
    if (!entry) return;
    if (entry.head && nextOffset > entry.head.nextOffset) entry.head = { ...entry.head, nextOffset };
    for (const waiter of [...entry.waiters]) {
      if (waiter.items.some((item) => item.topic.topicId === topicId && item.partition === partition && nextOffset > item.offset)) waiter.wake();
    }
  }

  /** Stops polling (gateway shutdown); waiters end at their timeouts or signals. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  get watchedCount(): number {
    return this.watched.size;
  }

  private entry(topic: Topic, partition: number): Watched {
    const key = keyOf(topic.topicId, partition);
    let entry = this.watched.get(key);
    if (!entry) {
      entry = { topic, partition, readAt: 0, waiters: new Set(), idleSince: this.now() };
      this.watched.set(key, entry);
    }
    return entry;
  }

  private moved(item: WaitItem): boolean {
    const head = this.watched.get(keyOf(item.topic.topicId, item.partition))?.head;
    return head !== undefined && head.nextOffset > item.offset;
  }

  private wakeMoved(entry: Watched): void {
    for (const waiter of [...entry.waiters]) if (waiter.items.some((item) => this.moved(item))) waiter.wake();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.polling) return;
    this.timer = setTimeout(() => void this.poll(), this.intervalMs);
    this.timer.unref?.();
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    this.polling = true;
    try {
      const at = this.now();
      const due = new Map<string, { topic: Topic; entries: Watched[] }>();
      for (const [key, entry] of this.watched) {
        if (entry.waiters.size === 0) {
          // Kept warm for a few intervals so a consumer that fetches again at once finds a fresh head.
          if (at - entry.idleSince > 4 * this.intervalMs) this.watched.delete(key);
          continue;
        }
        const group = due.get(entry.topic.topicId) ?? { topic: entry.topic, entries: [] };
        group.entries.push(entry);
        due.set(entry.topic.topicId, group);
      }
      await Promise.all(
        [...due.values()].map(async ({ topic, entries }) => {
          try {
            this.reads += entries.length;
            const heads = await this.source.heads(topic, entries.map((e) => e.partition));
            const readAt = this.now();
            for (const entry of entries) {
              const head = heads.get(entry.partition);
              if (head) {
                entry.head = head;
                entry.readAt = readAt;
              }
              this.wakeMoved(entry);
            }
          } catch (error) {
            this.onError(error);
          }
        }),
      );
    } finally {
      this.polling = false;
      if ([...this.watched.values()].some((entry) => entry.waiters.size > 0)) this.schedule();
    }
  }
}
