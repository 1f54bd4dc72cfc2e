import { describe, expect, it } from 'vitest';
import { fetchRaw, produceRaw } from '../../packages/client/src/log-client.js';
import { LIMITS } from '../../src/log/limits.js';
import { produce } from '../../src/log/produce.js';
import { fetchRecords } from '../../src/log/fetch.js';
import { readHead } from '../../src/log/append.js';
import { createHandlerDeps } from '../../src/handlers/deps.js';
import { decodeRecordBatches, encodeRecordBatch } from '../../packages/protocol/src/records/record-batch.js';
import { useTestCluster, uniqueName } from '../helpers/cluster.js';
import { batchOf, produceValues, readPartition, values } from '../helpers/log.js';
import { sleep } from '../../packages/protocol/src/async.js';

const env = useTestCluster();

describe('produce and fetch', () => {
  it('one request with batches for several partitions writes one segment object and dense offsets per partition', async () => {
    // Prepare
    const topic = uniqueName('multi');
    await env.admin.createTopic(topic, 3);
    const putsBefore = env.cluster.deps!.s3.stats.puts;

    // Act
    const first = await produceRaw(env.http, {
      acks: -1,
      timeoutMs: 10_000,
      topics: [{ topic, partitions: [0, 1, 2].map((p) => ({ partition: p, records: batchOf([`a${p}`, `b${p}`]) })) }],
    });
    const second = await produceRaw(env.http, {
      acks: -1,
      timeoutMs: 10_000,
      topics: [{ topic, partitions: [0, 2].map((p) => ({ partition: p, records: batchOf([`c${p}`]) })) }],
    });

    // Assess
    expect(env.cluster.deps!.s3.stats.puts - putsBefore).toBe(2);
    expect(first[0]?.partitions.map((p) => [p.partition, p.errorCode, p.baseOffset, p.logStartOffset])).toEqual([
      [0, 'NONE', 0, 0],
      [1, 'NONE', 0, 0],
      [2, 'NONE', 0, 0],
    ]);
    expect(second[0]?.partitions.map((p) => [p.partition, p.baseOffset])).toEqual([
      [0, 2],
      [2, 2],
    ]);
    expect(values(await readPartition(env.http, topic, 0))).toEqual(['a0', 'b0', 'c0']);
    expect(values(await readPartition(env.http, topic, 1))).toEqual(['a1', 'b1']);
    const p2 = await readPartition(env.http, topic, 2);
    expect(p2.map((r) => r.offset)).toEqual([0, 1, 2]);
  });

  it('takes one batch per partition per request: a partition named again, in the same topic entry or in a second entry of the topic, is INVALID_REQUEST and not written', async () => {
    // Prepare
    const topic = uniqueName('dup');
    await env.admin.createTopic(topic, 2);

    // Act
    const results = await produceRaw(env.http, {
      acks: -1,
      timeoutMs: 10_000,
      topics: [
        { topic, partitions: [{ partition: 0, records: batchOf(['first']) }, { partition: 0, records: batchOf(['same entry']) }] },
        { topic, partitions: [{ partition: 0, records: batchOf(['second entry']) }, { partition: 1, records: batchOf(['other']) }] },
      ],
    });

    // Assess
    expect(results.map((t) => t.partitions.map((p) => [p.partition, p.errorCode]))).toEqual([
      [[0, 'NONE'], [0, 'INVALID_REQUEST']],
      [[0, 'INVALID_REQUEST'], [1, 'NONE']],
    ]);
    expect(values(await readPartition(env.http, topic, 0))).toEqual(['first']);
    expect(values(await readPartition(env.http, topic, 1))).toEqual(['other']);
  });

  it('reads every batch back after the head spilled locations into index items, from any offset', async () => {
    // Prepare: more batches than the head keeps inline
    const topic = uniqueName('spill');
    await env.admin.createTopic(topic, 1);
    const batches = LIMITS.headInlineBatches * 3 + 1;
    for (let i = 0; i < batches; i++) await produceValues(env.http, topic, 0, [`${i}-x`, `${i}-y`]);

    // Act
    const all = await readPartition(env.http, topic, 0, 0, 1);
    const fromMiddle = await readPartition(env.http, topic, 0, 13, 1);

    // Assess
    expect(all.map((r) => r.offset)).toEqual(Array.from({ length: batches * 2 }, (_, i) => i));
    expect(values(all).slice(0, 3)).toEqual(['0-x', '0-y', '1-x']);
    expect(values(all)).toEqual(Array.from({ length: batches }, (_, i) => [`${i}-x`, `${i}-y`]).flat());
    expect(fromMiddle[0]?.offset).toBe(13);
    expect(fromMiddle).toHaveLength(batches * 2 - 13);
  });

  it('returns at least one whole batch even when it exceeds max.partition.fetch.bytes, and honours the limits otherwise', async () => {
    // Prepare
    const topic = uniqueName('limits');
    await env.admin.createTopic(topic, 2);
    const big = 'x'.repeat(2000);
    for (let i = 0; i < 5; i++) await produceValues(env.http, topic, 0, [big]);
    await produceValues(env.http, topic, 1, [big]);

    // Act
    const [tiny] = await fetchRaw(env.http, {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1_000_000,
      topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 10 }] }],
    });
    const [bounded] = await fetchRaw(env.http, {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 5000,
      topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1_000_000 }, { partition: 1, fetchOffset: 0, partitionMaxBytes: 1_000_000 }] }],
    });

    // Assess
    expect(decodeRecordBatches(tiny!.partitions[0]!.records)).toHaveLength(1);
    const p0 = decodeRecordBatches(bounded!.partitions[0]!.records);
    expect(p0.length).toBeGreaterThanOrEqual(1);
    expect(p0.length).toBeLessThan(5);
    const total = bounded!.partitions.reduce((sum, p) => sum + p.records.length, 0);
    expect(total).toBeLessThanOrEqual(5000);
  });

  it('waits for fetch.min.bytes up to the capped max wait, and answers as soon as data arrives', async () => {
    // Prepare
    const topic = uniqueName('wait');
    await env.admin.createTopic(topic, 1);
    const request = (maxWaitMs: number) => ({
      maxWaitMs,
      minBytes: 1,
      maxBytes: 1_000_000,
      topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1_000_000 }] }],
    });

    // Act: nothing to read -> the server waits (capped), then answers empty
    const started = Date.now();
    const [empty] = await fetchRaw(env.http, request(60_000));
    const waited = Date.now() - started;
    const shortStart = Date.now();
    await fetchRaw(env.http, request(150)); // less than two head polls: still waited out in full
    const waitedShort = Date.now() - shortStart;
    // Act: data produced while the fetch waits
    const pending = fetchRaw(env.http, request(60_000));
    await sleep(150);
    await produceValues(env.http, topic, 0, ['late']);
    const [late] = await pending;

    // Assess
    expect(empty!.partitions[0]!.records.length).toBe(0);
    expect(waited).toBeGreaterThanOrEqual(LIMITS.maxFetchWaitMs);
    expect(waitedShort).toBeGreaterThanOrEqual(150);
    expect(waited).toBeLessThan(LIMITS.maxFetchWaitMs + 5_000);
    expect(values(decodeRecordBatches(late!.partitions[0]!.records).flatMap((b) => b.records))).toEqual(['late']);
  });

  it('answers OFFSET_OUT_OF_RANGE past the high watermark and keeps the partition usable', async () => {
    // Prepare
    const topic = uniqueName('oor');
    await env.admin.createTopic(topic, 1);
    await produceValues(env.http, topic, 0, ['a', 'b']);

    // Act
    const [past] = await fetchRaw(env.http, {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1000,
      topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 3, partitionMaxBytes: 1000 }] }],
    });
    const [atEnd] = await fetchRaw(env.http, {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1000,
      topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 2, partitionMaxBytes: 1000 }] }],
    });

    // Assess
    expect(past!.partitions[0]).toMatchObject({ errorCode: 'OFFSET_OUT_OF_RANGE', highWatermark: 2, logStartOffset: 0 });
    expect(atEnd!.partitions[0]).toMatchObject({ errorCode: 'NONE', highWatermark: 2 });
    expect(atEnd!.partitions[0]!.records.length).toBe(0);
    expect((await produceValues(env.http, topic, 0, ['c'])).baseOffset).toBe(2);
  });

  it('lists offsets: earliest, latest and the first offset at or after a timestamp', async () => {
    // Prepare
    const topic = uniqueName('times');
    await env.admin.createTopic(topic, 1);
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 3; i++) {
      const records = [0, 1].map((j) => ({ key: null, value: Buffer.from(`${i}${j}`), timestamp: t0 + i * 1000 + j * 100 }));
      await produceRaw(env.http, { acks: -1, timeoutMs: 10_000, topics: [{ topic, partitions: [{ partition: 0, records: encodeRecordBatch({ records }) }] }] });
    }

    // Act
    const [earliest] = await env.admin.listOffsets(topic, [0], 'earliest');
    const [latest] = await env.admin.listOffsets(topic, [0], 'latest');
    const [mid] = await env.admin.listOffsets(topic, [0], t0 + 1050);
    const [after] = await env.admin.listOffsets(topic, [0], new Date(t0 + 10_000));

    // Assess
    expect(earliest?.offset).toBe(0);
    expect(latest?.offset).toBe(6);
    expect(mid).toMatchObject({ offset: 3, timestamp: t0 + 1100 });
    expect(after?.offset).toBe(-1);
  });

  it('a partition whose object cannot be read fails alone: the other partitions of the fetch get their records', async () => {
    // Prepare: partitions 0 and 1 in objects of their own; partition 0's object then lost
    const topic = uniqueName('lost-object');
    const { topicId } = await env.admin.createTopic(topic, 2);
    await produceValues(env.http, topic, 0, ['p0']);
    await produceValues(env.http, topic, 1, ['p1']);
    const lost = (await readHead(env.cluster.deps!, { topicId }, 0))!.recent[0]!.k;
    await env.cluster.deps!.s3.delete(lost);
    const instance = createHandlerDeps(env.cluster.config); // a cold instance: nothing cached

    // Act
    const [result] = await fetchRecords(instance, {
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      topics: [{ topic, partitions: [0, 1].map((partition) => ({ partition, fetchOffset: 0, partitionMaxBytes: 1 << 20 })) }],
    });

    // Assess
    expect(result?.partitions[0]).toMatchObject({ errorCode: 'UNKNOWN_SERVER_ERROR', highWatermark: 1 });
    expect(result?.partitions[1]?.errorCode).toBe('NONE');
    expect(decodeRecordBatches(result!.partitions[1]!.records!).flatMap((b) => b.records.map((r) => r.value?.toString()))).toEqual(['p1']);
    instance.clients.dynamo.destroy();
    instance.clients.s3.destroy();
  });

  it('refuses, retriable, to commit a batch whose segment object was named longer ago than maxCommitAgeMs (the sweep may have deleted it), and a retry commits', async () => {
    // Prepare: a clock that jumps past the bound between the object's PUT and the head writes
    const topic = uniqueName('stale-commit');
    await env.admin.createTopic(topic, 2);
    const deps = env.cluster.deps!;
    let clock = Date.now();
    const request = { acks: -1, timeoutMs: 10_000, topics: [{ topic, partitions: [{ partition: 0, records: batchOf(['late']) }, { partition: 1, records: batchOf(['late too']) }] }] };

    // Act
    const [stalled] = await produce({ ...deps, now: () => clock, afterSegmentWrite: () => void (clock += LIMITS.maxCommitAgeMs + 1) }, request);
    const [retried] = await produce({ ...deps, now: () => clock }, request);

    // Assess
    expect(stalled?.partitions.map((p) => p.errorCode)).toEqual(['REQUEST_TIMED_OUT', 'REQUEST_TIMED_OUT']);
    expect(retried?.partitions.map((p) => [p.errorCode, p.baseOffset])).toEqual([['NONE', 0], ['NONE', 0]]);
    expect(values(await readPartition(env.http, topic, 0))).toEqual(['late']);
  });
});

