/**
 * The Consumer in a group (subscribe()), on fake timers against an in-memory
 * cluster whose groups function is scripted: the order of commits, rebalance
 * callbacks and heartbeats around a revocation, losses (fencing, the client-side
 * lease of decision 23) against records already fetched, fatal errors, close and
 * unsubscribe, max.poll.interval.ms, pattern subscriptions and commit identity.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConsumerRebalanceListener, TopicPartition } from '../../../../packages/client/src/consumer/types.js';
import type { ErrorCode } from '../../../../packages/protocol/src/errors.js';
import { consumerOn, failureOf, FakeFloe, pollUntil, pollValues, settle, tp, type SentRequest } from './fake-floe.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const values = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => String(from + i));
const ids = (tps: TopicPartition[]) => tps.map((p) => p.partition).sort((a, b) => a - b).join(',');
const owned = (h: SentRequest | undefined) => (h?.body.ownedPartitions as TopicPartition[] | undefined)?.map((p) => p.partition);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A listener that logs every callback as "assigned 0,1", "revoked 1", "lost 0,1". */
function logging(events: string[], overrides: ConsumerRebalanceListener = {}): ConsumerRebalanceListener {
  return {
    onPartitionsAssigned: (tps) => void events.push(`assigned ${ids(tps)}`),
    onPartitionsRevoked: (tps) => void events.push(`revoked ${ids(tps)}`),
    onPartitionsLost: (tps) => void events.push(`lost ${ids(tps)}`),
    ...overrides,
  };
}

describe('joining', () => {
  it('the first poll joins; committed offsets are read only after the claim, and commits carry the member, its epoch and each claim epoch', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t', 2).append('t', 0, 'a0', 'a1', 'a2').append('t', 1, 'b0').commit('t', 0, 2);
    floe.target = [
      { topic: 't', partition: 0, epoch: 7 },
      { topic: 't', partition: 1, epoch: 8 },
    ];
    const c = consumerOn(floe, { groupId: 'g', autoOffsetReset: 'earliest', enableAutoCommit: false });
    const before = c.groupMetadata();
    const events: string[] = [];
    c.subscribe(['t'], { onPartitionsAssigned: (tps) => void events.push(`assigned ${ids(tps)} after ${floe.sent.map((r) => r.route).join(',')}`) });

    // Act
    const records = await pollUntil(c, 2);
    await settle(c.commitSync());

    // Assess
    expect(before).toEqual({ groupId: 'g', memberId: undefined, memberEpoch: -1, groupInstanceId: undefined });
    expect(events).toEqual(['assigned 0,1 after heartbeat']);
    expect(records).toEqual(['a2', 'b0']);
    expect(floe.to('heartbeat')[0]?.body).toMatchObject({ memberEpoch: 0, subscribedTopics: ['t'] });
    expect(floe.to('commit')[0]?.body).toEqual({
      memberId: 'member-1',
      memberEpoch: 1,
      topics: [{ topic: 't', partitions: [{ partition: 0, offset: 3, epoch: 7 }, { partition: 1, offset: 1, epoch: 8 }] }],
    });
    expect(c.groupMetadata()).toMatchObject({ memberId: 'member-1', memberEpoch: 1 });
  });
});

