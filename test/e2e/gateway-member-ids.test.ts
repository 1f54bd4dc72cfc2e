/**
 * Real clients against a gateway that accepts only member ids a group handed out (KIP-394). Every
 * group's first handed-out id goes unrecorded here, as if a gateway of an earlier release had
 * handed it out (or it expired), so each client's join with it is UNKNOWN_MEMBER_ID: librdkafka
 * (kcat -G, confluent-kafka) and kafkajs drop the id, ask for another (MEMBER_ID_REQUIRED) and join
 * with that one, then consume every record. kafka-python (JoinGroup v0-v2) gets its id on its first
 * join: nothing is handed out ahead.
 */
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupKeys } from '../../src/storage/keys.js';
import { uniqueName } from '../helpers/cluster.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { ClientProcess, eventually, HAS_CONFLUENT_KAFKA, HAS_KAFKA_PYTHON, HAS_KCAT, kcat, MISSING, noteSkip, PYTHON, run } from '../helpers/kafka-clients.js';

const SCRIPT = fileURLToPath(new URL('../fixtures/kafka-group.py', import.meta.url));
noteSkip(HAS_KCAT, MISSING.kcat);
noteSkip(HAS_CONFLUENT_KAFKA, MISSING.confluent);
noteSkip(HAS_KAFKA_PYTHON, MISSING.kafkaPython);

let gw: TestGateway;
/** Per group, the member ids the gateway handed out with MEMBER_ID_REQUIRED, in order; the first was not recorded. */
const handedOut = new Map<string, string[]>();

beforeAll(async () => {
  gw = await startTestGateway({ initialRebalanceDelayMs: 300 });
  const dynamo = gw.deps.clients.dynamo;
  const send = dynamo.send.bind(dynamo);
  dynamo.send = ((command: { constructor: { name: string }; input: { Item?: Record<string, unknown> } }, ...rest: unknown[]) => {
    const item = command.constructor.name === 'PutCommand' ? command.input.Item : undefined;
    if (item && String(item.sk).startsWith(groupKeys.classicPendingPrefix)) {
      const group = String(item.pk).slice(groupKeys.groupPk('').length);
      const ids = [...(handedOut.get(group) ?? []), String(item.memberId)];
      handedOut.set(group, ids);
      if (ids.length === 1) return Promise.resolve({});
    }
    return (send as (...args: unknown[]) => unknown)(command, ...rest);
  }) as typeof dynamo.send;
});

afterAll(async () => {
  await gw?.close();
});

async function topic(partitions: number): Promise<string> {
  const name = uniqueName('ids');
  await gw.deps.log.createTopic(name, partitions, {});
  return name;
}

describe.skipIf(!HAS_KCAT)('kcat -G', () => {
  it('is refused the unrecorded id, asks for another, joins and reads every record', async () => {
    // Prepare
    const name = await topic(2);
    const group = uniqueName('ids-kcat');
    const values = Array.from({ length: 20 }, (_, i) => `v${i}`);
    await kcat(['-b', gw.bootstrap, '-P', '-t', name], `${values.join('\n')}\n`);

    // Act
    const member = ClientProcess.start('kcat', ['-b', gw.bootstrap, '-G', group, '-u', '-f', '%s\\n', '-X', 'auto.offset.reset=earliest', '-X', 'session.timeout.ms=6000', name]);
    try {
      await member.until(() => member.stdout.length >= values.length, 60_000, 'every record');
    } finally {
      await member.stop();
    }

    // Assess
    expect([...member.stdout].sort()).toEqual([...values].sort());
    expect(handedOut.get(group)?.length).toBe(2);
  });
});

describe.skipIf(!HAS_CONFLUENT_KAFKA)('confluent-kafka-python', () => {
  it('is refused the unrecorded id, asks for another, joins, consumes and commits', async () => {
    // Prepare
    const name = await topic(3);
    const group = uniqueName('ids-py');

    // Act
    const result = await run(PYTHON, [SCRIPT, 'confluent', gw.bootstrap, name, group, '30'], '', 90_000);

    // Assess
    expect(result.code).toBe(0);
    const outcome = JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as { consumed: unknown[] };
    expect(outcome.consumed).toHaveLength(30);
    expect(handedOut.get(group)?.length).toBe(2);
  });
});

describe.skipIf(!HAS_KAFKA_PYTHON)('kafka-python (JoinGroup v0-v2)', () => {
  it('gets its member id on its first join: nothing handed out ahead, and it consumes', async () => {
    // Prepare
    const name = await topic(3);
    const group = uniqueName('ids-kp');

    // Act
    const result = await run(PYTHON, [SCRIPT, 'kafka-python', gw.bootstrap, name, group, '30'], '', 90_000);

    // Assess
    expect(result.code).toBe(0);
    const outcome = JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as { consumed: unknown[] };
    expect(outcome.consumed).toHaveLength(30);
    expect(handedOut.get(group)).toBeUndefined();
  });
});

describe('kafkajs', () => {
  it('is refused the unrecorded id, asks for another, joins and reads every record', async () => {
    // Prepare
    const name = await topic(2);
    const group = uniqueName('ids-js');
    const kafka = new Kafka({ clientId: 'ids-js', brokers: [gw.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100 } });
    const producer = kafka.producer();
    await producer.connect();
    const values = Array.from({ length: 20 }, (_, i) => `v${i}`);
    await producer.send({ topic: name, messages: values.map((value) => ({ value })) });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: group, sessionTimeout: 6000, heartbeatInterval: 500, rebalanceTimeout: 10_000, maxWaitTimeInMs: 300 });
    const seen: string[] = [];

    // Act
    await consumer.connect();
    await consumer.subscribe({ topic: name, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value?.toString() ?? '') });
    try {
      await eventually(() => seen.length >= values.length, 60_000, 'every record');
    } finally {
      await consumer.disconnect();
    }

    // Assess
    expect([...seen].sort()).toEqual([...values].sort());
    expect(handedOut.get(group)?.length).toBe(2);
  });
});