describe('idempotent producer bookkeeping', () => {
  const issue = async (body: Record<string, unknown> = {}) => {
    const issued = await env.http.callJson<{ producerId: string; producerEpoch: number }>('produce', 'POST', '/v1/producer-ids', body);
    return { producerId: BigInt(issued.producerId), producerEpoch: issued.producerEpoch };
  };

  it('returns the original offsets for a retried batch, rejects gaps and fences older epochs', async () => {
    // Prepare
    const topic = uniqueName('idem');
    await env.admin.createTopic(topic, 1);
    const { producerId } = await issue();
    const send = (baseSequence: number, vals: string[], producerEpoch = 0) =>
      produceValues(env.http, topic, 0, vals, { producerId, producerEpoch, baseSequence });

    // Act
    const first = await send(0, ['a', 'b']);
    const second = await send(2, ['c']);
    const retryOfFirst = await send(0, ['a', 'b']);
    const gap = await send(5, ['x']);
    const bump = await issue({ producerId: producerId.toString(), producerEpoch: 0 });
    const bumped = await send(0, ['d'], 1);
    const zombie = await send(3, ['z'], 0);

    // Assess
    expect([first.baseOffset, second.baseOffset]).toEqual([0, 2]);
    expect(retryOfFirst).toMatchObject({ errorCode: 'NONE', baseOffset: 0 });
    expect(gap.errorCode).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect(bump).toEqual({ producerId, producerEpoch: 1 });
    expect(bumped).toMatchObject({ errorCode: 'NONE', baseOffset: 3 });
    expect(zombie.errorCode).toBe('INVALID_PRODUCER_EPOCH');
    expect(values(await readPartition(env.http, topic, 0))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('answers a retry of any of the last 5 batches with its original offsets after its location was spilled; older ones are DUPLICATE_SEQUENCE_NUMBER', async () => {
    // Prepare
    const topic = uniqueName('idem-spill');
    await env.admin.createTopic(topic, 1);
    const { producerId } = await issue();
    const batches = LIMITS.headInlineBatches + LIMITS.spillChunkBatches + 1;
    for (let seq = 0; seq < batches; seq++) {
      await produceValues(env.http, topic, 0, [`v${seq}`], { producerId, producerEpoch: 0, baseSequence: seq });
    }

    // Act: retry every batch, the oldest first; their locations left the head long ago
    const retries = [];
    for (let seq = 0; seq < batches; seq++) retries.push(await produceValues(env.http, topic, 0, [`v${seq}`], { producerId, producerEpoch: 0, baseSequence: seq }));

    // Assess
    const window = batches - LIMITS.producerWindowBatches;
    expect(retries.slice(window).map((r) => [r.errorCode, r.baseOffset])).toEqual(Array.from({ length: LIMITS.producerWindowBatches }, (_, i) => ['NONE', window + i]));
    expect(new Set(retries.slice(0, window).map((r) => r.errorCode))).toEqual(new Set(['DUPLICATE_SEQUENCE_NUMBER']));
    expect(values(await readPartition(env.http, topic, 0))).toHaveLength(batches);
  });
});
