/**
 * message.timestamp.type=LogAppendTime through the Kafka gateway: set by CreateTopics,
 * IncrementalAlterConfigs and AlterConfigs, listed by DescribeConfigs (a STRING config), stamped by
 * Produce (whose answer carries log_append_time; -1 on CreateTime topics but for a duplicate), used by ListOffsets,
 * and read as the record timestamp by real clients: kcat (librdkafka), confluent-kafka-python and kafkajs.
 */
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRecordBatch, type ProducedRecord } from '../../../packages/protocol/src/index.js';
import { uniqueName } from '../../helpers/cluster.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { eventually, HAS_CONFLUENT_KAFKA, HAS_KCAT, kcat, MISSING, noteSkip, PYTHON, run } from '../../helpers/kafka-clients.js';
import { KafkaWire, type Body } from '../../helpers/kafka-wire.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/kafka-log-append-time.py', import.meta.url));
noteSkip(HAS_KCAT, MISSING.kcat);
noteSkip(HAS_CONFLUENT_KAFKA, MISSING.confluent);

let gw: TestGateway;
let wire: KafkaWire;
beforeAll(async () => {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  gw = await startTestGateway();
  wire = await KafkaWire.connect(gw.port);
});
afterAll(async () => {
  wire?.close();
  await gw?.close();
});

const OLD: ProducedRecord[] = [
  { key: Buffer.from('a'), value: Buffer.from('one'), timestamp: 1_000 },
  { key: Buffer.from('b'), value: Buffer.from('two'), timestamp: 2_000 },
];
const APPEND_TIME = { 'message.timestamp.type': 'LogAppendTime' };

async function produceOld(name: string): Promise<Body> {
  const body = { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name, partitionData: [{ index: 0, records: encodeRecordBatch({ records: OLD }) }] }] };
  return (await wire.request(0, 8, body)).responses[0].partitionResponses[0];
}

const listOffset = async (name: string, timestamp: bigint): Promise<Body> =>
  (await wire.request(2, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp }] }] })).topics[0].partitions[0];

const describeTimestampType = async (name: string): Promise<Body | undefined> =>
  (await wire.request(32, 3, { resources: [{ resourceType: 2, resourceName: name, configurationKeys: null }], includeSynonyms: false, includeDocumentation: false })).results[0].configs.find(
    (c: Body) => c.name === 'message.timestamp.type',
  );

describe('LogAppendTime at the wire', () => {
  it('CreateTopics and IncrementalAlterConfigs set it, DescribeConfigs lists it; Produce answers the append time (-1 on CreateTime); ListOffsets finds records by it', async () => {
    // Prepare
    const [created, altered, plain] = [uniqueName('lat-c'), uniqueName('lat-a'), uniqueName('lat-p')];
    await gw.deps.log.createTopic(altered, 1, {});
    await gw.deps.log.createTopic(plain, 1, {});
    const spec = { name: created, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] };
    const incremental = (configOperation: number, value: string | null) => ({ resources: [{ resourceType: 2, resourceName: altered, configs: [{ name: 'message.timestamp.type', configOperation, value }] }], validateOnly: false });

    // Act
    const create = await wire.request(19, 5, { topics: [spec], timeoutMs: 5000, validateOnly: false });
    const set = await wire.request(44, 1, incremental(0, 'LogAppendTime'));
    const append = await wire.request(44, 1, incremental(2, 'CreateTime'));
    const [describedCreated, describedAltered, describedPlain] = [await describeTimestampType(created), await describeTimestampType(altered), await describeTimestampType(plain)];
    const before = Date.now();
    const [onCreated, onAltered, onPlain] = [await produceOld(created), await produceOld(altered), await produceOld(plain)];
    const after = Date.now();
    const maxTimestamp = await listOffset(created, -3n);
    const byTime = await listOffset(created, 1_500n);
    const byTimePlain = await listOffset(plain, 1_500n);

    // Assess
    expect(create.topics[0]).toMatchObject({ errorCode: 0 });
    expect(create.topics[0].configs.find((c: Body) => c.name === 'message.timestamp.type')).toMatchObject({ value: 'LogAppendTime', configSource: 1 });
    expect([set.responses[0].errorCode, append.responses[0].errorCode]).toEqual([0, 40]); // APPEND: not a list
    expect(describedCreated).toMatchObject({ value: 'LogAppendTime', configType: 2, configSource: 1 });
    expect(describedAltered).toMatchObject({ value: 'LogAppendTime', configSource: 1 });
    expect(describedPlain).toMatchObject({ value: 'CreateTime', configType: 2, configSource: 5 });
    for (const answer of [onCreated, onAltered]) {
      expect(answer.errorCode).toBe(0);
      expect(Number(answer.logAppendTimeMs)).toBeGreaterThanOrEqual(before);
      expect(Number(answer.logAppendTimeMs)).toBeLessThanOrEqual(after);
    }
    expect(onPlain).toMatchObject({ errorCode: 0, logAppendTimeMs: -1n });
    expect(maxTimestamp).toMatchObject({ errorCode: 0, offset: 0n, timestamp: onCreated.logAppendTimeMs });
    expect(byTime).toMatchObject({ offset: 0n, timestamp: onCreated.logAppendTimeMs });
    expect(byTimePlain).toMatchObject({ offset: 1n, timestamp: 2_000n });
  });

  it('a duplicate (an idempotent retry) on a CreateTime topic is answered with its batch\'s max timestamp, as Kafka answers from the producer state, not -1', async () => {
    // Prepare: an idempotent batch of records at 1000 and 2000
    const name = uniqueName('ct-dup');
    await gw.deps.log.createTopic(name, 1, {});
    const { producerId, producerEpoch } = await wire.request(22, 1, { transactionalId: null, transactionTimeoutMs: 60_000 });
    const records = encodeRecordBatch({ records: OLD, producerId, producerEpoch, baseSequence: 0 });
    const produce = async () =>
      (await wire.request(0, 8, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name, partitionData: [{ index: 0, records }] }] })).responses[0].partitionResponses[0];
    const original = await produce();

    // Act: the same batch again (its answer was lost)
    const retried = await produce();

    // Assess
    expect(original).toMatchObject({ errorCode: 0, baseOffset: 0n, logAppendTimeMs: -1n });
    expect(retried).toMatchObject({ errorCode: 0, baseOffset: 0n, logAppendTimeMs: 2_000n });
  });

  it('AlterConfigs sets it and, not naming it again, takes it back to CreateTime', async () => {
    // Prepare
    const name = uniqueName('lat-alter');
    await gw.deps.log.createTopic(name, 1, {});
    const alter = (configs: Body[]) => wire.request(33, 1, { resources: [{ resourceType: 2, resourceName: name, configs }], validateOnly: false });

    // Act
    const set = await alter([{ name: 'message.timestamp.type', value: 'LogAppendTime' }]);
    const stamped = await produceOld(name);
    const replaced = await alter([{ name: 'retention.ms', value: '60000' }]);
    const plain = await produceOld(name);

    // Assess
    expect([set.responses[0].errorCode, replaced.responses[0].errorCode]).toEqual([0, 0]);
    expect(Number(stamped.logAppendTimeMs)).toBeGreaterThan(0);
    expect(plain.logAppendTimeMs).toBe(-1n);
    expect((await gw.deps.log.freshTopic(name))?.configs['message.timestamp.type']).toBe('CreateTime');
  });
});

