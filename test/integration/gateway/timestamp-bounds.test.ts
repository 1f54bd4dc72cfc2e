/**
 * CreateTime timestamp bounds (message.timestamp.before.max.ms / after.max.ms, KIP-937) at the
 * Kafka wire: Produce refuses a batch with a record out of bounds with INVALID_TIMESTAMP (32) and,
 * from v8, per-record errors, while the request's other partitions are appended; DescribeConfigs
 * lists both as LONG configs at Kafka 4.x's defaults under their broker synonyms; CreateTopics
 * refuses the removed message.timestamp.difference.max.ms; a batch the client flagged LogAppendTime is
 * refused on a LogAppendTime topic; a compacted topic's keyless records are listed as Kafka lists them. Real clients: confluent-kafka-python
 * (librdkafka) and kafkajs. The margins are hours, so the machine's pace never decides an outcome.
 */
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRecordBatch, type ProducedRecord } from '../../../packages/protocol/src/index.js';
import { uniqueName } from '../../helpers/cluster.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { HAS_CONFLUENT_KAFKA, MISSING, noteSkip, PYTHON, run } from '../../helpers/kafka-clients.js';
import { KafkaWire, type Body } from '../../helpers/kafka-wire.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/kafka-timestamp-bounds.py', import.meta.url));
noteSkip(HAS_CONFLUENT_KAFKA, MISSING.confluent);

const HOUR = 3_600_000;
const INVALID_TIMESTAMP = 32;
const INVALID_CONFIG = 40;
const INVALID_RECORD = 87;

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

const batchAt = (timestamps: number[]): Buffer =>
  encodeRecordBatch({ records: timestamps.map((timestamp, i): ProducedRecord => ({ key: null, value: Buffer.from(`v${i}`), timestamp })), compression: 'snappy' });

async function produce(version: number, name: string, batches: Buffer[]): Promise<Body[]> {
  const body = { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name, partitionData: batches.map((records, index) => ({ index, records })) }] };
  return (await wire.request(0, version, body)).responses[0].partitionResponses;
}

describe('timestamp bounds at the wire', () => {
  it('Produce v8 refuses the partition whose batch holds a record two hours ahead (32, per-record errors), appends the other; v7 gets the code alone', async () => {
    // Prepare
    const name = uniqueName('tsb-w');
    await gw.deps.log.createTopic(name, 2, {});
    const now = Date.now();

    // Act
    const v8 = await produce(8, name, [batchAt([now, now + 2 * HOUR]), batchAt([now, 1_000])]);
    const v7 = await produce(7, name, [batchAt([now + 2 * HOUR]), batchAt([now])]);
    const fixed = await produce(8, name, [batchAt([now])]);

    // Assess
    expect(v8.map((p) => p.errorCode)).toEqual([INVALID_TIMESTAMP, 0]);
    expect(v8[0]).toMatchObject({ baseOffset: -1n, recordErrors: [{ batchIndex: 1 }] });
    expect(v8[0]!.recordErrors[0].batchIndexErrorMessage).toContain(`Timestamp ${now + 2 * HOUR} of record 1 is out of range`);
    expect(v8[0]!.errorMessage).toContain('message.timestamp.after.max.ms=3600000');
    expect(v8[1]).toMatchObject({ baseOffset: 0n, recordErrors: [] });
    expect(v7.map((p) => p.errorCode)).toEqual([INVALID_TIMESTAMP, 0]);
    expect(v7[1]!.baseOffset).toBe(2n);
    expect(fixed[0]).toMatchObject({ errorCode: 0, baseOffset: 0n }); // the refused batches took no offset
  });

  it('Produce v8 refuses a batch the client flagged LogAppendTime on a LogAppendTime topic, as Kafka\'s LogValidator: 32, every record in record_errors', async () => {
    // Prepare
    const name = uniqueName('tsb-w-lat');
    await gw.deps.log.createTopic(name, 1, { 'message.timestamp.type': 'LogAppendTime' });
    const flagged = encodeRecordBatch({ records: [0, 1].map((i): ProducedRecord => ({ key: null, value: Buffer.from(`v${i}`), timestamp: Date.now() })), logAppendTime: true });

    // Act
    const [answer] = await produce(8, name, [flagged]);

    // Assess
    expect(answer).toMatchObject({ errorCode: INVALID_TIMESTAMP, baseOffset: -1n });
    expect(answer!.recordErrors.map((r: Body) => r.batchIndex)).toEqual([0, 1]);
    expect(answer!.errorMessage).toContain('should not set the timestamp type to LogAppendTime');
  });

  it('Produce v8 refuses a compacted topic\'s batch with keyless records as Kafka\'s LogValidator: INVALID_RECORD (87), each keyless record in record_errors with Kafka\'s message', async () => {
    // Prepare
    const name = uniqueName('tsb-w-keyless');
    await gw.deps.log.createTopic(name, 1, { 'cleanup.policy': 'compact' });
    const now = Date.now();
    const batch = encodeRecordBatch({ records: [null, 'k1', null, null].map((key, i): ProducedRecord => ({ key: key === null ? null : Buffer.from(key), value: Buffer.from(`v${i}`), timestamp: now })) });

    // Act
    const [answer] = await produce(8, name, [batch]);

    // Assess
    expect(answer).toMatchObject({ errorCode: INVALID_RECORD, baseOffset: -1n });
    expect(answer!.recordErrors).toEqual([0, 2, 3].map((batchIndex) => ({ batchIndex, batchIndexErrorMessage: `Compacted topic cannot accept message without key in topic partition ${name}-0` })));
  });

  it('DescribeConfigs lists both as LONG at Kafka 4.x defaults with their broker synonyms; IncrementalAlterConfigs sets one; CreateTopics refuses message.timestamp.difference.max.ms', async () => {
    // Prepare
    const name = uniqueName('tsb-d');
    await gw.deps.log.createTopic(name, 1, {});
    const describe = async (): Promise<Body[]> =>
      (await wire.request(32, 3, { resources: [{ resourceType: 2, resourceName: name, configurationKeys: ['message.timestamp.before.max.ms', 'message.timestamp.after.max.ms'] }], includeSynonyms: true, includeDocumentation: true })).results[0]
        .configs;
    const spec = { name: uniqueName('tsb-diff'), numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'message.timestamp.difference.max.ms', value: '1000' }] };

    // Act
    const defaults = await describe();
    const set = await wire.request(44, 1, { resources: [{ resourceType: 2, resourceName: name, configs: [{ name: 'message.timestamp.before.max.ms', configOperation: 0, value: '86400000' }] }], validateOnly: false });
    const altered = await describe();
    const created = await wire.request(19, 5, { topics: [spec], timeoutMs: 5000, validateOnly: false });

    // Assess
    expect(defaults).toEqual([
      expect.objectContaining({
        name: 'message.timestamp.before.max.ms',
        value: '9223372036854775807',
        configSource: 5,
        configType: 5,
        synonyms: [{ name: 'log.message.timestamp.before.max.ms', value: '9223372036854775807', source: 5 }],
        documentation: expect.stringContaining('INVALID_TIMESTAMP'),
      }),
      expect.objectContaining({
        name: 'message.timestamp.after.max.ms',
        value: '3600000',
        configSource: 5,
        configType: 5,
        synonyms: [{ name: 'log.message.timestamp.after.max.ms', value: '3600000', source: 5 }],
      }),
    ]);
    expect(set.responses[0].errorCode).toBe(0);
    expect(altered[0]).toMatchObject({ value: '86400000', configSource: 1 });
    expect(created.topics[0].errorCode).toBe(INVALID_CONFIG);
    expect(created.topics[0].errorMessage).toContain('removed in Kafka 4.0');
  });
});

