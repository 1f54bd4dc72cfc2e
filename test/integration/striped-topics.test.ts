/**
 * Striped topics on the stand-ins (decision 52): created with more partitions than `stripes.above`,
 * a topic keeps its heads in stripe items of `stripes.width` partitions. A produce request costs one
 * head write per stripe it touches, and every reader sees each partition as before.
 */
import { describe, expect, it } from 'vitest';
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { decodeRecordBatches } from '../../packages/protocol/src/records/record-batch.js';
import { fetchRecords, type FetchDeps } from '../../src/log/fetch.js';
import { deleteRecords } from '../../src/log/delete-records.js';
import { listOffset, LATEST } from '../../src/log/list-offsets.js';
import { produce, type ProduceDeps } from '../../src/log/produce.js';
import { emptyHead } from '../../src/log/partition-head.js';
import { putMissingHeads, setTopicPartitions } from '../../src/log/store.js';
import { addPartitions, createTopic, deleteTopic, describePartitions, getTopic, type Topic } from '../../src/log/topics.js';
import { logKeys } from '../../src/storage/keys.js';
import { Admin } from '../../packages/client/src/admin.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { produceRaw } from '../../packages/client/src/log-client.js';
import { startTestCluster, useTestCluster, uniqueName } from '../helpers/cluster.js';
import { batchOf, readPartition, values } from '../helpers/log.js';
import { stripedDeps as stripedOn, stripeRequest } from '../helpers/stripes.js';

const env = useTestCluster();
/** The cluster's log deps with stripes of 4 for topics of more than 4 partitions. */
const stripedDeps = () => stripedOn(env.cluster.deps! as ProduceDeps & FetchDeps);

async function read(deps: FetchDeps, topic: string, partition: number, fetchOffset = 0) {
  const [t] = await fetchRecords(deps, { maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, topics: [{ topic, partitions: [{ partition, fetchOffset, partitionMaxBytes: 1 << 20 }] }] });
  const p = t!.partitions[0]!;
  return { ...p, values: values(decodeRecordBatches(p.records).flatMap((b) => b.records.filter((r) => r.offset >= fetchOffset))) };
}

/** Each partition's answer to a produce to one topic: partition, error code, base offset. */
const offsetsOf = (answer: Awaited<ReturnType<typeof produce>>) => answer[0]!.partitions.map((p) => [p.partition, p.errorCode, p.baseOffset]);

const item = async (deps: ProduceDeps, key: { pk: string; sk: string }) => (await deps.dynamo.send(new GetCommand({ TableName: deps.logTable, Key: key }))).Item;

