/**
 * GroupMembership, the background heartbeat loop of a group member, on fake
 * timers against a scripted groups function: joining, pacing, subscription and
 * assignment changes, the client-side lease (decision 23), retries, fencing,
 * max.poll.interval.ms, leaving. What the Consumer does with it is in consumer-group.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GroupMembership, type MembershipOptions } from '../../../../packages/client/src/consumer/membership.js';
import type { ErrorCode } from '../../../../packages/protocol/src/errors.js';
import { claim, ScriptedHeartbeats } from './heartbeats.js';

const SESSION_MS = 3000;
const INTERVAL_MS = 1000;
const BACKOFF_MS = 100;
const MAX_POLL_MS = 10_000;
/** the lease a successful heartbeat gives, counted from its send time */
const LEASE_MS = SESSION_MS - 100;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(options: Partial<MembershipOptions> = {}) {
  const server = new ScriptedHeartbeats();
  const warnings: string[] = [];
  const membership = new GroupMembership({
    api: server,
    groupId: 'g',
    clientId: 'client-1',
    sessionTimeoutMs: SESSION_MS,
    heartbeatIntervalMs: INTERVAL_MS,
    maxPollIntervalMs: MAX_POLL_MS,
    assignors: ['sticky'],
    retryBackoffMs: BACKOFF_MS,
    warn: (message) => void warnings.push(message),
    ...options,
  });
  let changes = 0;
  membership.onChange(() => changes++);
  return { membership, server, warnings, changes: () => changes };
}

/** Joined (at t = 0) with the given claims. */
async function joined(claims = [claim(0), claim(1)], options: Partial<MembershipOptions> = {}) {
  const s = setup(options);
  s.server.assignment = claims;
  s.membership.subscribe(['t']);
  s.membership.start();
  await vi.advanceTimersByTimeAsync(0);
  return s;
}

const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);
const owned = (request: { ownedPartitions?: Array<{ partition: number }> } | undefined) => request?.ownedPartitions?.map((p) => p.partition);

describe('joining', () => {
  it('subscribe() alone sends nothing; start() joins at once with epoch 0, a joinId, the sorted subscription and the settings', async () => {
    // Prepare
    const { membership, server } = setup({ instanceId: 'host-1' });
    membership.subscribe(['b', 'a', 'b']);
    await advance(5000);
    const beforeStart = server.sent.length;

    // Act
    membership.start();
    await advance(0);

    // Assess
    expect(beforeStart).toBe(0);
    expect(server.sent).toHaveLength(1);
    expect(server.sent[0]?.request).toEqual({
      memberEpoch: 0,
      joinId: expect.any(String),
      instanceId: 'host-1',
      clientId: 'client-1',
      sessionTimeoutMs: SESSION_MS,
      heartbeatIntervalMs: INTERVAL_MS,
      rebalanceTimeoutMs: MAX_POLL_MS,
      assignors: ['sticky'],
      subscribedTopics: ['a', 'b'],
      ownedPartitions: [],
    });
    expect(server.sent[0]?.timeoutMs).toBe(SESSION_MS); // a join may take the whole session
  });

  it('the answer makes the member stable with its claims; the next heartbeat names the member and what it holds, without the subscription', async () => {
    // Prepare
    const { membership, server, changes } = setup();
    server.assignment = [claim(0, 5), claim(1, 6)];
    membership.subscribe(['t']);

    // Act
    membership.start();
    await advance(0);
    const afterJoin = { state: membership.state, changes: changes() };
    await advance(INTERVAL_MS);

    // Assess
    expect(afterJoin).toEqual({ state: 'stable', changes: 1 });
    expect([membership.memberId, membership.memberEpoch]).toEqual(['member-1', 1]);
    expect([membership.epochOf('t:0'), membership.epochOf('t:1')]).toEqual([5, 6]);
    expect(server.sent[1]?.request).toEqual({ memberId: 'member-1', memberEpoch: 1, instanceId: undefined, ownedPartitions: [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }] });
    expect(server.sent[1]?.timeoutMs).toBe(SESSION_MS / 3); // a heartbeat leaves room for a retry within the session
    expect(changes()).toBe(1); // an unchanged assignment wakes nobody
  });

  it('heartbeats are paced from their send time: a slow answer does not stretch the interval', async () => {
    // Prepare
    const { server } = await joined();
    server.slow(400);

    // Act
    await advance(3 * INTERVAL_MS);

    // Assess
    expect(server.sent.map((h) => h.at)).toEqual([0, 1000, 2000, 3000]);
  });

  it('a retried join keeps its joinId; a join after a loss has a new one and no member id', async () => {
    // Prepare
    const { membership, server } = setup();
    server.assignment = [claim(0)];
    membership.subscribe(['t']);
    server.fail('STORAGE_UNAVAILABLE');
    membership.start();
    await advance(BACKOFF_MS);
    server.fail('UNKNOWN_MEMBER_ID');
    await advance(INTERVAL_MS);

    // Act
    membership.ackLost();
    await advance(0);

    // Assess
    const [first, retry, , rejoin] = server.sent.map((h) => h.request);
    expect(retry?.joinId).toBe(first?.joinId);
    expect(retry?.memberEpoch).toBe(0);
    expect(rejoin).toMatchObject({ memberEpoch: 0, subscribedTopics: ['t'], ownedPartitions: [] });
    expect(rejoin?.memberId).toBeUndefined();
    expect(rejoin?.joinId).not.toBe(first?.joinId);
    expect(membership.lastMemberId).toBe('member-1');
  });
});