describe('LogAppendTime read by real clients', () => {
  it.skipIf(!HAS_KCAT)('kcat (-f %T) prints the append time for records produced with old timestamps', async () => {
    // Prepare
    const name = uniqueName('lat-kcat');
    await gw.deps.log.createTopic(name, 1, APPEND_TIME);
    const answer = await produceOld(name);

    // Act
    const consumed = await kcat(['-b', gw.bootstrap, '-C', '-t', name, '-o', 'beginning', '-e', '-f', '%o|%T|%s\n']);

    // Assess
    expect(consumed.code, consumed.stderr).toBe(0);
    const at = String(answer.logAppendTimeMs);
    expect(consumed.stdout.trim().split('\n')).toEqual([`0|${at}|one`, `1|${at}|two`]);
  });

  it.skipIf(!HAS_CONFLUENT_KAFKA)('confluent-kafka-python: CreateTopics and AlterConfigs set it; delivery reports and consumed records say (TIMESTAMP_LOG_APPEND_TIME=2, the append time)', async () => {
    // Prepare
    const [created, altered] = [uniqueName('lat-py-c'), uniqueName('lat-py-a')];
    await gw.deps.log.createTopic(altered, 1, {});

    // Act
    const result = await run(PYTHON, [FIXTURE, gw.bootstrap, created, altered], '', 90_000);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as {
      described: Record<string, string>;
      delivered: Record<string, Array<[number, number]>>;
      consumed: Record<string, Array<[number, number]>>;
    };
    expect(out.described).toEqual({ [created]: 'LogAppendTime', [altered]: 'LogAppendTime' });
    for (const topic of [created, altered]) {
      const delivered = out.delivered[topic] ?? [];
      const consumed = out.consumed[topic] ?? [];
      expect(delivered).toHaveLength(2);
      expect(consumed).toHaveLength(2);
      for (const [type, ts] of [...delivered, ...consumed]) {
        expect(type).toBe(2);
        expect(ts).toBeGreaterThan(2_000);
      }
      // The consumer reads what the producer was told: the same append time per record.
      expect(consumed).toEqual(delivered);
    }
  });

  it('kafkajs: the send result carries logAppendTime and eachMessage reads it as message.timestamp', async () => {
    // Prepare
    const name = uniqueName('lat-kjs');
    await gw.deps.log.createTopic(name, 1, APPEND_TIME);
    const kafka = new Kafka({ clientId: 'lat-test', brokers: [gw.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: uniqueName('lat-kjs-g'), sessionTimeout: 6000, heartbeatInterval: 500 });
    const seen: Array<[string, string]> = [];

    try {
      // Act
      await producer.connect();
      const [sent] = await producer.send({ topic: name, acks: -1, messages: [{ value: 'x', timestamp: '1000' }, { value: 'y', timestamp: '2000' }] });
      await consumer.connect();
      await consumer.subscribe({ topic: name, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void seen.push([String(message.value), message.timestamp]) });
      await eventually(() => seen.length >= 2, 30_000, 'two records consumed');

      // Assess
      expect(Number(sent?.logAppendTime)).toBeGreaterThan(2_000);
      expect(seen).toEqual([
        ['x', sent?.logAppendTime],
        ['y', sent?.logAppendTime],
      ]);
    } finally {
      await Promise.all([producer.disconnect(), consumer.disconnect()]);
    }
  });
});