describe('revocation', () => {
  /** A member holding t/0 and t/1 with records of both fetched but not all handed out; the next heartbeat takes t/1 away. */
  async function revokingSetup(listener: (events: string[], floe: FakeFloe) => ConsumerRebalanceListener, enableAutoCommit = true) {
    const floe = new FakeFloe().createTopic('t', 2).append('t', 0, ...values(0, 10)).append('t', 1, ...values(10, 20));
    const c = consumerOn(floe, { groupId: 'g', autoOffsetReset: 'earliest', maxPollRecords: 4, autoCommitIntervalMs: 60_000, enableAutoCommit });
    const events: string[] = [];
    c.subscribe(['t'], listener(events, floe));
    const first = [...(await pollValues(c)), ...(await pollValues(c))];
    floe.target = [{ topic: 't', partition: 0, epoch: 1 }];
    await vi.advanceTimersByTimeAsync(1000); // the heartbeat that drops t/1
    return { floe, c, events, first };
  }

  it('commits the revoked positions, then calls onPartitionsRevoked, then sends the heartbeat that releases them; their fetched records are not handed out', async () => {
    // Prepare
    let sentAtStart = -1;
    let sentAtEnd = -1;
    const { floe, c, events, first } = await revokingSetup((events, floe) => ({
      onPartitionsRevoked: async (tps) => {
        sentAtStart = floe.sent.length;
        events.push(`revoked ${ids(tps)}; commits so far ${JSON.stringify(floe.commits())}`);
        await sleep(50); // the application commits or flushes its own state
        sentAtEnd = floe.sent.length;
      },
    }));

    // Act
    const next = await pollValues(c);
    await vi.advanceTimersByTimeAsync(10); // the release goes out at once, in the background

    // Assess
    expect(first).toEqual(['0', '1', '2', '3', '10', '11', '12', '13']);
    expect(events).toEqual(['revoked 1; commits so far [["t/1@4"]]']);
    const heartbeatsBefore = floe.sent.slice(0, sentAtStart).filter((r) => r.route === 'heartbeat');
    const heartbeatsDuring = floe.sent.slice(sentAtStart, sentAtEnd).filter((r) => r.route === 'heartbeat');
    const heartbeatsAfter = floe.sent.slice(sentAtEnd).filter((r) => r.route === 'heartbeat');
    expect(owned(heartbeatsBefore.at(-1))).toEqual([0, 1]);
    expect(heartbeatsDuring).toEqual([]);
    expect(owned(heartbeatsAfter[0])).toEqual([0]);
    expect(next).toEqual(['4', '5', '6', '7']);
    expect(c.assignment()).toEqual([tp(0)]);
  });

  it('without auto-commit nothing is committed before the revocation', async () => {
    // Prepare
    const { floe, c, events } = await revokingSetup((events) => logging(events), false);

    // Act
    await pollValues(c);

    // Assess
    expect(events).toEqual(['assigned 0,1', 'revoked 1']);
    expect(floe.to('commit')).toHaveLength(0);
  });

  it('a listener that throws: poll() throws its error, but the partitions are revoked and released anyway', async () => {
    // Prepare
    let calls = 0;
    const { floe, c } = await revokingSetup(() => ({
      onPartitionsRevoked: () => {
        calls++;
        throw new Error('application bug');
      },
    }));

    // Act
    const failure = await failureOf(c.poll(1000));
    const next = await pollValues(c);

    // Assess
    expect(failure.message).toBe('application bug');
    expect(calls).toBe(1);
    expect(c.assignment()).toEqual([tp(0)]);
    expect(owned(floe.to('heartbeat').at(-1))).toEqual([0]);
    expect(next).toEqual(['4', '5', '6', '7']);
  });
});