describe('subscription changes', () => {
  it('the same topics in another order change nothing; new topics go out at once, and only until the server has them', async () => {
    // Prepare
    const { membership, server } = await joined();
    membership.subscribe(['t', 't']);
    await advance(10);
    const afterSame = server.sent.length;

    // Act
    membership.subscribe(['u', 't']);
    await advance(10);
    await advance(INTERVAL_MS);

    // Assess
    expect(afterSame).toBe(1);
    expect(server.since(1).map((h) => [h.at, h.request.subscribedTopics])).toEqual([
      [10, ['t', 'u']],
      [1010, undefined],
    ]);
  });

  it('a subscription changed while a heartbeat is in flight goes out as soon as it answers', async () => {
    // Prepare
    const { membership, server } = await joined();
    const inFlight = server.hold();
    await advance(INTERVAL_MS);

    // Act
    membership.subscribe(['u']);
    await advance(50);
    inFlight.release();
    await advance(0);

    // Assess
    expect(server.since(1).map((h) => [h.at, h.request.subscribedTopics])).toEqual([
      [1000, undefined],
      [1050, ['u']],
    ]);
  });
});

describe('assignment changes', () => {
  it('a held partition missing from an answer is to be revoked; it is reported held until ackRevoked, which sends a heartbeat at once', async () => {
    // Prepare
    const { membership, server, changes } = await joined([claim(0), claim(1)]);
    server.assignment = [claim(0)];

    // Act
    await advance(INTERVAL_MS);
    const afterAnswer = { revoking: [...membership.revoking], held: [...membership.held.keys()], changes: changes() };
    await advance(INTERVAL_MS);
    membership.ackRevoked(['t:1']);
    await advance(0);

    // Assess
    expect(afterAnswer).toEqual({ revoking: ['t:1'], held: ['t:0', 't:1'], changes: 2 });
    expect(server.sent.map((h) => [h.at, owned(h.request)])).toEqual([
      [0, []],
      [1000, [0, 1]],
      [2000, [0, 1]],
      [2000, [0]],
    ]);
    expect([...membership.held.keys()]).toEqual(['t:0']);
    expect(membership.revoking.size).toBe(0);
  });

  it('a partition released while a heartbeat was in flight is not taken back from that answer; a later claim is new', async () => {
    // Prepare
    const { membership, server } = await joined([claim(0), claim(1)]);
    server.assignment = [claim(0)];
    await advance(INTERVAL_MS); // t:1 is to be revoked
    const inFlight = server.hold();
    const followUp = server.hold();
    await advance(INTERVAL_MS); // reports t:1 still held

    // Act: poll() revokes t:1 meanwhile; the answer, computed before the release, still lists it
    membership.ackRevoked(['t:1']);
    server.assignment = [claim(0), claim(1)];
    inFlight.release();
    await advance(0);
    const afterStaleAnswer = [...membership.held.keys()];
    server.assignment = [claim(0), claim(1, 2)];
    followUp.release();
    await advance(0);

    // Assess
    expect(afterStaleAnswer).toEqual(['t:0']);
    expect(server.sent.map((h) => [h.at, owned(h.request)]).slice(2)).toEqual([
      [2000, [0, 1]],
      [2000, [0]], // the release went out right after the answer
    ]);
    expect(membership.epochOf('t:1')).toBe(2);
    expect([...membership.held.keys()].sort()).toEqual(['t:0', 't:1']);
  });

  it('a new claim epoch replaces the held one; a partition to revoke that comes back is kept', async () => {
    // Prepare
    const { membership, server, changes } = await joined([claim(0, 1)]);

    // Act
    server.assignment = [claim(0, 2)];
    await advance(INTERVAL_MS);
    const newEpoch = membership.epochOf('t:0');
    server.assignment = [];
    await advance(INTERVAL_MS);
    const revoking = [...membership.revoking];
    server.assignment = [claim(0, 2)];
    await advance(INTERVAL_MS);

    // Assess
    expect(newEpoch).toBe(2);
    expect(revoking).toEqual(['t:0']);
    expect(membership.revoking.size).toBe(0);
    expect([...membership.held.keys()]).toEqual(['t:0']);
    expect(changes()).toBe(4);
  });
});

