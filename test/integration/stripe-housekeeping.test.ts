/**
 * Housekeeping on striped topics (decision 52's housekeeping, src/housekeeping/stripe-retention.ts) on
 * the stand-ins: retention by time and by bytes moves each partition's log start as the per-partition
 * pass does, under one lease per stripe, in one write per stripe; stripe chunks no partition needs go,
 * from the oldest up to the first live one; the sweep's mark then no longer marks what only they named;
 * compacted topics are never striped; a fetch racing the chunk deletion answers OFFSET_OUT_OF_RANGE.
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { FloeError } from '../../packages/protocol/src/errors.js';
import { decodeRecordBatches } from '../../packages/protocol/src/records/record-batch.js';
import { runHousekeeping, type HousekeepingSummary } from '../../src/housekeeping/housekeeping.js';
import { markReferences } from '../../src/housekeeping/sweep.js';
import { chunkIsDead } from '../../src/housekeeping/stripe-retention.js';
import { acquireLease, releaseLease } from '../../src/leases/leases.js';
import { fetchRecords, type FetchDeps } from '../../src/log/fetch.js';
import { EARLIEST, listOffset } from '../../src/log/list-offsets.js';
import { produce, type ProduceDeps } from '../../src/log/produce.js';
import { getHead, getHeads, getStripe, stripeChunks } from '../../src/log/store.js';
import type { StripeChunk } from '../../src/log/stripe-head.js';
import { stripeSpillsSettled } from '../../src/log/stripe-spill.js';
import { createTopic, getTopic, updateTopicConfigs, type Topic } from '../../src/log/topics.js';
import { logKeys } from '../../src/storage/keys.js';
import { useTestCluster, uniqueName } from '../helpers/cluster.js';
import { values } from '../helpers/log.js';
import { stripedDeps, stripeRequest, type StripedDeps } from '../helpers/stripes.js';

const env = useTestCluster();
const base = (): ProduceDeps & FetchDeps => env.cluster.deps! as ProduceDeps & FetchDeps;
const deps = (): StripedDeps => stripedDeps(base());

const PARTITIONS = 6; // stripes of 4 (partitions 0-3) and 2 (4-5)
const HOUR = 3_600_000;
const OLD = Date.now() - 2 * HOUR;
const FRESH = Date.now();

/** Housekeeping of these topics only, no sweep (the run's storage is shared with other files). */
const housekeep = (d: StripedDeps, topics: string[], holder?: string): Promise<HousekeepingSummary> =>
  runHousekeeping(d, { topics, sweep: false, settings: { leaseMs: 10_000 }, ...(holder ? { holder } : {}) });

/** Produces one request of `batches` at time `now`; every partition answers NONE. */
async function produceAt(d: ProduceDeps, name: string, batches: Array<[number, string[]]>, now: number): Promise<void> {
  const [answer] = await produce(d, stripeRequest(name, batches, now));
  expect(answer!.partitions.every((p) => p.errorCode === 'NONE')).toBe(true);
}

/** `count` requests at `now`, on `partitions`, each a value per partition named `${tag}-${p}-${r}`. */
async function produceMany(d: ProduceDeps, name: string, partitions: number[], tag: string, count: number, now: number): Promise<void> {
  for (let r = 0; r < count; r++) await produceAt(d, name, partitions.map((p) => [p, [`${tag}-${p}-${r}`]]), now);
  await stripeSpillsSettled();
}

async function chunksOf(d: StripedDeps, topic: Topic, first: number): Promise<StripeChunk[]> {
  const out: StripeChunk[] = [];
  for await (const chunk of stripeChunks(d, topic.topicId, first, 0)) out.push(chunk);
  return out;
}

/** A partition's values from `offset` on (one fetch), or its error code. */
async function readFrom(d: FetchDeps, name: string, partition: number, offset: number) {
  const [t] = await fetchRecords(d, { maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 22, topics: [{ topic: name, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 1 << 22 }] }] });
  const p = t!.partitions[0]!;
  const records = decodeRecordBatches(p.records).flatMap((b) => b.records.filter((r) => r.offset >= offset));
  return { errorCode: p.errorCode, logStartOffset: p.logStartOffset, values: values(records) };
}

const ALL = [0, 1, 2, 3, 4, 5];

/** A striped topic with retention.ms of an hour: `old` expired requests to every partition, then `fresh` new ones. */
async function expiringTopic(d: StripedDeps, prefix: string, old: number, fresh: number): Promise<{ name: string; topic: Topic }> {
  const name = uniqueName(prefix);
  const topic = await createTopic(d, name, PARTITIONS, { 'retention.ms': HOUR });
  await produceMany(d, name, ALL, 'old', old, OLD);
  await produceMany(d, name, ALL, 'new', fresh, FRESH);
  return { name, topic };
}

const earliestOf = async (d: FetchDeps, name: string, partition: number): Promise<number> => (await listOffset(d, name, partition, EARLIEST)).offset;

