/**
 * The Consumer outside a group membership (assign()), on fake timers against an
 * in-memory cluster behind its transport seam: preconditions, where positions
 * start, seeks, pause, lag, deserialization errors, retries inside poll(),
 * commits, auto-commit and close. Group behaviour is in consumer-group.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CommitCallback } from '../../../../packages/client/src/consumer/types.js';
import { type FloeError } from '../../../../packages/protocol/src/errors.js';
import { consumerOn, failureOf, FakeFloe, pollUntil, pollValues, settle, tp } from './fake-floe.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const values = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => String(from + i));
const p0 = tp(0);
const p1 = tp(1);
const fetchedPartitions = (floe: FakeFloe) =>
  floe.to('fetch').map((r) => (r.body.topics as Array<{ partitions: Array<{ partition: number; fetchOffset: number }> }>).flatMap((t) => t.partitions.map((p) => `${p.partition}@${p.fetchOffset}`)));
const listOffsetsAsked = (floe: FakeFloe) =>
  floe.to('listOffsets').map((r) => (r.body.topics as Array<{ partitions: Array<{ partition: number; timestamp: string }> }>).flatMap((t) => t.partitions.map((p) => `${p.partition}:${p.timestamp}`)));

describe('preconditions', () => {
  it('poll() needs subscribe() or assign(); assign([]) goes back to neither', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t');
    const c = consumerOn(floe);
    const before = await failureOf(c.poll(10));
    c.assign([p0]);

    // Act
    c.assign([]);
    const after = await failureOf(c.poll(10));

    // Assess
    expect([before.code, after.code]).toEqual(['INVALID_REQUEST', 'INVALID_REQUEST']);
    expect(after.message).toContain('subscribe() or assign()');
    expect(c.assignment()).toEqual([]);
  });

  it('subscribe() and assign() exclude each other until unsubscribe()', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t');
    const c = consumerOn(floe, { groupId: 'g' });
    c.assign([p0]);

    // Act
    const subscribeWhileAssigned = (() => {
      try {
        c.subscribe(['t']);
      } catch (error) {
        return error as FloeError;
      }
    })();
    await settle(c.unsubscribe());
    c.subscribe(['t']);
    const assignWhileSubscribed = (() => {
      try {
        c.assign([p0]);
      } catch (error) {
        return error as FloeError;
      }
    })();

    // Assess
    expect(subscribeWhileAssigned?.code).toBe('INVALID_REQUEST');
    expect(assignWhileSubscribed?.code).toBe('INVALID_REQUEST');
    expect(c.subscription()).toEqual(['t']);
    expect(c.assignment()).toEqual([]);
  });

  it('a second poll() while one runs is refused; the first one is unharmed', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t').append('t', 0, 'a');
    const c = consumerOn(floe, { autoOffsetReset: 'earliest' });
    c.assign([p0]);

    // Act
    const first = c.poll(1000);
    const second = await failureOf(c.poll(1000));

    // Assess
    expect(second.code).toBe('INVALID_REQUEST');
    expect((await settle(first)).map((r) => r.value)).toEqual(['a']);
  });

  it('a closed consumer refuses poll, assign, subscribe and commits; closing again is harmless', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t');
    const c = consumerOn(floe, { groupId: 'g' });
    c.assign([p0]);
    await settle(c.close());

    // Act
    const refused = [
      await failureOf(c.poll(10)),
      await failureOf(c.commitSync([])),
      await failureOf(Promise.resolve().then(() => c.assign([p1]))),
      await failureOf(Promise.resolve().then(() => c.subscribe(['t']))),
      await failureOf(Promise.resolve().then(() => c.commitAsync())),
    ];
    await settle(c.close());

    // Assess
    expect(refused.map((e) => e.code)).toEqual(Array(5).fill('INVALID_REQUEST'));
    expect(refused[0]?.message).toContain('closed');
  });

  it('wakeup() makes the poll under way throw WAKEUP without handing out records; called between polls, the next poll throws; the one after carries on', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t');
    const c = consumerOn(floe, { autoOffsetReset: 'earliest' });
    c.assign([p0]);
    const waiting = failureOf(c.poll(10_000));
    await vi.advanceTimersByTimeAsync(3_000); // past the server waits, into waiting on the client

    // Act
    const started = Date.now();
    c.wakeup();
    const interrupted = await settle(waiting);
    const tookMs = Date.now() - started;
    c.wakeup();
    const next = await failureOf(c.poll(1000));
    floe.append('t', 0, 'a');
    const after = await pollValues(c, 1000);

    // Assess
    expect(interrupted.code).toBe('WAKEUP');
    expect(interrupted.retriable).toBe(false);
    expect(tookMs).toBeLessThan(1000);
    expect(next.code).toBe('WAKEUP');
    expect(after).toEqual(['a']);
  });

  it('a second close() while the first is still committing waits for that same close', async () => {
    // Prepare: a final commit that takes 500 ms
    const floe = new FakeFloe().createTopic('t').append('t', 0, 'a', 'b');
    floe.once('commit', async (_body, real) => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      return real();
    });
    const c = consumerOn(floe, { groupId: 'g', autoOffsetReset: 'earliest', autoCommitIntervalMs: 60_000 });
    c.assign([p0]);
    await pollValues(c);
    const settled: number[] = [];

    // Act
    const first = c.close().then(() => settled.push(Date.now()));
    const started = Date.now();
    const second = c.close().then(() => settled.push(Date.now()));
    await settle(Promise.all([first, second]));

    // Assess
    expect(floe.commits()).toEqual([['t/0@2']]);
    expect(settled.map((at) => at - started >= 500)).toEqual([true, true]);
  });

  it('seek, pause, position and lag refuse partitions that are not assigned', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t', 2);
    const c = consumerOn(floe);
    c.assign([p0]);

    // Act
    const refused = [() => c.seek(p1, 0), () => c.seekToBeginning([p1]), () => c.pause([p1]), () => c.resume([p1]), () => c.currentLag(p1)].map((f) => {
      try {
        f();
        return 'accepted';
      } catch (error) {
        return (error as FloeError).code;
      }
    });
    const position = await failureOf(c.position(p1));

    // Assess
    expect(refused).toEqual(Array(5).fill('INVALID_REQUEST'));
    expect(position.message).toContain('t/1 is not assigned');
  });

  it('assign() keeps the position of a partition it keeps and forgets the ones it drops', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t', 2).append('t', 0, ...values(0, 10)).append('t', 1, ...values(0, 10));
    const c = consumerOn(floe, { autoOffsetReset: 'earliest', maxPollRecords: 3 });
    c.assign([p0, p1]);
    await pollValues(c);
    const lookupsBefore = floe.to('listOffsets').length;

    // Act
    c.assign([p0]);
    const next = await pollValues(c);

    // Assess
    expect(next).toEqual(['3', '4', '5']);
    expect(floe.to('listOffsets')).toHaveLength(lookupsBefore);
    expect(c.assignment()).toEqual([p0]);
    expect((await failureOf(c.position(p1))).code).toBe('INVALID_REQUEST');
  });
});

describe('where positions start', () => {
  it('a committed offset wins over auto.offset.reset; a partition without one follows the policy', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t', 2).append('t', 0, ...values(0, 5)).append('t', 1, ...values(0, 5)).commit('t', 0, 3);
    const c = consumerOn(floe, { groupId: 'g', autoOffsetReset: 'earliest' });
    c.assign([p0, p1]);

    // Act
    const positions = [await settle(c.position(p0)), await settle(c.position(p1))];

    // Assess
    expect(positions).toEqual([3, 0]);
    expect(listOffsetsAsked(floe)).toEqual([['1:earliest']]);
    expect(floe.to('fetch')).toHaveLength(0); // position() reads no records
  });

  it('without a groupId only the policy applies (committed offsets are not asked for)', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t').append('t', 0, ...values(0, 5));
    const c = consumerOn(floe);
    c.assign([p0]);

    // Act
    const position = await settle(c.position(p0));

    // Assess
    expect(position).toBe(5);
    expect(floe.to('fetchOffsets')).toHaveLength(0);
  });

  it('regression: seekToBeginning under the default auto.offset.reset (latest) starts at the log start, next to a partition that follows latest', async () => {
    // Prepare: the bug applied "earliest", which cleared the request, and then "latest" over it
    const floe = new FakeFloe().createTopic('t', 2).append('t', 0, ...values(0, 6)).append('t', 1, ...values(0, 4));
    floe.truncate('t', 0, 2);
    const c = consumerOn(floe, { maxPollRecords: 100 });
    c.assign([p0, p1]);

    // Act
    c.seekToBeginning([p0]);
    const records = await pollValues(c);
    const positions = [await c.position(p0), await c.position(p1)];

    // Assess
    expect(records).toEqual(['2', '3', '4', '5']);
    expect(positions).toEqual([6, 4]);
    expect(listOffsetsAsked(floe)).toEqual([['0:earliest'], ['1:latest']]);
  });

  it('seekToBeginning and seekToEnd win over a committed offset, which is then not read', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t', 2).append('t', 0, ...values(0, 5)).append('t', 1, ...values(0, 5)).commit('t', 0, 3).commit('t', 1, 3);
    const c = consumerOn(floe, { groupId: 'g' });
    c.assign([p0, p1]);

    // Act
    c.seekToBeginning([p0]);
    c.seekToEnd([p1]);
    const positions = [await settle(c.position(p0)), await settle(c.position(p1))];

    // Assess
    expect(positions).toEqual([0, 5]);
    expect(floe.to('fetchOffsets')).toHaveLength(0);
  });

  it('the last seek wins: seek() cancels a pending seekToBeginning, and seekToEnd replaces a seek()', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t', 2).append('t', 0, ...values(0, 9)).append('t', 1, ...values(0, 9));
    const c = consumerOn(floe, { autoOffsetReset: 'earliest' });
    c.assign([p0, p1]);

    // Act
    c.seekToBeginning([p0]);
    c.seek(p0, 4);
    c.seek(p1, 4);
    c.seekToEnd([p1]);
    const positions = [await settle(c.position(p0)), await settle(c.position(p1))];

    // Assess
    expect(positions).toEqual([4, 9]);
    expect(listOffsetsAsked(floe)).toEqual([['1:latest']]);
  });

  it('seekToBeginning() and seekToEnd() without partitions apply to the whole assignment', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t', 2).append('t', 0, ...values(0, 3)).append('t', 1, ...values(0, 5));
    const c = consumerOn(floe, { autoOffsetReset: 'earliest' });
    c.assign([p0, p1]);
    c.seekToEnd();
    const ends = [await settle(c.position(p0)), await settle(c.position(p1))];

    // Act
    c.seekToBeginning();
    const starts = [await settle(c.position(p0)), await settle(c.position(p1))];

    // Assess
    expect(ends).toEqual([3, 5]);
    expect(starts).toEqual([0, 0]);
  });

  it('auto.offset.reset none: poll fails without a committed offset, but an explicit seekToBeginning still starts', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t', 2).append('t', 0, 'a').append('t', 1, 'b');
    const c = consumerOn(floe, { groupId: 'g', autoOffsetReset: 'none', enableAutoCommit: false });
    c.assign([p0, p1]);
    const failure = await failureOf(c.poll(1000));

    // Act
    c.seekToBeginning([p0, p1]);
    const records = await pollValues(c);

    // Assess
    expect(failure.code).toBe('OFFSET_OUT_OF_RANGE');
    expect(failure.message).toContain('auto.offset.reset is none');
    expect(records.sort()).toEqual(['a', 'b']);
  });

  it('subscribe(), assign() and poll() refuse arguments of the wrong shape at once, as Kafka\'s IllegalArgumentException', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t');
    const grouped = consumerOn(floe, { groupId: 'g' });
    const plain = consumerOn(floe);
    const codeOf = (act: () => unknown) => {
      try {
        act();
        return 'accepted';
      } catch (error) {
        return (error as FloeError).code;
      }
    };

    // Act
    const subscribes = [() => grouped.subscribe('t' as unknown as string[]), () => grouped.subscribe(['']), () => grouped.subscribe([7 as unknown as string])].map(codeOf);
    const assigns = [
      () => plain.assign([{ topic: '', partition: 0 }]),
      () => plain.assign([{ topic: 't', partition: -1 }]),
      () => plain.assign([{ topic: 't', partition: '0' as unknown as number }]),
      () => plain.assign([{ topic: 't', partition: 0.5 }]),
    ].map(codeOf);
    plain.assign([p0]);
    const polls = await Promise.all([-1, Number.NaN, '1000' as unknown as number].map(async (timeout) => (await failureOf(plain.poll(timeout))).code));

    // Assess: all refused, and nothing was subscribed or assigned by the refused calls
    expect([...subscribes, ...assigns, ...polls]).toEqual(Array(10).fill('INVALID_REQUEST'));
    expect(grouped.subscription()).toEqual([]);
    expect(plain.assignment()).toEqual([p0]);
  });

  it('seek() refuses offsets that are negative or not integers', () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t');
    const c = consumerOn(floe);
    c.assign([p0]);

    // Act
    const outcomes = [-1, 1.5, Number.NaN, 2 ** 53].map((offset) => {
      try {
        c.seek(p0, offset);
        return 'accepted';
      } catch (error) {
        return (error as FloeError).code;
      }
    });

    // Assess
    expect(outcomes).toEqual(Array(4).fill('INVALID_REQUEST'));
  });
});

describe('seeks and records already fetched', () => {
  it('a seek, backwards or forwards, drops what was fetched: the next poll starts exactly at the new position', async () => {
    // Prepare: one fetch brings all ten records; poll hands out two at a time
    const floe = new FakeFloe().createTopic('t').append('t', 0, ...values(0, 10));
    const c = consumerOn(floe, { autoOffsetReset: 'earliest', maxPollRecords: 2 });
    c.assign([p0]);
    const first = [...(await pollValues(c)), ...(await pollValues(c))];

    // Act
    c.seek(p0, 1);
    const back = await pollValues(c);
    c.seek(p0, 8);
    const forward = await pollValues(c);

    // Assess
    expect(first).toEqual(['0', '1', '2', '3']);
    expect(back).toEqual(['1', '2']);
    expect(forward).toEqual(['8', '9']);
    // 0@10: the buffer was spent when '8', '9' went out, so the next fetch went out with them (fetching ahead)
    expect(fetchedPartitions(floe)).toEqual([['0@0'], ['0@1'], ['0@8'], ['0@10']]);
  });

  it('a position outside the log (retention) resets by auto.offset.reset: earliest goes to the new log start', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t').append('t', 0, ...values(0, 10));
    const c = consumerOn(floe, { autoOffsetReset: 'earliest', maxPollRecords: 2 });
    c.assign([p0]);
    await pollValues(c);
    c.seek(p0, 2);
    floe.truncate('t', 0, 6);

    // Act
    const records = await pollValues(c);

    // Assess
    expect(records).toEqual(['6', '7']);
    expect(fetchedPartitions(floe)).toEqual([['0@0'], ['0@2'], ['0@6']]);
  });

  it('a position outside the log with auto.offset.reset none fails the poll with OFFSET_OUT_OF_RANGE', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t').append('t', 0, ...values(0, 3));
    const c = consumerOn(floe, { autoOffsetReset: 'none' });
    c.assign([p0]);
    c.seek(p0, 50);

    // Act
    const failure = await failureOf(c.poll(1000));

    // Assess
    expect(failure.code).toBe('OFFSET_OUT_OF_RANGE');
    expect(failure.message).toContain('position 50 of t/0');
  });
});

describe('fetching ahead', () => {
  it('a quiet partition is fetched while a busy one\'s buffered records are handed out: its new record arrives within a few polls, not after the backlog', async () => {
    // Prepare: 100 records buffered for p0 by the first fetch; p1 empty
    const floe = new FakeFloe().createTopic('t', 2).append('t', 0, ...values(0, 100));
    const c = consumerOn(floe, { autoOffsetReset: 'earliest', maxPollRecords: 10 });
    c.assign([p0, p1]);
    const first = await pollValues(c);

    // Act: a record for p1, then polls with 50 ms of the application's work between them
    floe.append('t', 1, 'x');
    const next: Array<string | null> = [];
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(50);
      next.push(...(await pollValues(c)));
    }

    // Assess
    expect(first).toEqual(values(0, 10));
    expect(next).toContain('x');
    expect(next.filter((v) => v !== 'x')).toEqual(values(10, 10 + next.length - 1)); // p0's order is kept, and its backlog is far from spent
    expect(fetchedPartitions(floe).slice(1).every((f) => f.every((p) => p.startsWith('1@')))).toBe(true); // only the partition with nothing buffered
  });

  it('partitions working through a backlog are fetched together, one fetch per round, not one fetch per partition drained', async () => {
    // Prepare: 100 records on each of two partitions, 20 per partition in a fetch answer
    const floe = new FakeFloe().createTopic('t', 2).append('t', 0, ...values(0, 100)).append('t', 1, ...values(100, 200));
    floe.recordsPerFetch = 20;
    const c = consumerOn(floe, { autoOffsetReset: 'earliest', maxPollRecords: 7 }); // p0 runs dry while p1 still holds records
    c.assign([p0, p1]);

    // Act
    const got = await pollUntil(c, 200);

    // Assess
    expect(got.filter((v) => Number(v) < 100)).toEqual(values(0, 100));
    expect(got.filter((v) => Number(v) >= 100)).toEqual(values(100, 200));
    // Five rounds of 20 and 20; then only fetches sent ahead for a partition that has caught up.
    const fetches = fetchedPartitions(floe);
    expect(fetches.slice(0, 5)).toEqual([0, 20, 40, 60, 80].map((at) => [`0@${at}`, `1@${at}`]));
    expect(fetches.slice(5).every((f) => f.every((p) => p.endsWith('@100')))).toBe(true);
  });

  it('an answer sent ahead for a partition dropped and assigned again meanwhile is not kept: a seek back reads from there', async () => {
    // Prepare: records 0..9 handed out; a fetch goes ahead for p0@10 and p1@0 (p1 empty: the server waits)
    const floe = new FakeFloe().createTopic('t', 2).append('t', 0, ...values(0, 10));
    const c = consumerOn(floe, { autoOffsetReset: 'earliest', maxPollRecords: 10 });
    c.assign([p0, p1]);
    const first = await pollValues(c);

    // Act: p0 dropped and assigned again (a new state), then rewound, while the fetch is out
    c.assign([p1]);
    c.assign([p0, p1]);
    c.seek(p0, 0);
    floe.append('t', 0, 'new');
    await vi.advanceTimersByTimeAsync(150);
    const again = await pollValues(c);

    // Assess
    expect(first).toEqual(values(0, 10));
    expect(again).toEqual([...values(0, 10), 'new'].slice(0, 10));
  });

  it('a busy partition next to a quiet one is fetched while the fetch sent ahead for the quiet one waits on the server', async () => {
    // Prepare: a backlog on p0 (300 records a fetch), p1 empty, a server wait of 500 ms
    const floe = new FakeFloe().createTopic('t', 2).append('t', 0, ...values(0, 3000));
    floe.recordsPerFetch = 300;
    const c = consumerOn(floe, { autoOffsetReset: 'earliest', maxPollRecords: 100, fetchMaxWaitMs: 500 });
    c.assign([p0, p1]);
    const started = Date.now();

    // Act
    const got = await pollUntil(c, 3000, 100);

    // Assess: ten fetches of p0 back to back (the fake answers at once), not one per server wait of p1's
    expect(got).toEqual(values(0, 3000));
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe('pause, resume and lag', () => {
  it('records fetched for a paused partition wait, in order, until it is resumed; the others keep flowing and it is not fetched', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t', 2).append('t', 0, 'a0', 'a1', 'a2', 'a3').append('t', 1, 'b0', 'b1', 'b2', 'b3');
    const c = consumerOn(floe, { autoOffsetReset: 'earliest', maxPollRecords: 2 });
    c.assign([p0, p1]);
    const first = await pollValues(c);

    // Act
    c.pause([p0]);
    const whilePaused = [...(await pollValues(c)), ...(await pollValues(c)), ...(await pollValues(c, 300))];
    const pausedList = c.paused();
    const fetchesWhilePaused = fetchedPartitions(floe).slice(1);
    c.resume([p0]);
    const resumed = await pollValues(c);

    // Assess
    expect(first).toEqual(['a0', 'a1']);
    expect(whilePaused).toEqual(['b0', 'b1', 'b2', 'b3']);
    expect(pausedList).toEqual([p0]);
    expect(fetchesWhilePaused.flat().some((f) => f.startsWith('0@'))).toBe(false);
    expect(resumed).toEqual(['a2', 'a3']);
    expect(c.paused()).toEqual([]);
  });

  it('lag is unknown until a fetch saw the partition, then log end minus position', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t', 2).append('t', 0, ...values(0, 10)).append('t', 1, 'x');
    const c = consumerOn(floe, { autoOffsetReset: 'earliest', maxPollRecords: 3 });
    c.assign([p0, p1]);
    c.pause([p1]);
    const before = c.currentLag(p0);

    // Act
    await pollValues(c);
    floe.append('t', 0, 'late'); // not seen until the next fetch

    // Assess
    expect(before).toBeUndefined();
    expect(c.lag()).toEqual([
      { topic: 't', partition: 0, lag: 7 },
      { topic: 't', partition: 1, lag: undefined },
    ]);
  });
});

describe('deserialization errors', () => {
  it('records before a bad one are returned; every position goes back to its first record not returned; the next poll fails at the bad one', async () => {
    // Prepare: one fetch brings t/0 [ok, BAD] and t/1 [c0, c1]
    const floe = new FakeFloe().createTopic('t', 2).append('t', 0, 'ok', 'BAD').append('t', 1, 'c0', 'c1');
    const strict = consumerOn(floe, {
      autoOffsetReset: 'earliest',
      valueDeserializer: (data) => {
        if (data?.toString() === 'BAD') throw new Error('not a value');
        return data?.toString() ?? null;
      },
    });
    strict.assign([p0, p1]);

    // Act
    const good = await pollValues(strict);
    const positions = [await strict.position(p0), await strict.position(p1)];
    const failure = await failureOf(strict.poll(1000));
    strict.seek(p0, 2);
    const rest = await pollValues(strict);

    // Assess
    expect(good).toEqual(['ok']);
    expect(positions).toEqual([1, 0]);
    expect(failure.code).toBe('SERIALIZATION_ERROR');
    expect(failure.message).toContain('t/0 offset 1');
    expect(rest).toEqual(['c0', 'c1']);
  });
});

describe('retries inside poll()', () => {
  it('storage trouble while looking up positions is retried every retry.backoff.ms within the poll', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t').append('t', 0, 'a').commit('t', 0, 0);
    floe.fail('fetchOffsets', 'STORAGE_UNAVAILABLE', 2);
    const c = consumerOn(floe, { groupId: 'g', retryBackoffMs: 50, enableAutoCommit: false });
    c.assign([p0]);

    // Act
    const records = await pollValues(c, 1000);

    // Assess
    expect(records).toEqual(['a']);
    expect(floe.to('fetchOffsets').map((r) => r.at)).toEqual([0, 50, 100]);
  });

  it('a retriable error still failing at the poll deadline ends the poll empty, as Kafka\'s, and a later poll carries on; a non-retriable one is thrown at once', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t').append('t', 0, 'a');
    floe.fail('fetchOffsets', 'STORAGE_UNAVAILABLE', 5);
    const c = consumerOn(floe, { groupId: 'g', retryBackoffMs: 100, enableAutoCommit: false, autoOffsetReset: 'earliest' });
    c.assign([p0]);

    // Act
    const retriable = await settle(c.poll(250));
    const attempts = floe.to('fetchOffsets').length;
    const later = await pollValues(c, 1000); // the fifth failure, then storage is back
    const listOffsetsBefore = floe.to('listOffsets').length;
    const other = consumerOn(floe.fail('listOffsets', 'TOPIC_AUTHORIZATION_FAILED'));
    other.assign([p0]);
    const fatal = await failureOf(other.poll(5000));

    // Assess
    expect(retriable).toEqual([]);
    expect(attempts).toBe(4); // at 0, 100, 200 and 250
    expect(later).toEqual(['a']);
    expect(fatal.code).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(floe.to('listOffsets')).toHaveLength(listOffsetsBefore + 1);
  });

  it('a failed fetch is retried after retry.backoff.ms', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t').append('t', 0, 'a');
    const c = consumerOn(floe, { autoOffsetReset: 'earliest', retryBackoffMs: 70 });
    c.assign([p0]);
    floe.fail('fetch', 'NETWORK_ERROR');

    // Act
    const records = await pollValues(c, 1000);

    // Assess
    expect(records).toEqual(['a']);
    expect(floe.to('fetch').map((r) => r.at)).toEqual([0, 70, 70]); // the third fetches ahead as 'a' is returned
  });

  it('a fetch that returns no records, only an error for one of its partitions, is retried after retry.backoff.ms: the error ends the server\'s wait, so without it a partition whose reads keep failing would be fetched in a loop', async () => {
    // Prepare: partition 0's reads fail on the server; partition 1 is empty
    const floe = new FakeFloe().createTopic('t', 2);
    floe.fetchErrors.set('t:0', 'STORAGE_UNAVAILABLE');
    const c = consumerOn(floe, { autoOffsetReset: 'earliest', retryBackoffMs: 100 });
    c.assign([p0, p1]);

    // Act
    const records = await pollValues(c, 450);

    // Assess
    expect(records).toEqual([]);
    expect(floe.to('fetch').map((r) => r.at)).toEqual([0, 100, 200, 300, 400]);
  });
});

describe('commits', () => {
  it('commitSync() commits each partition position: what poll() returned, not what was fetched', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t', 2).append('t', 0, ...values(0, 10)).append('t', 1, ...values(0, 4));
    const c = consumerOn(floe, { groupId: 'g', autoOffsetReset: 'earliest', maxPollRecords: 3, enableAutoCommit: false });
    c.assign([p0, p1]);
    c.pause([p1]);
    await pollValues(c);
    await settle(c.position(p1));

    // Act
    await settle(c.commitSync());

    // Assess
    expect(floe.commits()).toEqual([['t/0@3', 't/1@0']]);
    expect(floe.to('commit')[0]?.body.memberId).toBeUndefined(); // a standalone commit
  });

  it('commitSync() takes offsets with metadata as a list or a Map; committed() reads them back, null where nothing is', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t', 3);
    const c = consumerOn(floe, { groupId: 'g' });

    // Act
    await settle(c.commitSync([{ topic: 't', partition: 0, offset: 4, metadata: 'list' }]));
    await settle(c.commitSync(new Map([['t:1', { offset: 9, metadata: 'map' }]])));
    const committed = await settle(c.committed([p0, p1, tp(2)]));

    // Assess
    expect(committed).toEqual([
      { topic: 't', partition: 0, offset: 4, metadata: 'list' },
      { topic: 't', partition: 1, offset: 9, metadata: 'map' },
      { topic: 't', partition: 2, offset: null },
    ]);
  });

  it('commitSync() retries only the partitions that failed retriably, until they are committed', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t', 2);
    floe.once('commit', floe.commitFailing({ 't:1': 'REBALANCE_IN_PROGRESS' }));
    floe.once('commit', floe.commitFailing({ 't:1': 'STORAGE_UNAVAILABLE' }));
    const c = consumerOn(floe, { groupId: 'g', retryBackoffMs: 40 });

    // Act
    await settle(c.commitSync([{ topic: 't', partition: 0, offset: 5 }, { topic: 't', partition: 1, offset: 6 }]));

    // Assess
    expect(floe.commits()).toEqual([['t/0@5', 't/1@6'], ['t/1@6'], ['t/1@6']]);
    expect(floe.to('commit').map((r) => r.at)).toEqual([0, 40, 120]); // backoff doubles
    expect(floe.committed.get('t:1')?.offset).toBe(6);
  });

  it('commitSync() gives up at once on a fencing error and names the partitions that failed', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t', 2);
    floe.once('commit', floe.commitFailing({ 't:0': 'FENCED_MEMBER_EPOCH', 't:1': 'REBALANCE_IN_PROGRESS' }));
    const c = consumerOn(floe, { groupId: 'g' });

    // Act
    const failure = await failureOf(c.commitSync([{ topic: 't', partition: 0, offset: 5 }, { topic: 't', partition: 1, offset: 6 }]));

    // Assess
    expect(failure.code).toBe('FENCED_MEMBER_EPOCH');
    expect(failure.message).toContain('t/0: FENCED_MEMBER_EPOCH, t/1: REBALANCE_IN_PROGRESS');
    expect(floe.to('commit')).toHaveLength(1);
  });

  it('commitAsync() commits land in call order even when the first is slow; each callback hears its outcome, in order', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t');
    floe.once('commit', async (_body, real) => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      return real();
    });
    const c = consumerOn(floe, { groupId: 'g' });
    const heard: string[] = [];
    const callback: CommitCallback = (error, offsets) => void heard.push(`${offsets.map((o) => o.offset).join()}:${error ? 'failed' : 'ok'}`);

    // Act
    c.commitAsync([{ topic: 't', partition: 0, offset: 3 }], callback);
    c.commitAsync([{ topic: 't', partition: 0, offset: 7 }], callback);
    await settle(c.commitSync([]));

    // Assess
    expect(floe.to('commit').map((r) => [r.at, r.body.topics[0].partitions[0].offset])).toEqual([
      [0, 3],
      [500, 7],
    ]);
    expect(heard).toEqual(['3:ok', '7:ok']);
    expect(floe.committed.get('t:0')?.offset).toBe(7);
  });

  it('commitAsync() is not retried: a retriable failure reaches the callback after one request; commitAsync(callback) commits the positions', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t').append('t', 0, 'a', 'b');
    const c = consumerOn(floe, { groupId: 'g', autoOffsetReset: 'earliest', enableAutoCommit: false });
    c.assign([p0]);
    await pollValues(c);
    floe.fail('commit', 'STORAGE_UNAVAILABLE');
    let outcome: [string | undefined, number[]] | undefined;

    // Act
    c.commitAsync((error, offsets) => (outcome = [(error as FloeError | undefined)?.code, offsets.map((o) => o.offset)]));
    await settle(c.commitSync([]));

    // Assess
    expect(outcome).toEqual(['STORAGE_UNAVAILABLE', [2]]);
    expect(floe.to('commit')).toHaveLength(1);
  });

  it('commitSync() refuses offsets of the wrong shape before sending anything, saying what is wrong', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t');
    const c = consumerOn(floe, { groupId: 'g', enableAutoCommit: false });
    c.assign([p0]);

    // Act
    const refused = await Promise.all(
      [null, [null], [{ topic: 't', partition: 0, offset: '5' }], [{ topic: 't', partition: '0', offset: 5 }], [{ topic: 't', partition: 0, offset: 2 ** 60 }], [{ topic: 't', partition: 0, offset: 1, metadata: 7 }], new Map([['t', { offset: 1 }]])].map((bad) =>
        failureOf(c.commitSync(bad as never)),
      ),
    );

    // Assess
    expect(refused.map((e) => e.code)).toEqual(Array(7).fill('INVALID_REQUEST'));
    expect(refused[2]?.message).toBe('offsets[0].offset must be an integer from 0 to 9007199254740991, got "5"');
    expect(refused[4]?.message).toContain(`got ${2 ** 60}`);
    expect(floe.to('commit')).toHaveLength(0);
  });

  it('offsetsForTimes() takes times only: a string such as \'latest\' is INVALID_REQUEST, not the end offset', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t').append('t', 0, 'a');
    const c = consumerOn(floe);

    // Act
    const refused = await failureOf(c.offsetsForTimes([{ topic: 't', partition: 0, timestamp: 'latest' as never }]));

    // Assess
    expect(refused.code).toBe('INVALID_REQUEST');
    expect(floe.to('listOffsets')).toHaveLength(0);
  });

  it('commits and committed() need a groupId', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t');
    const c = consumerOn(floe);
    c.assign([p0]);

    // Act
    const failures = [
      await failureOf(c.commitSync([])),
      await failureOf(Promise.resolve().then(() => c.commitAsync())),
      await failureOf(c.committed([p0])),
    ];

    // Assess
    expect(failures.map((f) => f.code)).toEqual(['INVALID_GROUP_ID', 'INVALID_GROUP_ID', 'INVALID_GROUP_ID']);
    expect(floe.to('commit')).toHaveLength(0);
  });
});

describe('auto-commit (decision 24)', () => {
  it('at the first poll after each interval, commits the partitions whose position moved, and only those', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t', 2).append('t', 0, ...values(0, 5)).append('t', 1, ...values(0, 5));
    const c = consumerOn(floe, { groupId: 'g', autoOffsetReset: 'earliest', autoCommitIntervalMs: 1000 });
    c.assign([p0, p1]);
    await pollUntil(c, 10);

    // Act
    await vi.advanceTimersByTimeAsync(1000);
    await pollValues(c, 0); // commits both
    floe.append('t', 1, '5', '6');
    await pollUntil(c, 2); // within the interval: nothing
    const withinInterval = floe.commits().length;
    await vi.advanceTimersByTimeAsync(1000);
    await pollValues(c, 0); // only t/1 moved
    await vi.advanceTimersByTimeAsync(1000);
    await pollValues(c, 0); // nothing moved

    // Assess
    expect(withinInterval).toBe(1);
    expect(floe.commits()).toEqual([['t/0@5', 't/1@5'], ['t/1@7']]);
  });

  it('a position read from the committed offset is not committed again', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t').append('t', 0, 'a', 'b').commit('t', 0, 2);
    const c = consumerOn(floe, { groupId: 'g', autoCommitIntervalMs: 1000 });
    c.assign([p0]);

    // Act
    await pollValues(c, 100);
    await vi.advanceTimersByTimeAsync(1000);
    await pollValues(c, 100);
    await settle(c.close());

    // Assess
    expect(floe.to('commit')).toHaveLength(0);
  });

  it('a failed auto-commit is sent again at the next interval', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t').append('t', 0, 'a');
    const c = consumerOn(floe, { groupId: 'g', autoOffsetReset: 'earliest', autoCommitIntervalMs: 1000 });
    c.assign([p0]);
    await pollValues(c);
    floe.fail('commit', 'STORAGE_UNAVAILABLE');

    // Act
    await vi.advanceTimersByTimeAsync(1000);
    await pollValues(c, 0);
    await settle(c.commitSync([])); // the failed one is over
    await vi.advanceTimersByTimeAsync(1000);
    await pollValues(c, 0);
    await settle(c.commitSync([]));

    // Assess
    expect(floe.commits()).toEqual([['t/0@1'], ['t/0@1']]);
    expect(floe.committed.get('t:0')?.offset).toBe(1);
  });

  it('with auto-commit off, neither poll() nor close() commits', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t').append('t', 0, 'a');
    const c = consumerOn(floe, { groupId: 'g', autoOffsetReset: 'earliest', enableAutoCommit: false, autoCommitIntervalMs: 1 });
    c.assign([p0]);

    // Act
    await pollValues(c);
    await vi.advanceTimersByTimeAsync(10);
    await pollValues(c, 100);
    await settle(c.close());

    // Assess
    expect(floe.to('commit')).toHaveLength(0);
  });

  it('close() commits what moved after the commits still in flight, and waits for them', async () => {
    // Prepare
    const floe = new FakeFloe().createTopic('t', 2).append('t', 0, 'a', 'b').append('t', 1, 'x').commit('t', 1, 1);
    floe.once('commit', async (_body, real) => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      return real();
    });
    const c = consumerOn(floe, { groupId: 'g', autoOffsetReset: 'earliest', autoCommitIntervalMs: 60_000 });
    c.assign([p0, p1]);
    const first = await pollValues(c);
    c.commitAsync([{ topic: 't', partition: 0, offset: 1 }]);

    // Act
    let closedAt = -1;
    await settle(c.close().then(() => (closedAt = floe.elapsed())));

    // Assess
    expect(first).toEqual(['a', 'b']);
    expect(floe.commits()).toEqual([['t/0@1'], ['t/0@2']]); // t/1 did not move from its committed offset
    const [slow, onClose] = floe.to('commit').map((r) => r.at);
    expect((onClose ?? 0) - (slow ?? 0)).toBe(500); // sent only once the slow one was answered
    expect(closedAt - (slow ?? 0)).toBeGreaterThanOrEqual(500);
  });
});
