/**
 * A striped topic (decision 52) through the Kafka gateway: its layout is on the topic item, so a
 * gateway whose deps do not turn stripes on still serves one created with them. kafkajs produces to
 * every partition and a consumer group reads them back, also records produced while it long-polls
 * at the high watermark (the head watcher reads stripes).
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopic, getTopic } from '../../../src/log/topics.js';
import { uniqueName } from '../../helpers/cluster.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { eventually } from '../../helpers/kafka-clients.js';

let gw: TestGateway;
beforeAll(async () => {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw?.close();
});

const PARTITIONS = 10;

describe('a striped topic at the wire', () => {
  it('kafkajs produces to every partition and a group consumes them back, also while it waits at the end', async () => {
    // Prepare: 10 partitions in stripes of 4, 4 and 2
    const name = uniqueName('striped-kjs');
    const striped = { dynamo: gw.deps.clients.dynamo, store: gw.deps.s3, logTable: gw.deps.config.logTable, stripes: { width: 4, above: 4 } };
    await createTopic(striped, name, PARTITIONS);
    const kafka = new Kafka({ clientId: 'striped-test', brokers: [gw.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: uniqueName('striped-kjs-g'), sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 5000 });
    const seen: string[] = [];
    const messages = (round: string) => Array.from({ length: PARTITIONS }, (_, p) => ({ partition: p, value: `${round}${p}` }));

    try {
      // Act: one round before the consumer starts, one after it read the first (its fetches wait at the end)
      await producer.connect();
      const first = await producer.send({ topic: name, acks: -1, messages: [...messages('a'), ...messages('b')] });
      await consumer.connect();
      await consumer.subscribe({ topic: name, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ partition, message }) => void seen.push(`${partition}:${String(message.value)}`) });
      await eventually(() => seen.length >= 2 * PARTITIONS, 30_000, 'the first rounds consumed');
      const second = await producer.send({ topic: name, acks: -1, messages: messages('c') });
      await eventually(() => seen.length >= 3 * PARTITIONS, 30_000, 'the round produced during the wait consumed');

      // Assess
      expect((await getTopic(striped, name))?.stripeWidth).toBe(4);
      expect(first.map((r) => [r.partition, r.errorCode, r.baseOffset]).sort((x, y) => Number(x[0]) - Number(y[0]))).toEqual(
        Array.from({ length: PARTITIONS }, (_, p) => [p, 0, '0']),
      );
      expect(second.every((r) => r.errorCode === 0 && r.baseOffset === '2')).toBe(true);
      for (let p = 0; p < PARTITIONS; p++) expect(seen.filter((s) => s.startsWith(`${p}:`))).toEqual([`${p}:a${p}`, `${p}:b${p}`, `${p}:c${p}`]);
    } finally {
      await Promise.all([producer.disconnect(), consumer.disconnect()]);
    }
  });

  it('kafkajs with idempotent: true produces to every partition of a striped topic, each batch once', async () => {
    // Prepare
    const name = uniqueName('striped-kjs-idem');
    const striped = { dynamo: gw.deps.clients.dynamo, store: gw.deps.s3, logTable: gw.deps.config.logTable, stripes: { width: 4, above: 4 } };
    await createTopic(striped, name, PARTITIONS);
    const kafka = new Kafka({ clientId: 'striped-idem-test', brokers: [gw.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const admin = kafka.admin();
    const messages = (round: string) => Array.from({ length: PARTITIONS }, (_, p) => ({ partition: p, value: `${round}${p}` }));

    try {
      // Act: two rounds of one idempotent producer
      await producer.connect();
      const first = await producer.send({ topic: name, acks: -1, messages: messages('a') });
      const second = await producer.send({ topic: name, acks: -1, messages: [...messages('b'), ...messages('c')] });
      await admin.connect();
      const ends = await admin.fetchTopicOffsets(name);

      // Assess
      expect(first.every((r) => r.errorCode === 0 && r.baseOffset === '0')).toBe(true);
      expect(second.every((r) => r.errorCode === 0 && r.baseOffset === '1')).toBe(true);
      expect(ends.map((o) => [o.partition, o.high]).sort((x, y) => Number(x[0]) - Number(y[0]))).toEqual(Array.from({ length: PARTITIONS }, (_, p) => [p, '3']));
    } finally {
      await Promise.all([producer.disconnect(), admin.disconnect()]);
    }
  });

  it('a gateway configured with stripedTopicsAbove (FLOE_STRIPED_TOPICS_ABOVE) creates topics past it striped, through CreateTopics', async () => {
    // Prepare
    const configured = await startTestGateway({}, { config: { stripedTopicsAbove: 2 } });
    const admin = new Kafka({ clientId: 'striped-create', brokers: [configured.bootstrap], logLevel: logLevel.NOTHING }).admin();
    const [wide, narrow] = [uniqueName('striped-create'), uniqueName('striped-narrow')];

    try {
      // Act
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: wide, numPartitions: 3 }, { topic: narrow, numPartitions: 2 }] });

      // Assess
      const deps = { dynamo: configured.deps.clients.dynamo, store: configured.deps.s3, logTable: configured.deps.config.logTable };
      expect((await getTopic(deps, wide))?.stripeWidth).toBe(64);
      expect((await getTopic(deps, narrow))?.stripeWidth).toBeUndefined();
    } finally {
      await admin.disconnect();
      await configured.close();
    }
  });
});
