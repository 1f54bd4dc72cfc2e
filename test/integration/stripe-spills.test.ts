/**
 * Spills of striped heads (decision 52, src/log/stripe-spill.ts) on the stand-ins: a stripe's oldest
 * entries move to stripe chunks, and every reader a striped topic reaches — fetch, ListOffsets by
 * time and MAX_TIMESTAMP, the sweep's mark, deleted topics' cleanup — still finds every batch.
 */
import { describe, expect, it } from 'vitest';
import { decodeRecordBatches } from '../../packages/protocol/src/records/record-batch.js';
import { cleanDeletedTopics } from '../../src/housekeeping/deleted-topics.js';
import { markReferences, type MarkStats } from '../../src/housekeeping/sweep.js';
import { fetchRecords, type FetchDeps } from '../../src/log/fetch.js';
import { listOffset, MAX_TIMESTAMP } from '../../src/log/list-offsets.js';
import { produce, type ProduceDeps } from '../../src/log/produce.js';
import { getHeads, getStripe, putStripeChunkIfAbsent, stripeChunks, updateStripe } from '../../src/log/store.js';
import { chunkOf, chunkView, entriesToSpill, planStripeAppend, type StripeChunk, type StripeEntry, type StripeItem } from '../../src/log/stripe-head.js';
import { spillStripe, stripeSpillsSettled } from '../../src/log/stripe-spill.js';
import { LIMITS } from '../../src/log/limits.js';
import { createTopic, deleteTopic, listTopics, type Topic } from '../../src/log/topics.js';
import { logKeys } from '../../src/storage/keys.js';
import { useTestCluster, uniqueName } from '../helpers/cluster.js';
import { values } from '../helpers/log.js';
import { stripedDeps, stripeRequest, type StripedDeps } from '../helpers/stripes.js';

const env = useTestCluster();
const deps = (): StripedDeps => stripedDeps(env.cluster.deps! as ProduceDeps & FetchDeps);

const PARTITIONS = 6; // stripes of 4 and 2
const T0 = Date.now() - 3_600_000;
/** Request 50's records are the newest by far: MAX_TIMESTAMP's answer, once spilled. */
const timeOf = (r: number): number => (r === 50 ? T0 + 1_800_000 : T0 + r * 1000);

/** Request r's batches: every partition but r % 6, partition 3 only every tenth; odd partitions two records. */
function batchesOf(r: number): Array<[number, string[]]> {
  const out: Array<[number, string[]]> = [];
  for (let p = 0; p < PARTITIONS; p++) {
    if (p === 3 ? r % 10 !== 0 : r % 6 === p) continue;
    out.push([p, p % 2 === 1 ? [`${p}-${r}-a`, `${p}-${r}-b`] : [`${p}-${r}`]]);
  }
  return out;
}

/** Each partition's records as produced: value and timestamp, in offset order. */
function modelOf(requests: number): Array<Array<{ value: string; timestamp: number }>> {
  const model = Array.from({ length: PARTITIONS }, () => [] as Array<{ value: string; timestamp: number }>);
  for (let r = 0; r < requests; r++) for (const [p, vs] of batchesOf(r)) for (const value of vs) model[p]!.push({ value, timestamp: timeOf(r) });
  return model;
}

async function produceRequests(d: StripedDeps, name: string, from: number, to: number): Promise<void> {
  for (let r = from; r < to; r++) {
    const [answer] = await produce(d, stripeRequest(name, batchesOf(r), timeOf(r)));
    expect(answer!.partitions.every((p) => p.errorCode === 'NONE')).toBe(true);
  }
  await stripeSpillsSettled();
}

async function chunksOf(d: StripedDeps, topic: Topic, first: number): Promise<StripeChunk[]> {
  const out: StripeChunk[] = [];
  for await (const chunk of stripeChunks(d, topic.topicId, first, 0)) out.push(chunk);
  return out;
}

/** One fetch of a partition from `offset`: its values from there on. */
async function fetchFrom(d: FetchDeps, name: string, partition: number, offset: number, partitionMaxBytes = 1 << 20) {
  const [t] = await fetchRecords(d, { maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, topics: [{ topic: name, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes }] }] });
  const p = t!.partitions[0]!;
  expect(p.errorCode).toBe('NONE');
  const records = decodeRecordBatches(p.records).flatMap((b) => b.records.filter((r) => r.offset >= offset));
  return { values: values(records), next: records.at(-1) ? records.at(-1)!.offset + 1 : offset, highWatermark: p.highWatermark };
}

/** A partition read batch by batch (one per fetch) from 0 to its high watermark. */
async function walk(d: FetchDeps, name: string, partition: number): Promise<string[]> {
  const out: string[] = [];
  for (let offset = 0; ; ) {
    const step = await fetchFrom(d, name, partition, offset, 1);
    out.push(...step.values);
    if (step.next >= step.highWatermark || step.next === offset) return out;
    offset = step.next;
  }
}