describe('retention on a striped topic', () => {
  it('by time: each partition starts after its expired batches; dead stripe chunks go, one a sparse partition still needs stays; reads follow', async () => {
    // Prepare: partition 3 writes once, fresh, before 80 old requests to the others; then 5 fresh requests to every partition
    const d = deps();
    const name = uniqueName('stripe-ret-time');
    const topic = await createTopic(d, name, PARTITIONS, { 'retention.ms': HOUR });
    await produceAt(d, name, [[3, ['sparse']]], FRESH);
    await produceMany(d, name, [0, 1, 2, 4, 5], 'old', 80, OLD);
    await produceMany(d, name, ALL, 'new', 5, FRESH);
    const before = { s0: await chunksOf(d, topic, 0), s4: await chunksOf(d, topic, 4) };
    d.updates.splice(0);

    // Act
    const summary = await housekeep(d, [name]);

    // Assess
    expect(before.s0.length).toBeGreaterThan(1);
    expect(before.s4.length).toBeGreaterThan(1);
    expect(summary).toMatchObject({ stripesProcessed: 2, stripesBusy: 0, logStartAdvances: 5, errors: [] });
    // One write per stripe moves all its partitions' log starts.
    expect(d.updates.filter((u) => u.endsWith('/stripe'))).toHaveLength(2);
    for (const p of [0, 1, 2, 4, 5]) {
      expect(await earliestOf(d, name, p)).toBe(80);
      expect(await readFrom(d, name, p, 0)).toMatchObject({ errorCode: 'OFFSET_OUT_OF_RANGE', logStartOffset: 80 });
      expect((await readFrom(d, name, p, 80)).values).toEqual([0, 1, 2, 3, 4].map((r) => `new-${p}-${r}`));
    }
    expect(await earliestOf(d, name, 3)).toBe(0);
    expect((await readFrom(d, name, 3, 0)).values).toEqual(['sparse', ...[0, 1, 2, 3, 4].map((r) => `new-3-${r}`)]);
    // Stripe 0's oldest chunk holds partition 3's live batch: nothing of it goes. Stripe 4's old chunks all go.
    expect(await chunksOf(d, topic, 0)).toEqual(before.s0);
    expect(before.s0.slice(1).some((c) => chunkIsDead(c, [80, 80, 80, 0]))).toBe(true); // dead, but above a live one
    const after4 = await chunksOf(d, topic, 4);
    expect(after4.every((c) => c.ends.some((end, i) => end > 80 && i < 2))).toBe(true);
    expect(summary.stripeChunksDeleted).toBe(before.s4.length - after4.length);
    expect(summary.stripeChunksDeleted).toBeGreaterThan(0);
  });

  it('by bytes: each partition keeps what the per-partition pass keeps of the same batches', async () => {
    // Prepare: the same requests to a striped topic and to a per-partition twin; partitions written unevenly
    const d = deps();
    const striped = uniqueName('stripe-ret-bytes');
    const twin = uniqueName('stripe-ret-twin');
    const configs = { 'retention.bytes': 2_000 };
    await createTopic(d, striped, PARTITIONS, configs);
    await createTopic(base(), twin, PARTITIONS, configs);
    for (let r = 0; r < 30; r++) {
      const batches: Array<[number, string[]]> = ALL.filter((p) => r % (p + 1) === 0).map((p) => [p, [`v-${p}-${r}`.padEnd(40, '.')]]);
      await produceAt(d, striped, batches, FRESH);
      await produceAt(base(), twin, batches, FRESH);
    }
    await stripeSpillsSettled();

    // Act
    const summary = await housekeep(d, [striped]);
    await housekeep(d, [twin]);

    // Assess
    expect(summary.errors).toEqual([]);
    const starts = await Promise.all(ALL.map((p) => earliestOf(d, striped, p)));
    const expected = await Promise.all(ALL.map((p) => earliestOf(base(), twin, p)));
    expect(starts).toEqual(expected);
    expect(starts.filter((s) => s > 0).length).toBeGreaterThan(0);
    for (const p of ALL) expect((await readFrom(d, striped, p, starts[p]!)).values).toEqual((await readFrom(base(), twin, p, expected[p]!)).values);
  });

  it("a stripe whose lease another housekeeper holds is left to it; racing housekeepers move each log start once", async () => {
    // Prepare: every partition's first 30 batches expired; another holder holds stripe 4's lease
    const d = deps();
    const { name, topic } = await expiringTopic(d, 'stripe-ret-lease', 30, 2);
    const other = await acquireLease(d, logKeys.stripeLeaseName(topic.topicId, 4), 'other-housekeeper', 10_000);

    // Act
    const held = await housekeep(d, [name], 'h1');
    const startsWhileHeld = await Promise.all(ALL.map((p) => earliestOf(d, name, p)));
    await releaseLease(d, other!);
    const raced = await Promise.all([housekeep(d, [name], 'h2'), housekeep(d, [name], 'h3')]);

    // Assess
    expect(held).toMatchObject({ stripesProcessed: 1, stripesBusy: 1, logStartAdvances: 4, errors: [] });
    expect(startsWhileHeld).toEqual([30, 30, 30, 30, 0, 0]);
    expect(raced.flatMap((s) => s.errors)).toEqual([]);
    expect(raced.reduce((n, s) => n + s.logStartAdvances, 0)).toBe(2); // partitions 4 and 5, by whichever took the lease first
    expect(await Promise.all(ALL.map((p) => earliestOf(d, name, p)))).toEqual([30, 30, 30, 30, 30, 30]);
  });

  it('a fetch that read the stripe just before retention deleted the chunks it needs answers OFFSET_OUT_OF_RANGE, never a skip', async () => {
    // Prepare: 40 expired requests (spilled) and 3 fresh; the fetch's first stripe read runs a housekeeping pass
    const d = deps();
    const { name } = await expiringTopic(d, 'stripe-ret-race', 40, 3);
    let raced = false;
    const real = base().dynamo;
    const racing = {
      send: async (command: unknown) => {
        const result = await real.send(command as GetCommand);
        if (!raced && command instanceof GetCommand && command.input.Key?.sk === 'stripe') {
          raced = true;
          await housekeep(d, [name]); // lands between the stripe read and the chunks' Queries
        }
        return result;
      },
    } as unknown as DynamoDBDocumentClient;

    // Act
    const answer = await readFrom(stripedDeps({ ...base(), dynamo: racing }), name, 4, 3);

    // Assess
    expect(raced).toBe(true);
    expect(answer).toMatchObject({ errorCode: 'OFFSET_OUT_OF_RANGE', logStartOffset: 40, values: [] });
  });

  it("the sweep's mark, from a cache read before retention, no longer marks objects only deleted chunks named", async () => {
    // Prepare: 40 old requests to every partition (spilled), 3 fresh ones; a mark before retention
    const d = deps();
    const { topic, name } = await expiringTopic(d, 'stripe-ret-mark', 40, 3);
    const keysIn = async () => new Set([...(await chunksOf(d, topic, 0)), ...(await chunksOf(d, topic, 4))].flatMap((c) => c.entries.map((e) => e.k)));
    const spilled = await keysIn();
    const markStart = Date.now();
    const before = await markReferences(d, [topic], { markStart, maxAgeMs: 60_000 });

    // Act
    const summary = await housekeep(d, [name]);
    const cached = await markReferences(d, [topic], { cache: before.cache, markStart: markStart + 1, maxAgeMs: 60_000 });
    const full = await markReferences(d, [topic], { markStart: markStart + 2, maxAgeMs: 60_000 });

    // Assess
    expect(summary.stripeChunksDeleted).toBeGreaterThan(0);
    const kept = await keysIn();
    const inViews = new Set([...(await getHeads(d, topic, ALL)).values()].flatMap((h) => h.recent.map((l) => l.k)));
    const gone = [...spilled].filter((k) => !kept.has(k) && !inViews.has(k));
    expect(gone.length).toBeGreaterThan(0);
    for (const key of gone) expect(before.marked.has(key)).toBe(true);
    for (const key of gone) expect(cached.marked.has(key)).toBe(false);
    for (const key of gone) expect(full.marked.has(key)).toBe(false);
    for (const key of kept) expect(cached.marked.has(key)).toBe(true);
    expect(cached.marked).toEqual(full.marked);
  });
});