describe('a striped topic', () => {
  it('is created as stripe items, takes a request in one write per stripe, and reads back per partition', async () => {
    // Prepare: 10 partitions in stripes of 4, 4 and 2
    const deps = stripedDeps();
    const name = uniqueName('striped');
    const topic = await createTopic(deps, name, 10);

    // Act: every partition, then two of them (one in the first stripe, one in the last)
    const first = await produce(deps, stripeRequest(name, Array.from({ length: 10 }, (_, p) => [p, [`a${p}`, `b${p}`]])));
    const writesOfFirst = deps.updates.splice(0);
    const second = await produce(deps, stripeRequest(name, [[9, ['c9']], [1, ['c1']]]));

    // Assess
    expect(topic.stripeWidth).toBe(4);
    expect((await getTopic(deps, name))?.stripeWidth).toBe(4);
    expect(await item(deps, logKeys.head(topic.topicId, 0))).toBeUndefined();
    expect((await item(deps, logKeys.stripe(topic.topicId, 8)))?.o).toEqual([2, 3]);
    expect(writesOfFirst.sort()).toEqual([0, 4, 8].map((first) => `${logKeys.partitionPk(topic.topicId, first)}/stripe`));
    expect(first[0]!.partitions.map((p) => [p.errorCode, p.baseOffset, p.logStartOffset])).toEqual(new Array(10).fill(['NONE', 0, 0]));
    expect(second[0]!.partitions.map((p) => [p.partition, p.baseOffset])).toEqual([
      [9, 2],
      [1, 2],
    ]);
    expect((await read(deps, name, 1)).values).toEqual(['a1', 'b1', 'c1']);
    expect((await read(deps, name, 9, 1)).values).toEqual(['b9', 'c9']);
    expect((await read(deps, name, 4)).values).toEqual(['a4', 'b4']);
    expect((await listOffset(deps, name, 1, LATEST)).offset).toBe(3);
    expect((await describePartitions(deps, topic)).map((p) => p.highWatermark)).toEqual([2, 3, 2, 2, 2, 2, 2, 2, 2, 3]);
  });

  it('answers a fetch waiting at the high watermark with a batch produced during the wait', async () => {
    // Prepare: partition 6 holds one record; a fetch waits at offset 1
    const deps = stripedDeps();
    const name = uniqueName('striped-wait');
    await createTopic(deps, name, 8);
    await produce(deps, stripeRequest(name, [[6, ['a']]]));
    const waiting = fetchRecords(deps, { maxWaitMs: 10_000, minBytes: 1, maxBytes: 1 << 20, topics: [{ topic: name, partitions: [{ partition: 6, fetchOffset: 1, partitionMaxBytes: 1 << 20 }] }] });

    // Act
    await produce(deps, stripeRequest(name, [[7, ['x']], [6, ['b']]]));
    const answer = (await waiting)[0]!.partitions[0]!;

    // Assess
    expect([answer.errorCode, answer.highWatermark]).toEqual(['NONE', 2]);
    expect(values(decodeRecordBatches(answer.records).flatMap((b) => b.records))).toEqual(['b']);
  });

  it('reads a stripe once per round of a fetch of several of its partitions', async () => {
    // Prepare: records on the four partitions of the first stripe
    const deps = stripedDeps();
    const name = uniqueName('striped-fetch-reads');
    const topic = await createTopic(deps, name, 8);
    await produce(deps, stripeRequest(name, [0, 1, 2, 3].map((p) => [p, [`v${p}`]])));
    deps.gets.splice(0);

    // Act: no wait, so one round of head reads, then the log starts of the partitions served
    const [answer] = await fetchRecords(deps, {
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      topics: [{ topic: name, partitions: [0, 1, 2, 3].map((partition) => ({ partition, fetchOffset: 0, partitionMaxBytes: 1 << 20 })) }],
    });

    // Assess: one eventually consistent read of the stripe and one strong, not one of each per partition
    expect(answer!.partitions.map((p) => values(decodeRecordBatches(p.records).flatMap((b) => b.records)))).toEqual([['v0'], ['v1'], ['v2'], ['v3']]);
    expect(deps.gets.filter((key) => key.endsWith('/stripe'))).toEqual(new Array(2).fill(`${logKeys.partitionPk(topic.topicId, 0)}/stripe`));
  });

  it('grows its last stripe and adds stripes when partitions are added, keeping the counters it had', async () => {
    // Prepare: 6 partitions (stripes of 4 and 2), records on partition 5
    const deps = stripedDeps();
    const name = uniqueName('striped-grow');
    await createTopic(deps, name, 6);
    await produce(deps, stripeRequest(name, [[5, ['x', 'y']]]));

    // Act: to 11 partitions: the second stripe grows to 4, a third holds 8-10
    const grown = await addPartitions(deps, name, 11);
    const answer = await produce(deps, stripeRequest(name, [[5, ['z']], [7, ['p']], [10, ['q']]]));

    // Assess
    expect(grown.partitions).toBe(11);
    expect((await item(deps, logKeys.stripe(grown.topicId, 4)))?.o).toEqual([0, 3, 0, 1]);
    expect((await item(deps, logKeys.stripe(grown.topicId, 8)))?.o).toEqual([0, 0, 1]);
    expect(offsetsOf(answer)).toEqual([
      [5, 'NONE', 2],
      [7, 'NONE', 0],
      [10, 'NONE', 0],
    ]);
    expect((await read(deps, name, 5)).values).toEqual(['x', 'y', 'z']);
  });

  it('moves a partition log start with DeleteRecords, refuses a producer id the cluster never issued, and is deleted with its stripes', async () => {
    // Prepare
    const deps = stripedDeps();
    const name = uniqueName('striped-delete');
    const topic = await createTopic(deps, name, 5);
    await produce(deps, stripeRequest(name, [[1, ['a', 'b', 'c']], [2, ['d']]]));

    // Act
    const low = await deleteRecords(deps, topic, 1, 2);
    const fromZero = await read(deps, name, 1);
    const fromTwo = await read(deps, name, 1, 2);
    const starts = (await item(deps, logKeys.stripe(topic.topicId, 0)))?.l;
    deps.updates.splice(0);
    const idempotent = await produce(deps, { ...stripeRequest(name, []), topics: [{ topic: name, partitions: [{ partition: 2, records: batchOf(['e'], { producerId: 1n, producerEpoch: 0, baseSequence: 0 }) }] }] });
    const updatesOfIdempotent = deps.updates.splice(0);
    await deleteTopic(deps, name);

    // Assess
    expect(low.lowWatermark).toBe(2);
    expect(fromZero.errorCode).toBe('OFFSET_OUT_OF_RANGE');
    expect([fromTwo.logStartOffset, fromTwo.values]).toEqual([2, ['c']]);
    expect(starts).toEqual([0, 2, 0, 0]);
    expect((await read(deps, name, 1)).errorCode).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(idempotent[0]!.partitions[0]!.errorCode).toBe('UNKNOWN_PRODUCER_ID');
    expect(updatesOfIdempotent).toEqual([]);
    expect(await item(deps, logKeys.stripe(topic.topicId, 0))).toBeUndefined();
    expect(await item(deps, logKeys.stripe(topic.topicId, 4))).toBeUndefined();
  });

  it('keeps one head per partition for a topic of no more partitions than stripes.above', async () => {
    // Prepare
    const deps = stripedDeps();
    const name = uniqueName('not-striped');

    // Act
    const topic = await createTopic(deps, name, 4);
    await produce(deps, stripeRequest(name, [[0, ['a']], [3, ['b']]]));

    // Assess
    expect(topic.stripeWidth).toBeUndefined();
    expect(await item(deps, logKeys.stripe(topic.topicId, 0))).toBeUndefined();
    expect(deps.updates.sort()).toEqual([0, 3].map((p) => `${logKeys.partitionPk(topic.topicId, p)}/head`));
  });

  it('completes stripes an earlier add left narrower (crashed, or lost the race to another count)', async () => {
    // Prepare: 5 partitions (stripes of 4 and 1); an add to 6 and one to 9 wrote their stripes but not the count
    const deps = stripedDeps();
    const name = uniqueName('striped-regrow');
    const topic = await createTopic(deps, name, 5);
    await putMissingHeads(deps, topic, 5, 6, emptyHead);
    await putMissingHeads(deps, topic, 5, 9, emptyHead);

    // Act: the add that wins asks for 11
    const grown = await addPartitions(deps, name, 11);
    const answer = await produce(deps, stripeRequest(name, [[6, ['a']], [10, ['b']]]));

    // Assess: the second stripe is whole and the third holds 8-10, so both partitions take records
    expect(grown.partitions).toBe(11);
    expect((await item(deps, logKeys.stripe(topic.topicId, 4)))?.o).toEqual([0, 0, 1, 0]);
    expect((await item(deps, logKeys.stripe(topic.topicId, 8)))?.o).toEqual([0, 0, 1]);
    expect(offsetsOf(answer)).toEqual([
      [6, 'NONE', 0],
      [10, 'NONE', 0],
    ]);
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for partitions of a stripe gone or not grown yet, and commits the others', async () => {
    // Prepare: 9 partitions (stripes of 4, 4 and 1); a count of 10 written before the last stripe grew
    // (as a handler holding the newer topic sees it), and the middle stripe deleted under the topic
    const deps = stripedDeps();
    const gone: Topic[] = [];
    deps.topicGone = (t) => gone.push(t);
    const name = uniqueName('striped-short');
    const topic = await createTopic(deps, name, 9);
    await setTopicPartitions(deps, name, topic.topicId, 9, 10);
    await deps.dynamo.send(new DeleteCommand({ TableName: deps.logTable, Key: logKeys.stripe(topic.topicId, 4) }));

    // Act
    const answer = await produce(deps, stripeRequest(name, [[9, ['a']], [5, ['b']], [0, ['c']]]));

    // Assess
    expect(offsetsOf(answer)).toEqual([
      [9, 'UNKNOWN_TOPIC_OR_PARTITION', -1],
      [5, 'UNKNOWN_TOPIC_OR_PARTITION', -1],
      [0, 'NONE', 0],
    ]);
    expect(gone.map((t) => t.topicId)).toEqual([topic.topicId, topic.topicId]);
    expect((await item(deps, logKeys.stripe(topic.topicId, 8)))?.o).toEqual([0]);
  });

  it('writes a stripe once for a topic named twice in one request, beside a topic of one head per partition', async () => {
    // Prepare
    const deps = stripedDeps();
    const [name, plainName] = [uniqueName('striped-twice'), uniqueName('plain-beside')];
    const topic = await createTopic(deps, name, 5);
    const plain = await createTopic(deps, plainName, 2);
    const mixed = { ...stripeRequest(name, []), topics: [stripeRequest(name, [[0, ['a']]]), stripeRequest(plainName, [[1, ['p']]]), stripeRequest(name, [[1, ['b']]])].flatMap((r) => r.topics) };

    // Act
    const answer = await produce(deps, mixed);

    // Assess
    expect(answer.map((t) => [t.topic, t.partitions.map((p) => [p.partition, p.errorCode, p.baseOffset])])).toEqual([
      [name, [[0, 'NONE', 0]]],
      [plainName, [[1, 'NONE', 0]]],
      [name, [[1, 'NONE', 0]]],
    ]);
    expect(deps.updates.sort()).toEqual([`${logKeys.partitionPk(plain.topicId, 1)}/head`, `${logKeys.partitionPk(topic.topicId, 0)}/stripe`].sort());
    expect((await read(deps, name, 1)).values).toEqual(['b']);
  });

  it('is what a cluster configured with stripedTopicsAbove (FLOE_STRIPED_TOPICS_ABOVE) creates through its HTTP admin, written and read back over HTTP', async () => {
    // Prepare: a second cluster on the same storage, striping topics of more than 2 partitions
    const cluster = await startTestCluster({ config: { stripedTopicsAbove: 2 } });
    const http = new FloeHttpClient(cluster.url);
    const name = uniqueName('striped-config');

    try {
      // Act
      const { topicId } = await Admin.fromClient(http).createTopic(name, 3);
      const [answer] = await produceRaw(http, stripeRequest(name, [[0, ['a']], [2, ['b', 'c']]]));
      const read = values(await readPartition(http, name, 2));

      // Assess
      expect(answer!.partitions.map((p) => [p.errorCode, p.baseOffset])).toEqual([
        ['NONE', 0],
        ['NONE', 0],
      ]);
      expect((await item(cluster.deps!, logKeys.stripe(topicId, 0)))?.o).toEqual([1, 0, 2]);
      expect(read).toEqual(['b', 'c']);
    } finally {
      await cluster.close();
    }
  });
});