describe('a deployment default for the bounds', () => {
  it('is described as STATIC_BROKER_CONFIG under log.message.timestamp.after.max.ms, as a broker\'s, and a record two days ahead is taken', async () => {
    // Prepare
    const lenient = await startTestGateway({}, { config: { defaultTimestampAfterMaxMs: Number.MAX_SAFE_INTEGER } });
    const onLenient = await KafkaWire.connect(lenient.port);
    const name = uniqueName('tsb-dep');

    try {
      // Act
      const created = await onLenient.request(19, 5, { topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
      const described = (await onLenient.request(32, 3, { resources: [{ resourceType: 2, resourceName: name, configurationKeys: ['message.timestamp.after.max.ms'] }], includeSynonyms: true, includeDocumentation: false }))
        .results[0].configs[0];
      const body = { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name, partitionData: [{ index: 0, records: batchAt([Date.now() + 48 * HOUR]) }] }] };
      const produced = (await onLenient.request(0, 8, body)).responses[0].partitionResponses[0];

      // Assess
      expect(created.topics[0].errorCode).toBe(0);
      expect(described).toMatchObject({
        value: '9223372036854775807',
        configSource: 4,
        synonyms: [
          { name: 'log.message.timestamp.after.max.ms', value: '9223372036854775807', source: 4 },
          { name: 'log.message.timestamp.after.max.ms', value: '3600000', source: 5 },
        ],
      });
      expect(produced).toMatchObject({ errorCode: 0, baseOffset: 0n });
    } finally {
      onLenient.close();
      await lenient.close();
    }
  });
});

describe('timestamp bounds with real clients', () => {
  it.skipIf(!HAS_CONFLUENT_KAFKA)('confluent-kafka-python: describes the defaults; a record two hours ahead fails INVALID_TIMESTAMP, one now and one from 1970 are delivered; difference.max.ms is refused', async () => {
    // Prepare
    const name = uniqueName('tsb-py');
    await gw.deps.log.createTopic(name, 1, {});

    // Act
    const result = await run(PYTHON, [FIXTURE, gw.bootstrap, name], '', 90_000);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as { described: Record<string, string>; delivered: Record<string, string | null>; createError: string | null };
    expect(out.described).toEqual({ 'message.timestamp.before.max.ms': '9223372036854775807', 'message.timestamp.after.max.ms': '3600000' });
    expect(out.delivered).toEqual({ now: null, ahead: 'INVALID_TIMESTAMP', old: null });
    expect(out.createError).toContain('message.timestamp.before.max.ms and message.timestamp.after.max.ms');
  });

  it('kafkajs: a send with a timestamp two hours ahead rejects with INVALID_TIMESTAMP; one within bounds is written', async () => {
    // Prepare
    const name = uniqueName('tsb-kjs');
    await gw.deps.log.createTopic(name, 1, {});
    const kafka = new Kafka({ clientId: 'tsb-test', brokers: [gw.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const producer = kafka.producer();
    const now = Date.now();

    try {
      // Act
      await producer.connect();
      const refused = await producer.send({ topic: name, acks: -1, messages: [{ value: 'late', timestamp: String(now + 2 * HOUR) }] }).then(
        () => undefined,
        (e: { type?: string; name?: string }) => e.type,
      );
      const [written] = await producer.send({ topic: name, acks: -1, messages: [{ value: 'now', timestamp: String(now) }] });

      // Assess
      expect(refused).toBe('INVALID_TIMESTAMP');
      expect(written).toMatchObject({ errorCode: 0, baseOffset: '0' });
    } finally {
      await producer.disconnect();
    }
  });
});
