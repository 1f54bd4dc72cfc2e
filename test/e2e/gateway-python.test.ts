/**
 * confluent-kafka-python (librdkafka) and kafka-python (no version negotiation: it guesses the broker
 * release from ApiVersions) against the gateway: produce, then consume in a group with manual
 * commits (test/fixtures/kafka-group.py). The commits land in Floe's groups table. Then how each
 * starts from a group kafkajs reset to earliest (a committed -2, test/fixtures/kafka-committed-start.py).
 */
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchOffsets } from '../../src/groups/offsets.js';
import { uniqueName } from '../helpers/cluster.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { HAS_CONFLUENT_KAFKA, HAS_KAFKA_PYTHON, MISSING, noteSkip, PYTHON, run } from '../helpers/kafka-clients.js';

const SCRIPT = fileURLToPath(new URL('../fixtures/kafka-group.py', import.meta.url));
const START = fileURLToPath(new URL('../fixtures/kafka-committed-start.py', import.meta.url));
noteSkip(HAS_CONFLUENT_KAFKA, MISSING.confluent);
noteSkip(HAS_KAFKA_PYTHON, MISSING.kafkaPython);

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ initialRebalanceDelayMs: 300 });
});
afterAll(async () => {
  await gw?.close();
});

interface Outcome {
  produced: Array<[number, number]>;
  consumed: Array<[number, number, string, string]>;
  committed: Record<string, number>;
  api_version?: number[];
}

async function runClient(client: 'confluent' | 'kafka-python'): Promise<{ outcome: Outcome; topic: string; group: string }> {
  const topic = uniqueName('py');
  const group = uniqueName('py-g');
  await gw.deps.log.createTopic(topic, 3, {});
  const result = await run(PYTHON, [SCRIPT, client, gw.bootstrap, topic, group, '30'], '', 90_000);
  if (result.code !== 0) throw new Error(`${client} failed (${result.code}):\n${result.stderr}`);
  return { outcome: JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as Outcome, topic, group };
}

async function assertConsumedAndCommitted(outcome: Outcome, topic: string, group: string): Promise<void> {
  expect(outcome.produced).toHaveLength(30);
  expect(outcome.consumed).toHaveLength(30);
  // Every produced record was consumed at the offset the producer was told.
  expect(outcome.consumed.map(([p, o]) => `${p}:${o}`).sort()).toEqual(outcome.produced.map(([p, o]) => `${p}:${o}`).sort());
  const committed = await fetchOffsets(gw.deps.groups, group, [0, 1, 2].map((partition) => ({ topic, partition })));
  const ends = [0, 1, 2].map((p) => outcome.produced.filter(([q]) => q === p).length);
  expect(committed.map((c) => Math.max(0, c.offset))).toEqual(ends);
}

describe.skipIf(!HAS_CONFLUENT_KAFKA)('confluent-kafka-python against the gateway', () => {
  it('produces idempotently and consumes in a group with manual commits', async () => {
    // Act
    const { outcome, topic, group } = await runClient('confluent');

    // Assess
    await assertConsumedAndCommitted(outcome, topic, group);
  });
});

describe.skipIf(!HAS_KAFKA_PYTHON)('kafka-python against the gateway', () => {
  it('guesses a modern broker from ApiVersions, produces, and consumes in a group with manual commits', async () => {
    // Act
    const { outcome, topic, group } = await runClient('kafka-python');

    // Assess
    expect(outcome.api_version).toEqual([2, 4, 0]);
    await assertConsumedAndCommitted(outcome, topic, group);
  });
});

/** Ten records in a one-partition topic, and a group reset to earliest by kafkajs (it commits -2). */
async function resetToEarliest(): Promise<{ topic: string; group: string }> {
  const topic = uniqueName('py-r');
  const group = uniqueName('py-rg');
  await gw.deps.log.createTopic(topic, 1, {});
  const kafka = new Kafka({ clientId: 'reset', brokers: [gw.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `v${i}` })) });
  await producer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '10' }] });
    await admin.resetOffsets({ groupId: group, topic, earliest: true });
  } finally {
    await admin.disconnect();
  }
  return { topic, group };
}

async function startFromCommit(client: 'confluent' | 'kafka-python', topic: string, group: string): Promise<{ values: string[]; committed: unknown }> {
  const result = await run(PYTHON, [START, client, gw.bootstrap, topic, group], '', 60_000);
  if (result.code !== 0) throw new Error(`${client} failed (${result.code}):\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as { values: string[]; committed: unknown };
}

describe('a group reset to earliest (a committed -2), read by the Python clients as on Kafka', () => {
  it.skipIf(!HAS_CONFLUENT_KAFKA)('librdkafka reads the -2 as OFFSET_BEGINNING and starts from the first record', async () => {
    // Prepare
    const { topic, group } = await resetToEarliest();

    // Act: its own auto.offset.reset is latest
    const { values, committed } = await startFromCommit('confluent', topic, group);

    // Assess
    expect(committed).toBe(-2);
    expect(values).toEqual(Array.from({ length: 10 }, (_, i) => `v${i}`));
  });

  it.skipIf(!HAS_KAFKA_PYTHON)('kafka-python reads a negative commit as none and applies its auto_offset_reset', async () => {
    // Prepare
    const { topic, group } = await resetToEarliest();

    // Act
    const { values, committed } = await startFromCommit('kafka-python', topic, group);

    // Assess: latest, so nothing (the Java client does the same)
    expect(committed).toBeNull();
    expect(values).toEqual([]);
  });
});