describe('the client-side lease (decision 23)', () => {
  it('holds until sentAt + session - 100 ms of the last successful heartbeat, counted from its send time, then the claims are lost', async () => {
    // Prepare: the join is answered late; every heartbeat after it fails
    const { membership, server, changes } = setup({ sessionTimeoutMs: SESSION_MS });
    server.assignment = [claim(0)];
    server.slow(500);
    server.fail('STORAGE_UNAVAILABLE', 100);
    membership.subscribe(['t']);
    membership.start();

    // Act
    await advance(LEASE_MS);
    const atDeadline = membership.checkLease();
    await advance(1);
    const pastDeadline = membership.checkLease();

    // Assess
    expect(atDeadline).toBe(true);
    expect(pastDeadline).toBe(false);
    expect(membership.state).toBe('lost');
    expect(membership.lost).toEqual([{ topic: 't', partition: 0 }]);
    expect(membership.lostReason).toContain('session.timeout.ms');
    expect(membership.held.size).toBe(0);
    expect(membership.fatal).toBeUndefined();
    expect(changes()).toBe(2); // the join, then the loss
  });

  it('once the lease ended the timer sends nothing until the loss is acknowledged, then it joins again', async () => {
    // Prepare
    const { membership, server } = await joined([claim(0)]);
    server.fail('STORAGE_UNAVAILABLE', 100);

    // Act: retries at 1000, 1100, 1300, 1700 and 2500; the one due at 3500 finds the lease over
    await advance(10_000);
    const whileLost = server.sent.map((h) => h.at);
    const lost = membership.lost;
    membership.ackLost();
    await advance(0);

    // Assess
    expect(whileLost).toEqual([0, 1000, 1100, 1300, 1700, 2500]);
    expect(lost).toEqual([{ topic: 't', partition: 0 }]);
    expect(server.sent.at(-1)).toMatchObject({ at: 10_000, request: { memberEpoch: 0 } });
    expect(membership.lost).toBeUndefined();
  });

  it('an answer that arrives after the lease ended is ignored: the member stays lost', async () => {
    // Prepare
    const { membership, server } = await joined([claim(0)]);
    const inFlight = server.hold();
    await advance(INTERVAL_MS);
    await advance(LEASE_MS - INTERVAL_MS + 1);
    const stillValid = membership.checkLease();

    // Act
    server.memberEpoch = 2;
    inFlight.release();
    await advance(0);

    // Assess
    expect(stillValid).toBe(false);
    expect(membership.state).toBe('lost');
    expect(membership.held.size).toBe(0);
    expect(membership.memberEpoch).toBe(1);
    expect(membership.epochOf('t:0')).toBe(1); // kept so that a late commit is still sent (and refused by the server)
  });
});

describe('errors', () => {
  it('retriable failures are retried with doubling backoff capped at the interval; a success starts the count again', async () => {
    // Prepare
    const { server, warnings } = await joined([claim(0)], { sessionTimeoutMs: 60_000 });
    server.fail('STORAGE_UNAVAILABLE', 6);

    // Act
    await advance(INTERVAL_MS + 100 + 200 + 400 + 800 + 1000 + 1000);
    server.fail('REBALANCE_IN_PROGRESS');
    await advance(INTERVAL_MS + BACKOFF_MS);

    // Assess
    const gaps = server.sent.slice(1).map((h, i) => h.at - (server.sent[i]?.at ?? 0));
    expect(gaps).toEqual([1000, 100, 200, 400, 800, 1000, 1000, 1000, 100]);
    expect(warnings.filter((w) => w === 'heartbeat failed; retrying')).toHaveLength(7);
  });

  it.each<ErrorCode>(['UNKNOWN_MEMBER_ID', 'FENCED_MEMBER_EPOCH', 'STALE_MEMBER_EPOCH'])('%s: the claims are lost, not fatal, and no heartbeat goes out until the loss is acknowledged', async (code) => {
    // Prepare
    const { membership, server } = await joined([claim(0, 7)]);
    server.fail(code);

    // Act
    await advance(5 * INTERVAL_MS);

    // Assess
    expect(server.sent).toHaveLength(2);
    expect(membership.state).toBe('lost');
    expect(membership.lost).toEqual([{ topic: 't', partition: 0 }]);
    expect(membership.lostReason).toContain(code);
    expect(membership.fatal).toBeUndefined();
    expect(membership.epochOf('t:0')).toBe(7);
    expect(membership.checkLease()).toBe(false); // nothing may be handed out until poll() acknowledged the loss
  });

  it.each<ErrorCode>(['FENCED_INSTANCE_ID', 'INCONSISTENT_GROUP_PROTOCOL', 'INVALID_REQUEST'])('%s is fatal: the claims are lost and the error kept for poll() to throw', async (code) => {
    // Prepare
    const { membership, server } = await joined([claim(0)], { instanceId: 'host-1' });
    server.fail(code);

    // Act
    await advance(5 * INTERVAL_MS);

    // Assess
    expect(membership.fatal?.code).toBe(code);
    expect(membership.lost).toEqual([{ topic: 't', partition: 0 }]);
    expect(server.sent).toHaveLength(2);
  });

  it.each([['UNKNOWN_SERVER_ERROR'], ['a non-Floe error']])('%s is retried, not fatal', async (what) => {
    // Prepare
    const { membership, server } = await joined([claim(0)]);
    server.fail(what === 'UNKNOWN_SERVER_ERROR' ? 'UNKNOWN_SERVER_ERROR' : new TypeError('fetch failed'));

    // Act
    await advance(INTERVAL_MS + BACKOFF_MS);

    // Assess
    expect(server.sent.map((h) => h.at)).toEqual([0, 1000, 1100]);
    expect(membership.state).toBe('stable');
    expect(membership.fatal).toBeUndefined();
  });
});

