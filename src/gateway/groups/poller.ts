/**
 * Shared polling of groups for the requests that wait on them (JoinGroup in the barrier, a
 * follower's SyncGroup). One read per group per interval on this gateway, however many requests
 * wait on it; each round first lets the coordinator move the group along (complete a barrier,
 * start a rebalance for a dead leader), then asks every waiter whether it is done.
 */
import type { GroupView } from './model.js';

/** Looks at a fresh view; returns the answer to finish with, or undefined to keep waiting. */
export type Check<T> = (view: GroupView) => Promise<T | undefined> | T | undefined;

interface Waiter {
  check: Check<unknown>;
  done: (value: unknown) => void;
}

interface Polled {
  waiters: Set<Waiter>;
  timer?: NodeJS.Timeout;
  running: boolean;
}

export class GroupPoller {
  private readonly groups = new Map<string, Polled>();
  /** Group reads made by the poller. */
  reads = 0;

  constructor(
    private readonly read: (groupId: string) => Promise<GroupView>,
    /** Moves the group along; returns true when it wrote (the view is then read again). */
    private readonly advance: (view: GroupView) => Promise<boolean>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Resolves with the first answer `check` gives, or undefined when `signal` aborts. */
  watch<T>(groupId: string, check: Check<T>, signal: AbortSignal): Promise<T | undefined> {
    if (signal.aborted) return Promise.resolve(undefined);
    return new Promise<T | undefined>((resolve) => {
      const polled = this.groups.get(groupId) ?? { waiters: new Set<Waiter>(), running: false };
      this.groups.set(groupId, polled);
      const waiter: Waiter = {
        check: check as Check<unknown>,
        done: (value) => {
          polled.waiters.delete(waiter);
          signal.removeEventListener('abort', aborted);
          resolve(value as T | undefined);
        },
      };
      const aborted = () => waiter.done(undefined);
      signal.addEventListener('abort', aborted, { once: true });
      polled.waiters.add(waiter);
      // The first round runs at once: the request that just joined may be the one that completes the barrier.
      if (!polled.running && polled.timer === undefined) this.schedule(groupId, polled, 0);
    });
  }

  stop(): void {
    for (const polled of this.groups.values()) clearTimeout(polled.timer);
    this.groups.clear();
  }

  private schedule(groupId: string, polled: Polled, delay: number): void {
    polled.timer = setTimeout(() => void this.round(groupId, polled), delay);
  }

  private async round(groupId: string, polled: Polled): Promise<void> {
    polled.timer = undefined;
    polled.running = true;
    try {
      this.reads++;
      let view = await this.read(groupId);
      if (await this.advance(view)) {
        this.reads++;
        view = await this.read(groupId);
      }
      await Promise.all(
        [...polled.waiters].map(async (waiter) => {
          const answer = await waiter.check(view);
          if (answer !== undefined) waiter.done(answer);
        }),
      );
    } catch (error) {
      this.onError(error);
    } finally {
      polled.running = false;
      if (polled.waiters.size > 0) this.schedule(groupId, polled, this.intervalMs);
      else if (this.groups.get(groupId) === polled) this.groups.delete(groupId);
    }
  }
}
