/**
 * Issue 13 (producer state that bricks a partition; guessable producer ids) and issue 15 (the
 * five-batch window), as the attacker and a busy deployment did it:
 * - thousands of distinct producer ids on one partition: no failure, the head stays under
 *   2 KB (at most 2 write units per append) and the cost per append does not grow;
 * - an active producer keeps Kafka's guarantees through that churn (its retries get their
 *   original offsets, a gap is OUT_OF_ORDER_SEQUENCE_NUMBER), on any handler instance;
 * - an id or epoch the cluster never issued cannot touch another producer's state;
 * - sequences wrap at 2^31-1; a batch that arrives before its predecessor waits for it.
 * PRODUCER_STATE_IDS sets how many producers the churn test uses (default 600, 100 times the inline
 * limit); `npm run bench -- log` measures 20,000 through the log API (produce.producerState).
 */
import { describe, expect, it } from 'vitest';
import { allocateProducerId, produceRaw } from '../../packages/client/src/log-client.js';
import { readHead } from '../../src/log/append.js';
import { produce } from '../../src/log/produce.js';
import { demoteIdleProducers } from '../../src/housekeeping/head-upkeep.js';
import { acquireLease, LeaseGuard, releaseLease } from '../../src/leases/leases.js';
import { logKeys } from '../../src/storage/keys.js';
import { LIMITS } from '../../src/log/limits.js';
import { createProducerIdItem } from '../../src/log/store.js';
import { initProducerId } from '../../src/log/producer-ids.js';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalCluster } from '../../src/local/cluster.js';
import { uniqueName, useTestCluster } from '../helpers/cluster.js';
import { batchOf, produceValues, readPartition, values } from '../helpers/log.js';

const PRODUCERS = Number(process.env.PRODUCER_STATE_IDS ?? 600);

const env = useTestCluster();
/** A second cluster: other handler instances on the same storage. */
const other = useTestCluster();

/** Write units of every DynamoDB write a handler sends (dynalite computes them as DynamoDB bills them), and failed conditional writes. */
function meterWrites(target: LocalCluster) {
  const meter = { units: 0, writes: 0, maxUnits: 0, conditionFailures: 0 };
  type Next = (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>;
  (target.deps!.clients.dynamo as unknown as { middlewareStack: { add: (mw: (next: Next, ctx: { commandName?: string }) => Next, o: object) => void } }).middlewareStack.add(
    (next, ctx) => async (args) => {
      if (!/^(Put|Update|Delete)/.test(ctx.commandName ?? '')) return next(args);
      args.input.ReturnConsumedCapacity = 'TOTAL';
      try {
        const result = await next(args);
        const units = (result.output.ConsumedCapacity as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? 0;
        meter.units += units;
        meter.writes++;
        meter.maxUnits = Math.max(meter.maxUnits, units);
        return result;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') meter.conditionFailures++;
        throw error;
      }
    },
    { step: 'initialize', name: `testWriteMeter${Math.random()}` },
  );
  return meter;
}

async function inParallel<T>(items: T[], workers: number, task: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: workers }, async () => {
    while (next < items.length) {
      const i = next++;
      await task(items[i] as T, i);
    }
  }));
}

const idem = (producerId: bigint, baseSequence: number, producerEpoch = 0) => ({ producerId, producerEpoch, baseSequence });

