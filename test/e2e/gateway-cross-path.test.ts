/**
 * Both front doors over one log: records produced through the Kafka gateway (kafkajs) read by the
 * Floe SDK and `floe consume`, and records produced by the Floe SDK read by kafkajs and kcat - with
 * identical keys, values, headers, offsets and timestamps - and Kafka's partitioner (kafkajs' default,
 * librdkafka's murmur2_random) and Floe's putting every key on the same partition.
 */
import { Kafka, logLevel, type IHeaders } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Consumer, Producer, type ConsumerRecord } from '../../packages/client/src/index.js';
import type { LocalCluster } from '../../src/local/cluster.js';
import { startTestCluster, uniqueName } from '../helpers/cluster.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { HAS_KCAT, kcat, run } from '../helpers/kafka-clients.js';
import { FLOE_BIN } from '../helpers/processes.js';

interface Seen {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
  headers: Record<string, string>;
}

let cluster: LocalCluster;
let gw: TestGateway;
let kafka: Kafka;

beforeAll(async () => {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  [cluster, gw] = await Promise.all([startTestCluster(), startTestGateway({ initialRebalanceDelayMs: 200 })]);
  kafka = new Kafka({ clientId: 'cross-path', brokers: [gw.bootstrap], logLevel: logLevel.NOTHING });
});

afterAll(async () => {
  await Promise.all([cluster?.close(), gw?.close()]);
});

const text = (b: Buffer | null | undefined): string | null => (b === null || b === undefined ? null : b.toString('utf8'));
const sortSeen = (list: Seen[]) => [...list].sort((x, y) => x.partition - y.partition || x.offset - y.offset);

function fromSdk(r: ConsumerRecord<Buffer | null, Buffer | null>): Seen {
  return { partition: r.partition, offset: r.offset, key: text(r.key), value: text(r.value), timestamp: r.timestamp, headers: Object.fromEntries(r.headers.map((h) => [h.key, text(h.value) ?? ''])) };
}

async function readWithSdk(topic: string, partitions: number, count: number): Promise<Seen[]> {
  const consumer = new Consumer({ bootstrap: cluster.url });
  consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition })));
  consumer.seekToBeginning();
  const seen: Seen[] = [];
  const until = Date.now() + 20_000;
  while (seen.length < count && Date.now() < until) for (const r of await consumer.poll(500)) seen.push(fromSdk(r));
  await consumer.close();
  return seen;
}

async function readWithKafkajs(topic: string, count: number): Promise<Seen[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('xp-kjs'), maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: Seen[] = [];
  const headers = (h: IHeaders | undefined) => Object.fromEntries(Object.entries(h ?? {}).map(([k, v]) => [k, String(v)]));
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        seen.push({ partition, offset: Number(message.offset), key: text(message.key), value: text(message.value), timestamp: Number(message.timestamp), headers: headers(message.headers) });
        if (seen.length >= count) resolve();
      },
    });
  });
  await consumer.disconnect();
  return seen;
}

