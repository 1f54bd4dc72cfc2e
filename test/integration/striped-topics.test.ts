/**
 * Striped topics on the stand-ins (decision 52): created with more partitions than `stripes.above`,
 * a topic keeps its heads in stripe items of `stripes.width` partitions. A produce request costs one
 * head write per stripe it touches, and every reader sees each partition as before.
 */
import { describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { decodeRecordBatches } from '../../packages/protocol/src/records/record-batch.js';
import { fetchRecords, type FetchDeps } from '../../src/log/fetch.js';
import { deleteRecords } from '../../src/log/delete-records.js';
import { listOffset, LATEST } from '../../src/log/list-offsets.js';
import { produce, type ProduceDeps } from '../../src/log/produce.js';
import { addPartitions, createTopic, deleteTopic, describePartitions, getTopic } from '../../src/log/topics.js';
import { logKeys } from '../../src/storage/keys.js';
import { useTestCluster, uniqueName } from '../helpers/cluster.js';
import { batchOf, values } from '../helpers/log.js';
import { stripedDeps as stripedOn, stripeRequest } from '../helpers/stripes.js';

const env = useTestCluster();
/** The cluster's log deps with stripes of 4 for topics of more than 4 partitions. */
const stripedDeps = () => stripedOn(env.cluster.deps! as ProduceDeps & FetchDeps);

async function read(deps: FetchDeps, topic: string, partition: number, fetchOffset = 0) {
  const [t] = await fetchRecords(deps, { maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, topics: [{ topic, partitions: [{ partition, fetchOffset, partitionMaxBytes: 1 << 20 }] }] });
  const p = t!.partitions[0]!;
  return { ...p, values: values(decodeRecordBatches(p.records).flatMap((b) => b.records.filter((r) => r.offset >= fetchOffset))) };
}

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
    expect(answer[0]!.partitions.map((p) => [p.partition, p.errorCode, p.baseOffset])).toEqual([
      [5, 'NONE', 2],
      [7, 'NONE', 0],
      [10, 'NONE', 0],
    ]);
    expect((await read(deps, name, 5)).values).toEqual(['x', 'y', 'z']);
  });

  it('moves a partition log start with DeleteRecords, refuses idempotent batches, and is deleted with its stripes', async () => {
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
    expect(idempotent[0]!.partitions[0]!.errorCode).toBe('UNSUPPORTED_FOR_MESSAGE_FORMAT');
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
});