describe('producer state stays bounded', () => {
  it(`${PRODUCERS} distinct producers on one partition: no failure, the head stays under 2 KB, write units per append do not grow`, { timeout: 900_000 }, async () => {
    // Prepare: an active producer, then a crowd of producers each sending one batch
    const topic = uniqueName('crowd');
    const { topicId } = await env.admin.createTopic(topic, 1);
    const active = (await allocateProducerId(env.http)).producerId;
    const first = await produceValues(env.http, topic, 0, ['active-0'], idem(active, 0));
    const crowd: bigint[] = [];
    await inParallel(Array.from({ length: PRODUCERS }), 8, async () => {
      crowd.push((await allocateProducerId(env.http)).producerId);
    });
    const meter = meterWrites(env.cluster);

    // Act
    const perAppend: number[] = [];
    const errors: string[] = [];
    // One at a time, so that each append's write units are its own.
    const appendsStarted = Date.now();
    for (const [i, id] of crowd.entries()) {
      const before = meter.units;
      const r = await produceValues(env.http, topic, 0, [`crowd-${i}`], idem(id, 0));
      if (r.errorCode !== 'NONE') errors.push(r.errorCode);
      perAppend.push(meter.units - before);
    }
    const head = (await readHead(env.cluster.deps!, { topicId }, 0))!;
    // the active producer, long demoted: its retry, its next batch, a gap, then steady appends
    const retry = await produceValues(other.http, topic, 0, ['active-0'], idem(active, 0));
    const nextBatch = await produceValues(other.http, topic, 0, ['active-1'], idem(active, 1));
    const gap = await produceValues(env.http, topic, 0, ['active-9'], idem(active, 9));
    const steadyBefore = meter.units;
    for (let seq = 2; seq < 12; seq++) await produceValues(env.http, topic, 0, [`active-${seq}`], idem(active, seq));
    const steady = (meter.units - steadyBefore) / 10;

    // Assess
    expect(errors).toEqual([]);
    expect(Object.keys(head.producers).length).toBeLessThanOrEqual(LIMITS.headInlineProducers);
    expect(meter.maxUnits).toBeLessThanOrEqual(2);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // the first few fill the head without demoting anyone: compare from there on
    const skip = 2 * LIMITS.headInlineProducers;
    const tenth = Math.floor((perAppend.length - skip) / 10);
    const early = mean(perAppend.slice(skip, skip + tenth));
    const late = mean(perAppend.slice(-tenth));
    expect(late).toBeLessThanOrEqual(early * 1.25 + 0.25);
    expect(mean(perAppend)).toBeLessThanOrEqual(4);
    expect(retry).toMatchObject({ errorCode: 'NONE', baseOffset: first.baseOffset });
    expect(nextBatch).toMatchObject({ errorCode: 'NONE', baseOffset: PRODUCERS + 1 });
    expect(gap.errorCode).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect(steady).toBeLessThanOrEqual(2.75); // one head write of at most 2 units, plus the amortized spill
    console.log(JSON.stringify({ producers: PRODUCERS, steadyWriteUnitsPerAppend: steady, msPerAppend: (Date.now() - appendsStarted) / PRODUCERS, writeUnitsPerAppend: mean(perAppend), early, late, maxUnitsOfOneWrite: meter.maxUnits, writes: meter.writes, conditionFailures: meter.conditionFailures }));
  });

  it('one producer appending costs one write of at most 2 units per batch (plus the amortized spill)', async () => {
    // Prepare
    const topic = uniqueName('single');
    await env.admin.createTopic(topic, 1);
    const id = (await allocateProducerId(env.http)).producerId;
    const meter = meterWrites(env.cluster);

    // Act
    const batches = 40;
    for (let seq = 0; seq < batches; seq++) await produceValues(env.http, topic, 0, [`v${seq}`], idem(id, seq));
    await new Promise((r) => setTimeout(r, 200)); // background spills

    // Assess
    expect(meter.maxUnits).toBeLessThanOrEqual(2);
    expect(meter.conditionFailures).toBe(0);
    expect(meter.units / batches).toBeLessThanOrEqual(2);
    console.log(JSON.stringify({ producers: 1, writeUnitsPerAppend: meter.units / batches, maxUnitsOfOneWrite: meter.maxUnits, writesPerAppend: meter.writes / batches }));
  });
});

