/**
 * The Kafka gateway at the wire, against the suite's dynalite/s3rver: what it advertises, the
 * ApiVersions fallback, Produce (acks 0/1/all, per-partition errors, arrival order with five in
 * flight, idempotent retries on another instance), Fetch long-polls and limits, ListOffsets,
 * Metadata (auto-creation off and on) and the topic admin APIs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRecordBatches, encodeRecordBatch } from '../../../packages/protocol/src/index.js';
import { decodeResponse, encodeRequest } from '../../../packages/protocol/src/kafka/index.js';
import { advertisedApis, SERVED_APIS } from '../../../src/gateway/apis.js';
import { uniqueName } from '../../helpers/cluster.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { idempotentBatch, KafkaWire, textRecords, type Body } from '../../helpers/kafka-wire.js';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { logKeys } from '../../../src/storage/keys.js';
import { overridesOf } from '../../../src/log/topics.js';

let a: TestGateway;
let b: TestGateway;
let wire: KafkaWire;

beforeAll(async () => {
  [a, b] = await Promise.all([startTestGateway(), startTestGateway()]);
  wire = await KafkaWire.connect(a.port);
});

afterAll(async () => {
  wire?.close();
  await Promise.all([a?.close(), b?.close()]);
});

async function topic(partitions = 1): Promise<string> {
  const name = uniqueName('gw');
  await a.deps.log.createTopic(name, partitions, {});
  return name;
}

const produceBody = (name: string, partitions: Array<{ index: number; records: Buffer | null }>, acks = -1) => ({
  transactionalId: null,
  acks,
  timeoutMs: 5000,
  topicData: [{ name, partitionData: partitions }],
});

const fetchBody = (name: string, partitions: Array<{ partition: number; fetchOffset: bigint; partitionMaxBytes?: number }>, maxWaitMs = 0, extra: Body = {}) => ({
  replicaId: -1,
  maxWaitMs,
  minBytes: 1,
  maxBytes: 1024 * 1024,
  isolationLevel: 0,
  sessionId: 0,
  sessionEpoch: -1,
  topics: [{ topic: name, partitions: partitions.map((p) => ({ partitionMaxBytes: 1024 * 1024, ...p })) }],
  forgottenTopicsData: [],
  rackId: '',
  ...extra,
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const partitionAnswers = (body: Body): any[] => body.responses.flatMap((t: Body) => t.partitionResponses);

describe('ApiVersions', () => {
  it('advertises the served table at every version, flexible v3 included, with Produce from v0 as Kafka 4.0 does', async () => {
    // Act
    const answers = await Promise.all([0, 1, 2, 3].map((v) => wire.request(18, v, { clientSoftwareName: 'wire', clientSoftwareVersion: '1' })));

    // Assess
    for (const answer of answers) {
      expect(answer.errorCode).toBe(0);
      expect(answer.apiKeys).toEqual(advertisedApis(SERVED_APIS).sort((x, y) => x.apiKey - y.apiKey));
    }
    const table = Object.fromEntries(answers[3]!.apiKeys.map((k: Body) => [k.apiKey, `${k.minVersion}-${k.maxVersion}`]));
    // Produce from v0: librdkafka compresses gzip, snappy and lz4 only for such a broker (KAFKA-18659)
    expect(table).toMatchObject({ 18: '0-3', 3: '0-12', 0: '0-9', 1: '4-12', 2: '0-7', 22: '0-4', 10: '0-4', 11: '0-9', 14: '0-5', 12: '0-4', 13: '0-5', 8: '0-9', 9: '0-9', 19: '0-7', 20: '0-6', 32: '0-4' });
    expect(table).toMatchObject({ 17: '0-1', 36: '0-2' }); // on every listener, as Kafka; ILLEGAL_SASL_STATE without SASL
  });

  it('closes the connection on Produce v0-2, advertised but not served (magic 0 and 1 message sets)', async () => {
    // Prepare: a Produce v2 header (the codec has no v2 body to encode, so the frame is made by hand)
    const conn = await KafkaWire.connect(a.port);
    const frame = Buffer.alloc(4 + 10 + 10);
    frame.writeInt32BE(20, 0);
    frame.writeInt16BE(0, 4);
    frame.writeInt16BE(2, 6);
    frame.writeInt32BE(5, 8);
    frame.writeInt16BE(-1, 12);
    frame.writeInt16BE(1, 14); // acks
    frame.writeInt32BE(1000, 16); // timeout
    frame.writeInt32BE(0, 20); // no topics

    // Act
    conn.sendRaw(frame);
    await conn.whenClosed;

    // Assess
    expect(conn.closed).toBe(true);
  });

  it('answers a newer ApiVersions with UNSUPPORTED_VERSION in v0 framing plus the list, and keeps the connection', async () => {
    // Prepare: ApiVersions v7 - a header the codec can read, a version it cannot
    const conn = await KafkaWire.connect(a.port);
    const frame = Buffer.alloc(4 + 10);
    frame.writeInt32BE(10, 0);
    frame.writeInt16BE(18, 4);
    frame.writeInt16BE(7, 6);
    frame.writeInt32BE(77, 8);
    frame.writeInt16BE(-1, 12);

    // Act
    conn.sendRaw(frame);
    const fallback = decodeResponse(18, 0, (await conn.nextFrame()) as Buffer);
    const after = await conn.request(18, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' });
    conn.close();

    // Assess
    expect(fallback.correlationId).toBe(77);
    expect(fallback.body.errorCode).toBe(35);
    expect((fallback.body.apiKeys as Body[]).length).toBe(SERVED_APIS.length);
    expect(after.errorCode).toBe(0);
  });
});

describe('Produce', () => {
  it('acks=0 gets no response at all; acks=1 and acks=all are answered with offsets, in request order', async () => {
    // Prepare
    const name = await topic();
    const conn = await KafkaWire.connect(a.port);

    // Act
    conn.send(0, 7, produceBody(name, [{ index: 0, records: encodeRecordBatch({ records: textRecords('x') }) }], 0));
    const one = conn.send(0, 7, produceBody(name, [{ index: 0, records: encodeRecordBatch({ records: textRecords('y', 'z') }) }], 1));
    const all = conn.send(0, 9, produceBody(name, [{ index: 0, records: encodeRecordBatch({ records: textRecords('w') }) }], -1));
    const first = await conn.read(0, 7);
    const second = await conn.read(0, 9);
    conn.close();

    // Assess
    expect([first.correlationId, second.correlationId]).toEqual([one, all]);
    expect(partitionAnswers(first.body)[0]).toMatchObject({ errorCode: 0, baseOffset: 1n });
    expect(partitionAnswers(second.body)[0]).toMatchObject({ errorCode: 0, baseOffset: 3n, errorMessage: null });
  });

  it('answers each partition with its own Kafka error, writes nothing for bad ones, and commits the good ones', async () => {
    // Prepare
    const name = await topic(2);
    const corrupt = encodeRecordBatch({ records: textRecords('bad') });
    corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 1) ^ 0xff, corrupt.length - 1); // breaks the CRC
    const putsBefore = a.deps.s3.stats.puts;

    // Act
    const mixed = await wire.request(
      0,
      8,
      produceBody(name, [
        { index: 0, records: encodeRecordBatch({ records: textRecords('good') }) },
        { index: 1, records: corrupt },
        { index: 7, records: encodeRecordBatch({ records: textRecords('nowhere') }) },
      ]),
    );
    const unknownTopic = await wire.request(0, 8, produceBody(uniqueName('missing'), [{ index: 0, records: encodeRecordBatch({ records: textRecords('a') }) }]));
    const badAcks = await wire.request(0, 8, produceBody(name, [{ index: 0, records: encodeRecordBatch({ records: textRecords('a') }) }], 2));
    const putsAfterBad = a.deps.s3.stats.puts;

    // Assess
    expect(partitionAnswers(mixed).map((p) => p.errorCode)).toEqual([0, 2, 3]);
    expect(partitionAnswers(mixed)[1].errorMessage).toMatch(/CRC/);
    expect(partitionAnswers(unknownTopic)[0].errorCode).toBe(3);
    expect(partitionAnswers(badAcks)[0].errorCode).toBe(21);
    expect(putsAfterBad - putsBefore).toBe(1); // only the request with a good batch wrote a segment
  });

  it('writes a request past 4 MiB of records as several segments, every partition answered 0 (Kafka bounds only the request); a partition named twice is written once', async () => {
    // Prepare: six ~900 KB batches (each under max.message.bytes) to six partitions, partition 0 named again
    const name = await topic(6);
    const big = (tag: string) => encodeRecordBatch({ records: [{ key: null, value: Buffer.alloc(900_000, tag) }] });
    const putsBefore = a.deps.s3.stats.puts;

    // Act
    const answer = await wire.request(
      0,
      9,
      produceBody(name, [...[0, 1, 2, 3, 4, 5].map((index) => ({ index, records: big(String(index)) })), { index: 0, records: big('again') }]),
      60_000,
    );
    const ends = await wire.request(2, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name, partitions: [0, 1, 2, 3, 4, 5].map((partitionIndex) => ({ partitionIndex, timestamp: -1n, maxNumOffsets: 1 })) }] });

    // Assess
    expect(partitionAnswers(answer).map((p) => [p.index, p.errorCode, p.baseOffset])).toEqual([
      [0, 0, 0n], [1, 0, 0n], [2, 0, 0n], [3, 0, 0n], [4, 0, 0n], [5, 0, 0n], [0, 42, -1n],
    ]);
    expect(ends.topics[0].partitions.map((p: Body) => p.offset)).toEqual([1n, 1n, 1n, 1n, 1n, 1n]);
    expect(a.deps.s3.stats.puts - putsBefore).toBe(2); // 5.4 MB: two segment objects of at most 4 MiB
  });

  it('applies five pipelined requests for one partition in arrival order', async () => {
    // Prepare
    const name = await topic();
    const conn = await KafkaWire.connect(a.port);
    const { producerId, producerEpoch } = await conn.request(22, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 });

    // Act: sequences 0..4, two records each, all sent before any answer
    for (let i = 0; i < 5; i++) {
      conn.send(0, 9, produceBody(name, [{ index: 0, records: idempotentBatch(textRecords(`a${i}`, `b${i}`), producerId, producerEpoch, i * 2) }]));
    }
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(partitionAnswers((await conn.read(0, 9)).body)[0]);
    conn.close();

    // Assess
    expect(answers.map((p) => p.errorCode)).toEqual([0, 0, 0, 0, 0]);
    expect(answers.map((p) => p.baseOffset)).toEqual([0n, 2n, 4n, 6n, 8n]);
  });

  it('returns the original offsets for a retry of any of the last five batches on another instance, and 45 for a gap', async () => {
    // Prepare: six batches through gateway a, one request each
    const name = await topic();
    const { producerId, producerEpoch } = await wire.request(22, 1, { transactionalId: null, transactionTimeoutMs: 60_000 });
    const batches = Array.from({ length: 6 }, (_, i) => idempotentBatch(textRecords(`r${i}`), producerId, producerEpoch, i));
    const original = [];
    for (const batch of batches) original.push(partitionAnswers(await wire.request(0, 7, produceBody(name, [{ index: 0, records: batch }])))[0].baseOffset);
    const other = await KafkaWire.connect(b.port);

    // Act: retries of batches 1..5 through gateway b, then a batch that skips sequence 6
    const retried = [];
    for (const batch of batches.slice(1)) retried.push(partitionAnswers(await other.request(0, 7, produceBody(name, [{ index: 0, records: batch }])))[0]);
    const gap = partitionAnswers(await other.request(0, 7, produceBody(name, [{ index: 0, records: idempotentBatch(textRecords('gap'), producerId, producerEpoch, 7) }])))[0];
    const end = await other.request(2, 1, { replicaId: -1, topics: [{ name, partitions: [{ partitionIndex: 0, timestamp: -1n }] }] });
    other.close();

    // Assess
    expect(original).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
    expect(retried.map((p) => p.errorCode)).toEqual([0, 0, 0, 0, 0]);
    expect(retried.map((p) => p.baseOffset)).toEqual(original.slice(1));
    expect(gap.errorCode).toBe(45);
    expect(end.topics[0].partitions[0].offset).toBe(6n);
  });

  it('refuses transactional producers: a transaction key finds this node, whose InitProducerId answers 53 (not a retriable error)', async () => {
    // Act
    const found = await wire.request(10, 1, { key: 'tx', keyType: 1 });
    const foundV4 = await wire.request(10, 4, { keyType: 1, coordinatorKeys: ['tx'] });
    const unknownType = await wire.request(10, 2, { key: 'x', keyType: 7 });
    const init = await wire.request(22, 4, { transactionalId: 'tx', transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 });

    // Assess
    expect(found).toMatchObject({ errorCode: 0, nodeId: 1, port: a.port });
    expect(foundV4.coordinators[0]).toMatchObject({ key: 'tx', errorCode: 0, nodeId: 1, port: a.port });
    expect(unknownType.errorCode).toBe(42);
    expect(init.errorCode).toBe(53);
  });
});

describe('Fetch', () => {
  it('holds a fetch at the end of the log until a produce arrives, then answers at once', async () => {
    // Prepare
    const name = await topic();
    const consumer = await KafkaWire.connect(b.port); // the produce goes through a: b learns of it by polling the head

    // Act
    const started = Date.now();
    consumer.send(1, 12, fetchBody(name, [{ partition: 0, fetchOffset: 0n }], 10_000));
    await new Promise((r) => setTimeout(r, 300));
    await wire.request(0, 9, produceBody(name, [{ index: 0, records: encodeRecordBatch({ records: textRecords('late') }) }]));
    const answer = (await consumer.read(1, 12)).body;
    const elapsed = Date.now() - started;
    consumer.close();

    // Assess
    const p = answer.responses[0].partitions[0];
    expect(p.errorCode).toBe(0);
    expect(p.highWatermark).toBe(1n);
    expect(p.records.length).toBeGreaterThan(0);
    expect(elapsed).toBeGreaterThanOrEqual(300);
    expect(elapsed).toBeLessThan(3000);
    expect(answer.sessionId).toBe(0);
  });

  it('waits max_wait_ms on an idle partition and answers every requested partition, records empty, never null', async () => {
    // Prepare
    const name = await topic(2);

    // Act
    const started = Date.now();
    const answer = await wire.request(
      1,
      11,
      fetchBody(name, [{ partition: 0, fetchOffset: 0n }, { partition: 1, fetchOffset: 0n }, { partition: 9, fetchOffset: 0n }], 400),
    );
    const elapsed = Date.now() - started;

    // Assess
    const parts = answer.responses[0].partitions;
    expect(parts.map((p: Body) => [p.partitionIndex, p.errorCode])).toEqual([[0, 0], [1, 0], [9, 3]]);
    expect(parts.every((p: Body) => Buffer.isBuffer(p.records) && p.records.length === 0)).toBe(true);
    // An unknown partition is an error: Kafka answers at once rather than wait.
    expect(elapsed).toBeLessThan(400);
    const idle = Date.now();
    await wire.request(1, 11, fetchBody(name, [{ partition: 0, fetchOffset: 0n }], 400));
    expect(Date.now() - idle).toBeGreaterThanOrEqual(380);
  });

  it('honours partition_max_bytes and max_bytes but always returns the first batch', async () => {
    // Prepare: three batches of ~1 KB
    const name = await topic(2);
    const big = (tag: string) => encodeRecordBatch({ records: [{ key: null, value: Buffer.alloc(1000, tag) }] });
    for (const tag of ['a', 'b', 'c']) await wire.request(0, 9, produceBody(name, [{ index: 0, records: big(tag) }, { index: 1, records: big(tag) }]));
    const size = big('a').length;

    // Act
    const tiny = await wire.request(1, 12, fetchBody(name, [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 10 }]));
    const two = await wire.request(1, 12, fetchBody(name, [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 2 * size }]));
    const capped = await wire.request(1, 12, fetchBody(name, [{ partition: 0, fetchOffset: 0n }, { partition: 1, fetchOffset: 0n }], 0, { maxBytes: 2 * size }));

    // Assess
    expect(tiny.responses[0].partitions[0].records.length).toBe(size);
    expect(two.responses[0].partitions[0].records.length).toBe(2 * size);
    const [p0, p1] = capped.responses[0].partitions;
    expect(p0.records.length + p1.records.length).toBeLessThanOrEqual(2 * size);
    expect(p0.records.length).toBe(2 * size);
  });

  it('answers each partition with its own records when topics repeat, interleaved, in one request (as kafkajs asks)', async () => {
    // Prepare: two topics of two partitions, each partition's record naming where it was written
    const [x, y] = [await topic(2), await topic(2)];
    for (const name of [x, y]) {
      await wire.request(0, 9, produceBody(name, [0, 1].map((index) => ({ index, records: encodeRecordBatch({ records: textRecords(`${name}/${index}`) }) }))));
    }
    const entry = (name: string, partition: number) => ({ topic: name, partitions: [{ partition, fetchOffset: 0n, partitionMaxBytes: 1024 * 1024 }] });

    // Act: kafkajs' shape - one entry per partition, topics interleaved
    const answer = await wire.request(1, 11, { ...fetchBody(x, []), topics: [entry(y, 0), entry(x, 1), entry(y, 1), entry(x, 0)] });

    // Assess: every answer carries the records of the topic and partition it names
    const got = answer.responses.map((t: Body) => {
      const p = t.partitions[0];
      return [t.topic, p.partitionIndex, decodeRecordBatches(p.records).flatMap((b) => b.records.map((r) => r.value?.toString()))];
    });
    expect(got).toEqual([
      [y, 0, [`${y}/0`]],
      [x, 1, [`${x}/1`]],
      [y, 1, [`${y}/1`]],
      [x, 0, [`${x}/0`]],
    ]);
  });

  it('has no fetch sessions: an incremental fetch gets FETCH_SESSION_ID_NOT_FOUND, out-of-range offsets their code', async () => {
    // Prepare
    const name = await topic();

    // Act
    const session = await wire.request(1, 12, fetchBody(name, [{ partition: 0, fetchOffset: 0n }], 0, { sessionId: 42, sessionEpoch: 3 }));
    const beyond = await wire.request(1, 12, fetchBody(name, [{ partition: 0, fetchOffset: 5n }], 0));

    // Assess
    expect(session.errorCode).toBe(70);
    expect(beyond.responses[0].partitions[0].errorCode).toBe(1);
  });
});

describe('ListOffsets', () => {
  it('finds earliest, latest and the first offset at or after a timestamp', async () => {
    // Prepare
    const name = await topic();
    const at = (ts: number, v: string) => encodeRecordBatch({ records: [{ key: null, value: Buffer.from(v), timestamp: ts }] });
    for (const [ts, v] of [[1000, 'a'], [2000, 'b'], [3000, 'c']] as const) await wire.request(0, 9, produceBody(name, [{ index: 0, records: at(ts, v) }]));
    const ask = (timestamp: bigint, version = 7) => wire.request(2, version, { replicaId: -1, isolationLevel: 0, topics: [{ name, partitions: [{ partitionIndex: 0, timestamp, maxNumOffsets: 1 }] }] });

    // Act
    const [earliest, latest, byTime, after, v0] = await Promise.all([ask(-2n), ask(-1n), ask(1500n), ask(9999n), ask(-1n, 0)]);
    const part = (b: Body) => b.topics[0].partitions[0];

    // Assess
    expect(part(earliest).offset).toBe(0n);
    expect(part(latest).offset).toBe(3n);
    expect([part(byTime).offset, part(byTime).timestamp]).toEqual([1n, 2000n]);
    expect(part(after).offset).toBe(-1n);
    expect(part(v0).oldStyleOffsets).toEqual([3n]);
  });
  it('answers INVALID_REQUEST for each copy of a partition named twice (v1+), as Kafka does, and the others as usual', async () => {
    // Prepare
    const name = await topic(2);
    await wire.request(0, 9, produceBody(name, [{ index: 0, records: encodeRecordBatch({ records: [{ key: null, value: Buffer.from('a') }] }) }]));
    const spec = (partitionIndex: number, timestamp: bigint) => ({ partitionIndex, timestamp, maxNumOffsets: 1 });

    // Act
    const answer = await wire.request(2, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name, partitions: [spec(0, -1n), spec(1, -1n), spec(0, -2n)] }] });

    // Assess
    expect(answer.topics[0].partitions.map((p: Body) => [p.partitionIndex, p.errorCode, p.offset])).toEqual([[0, 42, -1n], [1, 0, 0n], [0, 42, -1n]]);
  });

  it('answers the max-timestamp spec (-3, what v7 adds) with the first record holding the largest timestamp; -1 on an empty partition', async () => {
    // Prepare: timestamps out of order, the largest twice: at the second record of the second batch (spilled
    // to an index chunk by the 14 batches after it) and in the last batch
    const name = await topic(2);
    const batch = (records: Array<[number, string]>) => encodeRecordBatch({ records: records.map(([timestamp, v]) => ({ key: null, value: Buffer.from(v), timestamp })) });
    const filler = Array.from({ length: 14 }, (_, i): Array<[number, string]> => [[4000, `e${i}`]]);
    for (const records of [[[1000, 'a']], [[2000, 'b'], [5000, 'c'], [3000, 'd']], ...filler, [[5000, 'f']]] as Array<Array<[number, string]>>) {
      await wire.request(0, 9, produceBody(name, [{ index: 0, records: batch(records) }]));
    }
    const ask = (partitionIndex: number) => wire.request(2, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name, partitions: [{ partitionIndex, timestamp: -3n }] }] });

    // Act
    const [filled, empty] = await Promise.all([ask(0), ask(1)]);

    // Assess
    const part = (b: Body) => b.topics[0].partitions[0];
    expect([part(filled).errorCode, part(filled).offset, part(filled).timestamp]).toEqual([0, 2n, 5000n]);
    expect([part(empty).errorCode, part(empty).offset, part(empty).timestamp]).toEqual([0, -1n, -1n]);
  });
});

describe('DeleteRecords', () => {
  const deleteTopic = (name: string, partitions: Array<[number, bigint]>) => ({ name, partitions: partitions.map(([partitionIndex, offset]) => ({ partitionIndex, offset })) });
  const deleteBody = (name: string, partitions: Array<[number, bigint]>) => ({ topics: [deleteTopic(name, partitions)], timeoutMs: 5000 });
  const answers = (b: Body) => b.topics.flatMap((t: Body) => t.partitions.map((p: Body) => [t.name, p.partitionIndex, p.errorCode, p.lowWatermark]));

  it('moves the log start (inside a batch, or -1: the high watermark), never back; past the high watermark and unknown partitions are refused per partition', async () => {
    // Prepare: partition 0 holds offsets 0-4 in one batch and 5-6 in another; partition 1 holds 0-1
    const name = await topic(2);
    const batch = (...values: string[]) => encodeRecordBatch({ records: textRecords(...values) });
    await wire.request(0, 9, produceBody(name, [{ index: 0, records: batch('a0', 'a1', 'a2', 'a3', 'a4') }, { index: 1, records: batch('c0', 'c1') }]));
    await wire.request(0, 9, produceBody(name, [{ index: 0, records: batch('b0', 'b1') }]));

    // Act
    const moved = await wire.request(21, 0, { topics: [deleteTopic(name, [[0, 3n], [1, -1n], [2, 0n]]), deleteTopic('no-such-topic', [[0, 0n]])], timeoutMs: 5000 });
    const refused = await wire.request(21, 2, deleteBody(name, [[0, 1n], [1, 3n]]));
    const twice = await wire.request(21, 1, deleteBody(name, [[0, 4n], [0, 5n]]));
    const fetched = await wire.request(1, 12, fetchBody(name, [{ partition: 0, fetchOffset: 3n }]));
    const below = await wire.request(1, 12, fetchBody(name, [{ partition: 0, fetchOffset: 2n }]));
    const earliest = await wire.request(2, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name, partitions: [{ partitionIndex: 0, timestamp: -2n }] }] });

    // Assess
    expect(answers(moved)).toEqual([[name, 0, 0, 3n], [name, 1, 0, 2n], [name, 2, 3, -1n], ['no-such-topic', 0, 3, -1n]]);
    expect(answers(refused)).toEqual([[name, 0, 0, 3n], [name, 1, 1, -1n]]);
    expect(answers(twice)).toEqual([[name, 0, 42, -1n], [name, 0, 42, -1n]]);
    const part = fetched.responses[0].partitions[0];
    expect([part.errorCode, part.logStartOffset]).toEqual([0, 3n]);
    const batches = decodeRecordBatches(part.records);
    expect(batches[0]?.header.baseOffset).toBe(0); // the batch the start is inside, whole: the client skips below its position
    expect(batches.flatMap((b) => b.records).filter((r) => r.offset >= 3).map((r) => r.value?.toString())).toEqual(['a3', 'a4', 'b0', 'b1']);
    expect([below.responses[0].partitions[0].errorCode, below.responses[0].partitions[0].logStartOffset]).toEqual([1, 3n]);
    expect(earliest.topics[0].partitions[0].offset).toBe(3n);
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for a name no topic can have (past 249 characters), not a retriable storage error', async () => {
    // Prepare: a name longer than DynamoDB takes in a key
    const name = 'x'.repeat(3000);

    // Act
    const answer = await wire.request(21, 2, deleteBody(name, [[0, 0n]]));

    // Assess
    expect(answers(answer)).toEqual([[name, 0, 3, -1n]]);
  });

  it('answers POLICY_VIOLATION on a compact-only topic, as Kafka does, and moves nothing', async () => {
    // Prepare
    const name = uniqueName('gw-compact');
    await a.deps.log.createTopic(name, 1, { 'cleanup.policy': 'compact' });
    await wire.request(0, 9, produceBody(name, [{ index: 0, records: encodeRecordBatch({ records: [{ key: Buffer.from('k'), value: Buffer.from('v') }] }) }]));

    // Act
    const answer = await wire.request(21, 2, deleteBody(name, [[0, 1n]]));

    // Assess
    expect(answers(answer)).toEqual([[name, 0, 44, -1n]]);
    expect((await a.deps.log.listOffset(name, 0, 'earliest')).offset).toBe(0);
  });
});

describe('Metadata and topic admin', () => {
  it('names one node as leader of every partition at epoch 0, and does not create unknown topics by default', async () => {
    // Prepare
    const name = await topic(3);
    const missing = uniqueName('nope');

    // Act
    const meta = await wire.request(3, 12, { topics: [{ topicId: '00000000-0000-0000-0000-000000000000', name }, { topicId: '00000000-0000-0000-0000-000000000000', name: missing }], allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false });
    const created = await a.deps.log.freshTopic(missing);
    const coordinator = await wire.request(10, 4, { keyType: 0, coordinatorKeys: ['g1', 'g2'] });

    // Assess
    expect(meta.brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: a.port, rack: null }]);
    expect(meta.controllerId).toBe(1);
    const [found, unknown] = meta.topics;
    expect(found.partitions.map((p: Body) => [p.partitionIndex, p.leaderId, p.leaderEpoch, p.replicaNodes, p.isrNodes])).toEqual([0, 1, 2].map((i) => [i, 1, 0, [1], [1]]));
    expect(unknown.errorCode).toBe(3);
    expect(created).toBeUndefined();
    expect(coordinator.coordinators.map((c: Body) => [c.key, c.nodeId, c.port, c.errorCode])).toEqual([['g1', 1, a.port, 0], ['g2', 1, a.port, 0]]);
  });

  it('creates a topic named in Metadata when auto-creation is on and the client allows it', async () => {
    // Prepare
    const auto = await startTestGateway({ autoCreateTopics: true, defaultPartitions: 2 });
    const conn = await KafkaWire.connect(auto.port);
    const [refused, wanted] = [uniqueName('auto'), uniqueName('auto')];

    // Act
    const no = await conn.request(3, 9, { topics: [{ name: refused }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    const yes = await conn.request(3, 1, { topics: [{ name: wanted }] });
    conn.close();
    await auto.close();

    // Assess
    expect(no.topics[0].errorCode).toBe(3);
    expect(yes.topics[0]).toMatchObject({ errorCode: 0, name: wanted });
    expect(yes.topics[0].partitions).toHaveLength(2);
  });

  it('refuses as Kafka does: a replication factor of 0 or below -1, a name given twice in one request (neither created), a manual assignment', async () => {
    // Prepare
    const [zero, negative, twice, ok] = [uniqueName('rf'), uniqueName('rf'), uniqueName('dup'), uniqueName('ok')];
    const spec = (name: string, replicationFactor: number) => ({ name, numPartitions: 1, replicationFactor, assignments: [], configs: [] });

    // Act
    const created = await wire.request(19, 5, { topics: [spec(zero, 0), spec(negative, -5), spec(twice, 1), spec(twice, 1), spec(ok, -1)], timeoutMs: 5000, validateOnly: false });
    const grown = await wire.request(37, 3, { topics: [{ name: ok, count: 2, assignments: [{ brokerIds: [1] }] }], timeoutMs: 5000, validateOnly: false });

    // Assess
    expect(created.topics.map((t: Body) => t.errorCode)).toEqual([38, 38, 42, 42, 0]);
    expect(await a.deps.log.freshTopic(zero)).toBeUndefined();
    expect(await a.deps.log.freshTopic(twice)).toBeUndefined();
    expect(grown.results[0].errorCode).toBe(39);
    expect((await a.deps.log.freshTopic(ok))?.partitions).toBe(1);
  });

  it('refuses the later of two names in one CreateTopics that collide up to \'.\' and \'_\' (INVALID_TOPIC_EXCEPTION), creating the first', async () => {
    // Prepare
    const base = uniqueName('col');
    const [dotted, underscored] = [`${base}.x`, `${base}_x`];
    const spec = (name: string) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] });

    // Act
    const created = await wire.request(19, 5, { topics: [spec(dotted), spec(underscored)], timeoutMs: 5000, validateOnly: false });

    // Assess
    expect(created.topics.map((t: Body) => t.errorCode)).toEqual([0, 17]);
    expect(await a.deps.log.freshTopic(dotted)).toBeDefined();
    expect(await a.deps.log.freshTopic(underscored)).toBeUndefined();
  });

  it('alters topic configs with IncrementalAlterConfigs and AlterConfigs; a bad value is INVALID_CONFIG and changes nothing', async () => {
    // Prepare
    const name = uniqueName('cfg');
    await wire.request(19, 5, { topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: '60000' }] }], timeoutMs: 5000, validateOnly: false });
    const resource = (configs: Body[]) => ({ resources: [{ resourceType: 2, resourceName: name, configs }], validateOnly: false });

    // Act
    const set = await wire.request(44, 1, resource([{ name: 'cleanup.policy', configOperation: 0, value: 'compact' }, { name: 'min.cleanable.dirty.ratio', configOperation: 0, value: '0.25' }]));
    const appended = await wire.request(44, 1, resource([{ name: 'cleanup.policy', configOperation: 2, value: 'delete' }]));
    const afterIncremental = (await a.deps.log.freshTopic(name))?.configs;
    const bad = await wire.request(44, 1, resource([{ name: 'delete.retention.ms', configOperation: 0, value: '-5' }, { name: 'retention.ms', configOperation: 0, value: '1000' }]));
    const contradiction = await wire.request(44, 1, resource([{ name: 'min.compaction.lag.ms', configOperation: 0, value: '10' }, { name: 'max.compaction.lag.ms', configOperation: 0, value: '5' }]));
    const afterBad = (await a.deps.log.freshTopic(name))?.configs;
    const replaced = await wire.request(33, 2, { resources: [{ resourceType: 2, resourceName: name, configs: [{ name: 'cleanup.policy', value: 'compact' }] }], validateOnly: false });
    const afterReplace = (await a.deps.log.freshTopic(name))?.configs;

    // Assess
    expect([set, appended, replaced].map((r) => r.responses[0].errorCode)).toEqual([0, 0, 0]);
    expect(afterIncremental).toMatchObject({ 'cleanup.policy': 'compact,delete', 'min.cleanable.dirty.ratio': 0.25, 'retention.ms': 60000 });
    expect(bad.responses[0].errorCode).toBe(40);
    expect(contradiction.responses[0].errorCode).toBe(40);
    expect(afterBad).toEqual(afterIncremental);
    // AlterConfigs replaces the whole set: what it does not name goes back to the default
    expect(afterReplace).toMatchObject({ 'cleanup.policy': 'compact', 'min.cleanable.dirty.ratio': 0.5, 'retention.ms': 604800000 });
  });

  it('takes a topic config Floe has at one value (compression.type=producer) at that value only, changing nothing; message.timestamp.type=CreateTime (as Kafka Streams sets it) is taken as an override', async () => {
    // Prepare
    const [streams, lz4] = [uniqueName('streams'), uniqueName('lz4')];
    const spec = (name: string, configs: Body[]) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [...configs, { name: 'retention.ms', value: '-1' }] });
    const resource = (configs: Body[]) => ({ resources: [{ resourceType: 2, resourceName: streams, configs }], validateOnly: false });

    // Act
    const created = await wire.request(19, 5, {
      topics: [spec(streams, [{ name: 'message.timestamp.type', value: 'CreateTime' }, { name: 'compression.type', value: 'producer' }]), spec(lz4, [{ name: 'compression.type', value: 'lz4' }])],
      timeoutMs: 5000,
      validateOnly: false,
    });
    const setSame = await wire.request(44, 1, resource([{ name: 'compression.type', configOperation: 0, value: 'producer' }]));
    const deleteFixed = await wire.request(44, 1, resource([{ name: 'compression.type', configOperation: 1, value: null }]));
    const setOther = await wire.request(44, 1, resource([{ name: 'compression.type', configOperation: 0, value: 'lz4' }, { name: 'retention.ms', configOperation: 0, value: '1000' }]));
    const topic = await a.deps.log.freshTopic(streams);

    // Assess
    expect(created.topics.map((t: Body) => t.errorCode)).toEqual([0, 40]);
    expect([setSame.responses[0].errorCode, deleteFixed.responses[0].errorCode]).toEqual([0, 0]);
    expect(setOther.responses[0]).toMatchObject({ errorCode: 40, errorMessage: expect.stringContaining('compression.type can only be producer') });
    expect(topic?.configs['retention.ms']).toBe(-1); // the refused alter changed nothing
    expect(topic && overridesOf(topic)).toEqual(['retention.ms', 'message.timestamp.type']);
    expect(await a.deps.log.freshTopic(lz4)).toBeUndefined();
  });

  it('applies an IncrementalAlterConfigs SUBTRACT that lost a race to a concurrent one to what that one wrote, as Kafka applies alters one after the other', async () => {
    // Prepare: cleanup.policy compact,delete; each config write waits until both alters have computed theirs from the same read
    const name = uniqueName('cfgsub');
    await a.deps.log.createTopic(name, 1, { 'cleanup.policy': 'compact,delete' });
    const other = await KafkaWire.connect(a.port);
    const dynamo = a.deps.clients.dynamo;
    const send = dynamo.send;
    let arrived = 0;
    let bothArrived!: () => void;
    const barrier = new Promise<void>((resolve) => (bothArrived = resolve));
    dynamo.send = (async (command: unknown, ...rest: unknown[]) => {
      const input = (command as { input?: { UpdateExpression?: string; Key?: { pk?: unknown } } }).input;
      if (command instanceof UpdateCommand && input?.Key?.pk === logKeys.topic(name).pk && input.UpdateExpression?.includes('#overrides')) {
        if (++arrived === 2) bothArrived();
        await Promise.race([barrier, new Promise((resolve) => setTimeout(resolve, 3000))]);
      }
      return (send as (...args: unknown[]) => unknown).call(dynamo, command, ...rest);
    }) as typeof dynamo.send;
    const subtract = (value: string) => ({ resources: [{ resourceType: 2, resourceName: name, configs: [{ name: 'cleanup.policy', configOperation: 3, value }] }], validateOnly: false });

    // Act
    let answers: Body[];
    try {
      answers = await Promise.all([wire.request(44, 1, subtract('compact')), other.request(44, 1, subtract('delete'))]);
    } finally {
      dynamo.send = send;
      other.close();
    }
    const after = await a.deps.log.freshTopic(name);

    // Assess: one after the other, the second SUBTRACT would leave no policy: INVALID_CONFIG (40), changing nothing
    const codes = answers.map((r) => r.responses[0].errorCode);
    expect(arrived).toBeGreaterThanOrEqual(2);
    expect([...codes].sort()).toEqual([0, 40]);
    expect(after?.configs['cleanup.policy']).toBe(codes[0] === 0 ? 'delete' : 'compact');
  });

  it('refuses a config named __proto__ as unknown (INVALID_CONFIG) in AlterConfigs and CreateTopics, changing nothing (decision 41)', async () => {
    // Prepare
    const [name, fresh] = [uniqueName('cfgp'), uniqueName('cfgp')];
    await a.deps.log.createTopic(name, 1, { 'retention.ms': '60000' });

    // Act
    const altered = await wire.request(33, 2, { resources: [{ resourceType: 2, resourceName: name, configs: [{ name: '__proto__', value: '1' }] }], validateOnly: false });
    const created = await wire.request(19, 5, { topics: [{ name: fresh, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: '__proto__', value: '1' }] }], timeoutMs: 5000, validateOnly: false });

    // Assess
    expect(altered.responses[0].errorCode).toBe(40);
    expect((await a.deps.log.freshTopic(name))?.configs['retention.ms']).toBe(60000);
    expect(created.topics[0].errorCode).toBe(40);
    expect(await a.deps.log.freshTopic(fresh)).toBeUndefined();
  });

  it('refuses a resource named twice in one AlterConfigs or IncrementalAlterConfigs: INVALID_REQUEST for each copy, neither applied', async () => {
    // Prepare
    const [name, other] = [uniqueName('cfg2'), uniqueName('cfg2')];
    for (const n of [name, other]) await a.deps.log.createTopic(n, 1, { 'retention.ms': '60000' });
    const twice = (configs: (value: string) => Body[]) => ({
      resources: [
        { resourceType: 2, resourceName: name, configs: configs('111') },
        { resourceType: 2, resourceName: other, configs: configs('333') },
        { resourceType: 2, resourceName: name, configs: configs('222') },
      ],
      validateOnly: false,
    });

    // Act
    const replaced = await wire.request(33, 2, twice((value) => [{ name: 'retention.ms', value }]));
    const incremental = await wire.request(44, 1, twice((value) => [{ name: 'retention.ms', configOperation: 0, value }]));
    const [after, otherAfter] = await Promise.all([a.deps.log.freshTopic(name), a.deps.log.freshTopic(other)]);

    // Assess
    expect(replaced.responses.map((r: Body) => r.errorCode)).toEqual([42, 0, 42]);
    expect(incremental.responses.map((r: Body) => r.errorCode)).toEqual([42, 0, 42]);
    expect(after?.configs['retention.ms']).toBe(60000);
    expect(otherAfter?.configs['retention.ms']).toBe(333); // the other resources are still applied, as in Kafka
  });

  it('concurrent APPENDs to cleanup.policy all land: each applies to what the topic holds when it is written, not to a stale read', async () => {
    // Prepare: cleanup.policy delete; APPEND compact and APPEND delete sent at once, pipelined on one connection
    const name = await topic();
    const append = (value: string) => wire.request(44, 1, { resources: [{ resourceType: 2, resourceName: name, configs: [{ name: 'cleanup.policy', configOperation: 2, value }] }], validateOnly: false });

    // Act
    const answers = await Promise.all(['compact', ...Array.from({ length: 5 }, () => 'delete')].map(append)); // 6: each lands within the 8 attempts
    const stored = await a.deps.log.freshTopic(name);

    // Assess: applied one after the other, as Kafka's controller does, the policy holds both
    expect(answers.map((r: Body) => r.responses[0].errorCode)).toEqual(answers.map(() => 0));
    expect(stored?.configs['cleanup.policy']).toBe('compact,delete');
  });

  it('answers DescribeConfigs, AlterConfigs and IncrementalAlterConfigs for a name no topic can have with INVALID_TOPIC_EXCEPTION, as Kafka, and an unknown valid name with UNKNOWN_TOPIC_OR_PARTITION', async () => {
    // Prepare
    const name = await topic();
    const resource = (resourceName: string) => ({ resourceType: 2, resourceName, configurationKeys: ['retention.ms'] });

    const alter = (resourceName: string) => ({ resourceType: 2, resourceName, configs: [{ name: 'retention.ms', value: '60000' }] });
    const incremental = (resourceName: string) => ({ resourceType: 2, resourceName, configs: [{ name: 'retention.ms', configOperation: 0, value: '60000' }] });
    const names = ['a b', '..', '', uniqueName('none')];

    // Act
    const answer = await wire.request(32, 1, { resources: [resource('a b'), resource('..'), resource(uniqueName('none')), resource(name)], includeSynonyms: false });
    const altered = await wire.request(33, 1, { resources: names.map(alter), validateOnly: false });
    const incremented = await wire.request(44, 1, { resources: names.map(incremental), validateOnly: false });

    // Assess: as Kafka's controller, no name is INVALID_REQUEST (topics have no default resource)
    expect(answer.results.map((r: Body) => r.errorCode)).toEqual([17, 17, 3, 0]);
    expect(answer.results[3].configs.map((c: Body) => c.name)).toEqual(['retention.ms']);
    expect(altered.responses.map((r: Body) => r.errorCode)).toEqual([17, 17, 42, 3]);
    expect(incremented.responses.map((r: Body) => r.errorCode)).toEqual([17, 17, 42, 3]);
  });

  it('describes a config set on the topic as DYNAMIC_TOPIC_CONFIG even at its default value, until DELETE or a replacing AlterConfigs drops it; a topic item from before overrides were recorded reads as before', async () => {
    // Prepare: two configs set at their default values; a topic item without the overrides attribute
    const [name, old] = [uniqueName('cfgsrc'), uniqueName('cfgsrc')];
    await wire.request(19, 5, { topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'cleanup.policy', value: 'delete' }, { name: 'retention.ms', value: '604800000' }] }], timeoutMs: 5000, validateOnly: false });
    await a.deps.log.createTopic(old, 1, { 'retention.ms': '60000', 'segment.ms': String(7 * 24 * 3600 * 1000) });
    await a.deps.clients.dynamo.send(new UpdateCommand({ TableName: a.deps.config.logTable, Key: logKeys.topic(old), UpdateExpression: 'REMOVE overrides' }));
    const describe = async (topic: string, version = 4) => {
      const answer = await wire.request(32, version, { resources: [{ resourceType: 2, resourceName: topic, configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });
      return Object.fromEntries(answer.results[0].configs.map((c: Body) => [c.name, version === 0 ? c.isDefault : c.configSource]));
    };
    const incremental = (configs: Body[]) => wire.request(44, 1, { resources: [{ resourceType: 2, resourceName: name, configs }], validateOnly: false });

    // Act
    const created = await describe(name);
    const createdV0 = await describe(name, 0);
    await incremental([{ name: 'max.message.bytes', configOperation: 0, value: '1048588' }, { name: 'retention.ms', configOperation: 1, value: null }]);
    const afterIncremental = await describe(name);
    await wire.request(33, 2, { resources: [{ resourceType: 2, resourceName: name, configs: [{ name: 'segment.ms', value: '604800000' }] }], validateOnly: false });
    const afterReplace = await describe(name);
    const oldItem = await describe(old);

    // Assess (1 DYNAMIC_TOPIC_CONFIG, 5 DEFAULT_CONFIG)
    expect(created).toMatchObject({ 'cleanup.policy': 1, 'retention.ms': 1, 'retention.bytes': 5, 'max.message.bytes': 5 });
    expect(createdV0).toMatchObject({ 'cleanup.policy': false, 'retention.ms': false, 'retention.bytes': true });
    expect(afterIncremental).toMatchObject({ 'cleanup.policy': 1, 'retention.ms': 5, 'max.message.bytes': 1 });
    expect(afterReplace).toMatchObject({ 'cleanup.policy': 5, 'retention.ms': 5, 'max.message.bytes': 5, 'segment.ms': 1 });
    expect(oldItem).toMatchObject({ 'retention.ms': 1, 'segment.ms': 5, 'cleanup.policy': 5 });
  });

  it('describes a config left at a server default other than Kafka\'s (FLOE_DEFAULT_RETENTION_MS) as STATIC_BROKER_CONFIG, as a broker\'s log.retention.ms; DELETE goes back to it', async () => {
    // Prepare: a gateway whose server default retention is an hour
    const hourly = await startTestGateway({}, { config: { defaultRetentionMs: 3_600_000 } });
    const conn = await KafkaWire.connect(hourly.port);
    const [name, altered] = [uniqueName('cfgsrv'), uniqueName('cfgsrv')];
    const describe = async (topic: string) =>
      (await conn.request(32, 4, { resources: [{ resourceType: 2, resourceName: topic, configurationKeys: ['retention.ms', 'retention.bytes'] }], includeSynonyms: false, includeDocumentation: false })).results[0].configs.map((c: Body) => [c.name, c.value, c.configSource]);

    try {
      // Act
      await conn.request(19, 5, { topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
      await conn.request(19, 5, { topics: [{ name: altered, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: '60000' }] }], timeoutMs: 5000, validateOnly: false });
      await conn.request(44, 1, { resources: [{ resourceType: 2, resourceName: altered, configs: [{ name: 'retention.ms', configOperation: 1, value: null }] }], validateOnly: false });
      const [described, deleted] = [await describe(name), await describe(altered)];

      // Assess
      expect(described).toEqual([
        ['retention.ms', '3600000', 4],
        ['retention.bytes', '-1', 5],
      ]);
      expect(deleted).toEqual(described);
    } finally {
      conn.close();
      await hourly.close();
    }
  });

  it('answers synonyms when asked (v1+), the value in force first: the topic\'s override, the server default under the broker\'s name, Kafka\'s default; and documentation when asked (v3+)', async () => {
    // Prepare: a server default retention of an hour; a topic with two overrides, one with none
    const hourly = await startTestGateway({}, { config: { defaultRetentionMs: 3_600_000 } });
    const conn = await KafkaWire.connect(hourly.port);
    const [set, unset] = [uniqueName('cfgsyn'), uniqueName('cfgsyn')];
    const keys = ['retention.ms', 'cleanup.policy', 'retention.bytes', 'max.compaction.lag.ms'];
    const describe = async (topic: string, version: number, includeSynonyms: boolean, includeDocumentation: boolean) =>
      (await conn.request(32, version, { resources: [{ resourceType: 2, resourceName: topic, configurationKeys: keys }], includeSynonyms, includeDocumentation })).results[0].configs as Body[];
    const synonyms = (configs: Body[]) => Object.fromEntries(configs.map((c) => [c.name, c.synonyms.map((s: Body) => [s.name, s.value, s.source])]));

    try {
      await conn.request(19, 5, { topics: [{ name: set, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: '60000' }, { name: 'cleanup.policy', value: 'compact' }] }], timeoutMs: 5000, validateOnly: false });
      await conn.request(19, 5, { topics: [{ name: unset, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });

      // Act
      const full = await describe(set, 4, true, true);
      const v1 = await describe(set, 1, true, false);
      const notAsked = await describe(set, 4, false, false);
      const defaults = await describe(unset, 3, true, true);

      // Assess (sources: 1 DYNAMIC_TOPIC_CONFIG, 4 STATIC_BROKER_CONFIG, 5 DEFAULT_CONFIG)
      expect(synonyms(full)).toEqual({
        'retention.ms': [['retention.ms', '60000', 1], ['log.retention.ms', '3600000', 4], ['log.retention.ms', '604800000', 5]],
        'cleanup.policy': [['cleanup.policy', 'compact', 1], ['log.cleanup.policy', 'delete', 5]],
        'retention.bytes': [['log.retention.bytes', '-1', 5]],
        'max.compaction.lag.ms': [['log.cleaner.max.compaction.lag.ms', '9223372036854775807', 5]],
      });
      expect(synonyms(v1)).toEqual(synonyms(full));
      expect(synonyms(defaults)).toEqual({
        'retention.ms': [['log.retention.ms', '3600000', 4], ['log.retention.ms', '604800000', 5]],
        'cleanup.policy': [['log.cleanup.policy', 'delete', 5]],
        'retention.bytes': [['log.retention.bytes', '-1', 5]],
        'max.compaction.lag.ms': [['log.cleaner.max.compaction.lag.ms', '9223372036854775807', 5]],
      });
      for (const c of [...full, ...defaults]) expect([c.synonyms[0].value, c.synonyms[0].source]).toEqual([c.value, c.configSource]);
      expect(full.find((c) => c.name === 'retention.ms')?.documentation).toMatch(/removed by housekeeping/);
      expect(full.every((c) => typeof c.documentation === 'string' && c.documentation.length > 0)).toBe(true);
      expect(notAsked.map((c) => [c.synonyms, c.documentation])).toEqual(keys.map(() => [[], null]));
    } finally {
      conn.close();
      await hourly.close();
    }
  });

  it('describes the broker (its own id; the empty name, Kafka\'s dynamic defaults, has none) with the server defaults under Kafka\'s broker names and the gateway settings, all read-only; another broker id is INVALID_REQUEST, as Kafka', async () => {
    // Prepare: a server default retention of an hour, node id 7, three partitions for auto-created topics
    const node7 = await startTestGateway({ nodeId: 7, defaultPartitions: 3 }, { config: { defaultRetentionMs: 3_600_000 } });
    const conn = await KafkaWire.connect(node7.port);
    const broker = (resourceName: string, configurationKeys: string[] | null = null) => ({ resourceType: 4, resourceName, configurationKeys });

    try {
      // Act
      const answer = await conn.request(32, 4, { resources: [broker('7'), broker('', ['log.retention.ms', 'num.partitions']), broker('1'), broker('x')], includeSynonyms: true, includeDocumentation: true });
      const v0 = await conn.request(32, 0, { resources: [broker('7', ['log.retention.bytes', 'log.retention.ms'])] });

      // Assess (sources: 4 STATIC_BROKER_CONFIG, 5 DEFAULT_CONFIG)
      const [own, defaults, other, notANumber] = answer.results as Body[];
      expect([own?.errorCode, defaults?.errorCode, other?.errorCode, notANumber?.errorCode]).toEqual([0, 0, 42, 42]);
      expect(other?.errorMessage).toMatch(/expected 7 or empty string, but received 1/);
      const byName: Record<string, Body> = Object.fromEntries((own?.configs as Body[]).map((c) => [c.name, c]));
      expect(byName['log.retention.ms']).toMatchObject({ value: '3600000', configSource: 4, readOnly: true });
      expect(byName['log.retention.ms']?.synonyms.map((s: Body) => [s.value, s.source])).toEqual([['3600000', 4], ['604800000', 5]]);
      expect(byName['log.cleanup.policy']).toMatchObject({ value: 'delete', configSource: 5 });
      expect(byName['message.max.bytes']).toMatchObject({ value: '1048588', configSource: 5 });
      expect(byName['num.partitions']).toMatchObject({ value: '3', configSource: 4 });
      expect(byName['node.id']).toMatchObject({ value: '7' });
      expect(Object.values(byName).every((c: Body) => c.readOnly === true && typeof c.documentation === 'string')).toBe(true);
      expect(defaults?.configs).toEqual([]); // Kafka's dynamic cluster defaults: Floe has none
      expect(v0.results[0].configs.map((c: Body) => [c.name, c.value, c.isDefault])).toEqual([
        ['log.retention.bytes', '-1', true],
        ['log.retention.ms', '3600000', false],
      ]);
    } finally {
      conn.close();
      await node7.close();
    }
  });

  it('creates, grows, describes and deletes topics', async () => {
    // Prepare
    const name = uniqueName('adm');

    // Act
    const created = await wire.request(19, 7, { topics: [{ name, numPartitions: 2, replicationFactor: 3, assignments: [], configs: [{ name: 'retention.ms', value: '60000' }] }], timeoutMs: 5000, validateOnly: false });
    const again = await wire.request(19, 4, { topics: [{ name, numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
    const badConfig = await wire.request(19, 5, { topics: [{ name: uniqueName('adm'), numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'cleanup.policy', value: 'shred' }] }], timeoutMs: 5000, validateOnly: false });
    const grown = await wire.request(37, 3, { topics: [{ name, count: 4, assignments: null }], timeoutMs: 5000, validateOnly: false });
    const described = await wire.request(32, 4, { resources: [{ resourceType: 2, resourceName: name, configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });
    const deleted = await wire.request(20, 6, { topics: [{ name, topicId: '00000000-0000-0000-0000-000000000000' }], timeoutMs: 5000 });
    const gone = await a.deps.log.freshTopic(name);

    // Assess
    expect(created.topics[0]).toMatchObject({ errorCode: 0, numPartitions: 2 });
    expect(again.topics[0].errorCode).toBe(36);
    expect(badConfig.topics[0].errorCode).toBe(40);
    expect(grown.results[0].errorCode).toBe(0);
    const configs = Object.fromEntries(described.results[0].configs.map((c: Body) => [c.name, [c.value, c.configSource]]));
    expect(configs).toMatchObject({ 'retention.ms': ['60000', 1], 'retention.bytes': ['-1', 5], 'max.message.bytes': ['1048588', 5], 'cleanup.policy': ['delete', 5], 'max.compaction.lag.ms': ['9223372036854775807', 5] });
    expect(deleted.responses[0].errorCode).toBe(0);
    expect(gone).toBeUndefined();
  });
});

describe('authorized operations without ACLs', () => {
  it('answers every operation Kafka supports for the resource type when asked, as Kafka without an authorizer, and Int32 min when not', async () => {
    // Prepare: Kafka's AclOperation codes as bits (Read 3 ... IdempotentWrite 12)
    const name = await topic();
    const bits = (...codes: number[]) => codes.reduce((sum, code) => sum | (1 << code), 0);
    const metadata = (include: boolean) => wire.request(3, 9, { topics: [{ name }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: include, includeTopicAuthorizedOperations: include });

    // Act
    const [asked, notAsked] = [await metadata(true), await metadata(false)];
    const groups = await wire.request(15, 3, { groups: [uniqueName('g')], includeAuthorizedOperations: true });
    const cluster = await wire.request(60, 0, { includeClusterAuthorizedOperations: true });

    // Assess
    expect(asked.topics[0].topicAuthorizedOperations).toBe(bits(3, 4, 5, 6, 7, 8, 10, 11));
    expect(asked.clusterAuthorizedOperations).toBe(bits(5, 7, 8, 9, 10, 11, 12));
    expect([notAsked.topics[0].topicAuthorizedOperations, notAsked.clusterAuthorizedOperations]).toEqual([-2147483648, -2147483648]);
    expect(groups.groups[0].authorizedOperations).toBe(bits(3, 6, 8));
    expect(cluster.clusterAuthorizedOperations).toBe(bits(5, 7, 8, 9, 10, 11, 12));
  });
});

describe('encoding', () => {
  it('uses the request header v2 / response header v1 of flexible versions (Metadata v12 round trip by hand)', async () => {
    // Act: the raw frame of a flexible request, decoded with the flexible response header
    const conn = await KafkaWire.connect(a.port);
    conn.sendRaw(encodeRequest(3, 12, 5, 'flex', { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false }));
    const frame = (await conn.nextFrame()) as Buffer;
    conn.close();

    // Assess
    const decoded = decodeResponse(3, 12, frame);
    expect(decoded.correlationId).toBe(5);
    expect(decoded.trailingBytes).toBe(0);
    expect((decoded.body as Body).topics).toEqual([]);
  });
});
