/**
 * Idempotent producers on striped topics (decision 53): a producer's sequences are checked per
 * partition in the stripe write that assigns its offsets; a write whose condition fails is judged on
 * a read of the stripe as a partition head's append is (retries get their original offsets, an
 * older epoch is fenced, a gap waits then answers OUT_OF_ORDER_SEQUENCE_NUMBER).
 */
import { describe, expect, it } from 'vitest';
import { decodeRecordBatches } from '../../packages/protocol/src/records/record-batch.js';
import { fetchRecords, type FetchDeps } from '../../src/log/fetch.js';
import { LIMITS } from '../../src/log/limits.js';
import { produce, type ProduceDeps } from '../../src/log/produce.js';
import { initProducerId } from '../../src/log/producer-ids.js';
import { stripeChunks } from '../../src/log/store.js';
import { stripeSpillsSettled } from '../../src/log/stripe-spill.js';
import { createTopic, type Topic } from '../../src/log/topics.js';
import { logKeys } from '../../src/storage/keys.js';
import { useTestCluster, uniqueName } from '../helpers/cluster.js';
import { batchOf, values } from '../helpers/log.js';
import { stripedDeps, type StripedDeps } from '../helpers/stripes.js';

const env = useTestCluster();
/** Log deps with stripes of 4 above 4 partitions, and a registry of their own (another handler instance). */
const deps = (): StripedDeps => stripedDeps({ ...(env.cluster.deps! as ProduceDeps & FetchDeps), producerRegistry: undefined });

type Producer = { producerId: bigint; producerEpoch: number };
/** One request of `producer`: per partition its values and first sequence (undefined: a plain batch). */
const request = (topic: string, producer: Producer, batches: Array<[partition: number, values: string[], sequence?: number]>) => ({
  acks: -1 as const,
  timeoutMs: 30_000,
  topics: [
    {
      topic,
      partitions: batches.map(([partition, vs, baseSequence]) => ({ partition, records: batchOf(vs, baseSequence === undefined ? {} : { ...producer, baseSequence }) })),
    },
  ],
});
const answers = (result: Awaited<ReturnType<typeof produce>>) => result[0]!.partitions.map((p) => [p.partition, p.errorCode, p.baseOffset]);

async function read(d: FetchDeps, topic: string, partition: number): Promise<string[]> {
  const out: string[] = [];
  for (let offset = 0; ; ) {
    const [t] = await fetchRecords(d, { maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, topics: [{ topic, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 1 }] }] });
    const p = t!.partitions[0]!;
    const records = decodeRecordBatches(p.records).flatMap((b) => b.records.filter((r) => r.offset >= offset));
    if (records.length === 0) return out;
    out.push(...values(records));
    offset = records.at(-1)!.offset + 1;
  }
}

const stripeOf = async (d: StripedDeps, topic: Topic, first: number) =>
  (await d.dynamo.send(new (await import('@aws-sdk/lib-dynamodb')).GetCommand({ TableName: d.logTable, Key: logKeys.stripe(topic.topicId, first) }))).Item;

