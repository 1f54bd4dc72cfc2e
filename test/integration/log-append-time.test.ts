/**
 * message.timestamp.type=LogAppendTime through the HTTP API and the SDK: produce stamps every
 * appended batch (timestamp-type bit, maxTimestamp = the append time, CRC recomputed) before the
 * segment object is written, the produce answer carries the append time, readers (fetch, the SDK's
 * Consumer, ListOffsets by time) see it, and the index's max timestamp (what retention reads) is it.
 * A CreateTime topic answers -1, and clears the flag of a batch a client sent as LogAppendTime; a
 * flagged batch is refused where Kafka refuses it (on a LogAppendTime topic, or without a timestamp).
 */
import { execFile } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { Consumer, Deserializers } from '../../packages/client/src/consumer/index.js';
import { allocateProducerId, fetchRaw, produceRaw } from '../../packages/client/src/log-client.js';
import { Producer } from '../../packages/client/src/producer/index.js';
import { ATTRIBUTE, CRC_OFFSET, CRC_START, readBatchHeader, validateBatch } from '../../packages/protocol/src/records/batch-header.js';
import { crc32c } from '../../packages/protocol/src/records/crc32c.js';
import { decodeRecordBatch, encodeRecordBatch, type ProducedRecord } from '../../packages/protocol/src/records/record-batch.js';
import { retentionCut } from '../../src/housekeeping/retention.js';
import { readHead, spill } from '../../src/log/append.js';
import { iterateLiveBatches } from '../../src/log/index-chunks.js';
import { useTestCluster, uniqueName } from '../helpers/cluster.js';
import { pollUntil } from '../fixtures/consumer-poll.js';
import { FLOE_BIN } from '../helpers/processes.js';

const env = useTestCluster();
const open: Array<{ close: () => Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close().catch(() => undefined)));
});

/** Records with timestamps from long ago, out of order: what CreateTime keeps and LogAppendTime replaces. */
const OLD: ProducedRecord[] = [
  { key: Buffer.from('a'), value: Buffer.from('one'), timestamp: 1_000 },
  { key: Buffer.from('b'), value: Buffer.from('two'), timestamp: 3_000 },
  { key: Buffer.from('c'), value: Buffer.from('three'), timestamp: 2_000 },
];

async function produceBatch(topic: string, batch: Buffer) {
  const [t] = await produceRaw(env.http, { acks: -1, timeoutMs: 10_000, topics: [{ topic, partitions: [{ partition: 0, records: batch }] }] });
  const p = t?.partitions[0];
  if (p?.errorCode !== 'NONE') throw new Error(`produce failed: ${p?.errorCode} ${p?.errorMessage}`);
  return p;
}

/** The stored batches of partition 0 as fetch serves them (whole, offsets patched). */
async function fetchedBatches(topic: string): Promise<Buffer[]> {
  const [t] = await fetchRaw(env.http, { maxWaitMs: 0, minBytes: 0, maxBytes: 1024 * 1024, topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1024 * 1024 }] }] });
  const bytes = t?.partitions[0]?.records ?? Buffer.alloc(0);
  const out: Buffer[] = [];
  for (let pos = 0; pos < bytes.length; ) {
    const size = readBatchHeader(bytes, pos).size;
    out.push(bytes.subarray(pos, pos + size));
    pos += size;
  }
  return out;
}