describe('losing the partitions', () => {
  it.each([
    ['with onPartitionsLost', true],
    ['without onPartitionsLost', false],
  ])('fenced (%s): the loss is reported, nothing is committed, and the consumer joins again as a new member', async (_, hasLost) => {
    // Prepare
    const floe = new FakeFloe().createTopic('t', 2).append('t', 0, 'a').append('t', 1, 'b');
    const c = consumerOn(floe, { groupId: 'g', autoOffsetReset: 'earliest', autoCommitIntervalMs: 60_000 });
    const events: string[] = [];
    const listener = logging(events);
    if (!hasLost) delete listener.onPartitionsLost;
    c.subscribe(['t'], listener);
    await pollUntil(c, 2);
    floe.fail('heartbeat', 'UNKNOWN_MEMBER_ID');
    await vi.advanceTimersByTimeAsync(1000);
    const joinsBefore = floe.to('heartbeat').filter((h) => h.body.memberEpoch === 0).length;

    // Act
    const again = await pollUntil(c, 2);

    // Assess
    expect(events).toEqual(['assigned 0,1', hasLost ? 'lost 0,1' : 'revoked 0,1', 'assigned 0,1']);
    expect(floe.to('commit')).toHaveLength(0);
    const rejoin = floe.to('heartbeat').filter((h) => h.body.memberEpoch === 0)[joinsBefore];
    expect(rejoin?.body.memberId).toBeUndefined();
    expect(c.groupMetadata().memberId).toBe('member-2');
    expect(again).toEqual(['a', 'b']); // nothing was committed: read again from the reset position
  });

  it.each<[string, ErrorCode, number, string[]]>([
    // the heartbeat at 2000 is refused while the application is in its listener
    ['fenced while poll() awaited the listener', 'UNKNOWN_MEMBER_ID', 4000, ['0', '1']],
    // heartbeats fail from 2000; the lease of the one sent at 1000 ends at 3900; the retry timer notices at 4500
    ['the lease ended and the heartbeat timer noticed', 'STORAGE_UNAVAILABLE', 4000, []],
    // ... the listener returns at 4010, before any timer noticed
    ['the lease ended unnoticed', 'STORAGE_UNAVAILABLE', 3000, []],
  ])('records fetched before a loss are never handed out after it (%s)', async (_, code, listenerMs, expected) => {
    // Prepare: t/0 has records fetched and buffered; the next heartbeat adds t/1, whose listener takes its time
    const floe = new FakeFloe().createTopic('t', 2).append('t', 0, ...values(0, 10));
    floe.target = [{ topic: 't', partition: 0, epoch: 1 }];
    const c = consumerOn(floe, { groupId: 'g', autoOffsetReset: 'earliest', maxPollRecords: 2, autoCommitIntervalMs: 60_000 });
    const events: string[] = [];
    let slept = false;
    c.subscribe(
      ['t'],
      logging(events, {
        onPartitionsAssigned: async (tps) => {
          events.push(`assigned ${ids(tps)}`);
          if (tps.some((p) => p.partition === 1) && !slept) {
            slept = true;
            await sleep(listenerMs);
          }
        },
      }),
    );
    const first = await pollValues(c);
    floe.target = undefined; // every partition from now on
    await vi.advanceTimersByTimeAsync(1000);
    floe.fail('heartbeat', code, code === 'UNKNOWN_MEMBER_ID' ? 1 : 100);

    // Act
    const records = await settle(c.poll(10_000));

    // Assess
    expect(first).toEqual(['0', '1']);
    expect(events.slice(0, 3)).toEqual(['assigned 0', 'assigned 1', 'lost 0,1']);
    expect(records.map((r) => r.value)).toEqual(expected);
  });

  it('FENCED_INSTANCE_ID is fatal: poll() reports the loss once, then throws it every time; heartbeats stop', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t', 2);
    const c = consumerOn(floe, { groupId: 'g', groupInstanceId: 'host-1' });
    const events: string[] = [];
    c.subscribe(['t'], logging(events));
    await pollValues(c, 100);
    floe.fail('heartbeat', 'FENCED_INSTANCE_ID');
    await vi.advanceTimersByTimeAsync(1000);
    const heartbeats = floe.to('heartbeat').length;

    // Act
    const failures = [await failureOf(c.poll(1000)), await failureOf(c.poll(1000))];
    await vi.advanceTimersByTimeAsync(10_000);

    // Assess
    expect(failures.map((f) => f.code)).toEqual(['FENCED_INSTANCE_ID', 'FENCED_INSTANCE_ID']);
    expect(events).toEqual(['assigned 0,1', 'lost 0,1']);
    expect(floe.to('heartbeat')).toHaveLength(heartbeats);
    expect(c.assignment()).toEqual([]);
  });

  it('after a loss, commits still carry the old member id and claim epochs: the server, not the client, decides what is fenced', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t');
    floe.target = [{ topic: 't', partition: 0, epoch: 7 }];
    const c = consumerOn(floe, { groupId: 'g' });
    c.subscribe(['t']);
    await pollValues(c, 100);
    floe.fail('heartbeat', 'UNKNOWN_MEMBER_ID');
    await vi.advanceTimersByTimeAsync(1000);

    // Act
    await settle(c.commitSync([{ topic: 't', partition: 0, offset: 5 }]));

    // Assess
    expect(floe.to('commit')[0]?.body).toEqual({ memberId: 'member-1', memberEpoch: 1, topics: [{ topic: 't', partitions: [{ partition: 0, offset: 5, epoch: 7 }] }] });
  });
});