describe('the five-batch window', () => {
  it('a retry of any of the last 5 batches, on another handler instance, gets its original offsets; a gap waits, then OUT_OF_ORDER_SEQUENCE_NUMBER', async () => {
    // Prepare
    const topic = uniqueName('window');
    await env.admin.createTopic(topic, 1);
    const id = (await allocateProducerId(env.http)).producerId;
    const firsts = [0, 3, 4, 9, 10, 12];
    const sizes = [3, 1, 5, 1, 2, 1];
    const offsets = [];
    for (let b = 0; b < firsts.length; b++) {
      offsets.push((await produceValues(env.http, topic, 0, Array.from({ length: sizes[b]! }, (_, i) => `b${b}-${i}`), idem(id, firsts[b]!))).baseOffset);
    }

    // Act
    const retries = [];
    for (let b = 0; b < firsts.length; b++) {
      retries.push(await produceValues(other.http, topic, 0, Array.from({ length: sizes[b]! }, (_, i) => `b${b}-${i}`), idem(id, firsts[b]!)));
    }
    const started = Date.now();
    const gap = await produceValues(other.http, topic, 0, ['late'], idem(id, 14));
    const waited = Date.now() - started;
    const overlapping = await produceValues(other.http, topic, 0, ['x', 'y'], idem(id, 11));

    // Assess
    expect(retries.map((r) => [r.errorCode, r.baseOffset])).toEqual([
      ['DUPLICATE_SEQUENCE_NUMBER', -1],
      ...offsets.slice(1).map((o) => ['NONE', o]),
    ]);
    expect(gap.errorCode).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect(waited).toBeGreaterThanOrEqual(LIMITS.sequenceGapWaitMs - 50);
    expect(overlapping.errorCode).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect(await readPartition(env.http, topic, 0)).toHaveLength(13);
  });

  it('a batch that reaches the head before its predecessor waits for it: both land, in sequence order', async () => {
    // Prepare
    const topic = uniqueName('reorder');
    await env.admin.createTopic(topic, 1);
    const id = (await allocateProducerId(env.http)).producerId;
    await produceValues(env.http, topic, 0, ['0'], idem(id, 0));

    // Act: sequence 2 is sent first, sequence 1 a moment later, through another instance
    const second = produceValues(env.http, topic, 0, ['2'], idem(id, 2));
    await new Promise((r) => setTimeout(r, 150));
    const firstResult = await produceValues(other.http, topic, 0, ['1'], idem(id, 1));
    const secondResult = await second;

    // Assess
    expect([firstResult.baseOffset, secondResult.baseOffset]).toEqual([1, 2]);
    expect(values(await readPartition(env.http, topic, 0))).toEqual(['0', '1', '2']);
  });

  it('sequences wrap from 2^31-1 to 0', async () => {
    // Prepare: an id issued two days ago, whose state on this partition has expired: accepted at any sequence
    const topic = uniqueName('wrap');
    await env.admin.createTopic(topic, 1);
    const id = 123_456_789_012_345_678n;
    const longAgo = Date.now() - 2 * 24 * 60 * 60 * 1000;
    await createProducerIdItem(env.cluster.deps!, id.toString(), 0, longAgo, Math.ceil(Date.now() / 1000) + 3600);
    const max = 2 ** 31 - 1;

    // Act
    const a = await produceValues(env.http, topic, 0, ['a1', 'a2'], idem(id, max - 2)); // max-2, max-1
    const b = await produceValues(env.http, topic, 0, ['b1', 'b2', 'b3'], idem(id, max)); // max, 0, 1
    const c = await produceValues(env.http, topic, 0, ['c1'], idem(id, 2));
    const retryB = await produceValues(other.http, topic, 0, ['b1', 'b2', 'b3'], idem(id, max));
    const gap = await produceValues(env.http, topic, 0, ['z'], idem(id, 5));

    // Assess
    expect([a, b, c].map((r) => [r.errorCode, r.baseOffset])).toEqual([
      ['NONE', 0],
      ['NONE', 2],
      ['NONE', 5],
    ]);
    expect(retryB).toMatchObject({ errorCode: 'NONE', baseOffset: 2 });
    expect(gap.errorCode).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
  });
});

