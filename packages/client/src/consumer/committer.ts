/**
 * Offset commits for the Consumer. Each commit names the member and, per
 * partition, the claim epoch the member got with it; the server refuses it if
 * the claim moved on. Retriable failures are retried until the deadline;
 * fencing is never retried (it cannot succeed) and is reported to the caller.
 */
import { FloeError, isRetriable, partitionKey, type PartitionKey, sleep } from '@floe/protocol';
import { toFloeError } from '../producer/classify.js';
import type { GroupsApi } from './groups-api.js';
import type { CommitCallback, TopicPartitionOffset } from './types.js';

export interface CommitIdentity {
  /** undefined for a standalone consumer (assign()) */
  memberId?: string;
  memberEpoch?: number;
  epochOf(key: PartitionKey): number | undefined;
}

export class Committer {
  /** Commits run one at a time, in call order: a slow older commit never lands after a newer one. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly api: GroupsApi,
    private readonly groupId: string,
    private readonly identity: () => CommitIdentity,
    private readonly settings: { retryBackoffMs: number; requestTimeoutMs: number },
    /** told about every offset the server accepted */
    private readonly onCommitted: (offsets: TopicPartitionOffset[]) => void = () => {},
  ) {}

  /** Commits and waits; throws a FloeError naming the first partition that could not be committed. */
  commit(offsets: TopicPartitionOffset[], deadline: number): Promise<void> {
    const run = this.tail.then(() => this.send(offsets, deadline));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async send(offsets: TopicPartitionOffset[], deadline: number): Promise<void> {
    if (offsets.length === 0) return;
    let pending = offsets;
    for (let attempt = 0; ; attempt++) {
      const who = this.identity();
      try {
        const results = await this.api.commit(
          this.groupId,
          {
            memberId: who.memberId,
            memberEpoch: who.memberEpoch,
            partitions: pending.map((o) => ({
              topic: o.topic,
              partition: o.partition,
              offset: o.offset,
              metadata: o.metadata,
              epoch: who.memberId === undefined ? undefined : who.epochOf(partitionKey(o.topic, o.partition)),
            })),
          },
          this.settings.requestTimeoutMs,
        );
        const failed = results.filter((r) => r.errorCode !== 'NONE');
        const done = new Set(results.filter((r) => r.errorCode === 'NONE').map((r) => partitionKey(r.topic, r.partition)));
        this.onCommitted(pending.filter((o) => done.has(partitionKey(o.topic, o.partition))));
        if (failed.length === 0) return;
        const fatal = failed.find((r) => !new FloeError(r.errorCode, '').retriable);
        if (fatal || Date.now() >= deadline) {
          const first = fatal ?? (failed[0] as (typeof failed)[number]);
          const list = failed.map((r) => `${r.topic}/${r.partition}: ${r.errorCode}`).join(', ');
          throw new FloeError(first.errorCode, `commit failed (${list})${first.errorMessage ? `: ${first.errorMessage}` : ''}`);
        }
        const retry = new Set(failed.map((r) => partitionKey(r.topic, r.partition)));
        pending = pending.filter((o) => retry.has(partitionKey(o.topic, o.partition)));
      } catch (error) {
        if (!isRetriable(error) || Date.now() >= deadline) throw error;
      }
      await sleep(Math.min(this.settings.retryBackoffMs * 2 ** Math.min(attempt, 5), Math.max(0, deadline - Date.now())));
    }
  }

  /** Fire and forget (Kafka's commitAsync): the callback hears the outcome; commitSync and close wait for it. */
  commitAsync(offsets: TopicPartitionOffset[], callback?: CommitCallback): void {
    // No retries for async commits, as in Kafka: a later commit supersedes a failed one.
    void this.commit(offsets, 0).then(
      () => callback?.(undefined, offsets),
      (error: unknown) => callback?.(toFloeError(error), offsets),
    );
  }

  /** Waits for every commit sent so far. */
  async flush(): Promise<void> {
    await this.tail;
  }
}
