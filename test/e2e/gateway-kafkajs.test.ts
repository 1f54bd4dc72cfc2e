/**
 * kafkajs 2.2.4 (no flexible versions, Produce 7, Fetch 11, JoinGroup 5) against the gateway on the
 * run's storage: an idempotent gzip producer, one send of 4.8 MB over eight partitions, admin create/delete topics, setting and resetting a
 * group's offsets, and a consumer group of
 * three member processes where one is killed with SIGKILL: the survivors take over its partitions
 * and every record is delivered, none skipped past a committed offset.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchOffsets } from '../../src/groups/offsets.js';
import { uniqueName } from '../helpers/cluster.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { ClientProcess, eventually } from '../helpers/kafka-clients.js';

const TSX = createRequire(import.meta.url).resolve('tsx');
const MEMBER = fileURLToPath(new URL('../fixtures/kafkajs-member.ts', import.meta.url));

let gw: TestGateway;
let kafka: Kafka;

beforeAll(async () => {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  gw = await startTestGateway({ initialRebalanceDelayMs: 1000 });
  kafka = new Kafka({ clientId: 'gateway-test', brokers: [gw.bootstrap], logLevel: logLevel.NOTHING });
});

afterAll(async () => {
  await gw?.close();
});

describe('kafkajs against the gateway', () => {
  it('creates and deletes topics with the admin client, and produces idempotently with gzip', async () => {
    // Prepare
    const name = uniqueName('kjs');
    const admin = kafka.admin();
    await admin.connect();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false });

    try {
      // Act
      const created = await admin.createTopics({ topics: [{ topic: name, numPartitions: 3 }], waitForLeaders: true });
      const listed = await admin.listTopics();
      await producer.connect();
      const results = [];
      for (let round = 0; round < 5; round++) {
        const messages = Array.from({ length: 30 }, (_, i) => ({ key: `key-${i % 7}`, value: `round${round}-${i}`, headers: { round: String(round) } }));
        results.push(...(await producer.send({ topic: name, compression: CompressionTypes.GZIP, acks: -1, messages })));
      }
      const offsets = await admin.fetchTopicOffsets(name);
      await admin.deleteTopics({ topics: [name] });
      const afterDelete = await admin.listTopics();

      // Assess
      expect(created).toBe(true);
      expect(listed).toContain(name);
      expect(results.every((r) => r.errorCode === 0)).toBe(true);
      expect(offsets.reduce((sum, o) => sum + Number(o.high), 0)).toBe(150);
      expect(afterDelete).not.toContain(name);
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });

  it('sends 4.8 MB to eight partitions in one call: kafkajs puts it all in one Produce request, accepted as by Kafka', async () => {
    // Prepare: 100 KB records, six per partition, each partition's batch well under max.message.bytes
    const name = uniqueName('kjs');
    const admin = kafka.admin();
    await admin.connect();
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    try {
      await admin.createTopics({ topics: [{ topic: name, numPartitions: 8 }], waitForLeaders: true });
      await producer.connect();
      const value = Buffer.alloc(100_000, 'v');

      // Act
      const results = await producer.send({ topic: name, acks: -1, messages: Array.from({ length: 48 }, (_, i) => ({ partition: i % 8, value })) });
      const offsets = await admin.fetchTopicOffsets(name);

      // Assess
      expect(results.map((r) => r.errorCode)).toEqual(Array(8).fill(0));
      expect(offsets.map((o) => o.high)).toEqual(Array(8).fill('6'));
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });

  it('the admin client sets offsets and resets them to earliest (Kafka\'s -2 sentinel) for a group with no members', async () => {
    // Prepare
    const name = uniqueName('kjs');
    const groupId = uniqueName('kjsg');
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: name, numPartitions: 2 }], waitForLeaders: true });

      // Act
      await admin.setOffsets({ groupId, topic: name, partitions: [{ partition: 0, offset: '4' }, { partition: 1, offset: '7' }] });
      const set = await admin.fetchOffsets({ groupId, topics: [name] });
      await admin.resetOffsets({ groupId, topic: name, earliest: true });
      const reset = await admin.fetchOffsets({ groupId, topics: [name] });

      // Assess: the sentinel is answered back as committed, as Kafka stores it
      const byPartition = (r: typeof set) => r[0]!.partitions.map((p) => [p.partition, p.offset]).sort();
      expect(byPartition(set)).toEqual([[0, '4'], [1, '7']]);
      expect(byPartition(reset)).toEqual([[0, '-2'], [1, '-2']]);
    } finally {
      await admin.disconnect();
    }
  });

  it('a group reset to earliest with resetOffsets reads every record again, as on Kafka', async () => {
    // Prepare: ten records consumed and committed by the group, then its consumer stopped
    const name = uniqueName('kjs-r');
    const groupId = uniqueName('kjs-rg');
    await gw.deps.log.createTopic(name, 1, {});
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: name, messages: Array.from({ length: 10 }, (_, i) => ({ value: `v${i}` })) });
    await producer.disconnect();
    const consumeAll = async (fromBeginning: boolean, wanted: number): Promise<string[]> => {
      const consumer = kafka.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 500 });
      const seen: string[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic: name, fromBeginning });
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
      try {
        // Nothing more arrives once `wanted` are in; the wait for more catches records read twice.
        await eventually(() => seen.length >= wanted, 30_000, `${wanted} records consumed`);
        await new Promise((r) => setTimeout(r, 1500));
      } finally {
        await consumer.disconnect();
      }
      return seen;
    };
    const first = await consumeAll(true, 10);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const before = await admin.fetchOffsets({ groupId, topics: [name] });

      // Act: reset to earliest. kafkajs' consumer resolves any negative commit by its own
      // fromBeginning (on Kafka too), so it reads from the start only with fromBeginning: true.
      await admin.resetOffsets({ groupId, topic: name, earliest: true });
      const again = await consumeAll(true, 10);

      // Assess
      expect(first).toHaveLength(10);
      expect(before[0]!.partitions[0]!.offset).toBe('10');
      expect(again).toEqual(first);
    } finally {
      await admin.disconnect();
    }
  });

  it('fetchOffsets with resolveOffsets turns a reset to earliest into the log start, as on Kafka', async () => {
    // Prepare: ten records, the group committed at 10, then reset to earliest
    const name = uniqueName('kjs-r');
    const groupId = uniqueName('kjs-rg');
    await gw.deps.log.createTopic(name, 1, {});
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: name, messages: Array.from({ length: 10 }, (_, i) => ({ value: `v${i}` })) });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.setOffsets({ groupId, topic: name, partitions: [{ partition: 0, offset: '10' }] });
      await admin.resetOffsets({ groupId, topic: name, earliest: true });

      // Act
      const resolved = await admin.fetchOffsets({ groupId, topics: [name], resolveOffsets: true });
      const after = await admin.fetchOffsets({ groupId, topics: [name] });
      const floe = await fetchOffsets(gw.deps.groups, groupId, [{ topic: name, partition: 0 }]);

      // Assess: resolved to 0 and committed as 0 (kafkajs commits what it resolved), which Floe reads too
      expect(resolved[0]!.partitions[0]!.offset).toBe('0');
      expect(after[0]!.partitions[0]!.offset).toBe('0');
      expect(floe[0]!.offset).toBe(0);
    } finally {
      await admin.disconnect();
    }
  });

  it('admin.deleteTopicRecords moves the log start (inside a batch too); a consumer from the beginning starts there', async () => {
    // Prepare: 10 records in one batch per partition
    const name = uniqueName('kjs-delrec');
    const admin = kafka.admin();
    await admin.connect();
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    const consumer = kafka.consumer({ groupId: uniqueName('kjs-delrec-g') });
    try {
      await admin.createTopics({ topics: [{ topic: name, numPartitions: 2 }], waitForLeaders: true });
      await producer.connect();
      for (const partition of [0, 1]) await producer.send({ topic: name, messages: Array.from({ length: 10 }, (_, i) => ({ partition, value: `v${i}` })) });

      await admin.fetchTopicMetadata({ topics: [name] }); // kafkajs finds leaders in its cached metadata only

      // Act
      await admin.deleteTopicRecords({ topic: name, partitions: [{ partition: 0, offset: '4' }, { partition: 1, offset: '-1' }] });
      const refused = await admin.deleteTopicRecords({ topic: name, partitions: [{ partition: 0, offset: '11' }] }).then(
        () => 'NONE',
        // kafkajs's retrier wraps the non-retriable error it gave up on
        (e: { cause?: { partitions?: Array<{ error?: { type?: string } }> } }) => e.cause?.partitions?.[0]?.error?.type,
      );
      const offsets = await admin.fetchTopicOffsets(name);
      await consumer.connect();
      await consumer.subscribe({ topic: name, fromBeginning: true });
      const seen: string[] = [];
      await consumer.run({ eachMessage: async ({ partition, message }) => void seen.push(`${partition}:${message.offset}:${message.value?.toString()}`) });
      await eventually(() => seen.length >= 6, 20_000, 'six records');
      await new Promise((resolve) => setTimeout(resolve, 300)); // nothing more may come

      // Assess
      expect(offsets.sort((x, y) => x.partition - y.partition).map((o) => [o.partition, o.low, o.high])).toEqual([[0, '4', '10'], [1, '10', '10']]);
      expect(refused).toBe('OFFSET_OUT_OF_RANGE');
      expect(seen).toEqual(['0:4:v4', '0:5:v5', '0:6:v6', '0:7:v7', '0:8:v8', '0:9:v9']);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.disconnect();
    }
  });

  it('a group of three members: one is SIGKILLed, the survivors take over and nothing committed is skipped', async () => {
    // Prepare: six partitions, three member processes, a first batch of records
    const name = uniqueName('kjs-g');
    const group = uniqueName('kjs-grp');
    await gw.deps.log.createTopic(name, 6, {});
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const produce = async (tag: string) => {
      const messages = Array.from({ length: 60 }, (_, i) => ({ key: `k${i}`, value: `${tag}-${i}` }));
      await producer.send({ topic: name, compression: CompressionTypes.GZIP, messages });
      return messages.map((m) => m.value);
    };
    const members = ['m1', 'm2', 'm3'].map((memberName) =>
      ClientProcess.start(process.execPath, ['--import', TSX, MEMBER, JSON.stringify({ broker: gw.bootstrap, topic: name, groupId: group, name: memberName })]),
    );
    type Event = { event: string; partitions?: number[]; partition?: number; offset?: number; value?: string; topics?: Array<{ partitions: Array<{ partition: number; offset: string }> }> };
    const events = (m: ClientProcess) => m.stdout.map((l) => JSON.parse(l) as Event);
    const lastAssignment = (m: ClientProcess) => events(m).filter((e) => e.event === 'assigned').at(-1)?.partitions ?? [];
    const consumed = () => new Set(members.flatMap((m) => events(m).filter((e) => e.event === 'record').map((e) => e.value)));

    try {
      await eventually(() => members.every((m) => lastAssignment(m).length === 2), 60_000, 'three members with two partitions each');
      const first = await produce('first');
      await eventually(() => first.every((v) => consumed().has(v)), 30_000, 'the first batch consumed');
      await new Promise((r) => setTimeout(r, 600)); // an auto-commit interval and then some

      // Act: kill one member outright; the others must notice (session timeout) and take over
      const victim = members[0] as ClientProcess;
      const orphaned = lastAssignment(victim);
      const victimCommitted = new Map<number, number>();
      for (const e of events(victim).filter((x) => x.event === 'committed')) {
        for (const p of e.topics?.flatMap((t) => t.partitions) ?? []) victimCommitted.set(Number(p.partition), Math.max(victimCommitted.get(Number(p.partition)) ?? 0, Number(p.offset)));
      }
      const killedAt = Date.now();
      await victim.stop('SIGKILL');
      const second = await produce('second');
      const survivors = members.slice(1);
      await eventually(() => survivors.every((m) => [...lastAssignment(m)].length === 3), 60_000, 'survivors holding three partitions each');
      const tookOverAt = Date.now();
      await eventually(() => second.every((v) => consumed().has(v)), 30_000, 'the second batch consumed');
      await eventually(async () => {
        const committed = await fetchOffsets(gw.deps.groups, group, [0, 1, 2, 3, 4, 5].map((partition) => ({ topic: name, partition })));
        return committed.reduce((sum, c) => sum + Math.max(0, c.offset), 0) === 120;
      }, 30_000, 'every offset committed');
      const takenOver = survivors.flatMap((m) => lastAssignment(m));
      const survivorRecords = survivors.flatMap((m) => events(m).filter((e) => e.event === 'record'));

      // Assess
      expect(orphaned).toHaveLength(2);
      expect([...takenOver].sort()).toEqual([0, 1, 2, 3, 4, 5]);
      expect(tookOverAt - killedAt).toBeLessThan(30_000);
      for (const v of [...first, ...second]) expect(consumed().has(v)).toBe(true);
      // The orphaned partitions' new records were read by survivors, from where the dead member had committed.
      for (const p of orphaned) {
        expect(survivorRecords.some((e) => e.partition === p && e.value?.startsWith('second'))).toBe(true);
        // They resumed at (or before) the dead member's last committed offset: nothing between was skipped.
        const resumedAt = Math.min(...survivorRecords.filter((e) => e.partition === p).map((e) => e.offset as number));
        expect(resumedAt).toBeLessThanOrEqual(victimCommitted.get(p) ?? 0);
      }
    } finally {
      await producer.disconnect();
      await Promise.all(members.map((m) => m.stop()));
    }
  });
});