describe('demoted producer state', () => {
  /** Housekeeping's demotion of idle inline producers, run as if `aheadMs` past their idle limit. */
  async function demoteIdle(topicId: string, aheadMs: number): Promise<number> {
    const deps = env.cluster.deps!;
    const lease = await acquireLease(deps, logKeys.partitionLeaseName(topicId, 0), 'test-demoter', 10_000);
    const guard = new LeaseGuard(deps, lease!, 10_000);
    const head = (await readHead(deps, { topicId }, 0))!;
    const now = Date.now() + aheadMs + LIMITS.producerInlineIdleMs + 1;
    const demoted = await demoteIdleProducers(deps, guard, topicId, 0, head, now, LIMITS.producerInlineIdleMs, LIMITS.producerIdExpirationMs);
    await releaseLease(deps, lease!);
    return demoted;
  }

  it('a producer demoted again keeps its newest state though a handler whose clock ran ahead wrote the older one: a retry gets its offset, not a second copy', async () => {
    // Prepare: a handler whose clock runs 2 s ahead appends the producer's first batch, and housekeeping demotes it;
    // the producer goes on through a handler with the right time (re-admitted inline, with append times older than its demoted state's)
    const topic = uniqueName('skew');
    const { topicId } = await env.admin.createTopic(topic, 1);
    const id = (await allocateProducerId(env.http)).producerId;
    const deps = env.cluster.deps!;
    const ahead = { ...deps, now: () => Date.now() + 2000 };
    const send = async (on: typeof deps, sequence: number, value: string) =>
      (await produce(on, { acks: -1, timeoutMs: 10_000, topics: [{ topic, partitions: [{ partition: 0, records: batchOf([value], idem(id, sequence)) }] }] }))[0]!.partitions[0]!;
    await send(ahead, 0, 'v0');
    const firstDemotion = await demoteIdle(topicId, 2000);
    const original = await send(deps, 1, 'v1');
    await send(deps, 2, 'v2');

    // Act: housekeeping demotes it again, then the batch at sequence 1 is retried
    const secondDemotion = await demoteIdle(topicId, 0);
    const retry = await send(deps, 1, 'v1');

    // Assess
    expect([firstDemotion, secondDemotion]).toEqual([1, 1]);
    expect(original).toMatchObject({ errorCode: 'NONE', baseOffset: 1 });
    expect(retry).toMatchObject({ errorCode: 'NONE', baseOffset: 1 });
    expect(values(await readPartition(env.http, topic, 0))).toEqual(['v0', 'v1', 'v2']);
  });
});