describe('idempotent producers on a striped topic', () => {
  it("takes a producer's requests over several stripes, and answers a retry with the original offsets, writing nothing twice", async () => {
    // Prepare: 10 partitions (stripes of 4, 4, 2) on a LogAppendTime topic, a registered producer
    const d = deps();
    const name = uniqueName('stripe-idem');
    const topic = await createTopic(d, name, 10, { 'message.timestamp.type': 'LogAppendTime' });
    const producer = await initProducerId(d);
    const first = await produce(d, request(name, producer, [[0, ['a0'], 0], [1, ['a1'], 0], [5, ['a5'], 0], [9, ['a9'], 0]]));
    const second = request(name, producer, [[0, ['b0', 'c0'], 1], [5, ['b5'], 1], [9, ['b9'], 1]]);

    // Act: the second request, then the same request again (a retry)
    const appended = await produce(d, second);
    const retried = await produce(d, second);

    // Assess
    expect(answers(first)).toEqual([[0, 'NONE', 0], [1, 'NONE', 0], [5, 'NONE', 0], [9, 'NONE', 0]]);
    expect(answers(appended)).toEqual([[0, 'NONE', 1], [5, 'NONE', 1], [9, 'NONE', 1]]);
    expect(answers(retried)).toEqual(answers(appended));
    // A duplicate is answered with its original's append time, as a partition head answers it.
    expect(retried[0]!.partitions.map((p) => p.logAppendTime)).toEqual(appended[0]!.partitions.map((p) => p.logAppendTime));
    expect(await read(d, name, 0)).toEqual(['a0', 'b0', 'c0']);
    expect(await read(d, name, 9)).toEqual(['a9', 'b9']);
    expect((await stripeOf(d, topic, 4))?.o).toEqual([0, 2, 0, 0]);
  });

  it('fences an older epoch on every partition of the stripe, even one the new epoch has not written', async () => {
    // Prepare: epoch 0 writes partitions 0 and 1; another instance bumps the epoch and writes partition 0
    const old = deps();
    const other = deps();
    const name = uniqueName('stripe-fence');
    await createTopic(old, name, 8);
    const producer = await initProducerId(old);
    await produce(old, request(name, producer, [[0, ['a0'], 0], [1, ['a1'], 0]]));
    const bumped = await initProducerId(other, producer);
    const restarted = await produce(other, request(name, bumped, [[0, ['n0'], 0]]));

    // Act: the old epoch (still current in its instance's registry cache) continues
    const fenced = await produce(old, request(name, producer, [[0, ['b0'], 1], [1, ['b1'], 1]]));

    // Assess
    expect(answers(restarted)).toEqual([[0, 'NONE', 1]]);
    expect(answers(fenced)).toEqual([[0, 'INVALID_PRODUCER_EPOCH', -1], [1, 'INVALID_PRODUCER_EPOCH', -1]]);
    expect(await read(old, name, 0)).toEqual(['a0', 'n0']);
    expect(await read(old, name, 1)).toEqual(['a1']);
  });

  it('answers a gap OUT_OF_ORDER_SEQUENCE_NUMBER after the bounded wait, writing nothing', async () => {
    // Prepare
    const d = deps();
    const name = uniqueName('stripe-gap');
    const topic = await createTopic(d, name, 8);
    const producer = await initProducerId(d);
    await produce(d, request(name, producer, [[2, ['a'], 0]]));

    // Act: sequence 5 where 1 is next
    const gap = await produce(d, request(name, producer, [[2, ['x'], 5]]));

    // Assess
    expect(answers(gap)).toEqual([[2, 'OUT_OF_ORDER_SEQUENCE_NUMBER', -1]]);
    expect((await stripeOf(d, topic, 0))?.o).toEqual([0, 0, 1, 0]);
    expect(await read(d, name, 2)).toEqual(['a']);
  });

  it("starts an inline producer's new partition at sequence 0 in one write, with no read", async () => {
    // Prepare: the producer is inline in stripe 0 (partition 0)
    const d = deps();
    const name = uniqueName('stripe-new-partition');
    const topic = await createTopic(d, name, 8);
    const producer = await initProducerId(d);
    await produce(d, request(name, producer, [[0, ['a0'], 0]]));
    d.gets.splice(0);
    d.updates.splice(0);

    // Act
    const answer = await produce(d, request(name, producer, [[3, ['a3'], 0], [0, ['b0'], 1]]));

    // Assess
    expect(answers(answer)).toEqual([[3, 'NONE', 0], [0, 'NONE', 1]]);
    expect(d.gets.filter((k) => k.endsWith('/stripe'))).toEqual([]);
    expect(d.updates).toEqual([`${logKeys.partitionPk(topic.topicId, 0)}/stripe`]);
  });

  it(`keeps at most ${LIMITS.stripeInlineProducers} producers inline per stripe and refuses another there, clearly`, async () => {
    // Prepare: as many producers as a stripe keeps, on stripe 0
    const d = deps();
    const name = uniqueName('stripe-bound');
    const topic = await createTopic(d, name, 8);
    const producers = await Promise.all(Array.from({ length: LIMITS.stripeInlineProducers + 1 }, () => initProducerId(d)));
    const inline = producers.slice(0, -1);
    const extra = producers.at(-1)!;
    for (const [i, p] of inline.entries()) await produce(d, request(name, p, [[i % 4, [`p${i}`], 0]]));

    // Act: one more producer on stripe 0, and on stripe 1; the inline ones continue
    const refused = await produce(d, request(name, extra, [[0, ['x0'], 0]]));
    const elsewhere = await produce(d, request(name, extra, [[4, ['x4'], 0]]));
    const continued = await Promise.all(inline.map((p, i) => produce(d, request(name, p, [[i % 4, [`q${i}`], 1]]))));

    // Assess
    expect(answers(refused)).toEqual([[0, 'POLICY_VIOLATION', -1]]);
    expect(answers(elsewhere)).toEqual([[4, 'NONE', 0]]);
    expect(continued.map((c) => c[0]!.partitions[0]!.errorCode)).toEqual(inline.map(() => 'NONE'));
    expect(Object.keys((await stripeOf(d, topic, 0))?.P ?? {})).toHaveLength(LIMITS.stripeInlineProducers);
    expect(await read(d, name, 0)).toEqual(['p0', 'q0']);
  });

  it('makes room on a full stripe by dropping an expired producer, the least recently active', async () => {
    // Prepare: a full stripe 0; a clock that then moves past the first producer's expiry only
    const d = deps();
    let clock = Date.now();
    Object.assign(d, { now: () => clock, producerIdExpirationMs: 60_000 });
    const name = uniqueName('stripe-expired');
    const topic = await createTopic(d, name, 8);
    const producers = await Promise.all(Array.from({ length: LIMITS.stripeInlineProducers + 1 }, () => initProducerId(d)));
    for (const [i, p] of producers.slice(0, -1).entries()) {
      await produce(d, request(name, p, [[i % 4, [`p${i}`], 0]]));
      clock += i === 0 ? 30_000 : 1;
    }
    clock += 30_001;

    // Act
    const admitted = await produce(d, request(name, producers.at(-1)!, [[0, ['x0'], 0]]));

    // Assess
    expect(answers(admitted)).toEqual([[0, 'NONE', 1]]);
    const inline = Object.keys((await stripeOf(d, topic, 0))?.P ?? {});
    expect(inline.sort()).toEqual(producers.slice(1).map((p) => p.producerId.toString()).sort());
  });

  it('reads plain and idempotent entries back in order, spilled to stripe chunks or not, and a retry after spills is a duplicate', async () => {
    // Prepare: a producer and plain batches interleaved on one stripe, enough to spill several times
    const d = deps();
    const name = uniqueName('stripe-mixed');
    const topic = await createTopic(d, name, 6);
    const producer = await initProducerId(d);
    const model: string[][] = Array.from({ length: 6 }, () => []);
    const REQUESTS = 80;
    let last: ReturnType<typeof request> | undefined;
    let lastAnswer: Awaited<ReturnType<typeof produce>> | undefined;

    // Act: odd requests idempotent (partitions 0, 1 and 5), even ones plain (partitions 1, 2, 3)
    for (let r = 0; r < REQUESTS; r++) {
      const idem = r % 2 === 1;
      const batches: Array<[number, string[], number?]> = idem
        ? [[0, [`i0-${r}`], (r - 1) / 2], [1, [`i1-${r}`, `j1-${r}`], r - 1], [5, [`i5-${r}`], (r - 1) / 2]]
        : [[1, [`p1-${r}`]], [2, [`p2-${r}`]], [3, [`p3-${r}`]]];
      last = request(name, producer, batches);
      lastAnswer = await produce(d, last);
      expect(lastAnswer[0]!.partitions.every((p) => p.errorCode === 'NONE')).toBe(true);
      for (const [p, vs] of batches) model[p]!.push(...vs);
    }
    await stripeSpillsSettled();
    const retry = await produce(d, last!);
    const chunks = [];
    for await (const chunk of stripeChunks(d, topic.topicId, 0, 0)) chunks.push(chunk);

    // Assess
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.some((c) => c.entries.some((e) => e.p !== undefined)) && chunks.some((c) => c.entries.some((e) => e.p === undefined))).toBe(true);
    for (const p of [0, 1, 2, 3, 5]) expect(await read(d, name, p)).toEqual(model[p]);
    expect(answers(retry)).toEqual(answers(lastAnswer!));
    expect(await read(d, name, 1)).toEqual(model[1]);
  });
});