describe('max.poll.interval.ms', () => {
  it.each([
    [undefined, -1],
    ['host-1', -2],
  ])('instance id %s: a member not polled for max.poll.interval.ms leaves with epoch %i and its claims are lost', async (instanceId, leaveEpoch) => {
    // Prepare
    const { membership, server } = await joined([claim(0)], { instanceId, sessionTimeoutMs: 60_000 });
    await advance(4000);
    membership.notePoll(); // the application polled at t = 4000

    // Act
    await advance(MAX_POLL_MS + INTERVAL_MS); // heartbeats due at 14 000 (exactly the limit) and 15 000 (past it)
    const stillIn = server.sent.filter((h) => h.at === 14_000).map((h) => h.request.memberEpoch);

    // Assess
    expect(stillIn).toEqual([1]);
    expect(server.sent.at(-1)).toMatchObject({ at: 15_000, request: { memberId: 'member-1', memberEpoch: leaveEpoch, instanceId } });
    expect(membership.state).toBe('lost');
    expect(membership.lost).toEqual([{ topic: 't', partition: 0 }]);
    expect(membership.lostReason).toContain('max.poll.interval.ms');
  });
});

describe('leaving and closing', () => {
  it.each([
    [undefined, -1],
    ['host-1', -2],
  ])('instance id %s: leave() waits for the heartbeat in flight, then leaves with epoch %i; nothing follows', async (instanceId, leaveEpoch) => {
    // Prepare
    const { membership, server } = await joined([claim(0)], { instanceId });
    const inFlight = server.hold();
    await advance(INTERVAL_MS);

    // Act
    const leaving = membership.leave();
    await advance(100);
    const beforeAnswer = server.sent.length;
    inFlight.release();
    await leaving;
    await advance(10 * INTERVAL_MS);

    // Assess
    expect(beforeAnswer).toBe(2);
    expect(server.sent).toHaveLength(3);
    expect(server.sent[2]?.request).toEqual({ memberId: 'member-1', memberEpoch: leaveEpoch, instanceId });
    expect(membership.state).toBe('closed');
  });

  it('leave() before the member joined sends nothing; a failed leave only warns', async () => {
    // Prepare
    const never = setup();
    const member = await joined();
    const leaveRequest = vi.spyOn(member.server, 'heartbeat').mockRejectedValueOnce(new Error('network down'));

    // Act
    await never.membership.leave();
    await member.membership.leave();

    // Assess
    expect(never.server.sent).toHaveLength(0);
    expect(leaveRequest).toHaveBeenCalledTimes(1);
    expect(leaveRequest.mock.calls[0]?.[1]).toMatchObject({ memberId: 'member-1', memberEpoch: -1 });
    expect(member.warnings).toContain('leaving the group failed; the session will expire instead');
    expect(member.membership.state).toBe('closed');
  });

  it('close() stops the heartbeats at once; an answer arriving afterwards changes nothing', async () => {
    // Prepare
    const { membership, server, changes } = await joined([claim(0)]);
    const inFlight = server.hold();
    await advance(INTERVAL_MS);

    // Act
    membership.close();
    server.assignment = [claim(0), claim(1)];
    inFlight.release();
    await advance(10 * INTERVAL_MS);

    // Assess
    expect(server.sent).toHaveLength(2);
    expect(membership.state).toBe('closed');
    expect([...membership.held.keys()]).toEqual(['t:0']);
    expect(changes()).toBe(1);
  });
});