describe('producer ids cannot be guessed or invented', () => {
  it('ids are random 63-bit integers, not a counter', async () => {
    // Act
    const ids = [];
    for (let i = 0; i < 40; i++) ids.push((await allocateProducerId(env.http)).producerId);

    // Assess
    expect(new Set(ids).size).toBe(40);
    expect(ids.every((id) => id > 0n && id < 2n ** 63n)).toBe(true);
    expect(ids.some((id) => id > BigInt(Number.MAX_SAFE_INTEGER))).toBe(true); // beyond what a JS number holds
    const sorted = [...ids].sort((a, b) => (a < b ? -1 : 1));
    expect(sorted.slice(1).every((id, i) => id - sorted[i]! > 1000n)).toBe(true);
  });

  it("the attack: a guessed id with the victim's next sequence is refused, and the victim's next record lands at its own offset", async () => {
    // Prepare: the victim has written offset 0; the attacker holds an id of its own and guesses neighbours of it
    const topic = uniqueName('victim');
    await env.admin.createTopic(topic, 1);
    const victim = (await allocateProducerId(env.http)).producerId;
    await produceValues(env.http, topic, 0, ['victim-0'], idem(victim, 0));
    const mine = (await allocateProducerId(env.http)).producerId;
    const guesses = [mine - 1n, mine + 1n, mine - 2n, 0n, 1n];

    // Act
    const attacks = [];
    for (const guess of guesses) attacks.push(await produceValues(env.http, topic, 0, ['attacker'], idem(guess, 1)));
    const victimNext = await produceValues(env.http, topic, 0, ['victim-1'], idem(victim, 1));

    // Assess
    expect(attacks.map((a) => a.errorCode)).toEqual(guesses.map(() => 'UNKNOWN_PRODUCER_ID'));
    expect(victimNext).toMatchObject({ errorCode: 'NONE', baseOffset: 1 });
    expect(values(await readPartition(env.http, topic, 0))).toEqual(['victim-0', 'victim-1']);
  });

  it('an epoch the env.cluster never issued (32767) cannot fence the victim, even with the victim\'s real id', async () => {
    // Prepare
    const topic = uniqueName('fence');
    await env.admin.createTopic(topic, 1);
    const victim = (await allocateProducerId(env.http)).producerId;
    await produceValues(env.http, topic, 0, ['victim-0'], idem(victim, 0));

    // Act
    const attack = await produceValues(env.http, topic, 0, ['attacker'], idem(victim, 0, 32767));
    const attackOther = await produceValues(other.http, topic, 0, ['attacker'], idem(victim, 1, 1));
    const victimNext = await produceValues(env.http, topic, 0, ['victim-1'], idem(victim, 1));

    // Assess
    expect([attack.errorCode, attackOther.errorCode]).toEqual(['INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_EPOCH']);
    expect(victimNext).toMatchObject({ errorCode: 'NONE', baseOffset: 1 });
  });

  it('InitProducerId with the current id and epoch bumps the epoch (fencing the old one); a stale epoch cannot bump it', async () => {
    // Prepare
    const topic = uniqueName('bump');
    await env.admin.createTopic(topic, 1);
    const issued = await allocateProducerId(env.http);
    await produceValues(env.http, topic, 0, ['old-0'], idem(issued.producerId, 0));

    // Act
    const bumped = await allocateProducerId(env.http, issued);
    const stale = await allocateProducerId(env.http, issued).catch((e: { code: string }) => e.code);
    const fresh = await produceValues(other.http, topic, 0, ['new-0'], idem(issued.producerId, 0, 1));
    const zombie = await produceValues(env.http, topic, 0, ['zombie'], idem(issued.producerId, 1, 0));

    // Assess
    expect(bumped).toEqual({ producerId: issued.producerId, producerEpoch: 1 });
    expect(stale).toBe('INVALID_PRODUCER_EPOCH');
    expect(zombie.errorCode).toBe('INVALID_PRODUCER_EPOCH');
    expect(fresh).toMatchObject({ errorCode: 'NONE', baseOffset: 1 });
  });

  it('an epoch bump whose write landed but whose answer was lost (the client retries it) answers the new epoch, which produces', async () => {
    // Prepare: the registry's update lands, its answer is lost, and the retry finds the epoch already bumped
    const topic = uniqueName('lostbump');
    await env.admin.createTopic(topic, 1);
    const current = await allocateProducerId(env.http);
    const deps = env.cluster.deps!;
    const send = deps.dynamo.send.bind(deps.dynamo) as (command: unknown) => Promise<unknown>;
    const losing = {
      send: async (command: unknown) => {
        if (command instanceof UpdateCommand && String(command.input.Key?.pk).startsWith('pid#')) await send(command);
        return send(command);
      },
    };

    // Act
    const bumped = await initProducerId({ ...deps, dynamo: losing as unknown as typeof deps.dynamo }, current).then(
      (issued) => issued.producerEpoch,
      (error: { code?: string }) => error.code,
    );
    const produced = await produceValues(other.http, topic, 0, ['a'], idem(current.producerId, 0, 1));

    // Assess
    expect(bumped).toBe(1);
    expect(produced).toMatchObject({ errorCode: 'NONE', baseOffset: 0 });
  });

  it('POST /v1/producer-ids answers ids as decimal strings and refuses a malformed body', async () => {
    // Act
    const ok = await fetch(`${env.cluster.url}/_fn/produce/v1/producer-ids`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const bad = await fetch(`${env.cluster.url}/_fn/produce/v1/producer-ids`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"producerId": "x"' });

    // Assess
    expect(ok.status).toBe(200);
    expect((await ok.json()) as object).toMatchObject({ producerId: expect.stringMatching(/^\d+$/), producerEpoch: 0 });
    expect(bad.status).toBe(400);
  });
});

describe('batches of non-idempotent producers', () => {
  it('are untouched by producer state', async () => {
    const topic = uniqueName('plain');
    await env.admin.createTopic(topic, 1);
    const [t] = await produceRaw(env.http, { acks: -1, timeoutMs: 5000, topics: [{ topic, partitions: [{ partition: 0, records: batchOf(['p']) }] }] });
    expect(t?.partitions[0]).toMatchObject({ errorCode: 'NONE', baseOffset: 0 });
  });
});