describe('compaction and stripes', () => {
  it('a topic created compacted keeps one head per partition above stripes.above', async () => {
    // Prepare
    const d = deps();
    const name = uniqueName('stripe-compact');

    // Act
    await createTopic(d, name, PARTITIONS, { 'cleanup.policy': 'compact' });

    // Assess
    const topic = await getTopic(d, name);
    expect(topic?.stripeWidth).toBeUndefined();
    expect(await getHead(d, { topicId: topic!.topicId }, 5)).toMatchObject({ nextOffset: 0 }); // its own head item
    expect(await getStripe(d, topic!.topicId, 4)).toBeUndefined();
  });

  it("altering a striped topic's cleanup.policy to compact is INVALID_CONFIG and changes nothing", async () => {
    // Prepare
    const d = deps();
    const name = uniqueName('stripe-no-compact');
    await createTopic(d, name, PARTITIONS, { 'retention.ms': HOUR });

    // Act
    const attempts = await Promise.all(
      ['compact', 'compact,delete'].map((policy) => updateTopicConfigs(d, name, { 'cleanup.policy': policy }).then(() => undefined, (error: unknown) => error)),
    );
    const unchanged = await getTopic(d, name);
    const deleteOnly = await updateTopicConfigs(d, name, { 'cleanup.policy': 'delete' });

    // Assess
    for (const error of attempts) {
      expect(error).toBeInstanceOf(FloeError);
      expect(error).toMatchObject({ code: 'INVALID_CONFIG' });
      expect(String((error as Error).message)).toMatch(/stripes/);
    }
    expect(unchanged).toMatchObject({ stripeWidth: 4, configs: { 'cleanup.policy': 'delete', 'retention.ms': HOUR } });
    expect(unchanged?.configVersion).toBeUndefined();
    expect(unchanged?.overrides).not.toContain('cleanup.policy');
    expect(deleteOnly.configs['cleanup.policy']).toBe('delete'); // "delete" is still allowed
  });
});