describe('Kafka clients and the Floe SDK share one log', () => {
  it('records produced over Kafka read identically by the SDK and `floe consume`', async () => {
    // Prepare
    const topic = uniqueName('xp');
    await gw.deps.log.createTopic(topic, 3, {});
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const base = Date.now() - 60_000;
    const messages = Array.from({ length: 24 }, (_, i) => ({ key: i % 5 === 0 ? null : `user-${i % 6}`, value: `event-${i}`, timestamp: String(base + i * 10), headers: { trace: `t${i}`, source: 'kafkajs' } }));

    // Act
    const sent = await producer.send({ topic, messages });
    await producer.disconnect();
    const bySdk = await readWithSdk(topic, 3, messages.length);
    // Asynchronously: the cluster it talks to runs in this process.
    const cli = await run(process.execPath, [FLOE_BIN, '--bootstrap', cluster.url, 'consume', topic, '--from-beginning', '--max-messages', String(messages.length), '--timeout-ms', '10000', '--json']);
    if (cli.code !== 0) throw new Error(`floe consume failed (${cli.code}): ${cli.stderr}`);
    const byCli: Seen[] = cli.stdout.trim().split('\n').map((l) => {
      const r = JSON.parse(l) as Seen & { topic: string };
      return { partition: r.partition, offset: r.offset, key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers };
    });

    // Assess
    expect(sent.every((r) => r.errorCode === 0)).toBe(true);
    expect(bySdk).toHaveLength(messages.length);
    expect(sortSeen(byCli)).toEqual(sortSeen(bySdk));
    const expected = new Map(messages.map((m) => [m.value, m]));
    for (const r of bySdk) {
      const m = expected.get(r.value as string)!;
      expect([r.key, r.timestamp, r.headers]).toEqual([m.key, Number(m.timestamp), m.headers]);
    }
    for (const p of [0, 1, 2]) {
      const offsets = bySdk.filter((r) => r.partition === p).map((r) => r.offset).sort((x, y) => x - y);
      expect(offsets).toEqual(offsets.map((_, i) => i));
    }
  });

  it('records produced by the SDK read identically by kafkajs and kcat', async () => {
    // Prepare
    const topic = uniqueName('xp');
    await gw.deps.log.createTopic(topic, 2, {});
    const producer = new Producer<string, string>({ bootstrap: cluster.url, keySerializer: 'string', valueSerializer: 'string' });
    const base = Date.now() - 30_000;

    // Act
    const metas = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        producer.send({ topic, key: `k${i % 4}`, value: `sdk-${i}`, timestamp: base + i, headers: [{ key: 'via', value: Buffer.from('sdk') }, { key: 'i', value: Buffer.from(String(i)) }] }),
      ),
    );
    await producer.close();
    const byKafkajs = await readWithKafkajs(topic, 16);
    const bySdk = await readWithSdk(topic, 2, 16);
    const byKcat = HAS_KCAT ? await kcat(['-b', gw.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-f', '%p|%o|%k|%s|%T|%h\n']) : undefined;

    // Assess
    expect(sortSeen(byKafkajs)).toEqual(sortSeen(bySdk));
    expect(bySdk.map((r) => `${r.partition}:${r.offset}`).sort()).toEqual(metas.map((m) => `${m.partition}:${m.offset}`).sort());
    expect(bySdk.every((r) => r.headers.via === 'sdk' && r.timestamp === base + Number(r.headers.i))).toBe(true);
    if (byKcat) {
      const lines = byKcat.stdout.trim().split('\n').map((l) => l.split('|'));
      const asSeen = lines.map(([p, o, k, s, t]) => `${p}:${o}:${k}:${s}:${t}`).sort();
      expect(asSeen).toEqual(bySdk.map((r) => `${r.partition}:${r.offset}:${r.key}:${r.value}:${r.timestamp}`).sort());
      expect(lines.every((l) => (l[5] ?? '').startsWith('via=sdk,i='))).toBe(true);
    }
  });

  it("Kafka's partitioner (kafkajs default, librdkafka murmur2_random) and Floe's put every key on the same partition", async () => {
    // Prepare
    const topic = uniqueName('xp');
    await gw.deps.log.createTopic(topic, 7, {});
    const keys = Array.from({ length: 40 }, (_, i) => `customer-${i * 7919}`);
    const producer = kafka.producer();
    const sdk = new Producer<string, string>({ bootstrap: cluster.url, keySerializer: 'string', valueSerializer: 'string' });
    await producer.connect();

    // Act
    const viaKafka = new Map<string, number>();
    for (const key of keys) viaKafka.set(key, (await producer.send({ topic, messages: [{ key, value: 'x' }] }))[0]!.partition);
    const viaFloe = new Map<string, number>();
    for (const key of keys) viaFloe.set(key, (await sdk.send({ topic, key, value: 'y' })).partition);
    await producer.disconnect();
    await sdk.close();
    const viaKcat = new Map<string, number>();
    if (HAS_KCAT) {
      const kcatTopic = uniqueName('xp');
      await gw.deps.log.createTopic(kcatTopic, 7, {});
      await kcat(['-b', gw.bootstrap, '-P', '-t', kcatTopic, '-K:', '-X', 'partitioner=murmur2_random'], keys.map((k) => `${k}:z`).join('\n') + '\n');
      const read = await kcat(['-b', gw.bootstrap, '-C', '-t', kcatTopic, '-o', 'beginning', '-e', '-f', '%k %p\n']);
      for (const line of read.stdout.trim().split('\n')) viaKcat.set(line.split(' ')[0] as string, Number(line.split(' ')[1]));
    }

    // Assess
    expect(new Set(viaKafka.values()).size).toBeGreaterThan(3);
    expect([...viaFloe]).toEqual([...viaKafka]);
    if (HAS_KCAT) expect(keys.map((k) => viaKcat.get(k))).toEqual(keys.map((k) => viaKafka.get(k)));
  });
});
