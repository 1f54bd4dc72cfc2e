/**
 * confluent-kafka-python (librdkafka) and kafka-python (no version negotiation: it guesses the broker
 * release from ApiVersions) against the gateway: produce, then consume in a group with manual
 * commits (test/fixtures/kafka-group.py). The commits land in Floe's groups table.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchOffsets } from '../../src/groups/offsets.js';
import { uniqueName } from '../helpers/cluster.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { HAS_CONFLUENT_KAFKA, HAS_KAFKA_PYTHON, MISSING, noteSkip, PYTHON, run } from '../helpers/kafka-clients.js';

const SCRIPT = fileURLToPath(new URL('../fixtures/kafka-group.py', import.meta.url));
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
