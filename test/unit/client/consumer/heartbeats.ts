/**
 * A scripted groups function for GroupMembership unit tests: every heartbeat is
 * recorded (with the fake clock's time) and answered from a queue of replies,
 * else with the current `assignment`. Used with vi.useFakeTimers().
 */
import type { AssignedPartition, HeartbeatRequest, HeartbeatResponse } from '@floe/protocol';
import { type ErrorCode, FloeError } from '../../../../packages/protocol/src/errors.js';
import type { GroupsApi } from '../../../../packages/client/src/consumer/groups-api.js';

export interface SentHeartbeat {
  /** ms since the script was made, on the fake monotonic clock */
  at: number;
  request: HeartbeatRequest;
  timeoutMs: number | undefined;
}

type Reply = (request: HeartbeatRequest) => Promise<HeartbeatResponse>;

export interface Held {
  release(error?: Error): void;
}

export const claim = (partition: number, epoch = 1, topic = 't'): AssignedPartition => ({ topic, partition, epoch });

export class ScriptedHeartbeats implements Pick<GroupsApi, 'heartbeat'> {
  readonly sent: SentHeartbeat[] = [];
  /** what a plain answer assigns */
  assignment: AssignedPartition[] = [];
  memberId = 'member-1';
  memberEpoch = 1;
  private readonly replies: Reply[] = [];
  private readonly start = performance.now();

  heartbeat(_groupId: string, request: HeartbeatRequest, timeoutMs?: number): Promise<HeartbeatResponse> {
    this.sent.push({ at: performance.now() - this.start, request: structuredClone(request), timeoutMs });
    if (request.memberEpoch < 0) {
      return Promise.resolve({ ...this.answer(), memberEpoch: request.memberEpoch, assignment: [] });
    }
    const reply = this.replies.shift();
    return reply ? reply(request) : Promise.resolve(this.answer());
  }

  /** The answer the server gives now (its assignment read when it answers). */
  answer(assignment = this.assignment): HeartbeatResponse {
    return { memberId: this.memberId, memberEpoch: this.memberEpoch, heartbeatIntervalMs: 1000, sessionTimeoutMs: 3000, assignment: [...assignment], pending: 0 };
  }

  /** The next heartbeats fail with `code`, `times` times. */
  fail(code: ErrorCode | Error, times = 1): void {
    for (let i = 0; i < times; i++) {
      this.replies.push(() => Promise.reject(typeof code === 'string' ? new FloeError(code, `scripted ${code}`) : code));
    }
  }

  /** The next heartbeat is answered `latencyMs` later, with the assignment of that moment (or the one given). */
  slow(latencyMs: number, assignment?: AssignedPartition[]): void {
    this.replies.push(() => new Promise((resolve) => setTimeout(() => resolve(this.answer(assignment)), latencyMs)));
  }

  /** The next heartbeat stays in flight until released (with the then-current assignment, or an error). */
  hold(): Held {
    let release: (error?: Error) => void = () => {};
    this.replies.push(
      () =>
        new Promise<HeartbeatResponse>((resolve, reject) => {
          release = (error) => (error ? reject(error) : resolve(this.answer()));
        }),
    );
    return { release: (error) => release(error) };
  }

  /** Heartbeats sent after `index` (leave requests included). */
  since(index: number): SentHeartbeat[] {
    return this.sent.slice(index);
  }
}