describe('stripe spills', () => {
  it('move entries to stripe chunks, and every record reads back from any offset, by time and by max timestamp', async () => {
    // Prepare
    const d = deps();
    const name = uniqueName('stripe-spill');
    const topic = await createTopic(d, name, PARTITIONS);
    const requests = 90;
    const model = modelOf(requests);

    // Act
    await produceRequests(d, name, 0, requests);
    const stripe0 = await chunksOf(d, topic, 0);
    const stripe1 = await chunksOf(d, topic, 4);
    const views = await getHeads(d, topic, [0, 1, 2, 3, 4, 5]);
    const fromZero = await Promise.all(model.map((_, p) => fetchFrom(d, name, p, 0)));
    const walked = await Promise.all([1, 3].map((p) => walk(d, name, p)));
    // From an offset inside each chunk's batches of each partition (the middle one).
    const inside = [];
    for (let p = 0; p < PARTITIONS; p++) {
      for (const chunk of p < 4 ? stripe0 : stripe1) {
        const part = chunkView(chunk, p % 4);
        if (part.entries.length === 0) continue;
        const offset = Math.floor((part.base + part.end) / 2);
        inside.push({ p, offset, read: (await fetchFrom(d, name, p, offset)).values });
      }
    }
    const specs = [T0 + 3000, T0 + 30_500, T0 + 60_000, T0 + 2_000_000];
    const byTime = await Promise.all(model.map((_, p) => Promise.all(specs.map((spec) => listOffset(d, name, p, spec)))));
    const maxTimestamp = await Promise.all(model.map((_, p) => listOffset(d, name, p, MAX_TIMESTAMP)));

    // Assess: several spills per stripe, every partition's offsets partly in chunks.
    expect(stripe0.length).toBeGreaterThanOrEqual(3);
    expect(stripe1.length).toBeGreaterThanOrEqual(2);
    for (const chunks of [stripe0, stripe1]) {
      expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => chunks.slice(0, i).reduce((s, c) => s + c.entries.length, 0)));
    }
    for (let p = 0; p < PARTITIONS; p++) expect(views.get(p)!.recentBase).toBeGreaterThan(0);
    expect(fromZero.map((r) => r.values)).toEqual(model.map((records) => records.map((r) => r.value)));
    expect(walked).toEqual([1, 3].map((p) => model[p]!.map((r) => r.value)));
    expect(inside.length).toBeGreaterThan(PARTITIONS * 2);
    for (const { p, offset, read } of inside) expect(read).toEqual(model[p]!.slice(offset).map((r) => r.value));
    const expectedAt = (p: number, spec: number) => {
      const offset = model[p]!.findIndex((r) => r.timestamp >= spec);
      return offset < 0 ? { offset: -1, timestamp: -1 } : { offset, timestamp: model[p]![offset]!.timestamp };
    };
    expect(byTime.map((answers) => answers.map((a) => ({ offset: a.offset, timestamp: a.timestamp })))).toEqual(model.map((_, p) => specs.map((spec) => expectedAt(p, spec))));
    expect(maxTimestamp.map((a) => [a.errorCode, a.offset, a.timestamp])).toEqual(
      model.map((records) => {
        const top = records.reduce((best, r, i) => (r.timestamp > records[best]!.timestamp ? i : best), 0);
        return ['NONE', top, records[top]!.timestamp];
      }),
    );
  });

  it('racing spillers of one stripe agree: no entry is lost or duplicated, whoever writes the chunk or trims first', async () => {
    // Prepare: stripe 0 written directly (no background spill), past the spill limit.
    const d = deps();
    const topic = await createTopic(d, uniqueName('stripe-race'), PARTITIONS);
    const appended: StripeEntry[] = [];
    const append = async (r: number): Promise<StripeItem> => {
      const [write] = planStripeAppend(`seg/0ab/${T0 + r}-${String(r).padStart(8, '0')}`, T0 + r, [{ partition: r % 4, s: 0, l: 100, n: 1, w: 1 + (r % 3), t: T0 + r }], 4);
      appended.push(write!.entry);
      return (await updateStripe(d, topic.topicId, 0, write!.update))!;
    };
    let item!: StripeItem;
    for (let r = 0; r < 50; r++) item = await append(r);
    const everything = async () => {
      const stripe = (await getStripe(d, topic.topicId, 0))!;
      const chunks = await chunksOf(d, topic, 0);
      return { sp: stripe.sp, spilled: chunks.reduce((s, c) => s + c.entries.length, 0), keys: [...chunks.flatMap((c) => c.entries), ...stripe.recent].map((e) => e.k) };
    };

    // Act 1: two spillers of the same item read, at once.
    const both = await Promise.all([spillStripe(d, topic.topicId, 0, item), spillStripe(d, topic.topicId, 0, item)]);
    const afterBoth = await everything();
    // Act 2: a spiller whose chunk is written but who never trimmed (stalled), with fewer entries
    // read; then a spiller that read more entries since, at the same sp.
    let stalled!: StripeItem;
    for (let r = 50; r < 100; r++) {
      item = await append(r);
      if (r === 80) stalled = item;
    }
    const stalledChunk = chunkOf(stalled, entriesToSpill(stalled.recent, LIMITS.stripeSpillBytes));
    await putStripeChunkIfAbsent(d, topic.topicId, 0, stalledChunk);
    const late = await spillStripe(d, topic.topicId, 0, item);
    const afterLate = await everything();
    const again = await spillStripe(d, topic.topicId, 0, item); // the same item read, once more: stale

    // Assess
    expect(both.sort()).toEqual([false, true]);
    expect(afterBoth.keys).toEqual(appended.slice(0, 50).map((e) => e.k));
    expect(afterBoth.sp).toBe(afterBoth.spilled);
    expect(entriesToSpill(item.recent, LIMITS.stripeSpillBytes)).not.toBe(stalledChunk.entries.length);
    expect(late).toBe(true);
    expect(afterLate.keys).toEqual(appended.map((e) => e.k));
    expect(afterLate.sp).toBe(afterLate.spilled);
    expect(afterLate.sp).toBe(afterBoth.sp! + stalledChunk.entries.length);
    expect(again).toBe(false);
    expect(await everything()).toEqual(afterLate);
  });

  it("the sweep's mark reads a stripe's chunks after it, marks every object they reference, and later only the new ones", async () => {
    // Prepare
    const d = deps();
    const name = uniqueName('stripe-mark');
    const topic = await createTopic(d, name, PARTITIONS);
    await produceRequests(d, name, 0, 60);
    const chunkKeys = async () => new Set([...(await chunksOf(d, topic, 0)), ...(await chunksOf(d, topic, 4))].flatMap((c) => c.entries.map((e) => e.k)));
    const inViews = new Set([...(await getHeads(d, topic, [0, 1, 2, 3, 4, 5])).values()].flatMap((h) => h.recent.map((l) => l.k)));
    const spilledKeys = await chunkKeys();
    d.queries.splice(0);
    const markStart = Date.now();
    const stats = (): MarkStats => ({ headsRead: 0, chunksRead: 0, partitionsReadInFull: 0 });

    // Act
    const full = stats();
    const first = await markReferences(d, [topic], { stats: full, markStart, maxAgeMs: 60_000 });
    const queries = d.queries.splice(0);
    const unchanged = stats();
    const second = await markReferences(d, [topic], { stats: unchanged, cache: first.cache, markStart: markStart + 1, maxAgeMs: 60_000 });
    const chunksBefore = (await chunksOf(d, topic, 0)).length + (await chunksOf(d, topic, 4)).length;
    await produceRequests(d, name, 60, 100);
    const chunksAfter = (await chunksOf(d, topic, 0)).length + (await chunksOf(d, topic, 4)).length;
    const later = stats();
    const third = await markReferences(d, [topic], { stats: later, cache: second.cache, markStart: markStart + 2, maxAgeMs: 60_000 });

    // Assess
    const onlyInChunks = [...spilledKeys].filter((k) => !inViews.has(k));
    expect(onlyInChunks.length).toBeGreaterThan(0);
    for (const key of spilledKeys) expect(first.marked.has(key)).toBe(true);
    expect(full).toMatchObject({ headsRead: PARTITIONS, chunksRead: chunksBefore, partitionsReadInFull: 2 });
    // No per-partition index chunk is asked for: a striped topic has none.
    expect(queries.filter((q) => String(q.ExpressionAttributeValues?.[':from']).startsWith(logKeys.indexChunkPrefix))).toEqual([]);
    expect(unchanged).toMatchObject({ chunksRead: 0, partitionsReadInFull: 0 });
    for (const key of onlyInChunks) expect(second.marked.has(key)).toBe(true);
    expect(chunksAfter).toBeGreaterThan(chunksBefore);
    expect(later).toMatchObject({ chunksRead: chunksAfter - chunksBefore, partitionsReadInFull: 0 });
    for (const key of await chunkKeys()) expect(third.marked.has(key)).toBe(true);
  });

  it("are removed with a deleted topic's other items by housekeeping", async () => {
    // Prepare
    const d = deps();
    const name = uniqueName('stripe-deleted');
    const topic = await createTopic(d, name, PARTITIONS);
    await produceRequests(d, name, 0, 50);
    const before = (await chunksOf(d, topic, 0)).length + (await chunksOf(d, topic, 4)).length;

    // Act
    await deleteTopic(d, name);
    await cleanDeletedTopics(d, await listTopics(d), 'stripe-spills-test', 10_000);

    // Assess
    expect(before).toBeGreaterThan(0);
    expect([...(await chunksOf(d, topic, 0)), ...(await chunksOf(d, topic, 4))]).toEqual([]);
  });
});