describe('max.poll.interval.ms', () => {
  it('counts the time between polls, not the time spent inside a long poll()', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t', 2);
    const c = consumerOn(floe, { groupId: 'g', maxPollIntervalMs: 2000 });
    const events: string[] = [];
    c.subscribe(['t'], logging(events));

    // Act: nothing to read for 10 s, inside one poll
    const records = await settle(c.poll(10_000));

    // Assess
    expect(records).toEqual([]);
    expect(events).toEqual(['assigned 0,1']);
    expect(floe.to('heartbeat').filter((h) => h.body.memberEpoch < 0)).toEqual([]);
    expect(c.groupMetadata().memberId).toBe('member-1');
  });
});

describe('close and unsubscribe', () => {
  it.each([
    [undefined, -1],
    ['host-1', -2],
  ])('close() (instance id %s) commits what moved, calls onPartitionsRevoked, then leaves with epoch %i', async (groupInstanceId, leaveEpoch) => {
    // Prepare
    const floe = new FakeFloe().createTopic('t', 2).append('t', 0, 'a').append('t', 1, 'b');
    const c = consumerOn(floe, { groupId: 'g', groupInstanceId, autoOffsetReset: 'earliest', autoCommitIntervalMs: 60_000 });
    const order: string[] = [];
    c.subscribe(['t'], { onPartitionsRevoked: (tps) => void order.push(`revoked ${ids(tps)} after ${floe.sent.at(-1)?.route}`) });
    await pollUntil(c, 2);

    // Act
    await settle(c.close());
    await vi.advanceTimersByTimeAsync(10_000);

    // Assess
    expect(order).toEqual(['revoked 0,1 after commit']);
    expect(floe.commits()).toEqual([['t/0@1', 't/1@1']]);
    expect(floe.sent.at(-1)).toMatchObject({ route: 'heartbeat', body: { memberId: 'member-1', memberEpoch: leaveEpoch } });
    expect(floe.sent.at(-1)?.body.instanceId).toBe(groupInstanceId);
  });

  it('close() leaves the group and waits for commits in flight even when onPartitionsRevoked throws, then reports the error', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t', 2);
    const c = consumerOn(floe, { groupId: 'g', enableAutoCommit: false });
    c.subscribe(['t'], {
      onPartitionsRevoked: () => {
        throw new Error('application bug');
      },
    });
    await pollValues(c, 100);
    floe.once('commit', async (_body, real) => {
      await sleep(500);
      return real();
    });
    c.commitAsync([{ topic: 't', partition: 0, offset: 3 }]);

    // Act
    let committedWhenClosed: number | undefined;
    const failure = await failureOf(c.close().catch((error: unknown) => {
      committedWhenClosed = floe.committed.get('t:0')?.offset;
      throw error;
    }));
    const heartbeats = floe.to('heartbeat').length;
    await vi.advanceTimersByTimeAsync(10_000);

    // Assess
    expect(failure.message).toBe('application bug');
    expect(committedWhenClosed).toBe(3);
    expect(floe.to('heartbeat').at(-1)?.body).toMatchObject({ memberId: 'member-1', memberEpoch: -1 });
    expect(floe.to('heartbeat')).toHaveLength(heartbeats); // no heartbeat after the leave
    expect((await failureOf(c.poll(10))).code).toBe('INVALID_REQUEST');
  });

  it('close() during a poll: the poll ends empty, never handing out records fetched meanwhile for the partitions being given up; afterwards the consumer holds nothing', async () => {
    // Prepare: a member holding both partitions, its poll waiting on an empty topic
    const floe = new FakeFloe().createTopic('t', 2);
    const c = consumerOn(floe, { groupId: 'g', enableAutoCommit: false, autoOffsetReset: 'earliest' });
    c.subscribe(['t']);
    await pollValues(c, 100);
    const polling = c.poll(15_000);
    await vi.advanceTimersByTimeAsync(50);
    floe.append('t', 0, 'x0').append('t', 1, 'x1');

    // Act
    const [records] = await settle(Promise.all([polling, c.close()]));

    // Assess
    expect(records).toEqual([]);
    expect(floe.to('heartbeat').at(-1)?.body.memberEpoch).toBe(-1);
    expect(c.assignment()).toEqual([]);
    expect((await failureOf(Promise.resolve().then(() => c.position(tp(0))))).code).toBe('INVALID_REQUEST');
    expect((await failureOf(Promise.resolve().then(() => c.seek(tp(0), 0)))).message).toContain('closed');
  });

  it('unsubscribe() revokes, leaves, and lets the consumer assign() partitions', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t', 2).append('t', 0, 'a');
    const c = consumerOn(floe, { groupId: 'g', enableAutoCommit: false });
    const events: string[] = [];
    c.subscribe(['t'], logging(events));
    await pollValues(c, 100);

    // Act
    await settle(c.unsubscribe());
    const heartbeats = floe.to('heartbeat').length;
    c.assign([tp(0)]);
    c.seekToBeginning();
    const records = await pollValues(c);
    await vi.advanceTimersByTimeAsync(10_000);

    // Assess
    expect(events).toEqual(['assigned 0,1', 'revoked 0,1']);
    expect(floe.to('heartbeat').at(-1)?.body.memberEpoch).toBe(-1);
    expect(floe.to('heartbeat')).toHaveLength(heartbeats);
    expect(c.subscription()).toEqual([]);
    expect(records).toEqual(['a']);
  });

  it('unsubscribe() with a throwing onPartitionsRevoked still leaves and drops the assignment: nothing is fetched without a claim', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t', 2);
    const c = consumerOn(floe, { groupId: 'g' });
    c.subscribe(['t'], {
      onPartitionsRevoked: () => {
        throw new Error('application bug');
      },
    });
    await pollValues(c, 100);

    // Act
    const failure = await failureOf(c.unsubscribe());
    const afterwards = await failureOf(c.poll(100));

    // Assess
    expect(failure.message).toBe('application bug');
    expect(floe.to('heartbeat').at(-1)?.body.memberEpoch).toBe(-1);
    expect(c.assignment()).toEqual([]);
    expect(afterwards.message).toContain('subscribe() or assign()');
  });
});

describe('pattern subscriptions', () => {
  it('look up the topic list at most once per metadata.max.age.ms and subscribe to the matching names', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('orders.b').createTopic('orders.a').createTopic('orders-x').createTopic('other');
    const c = consumerOn(floe, { groupId: 'g', metadataMaxAgeMs: 5000 });

    // Act
    c.subscribe(/^orders\./);
    const before = c.subscription();
    await settle(c.poll(12_000));

    // Assess
    expect(before).toEqual([]);
    const lookups = floe.to('listTopics').map((r) => r.at);
    expect(lookups).toHaveLength(3);
    expect(lookups.slice(1).every((at, i) => at - (lookups[i] ?? 0) >= 5000)).toBe(true);
    expect(c.subscription()).toEqual(['orders.a', 'orders.b']);
    expect(floe.to('heartbeat')[0]?.body.subscribedTopics).toEqual(['orders.a', 'orders.b']);
  });
});