/** The compiled CLI against the test cluster: exit status and output. */
const floe = (...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(process.execPath, [FLOE_BIN, '--bootstrap', env.cluster.url, ...args], { timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ status: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

const timestamps = (batch: Buffer): number[] => decodeRecordBatch(batch).records.map((r) => r.timestamp);

describe('message.timestamp.type=LogAppendTime', () => {
  it('stamps each appended batch with the append time (bit set, maxTimestamp, valid CRC), which the produce answer, fetch, the index and ListOffsets carry; a CreateTime topic answers -1', async () => {
    // Prepare
    const [appendTopic, createTopic] = [uniqueName('lat'), uniqueName('ct')];
    const created = await env.admin.createTopic(appendTopic, 1, { 'message.timestamp.type': 'LogAppendTime' });
    await env.admin.createTopic(createTopic, 1);
    const before = Date.now();

    // Act
    const stamped = await produceBatch(appendTopic, encodeRecordBatch({ records: OLD, compression: 'gzip' }));
    const after = Date.now();
    const kept = await produceBatch(createTopic, encodeRecordBatch({ records: OLD, compression: 'gzip' }));
    const [stored] = await fetchedBatches(appendTopic);
    const [storedCreate] = await fetchedBatches(createTopic);
    const topicId = (await env.admin.describeTopic(appendTopic)).topicId;
    const head = await readHead(env.cluster.deps!, { topicId }, 0);
    const byTime = await env.admin.listOffsets(appendTopic, [0], 2_000);
    const byTimeCreate = await env.admin.listOffsets(createTopic, [0], 2_000);
    const afterAppend = await env.admin.listOffsets(appendTopic, [0], stamped.logAppendTime + 1);

    // Assess
    expect(created.configs['message.timestamp.type']).toBe('LogAppendTime');
    expect(stamped.logAppendTime).toBeGreaterThanOrEqual(before);
    expect(stamped.logAppendTime).toBeLessThanOrEqual(after);
    expect(kept.logAppendTime).toBe(-1);
    const header = validateBatch(stored!); // the recomputed CRC checks
    expect(header.attributes & ATTRIBUTE.logAppendTime).toBe(ATTRIBUTE.logAppendTime);
    expect(header.compression).toBe('gzip');
    expect(header.maxTimestamp).toBe(stamped.logAppendTime);
    expect(timestamps(stored!)).toEqual([stamped.logAppendTime, stamped.logAppendTime, stamped.logAppendTime]);
    expect(validateBatch(storedCreate!).attributes & ATTRIBUTE.logAppendTime).toBe(0);
    expect(timestamps(storedCreate!)).toEqual([1_000, 3_000, 2_000]);
    expect(head?.recent.map((l) => l.t)).toEqual([stamped.logAppendTime]);
    expect(byTime[0]).toMatchObject({ offset: 0, timestamp: stamped.logAppendTime });
    expect(byTimeCreate[0]).toMatchObject({ offset: 1, timestamp: 3_000 });
    expect(afterAppend[0]).toMatchObject({ offset: -1 });
  });

  it('an idempotent retry answered with its original offsets carries the original append time, as Kafka answers the original batch\'s', async () => {
    // Prepare: an idempotent batch appended once
    const topic = uniqueName('lat');
    await env.admin.createTopic(topic, 1, { 'message.timestamp.type': 'LogAppendTime' });
    const { producerId, producerEpoch } = await allocateProducerId(env.http);
    const batch = encodeRecordBatch({ records: OLD, producerId, producerEpoch, baseSequence: 0 });
    const original = await produceBatch(topic, batch);

    // Act: the same batch again (its answer was lost)
    const retried = await produceBatch(topic, batch);

    // Assess
    expect(retried.baseOffset).toBe(original.baseOffset);
    expect(retried.logAppendTime).toBe(original.logAppendTime);
    expect(await fetchedBatches(topic)).toHaveLength(1);
  });

  it('a retry whose original left the head\'s recent list is answered with the original batch\'s timestamp, as Kafka answers a duplicate: the append time, or on CreateTime its max timestamp', async () => {
    // Prepare: on each topic an idempotent batch, then enough others that its location is spilled to the index
    const [appendTopic, createTopic] = [uniqueName('lat-dup'), uniqueName('ct-dup')];
    await env.admin.createTopic(appendTopic, 1, { 'message.timestamp.type': 'LogAppendTime' });
    await env.admin.createTopic(createTopic, 1);
    const originals = [];
    const batches = [];
    for (const topic of [appendTopic, createTopic]) {
      const { producerId, producerEpoch } = await allocateProducerId(env.http);
      const batch = encodeRecordBatch({ records: OLD, producerId, producerEpoch, baseSequence: 0 });
      originals.push(await produceBatch(topic, batch));
      batches.push(batch);
      for (let i = 0; i < 9; i++) await produceBatch(topic, encodeRecordBatch({ records: OLD }));
      const { topicId } = await env.admin.describeTopic(topic);
      const head = (await readHead(env.cluster.deps!, { topicId }, 0))!;
      await spill(env.cluster.deps!, topicId, 0, head.recentBase, head.recent);
      expect((await readHead(env.cluster.deps!, { topicId }, 0))!.recentBase).toBeGreaterThan(0);
    }

    // Act: each batch again (its answer was lost)
    const retried = [await produceBatch(appendTopic, batches[0]!), await produceBatch(createTopic, batches[1]!)];

    // Assess
    expect(retried.map((r) => r.baseOffset)).toEqual([0, 0]);
    expect(originals[0]!.logAppendTime).toBeGreaterThan(3_000);
    expect(retried.map((r) => r.logAppendTime)).toEqual([originals[0]!.logAppendTime, 3_000]);
  });

  it('retention.ms counts from the append time: a batch of records stamped long ago stays on a LogAppendTime topic, and expires on a CreateTime one', async () => {
    // Prepare: retention of one hour, records from 1970
    const [appendTopic, createTopic] = [uniqueName('lat-ret'), uniqueName('ct-ret')];
    const hour = 60 * 60 * 1000;
    await env.admin.createTopic(appendTopic, 1, { 'message.timestamp.type': 'LogAppendTime', 'retention.ms': hour });
    await env.admin.createTopic(createTopic, 1, { 'retention.ms': hour });
    for (const topic of [appendTopic, createTopic]) await produceBatch(topic, encodeRecordBatch({ records: OLD }));

    // Act: the retention pass's decision over the partition's live batches, as housekeeping makes it
    const cuts = await Promise.all(
      [appendTopic, createTopic].map(async (topic) => {
        const { topicId, configs } = await env.admin.describeTopic(topic);
        const head = (await readHead(env.cluster.deps!, { topicId }, 0))!;
        return retentionCut(iterateLiveBatches(env.cluster.deps!, { topicId }, 0, head), head.logStartOffset, { 'retention.ms': Number(configs['retention.ms']), 'retention.bytes': -1 }, Date.now());
      }),
    );

    // Assess: the log start stays at 0 on the LogAppendTime topic, moves past the batch on the CreateTime one
    expect(cuts).toEqual([0, 3]);
  });

  it('the SDK: RecordMetadata.timestamp is the append time, and the Consumer reads every record of the batch at it', async () => {
    // Prepare
    const topic = uniqueName('lat-sdk');
    await env.admin.createTopic(topic, 1, { 'message.timestamp.type': 'LogAppendTime' });
    const producer = new Producer<string, string>({ bootstrap: env.cluster.url, keySerializer: 'string', valueSerializer: 'string', lingerMs: 50 });
    open.push(producer);
    const consumer = new Consumer<string | null, string | null>({
      bootstrap: env.cluster.url,
      fetchMaxWaitMs: 100,
      keyDeserializer: Deserializers.string,
      valueDeserializer: Deserializers.string,
    });
    open.push(consumer);

    // Act: two records of one batch, with their own (old) timestamps
    const sent = await Promise.all([producer.send({ topic, partition: 0, value: 'x', timestamp: 5_000 }), producer.send({ topic, partition: 0, value: 'y', timestamp: 6_000 })]);
    consumer.assign([{ topic, partition: 0 }]);
    consumer.seekToBeginning([{ topic, partition: 0 }]);
    const records = await pollUntil(consumer, 2);

    // Assess
    const [stored] = await fetchedBatches(topic);
    const appendTime = readBatchHeader(stored!).maxTimestamp;
    expect(appendTime).toBeGreaterThan(6_000);
    expect(sent.map((m) => m.timestamp)).toEqual([appendTime, appendTime]);
    expect(records.map((r) => [r.value, r.timestamp])).toEqual([
      ['x', appendTime],
      ['y', appendTime],
    ]);
  });

  it('applies to batches appended after an alter, and back: earlier batches keep what they were stored with', async () => {
    // Prepare
    const topic = uniqueName('lat-alter');
    await env.admin.createTopic(topic, 1);

    // Act
    await produceBatch(topic, encodeRecordBatch({ records: OLD }));
    const altered = await env.admin.alterTopicConfigs(topic, { 'message.timestamp.type': 'LogAppendTime' });
    const stamped = await produceBatch(topic, encodeRecordBatch({ records: OLD }));
    const reset = await env.admin.alterTopicConfigs(topic, { 'message.timestamp.type': null });
    const plain = await produceBatch(topic, encodeRecordBatch({ records: OLD }));
    const batches = await fetchedBatches(topic);

    // Assess
    expect(altered.configs['message.timestamp.type']).toBe('LogAppendTime');
    expect(altered.overrides).toContain('message.timestamp.type');
    expect(reset.configs['message.timestamp.type']).toBe('CreateTime');
    expect([stamped.logAppendTime > 0, plain.logAppendTime]).toEqual([true, -1]);
    expect(batches.map(timestamps)).toEqual([
      [1_000, 3_000, 2_000],
      [stamped.logAppendTime, stamped.logAppendTime, stamped.logAppendTime],
      [1_000, 3_000, 2_000],
    ]);
  });

  it('refuses another value with INVALID_CONFIG and changes nothing', async () => {
    // Prepare
    const topic = uniqueName('lat-bad');
    await env.admin.createTopic(topic, 1, { 'message.timestamp.type': 'LogAppendTime' });

    // Act
    const createError = await env.admin.createTopic(uniqueName('lat-bad'), 1, { 'message.timestamp.type': 'logappendtime' }).catch((e: { code?: string }) => e.code);
    const alterError = await env.admin.alterTopicConfigs(topic, { 'message.timestamp.type': 'NoTimestampType' }).catch((e: { code?: string }) => e.code);
    const described = await env.admin.describeTopic(topic);

    // Assess
    expect([createError, alterError]).toEqual(['INVALID_CONFIG', 'INVALID_CONFIG']);
    expect(described.configs['message.timestamp.type']).toBe('LogAppendTime');
  });

  it('a batch a client flagged LogAppendTime, on a CreateTime topic: the flag is cleared (as Kafka\'s broker does), its maxTimestamp kept, its records read their own timestamps', async () => {
    // Prepare
    const topic = uniqueName('ct-flagged');
    await env.admin.createTopic(topic, 1);
    const flagged = encodeRecordBatch({ records: OLD, logAppendTime: true });
    const clientMax = readBatchHeader(flagged).maxTimestamp;

    // Act
    const answer = await produceBatch(topic, flagged);
    const [stored] = await fetchedBatches(topic);
    const topicId = (await env.admin.describeTopic(topic)).topicId;
    const head = await readHead(env.cluster.deps!, { topicId }, 0);

    // Assess
    expect(answer.logAppendTime).toBe(-1);
    const header = validateBatch(stored!);
    expect(header.attributes & ATTRIBUTE.logAppendTime).toBe(0);
    expect(header.maxTimestamp).toBe(clientMax);
    expect(timestamps(stored!)).toEqual([1_000, 3_000, 2_000]);
    expect(head?.recent.map((l) => l.t)).toEqual([clientMax]);
  });

  it('refuses a batch a client flagged LogAppendTime where Kafka\'s LogValidator does (a LogAppendTime topic; a CreateTime one when it has no timestamp): INVALID_TIMESTAMP, every record named, nothing stored', async () => {
    // Prepare
    const [lat, ct] = [uniqueName('lat-flagged'), uniqueName('ct-flagged-none')];
    await env.admin.createTopic(lat, 1, { 'message.timestamp.type': 'LogAppendTime' });
    await env.admin.createTopic(ct, 1);
    const noTimestamp = encodeRecordBatch({ records: OLD, logAppendTime: true });
    noTimestamp.writeBigInt64BE(-1n, 35); // maxTimestamp: Kafka's NO_TIMESTAMP
    noTimestamp.writeUInt32BE(crc32c(noTimestamp.subarray(CRC_START)), CRC_OFFSET);
    const send = async (topic: string, batch: Buffer) => (await produceRaw(env.http, { acks: -1, timeoutMs: 10_000, topics: [{ topic, partitions: [{ partition: 0, records: batch }] }] }))[0]!.partitions[0]!;

    // Act
    const onLogAppendTime = await send(lat, encodeRecordBatch({ records: OLD, logAppendTime: true }));
    const onCreateTime = await send(ct, noTimestamp);
    const heads = await Promise.all([lat, ct].map(async (t) => readHead(env.cluster.deps!, { topicId: (await env.admin.describeTopic(t)).topicId }, 0)));

    // Assess
    for (const answer of [onLogAppendTime, onCreateTime]) {
      expect(answer).toMatchObject({ errorCode: 'INVALID_TIMESTAMP', baseOffset: -1 });
      expect(answer.errorMessage).toContain('should not set the timestamp type to LogAppendTime');
      expect(answer.recordErrors?.map((r) => r.batchIndex)).toEqual([0, 1, 2]);
    }
    expect(heads.map((h) => h?.nextOffset ?? 0)).toEqual([0, 0]);
  });

  it('the CLI: topics create and alter take it (--config), describe shows it, and consume --json prints the append time', async () => {
    // Prepare
    const [created, altered] = [uniqueName('lat-cli-c'), uniqueName('lat-cli-a')];
    await env.admin.createTopic(altered, 1);

    // Act
    const create = await floe('topics', 'create', created, '--config', 'message.timestamp.type=LogAppendTime');
    const alter = await floe('topics', 'alter', altered, '--config', 'message.timestamp.type=LogAppendTime');
    const bad = await floe('topics', 'alter', altered, '--config', 'message.timestamp.type=Now');
    const described = await floe('topics', 'describe', created);
    const stamped = await produceBatch(altered, encodeRecordBatch({ records: OLD }));
    const consumed = await floe('consume', altered, '--from-beginning', '--timeout-ms', '1500', '--json');

    // Assess
    expect([create.status, alter.status], create.stderr + alter.stderr).toEqual([0, 0]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('INVALID_CONFIG');
    expect(described.stdout).toContain('message.timestamp.type=LogAppendTime');
    expect((await env.admin.describeTopic(altered)).configs['message.timestamp.type']).toBe('LogAppendTime');
    const lines = consumed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { value: string; timestamp: number });
    expect(lines.map((r) => [r.value, r.timestamp])).toEqual([
      ['one', stamped.logAppendTime],
      ['two', stamped.logAppendTime],
      ['three', stamped.logAppendTime],
    ]);
  });
});
