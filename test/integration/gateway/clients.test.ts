/**
 * Real Kafka clients against an in-process gateway, for behaviour only a client's own reaction
 * proves: a transactional producer fails at once with a fatal error (confluent-kafka-python's
 * librdkafka and kafkajs), instead of retrying until its timeout; a static member replaced by a
 * new incarnation is fenced for good (librdkafka), instead of the two replacing each other; a static
 * member that restarts gets its partitions back without rebalancing the others. And admin answers
 * as clients read them: DescribeConfigs' synonyms, DescribeGroups mid-rebalance.
 */
import { fileURLToPath } from 'node:url';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../../helpers/cluster.js';
import { startTestGateway, TEST_SETTINGS, type TestGateway } from '../../helpers/gateway.js';
import { HAS_CONFLUENT_KAFKA, MISSING, noteSkip, PYTHON, run } from '../../helpers/kafka-clients.js';
import { KafkaWire, type Body } from '../../helpers/kafka-wire.js';
import { installLaggingReplica } from '../../helpers/lagging-replica.js';
import { logKeys } from '../../../src/storage/keys.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));
noteSkip(HAS_CONFLUENT_KAFKA, MISSING.confluent);

let gw: TestGateway;
beforeAll(async () => {
  // Kafka's initial rebalance delay, shortened: the first consumer's generation forms as with a broker.
  gw = await startTestGateway({ initialRebalanceDelayMs: 300 });
});
afterAll(async () => {
  await gw?.close();
});

describe('transactional producers (transactions are not served)', () => {
  it.skipIf(!HAS_CONFLUENT_KAFKA)('confluent-kafka-python: init_transactions fails at once with a fatal TRANSACTIONAL_ID_AUTHORIZATION_FAILED', async () => {
    // Act
    const result = await run(PYTHON, [fixture('kafka-transactional.py'), gw.bootstrap, uniqueName('tx')], '', 60_000);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const outcome = JSON.parse(result.stdout.trim().split('\n').at(-1) as string);
    expect(outcome).toMatchObject({ name: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', code: 53, fatal: true, retriable: false });
    expect(outcome.seconds).toBeLessThan(3);
  });

  it('kafkajs: a transactional producer fails at once with TRANSACTIONAL_ID_AUTHORIZATION_FAILED, not retriable', async () => {
    // Prepare
    const kafka = new Kafka({ brokers: [gw.bootstrap], clientId: 'tx-test', logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ transactionalId: uniqueName('tx'), idempotent: true, maxInFlightRequests: 1 });
    const started = Date.now();

    // Act: kafkajs asks for the transactional producer id at connect
    const error = await producer
      .connect()
      .then(() => producer.transaction())
      .then(
        () => undefined,
        (e: unknown) => e as { type?: string; retriable?: boolean },
      );
    const elapsedMs = Date.now() - started;
    await producer.disconnect();

    // Assess
    expect(error).toMatchObject({ type: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', retriable: false });
    expect(elapsedMs).toBeLessThan(3000);
  });
});

describe.skipIf(!HAS_CONFLUENT_KAFKA)('static membership (group.instance.id), confluent-kafka-python', () => {
  it('a second consumer with the same instance id replaces the first, which gets a fatal FENCED_INSTANCE_ID; records after that reach the new one only', async () => {
    // Prepare
    const topic = uniqueName('static');
    await gw.deps.log.createTopic(topic, 2, {});

    // Act
    const result = await run(PYTHON, [fixture('kafka-static-fencing.py'), gw.bootstrap, topic, uniqueName('static-g')], '', 120_000);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as { assigns: Record<string, number>; records: Record<string, string[]>; fatal: string | null };
    // librdkafka's text for FENCED_INSTANCE_ID (82)
    expect(out.fatal).toMatch(/Static consumer fenced by other consumer with same group\.instance\.id/);
    expect(out.assigns).toEqual({ '0': 1, '1': 1 }); // one replacement, no rebalancing back and forth
    expect(out.records['0']?.filter((r) => r.startsWith('two-'))).toEqual([]);
    expect(new Set(out.records['1']?.filter((r) => r.startsWith('two-'))).size).toBe(20);
  });
});

describe.skipIf(!HAS_CONFLUENT_KAFKA)('a static member restarting (KIP-345), confluent-kafka-python', () => {
  it.each([
    ['a member', []],
    ['the leader', ['leader']],
  ])('%s: the new incarnation gets the same partition back and the other member is not rebalanced', async (_who, leader) => {
    // Prepare
    const topic = uniqueName('static-r');
    await gw.deps.log.createTopic(topic, 2, {});

    // Act
    const result = await run(PYTHON, [fixture('kafka-static-restart.py'), gw.bootstrap, topic, uniqueName('static-r-g'), ...leader], '', 90_000);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as Record<string, Array<[string, number[]]>> & { restartingOwned: number[] };
    expect(out.restartingOwned).toHaveLength(1);
    expect(out.restarted).toEqual([['assign', out.restartingOwned]]);
    expect(out.stayBefore?.at(-1)?.[0]).toBe('assign');
    expect(out.stayDuringRestart).toEqual([]);
  });
});

describe.skipIf(!HAS_CONFLUENT_KAFKA)('names of Object.prototype members (decision 41), confluent-kafka-python', () => {
  it('consumers with group.instance.id "__proto__" and "constructor" on topic "valueOf" split it, read every record and commit', async () => {
    // Prepare
    const topic = 'valueOf';
    await gw.deps.log.createTopic(topic, 2, {});

    // Act
    const result = await run(PYTHON, [fixture('kafka-prototype-names.py'), gw.bootstrap, topic, uniqueName('proto-g')], '', 120_000);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as { records: Record<string, string[]>; held: Record<string, number[]>; committed: Record<string, number> };
    const read = Object.values(out.records).flat();
    expect(new Set(read).size).toBe(20);
    expect([...(out.held['__proto__'] ?? []), ...(out.held['constructor'] ?? [])].sort()).toEqual([0, 1]);
    expect(out.committed).toEqual({ '0': 10, '1': 10 });
  });
});

describe('DescribeConfigs synonyms', () => {
  const keys = ['retention.ms', 'cleanup.policy', 'segment.bytes'];
  const expected = {
    'retention.ms': [['retention.ms', '60000', 1], ['log.retention.ms', '604800000', 5]],
    'cleanup.policy': [['log.cleanup.policy', 'delete', 5]],
    'segment.bytes': [['log.segment.bytes', '1073741824', 5]],
  };

  it.skipIf(!HAS_CONFLUENT_KAFKA)('confluent-kafka-python: describe_configs lists each config\'s synonyms, the topic\'s override first, then the default under the broker\'s name', async () => {
    // Prepare
    const topic = uniqueName('syn');
    await gw.deps.log.createTopic(topic, 1, { 'retention.ms': '60000' });

    // Act
    const result = await run(PYTHON, [fixture('kafka-describe-configs.py'), gw.bootstrap, topic, ...keys], '', 60_000);

    // Assess (1 DYNAMIC_TOPIC_CONFIG, 5 DEFAULT_CONFIG)
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as Record<string, { value: string; source: number; synonyms: unknown[] }>;
    expect(Object.fromEntries(keys.map((k) => [k, out[k]?.synonyms]))).toEqual(expected);
    expect([out['retention.ms']?.value, out['retention.ms']?.source]).toEqual(['60000', 1]);
  });

  it('kafkajs: describeConfigs with includeSynonyms answers the same synonyms', async () => {
    // Prepare
    const topic = uniqueName('syn');
    await gw.deps.log.createTopic(topic, 1, { 'retention.ms': '60000' });
    const admin = new Kafka({ brokers: [gw.bootstrap], clientId: 'syn-test', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();

    // Act
    const described = await admin
      .describeConfigs({ includeSynonyms: true, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: keys }] })
      .finally(() => admin.disconnect());

    // Assess
    const entries = described.resources[0]?.configEntries ?? [];
    const synonyms = Object.fromEntries(entries.map((e) => [e.configName, e.configSynonyms.map((s) => [s.configName, s.configValue, s.configSource])]));
    expect(synonyms).toEqual(expected);
  });

  it('kafkajs: describeConfigs of the broker lists its defaults, read-only', async () => {
    // Prepare
    const admin = new Kafka({ brokers: [gw.bootstrap], clientId: 'broker-cfg-test', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();

    // Act
    const described = await admin
      .describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.BROKER, name: String(TEST_SETTINGS.nodeId) }] })
      .finally(() => admin.disconnect());

    // Assess
    const entries = Object.fromEntries((described.resources[0]?.configEntries ?? []).map((e) => [e.configName, [e.configValue, e.readOnly]]));
    expect(entries).toMatchObject({ 'log.cleanup.policy': ['delete', true], 'message.max.bytes': ['1048588', true], 'node.id': [String(TEST_SETTINGS.nodeId), true] });
  });
});

describe('min.insync.replicas (decision 51)', () => {
  it('kafkajs: a topic created with replication factor 3 and min.insync.replicas=2 takes acks=all produces and describes the value as set; 0 is refused and changes nothing', async () => {
    // Prepare
    const topic = uniqueName('isr');
    const kafka = new Kafka({ brokers: [gw.bootstrap], clientId: 'isr-test', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await Promise.all([admin.connect(), producer.connect()]);
    const describe = async () => {
      const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['min.insync.replicas'] }] });
      const entry = described.resources[0]?.configEntries[0];
      return [entry?.configValue, entry?.configSource];
    };

    try {
      // Act
      const created = await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
      const [sent] = await producer.send({ topic, acks: -1, messages: [{ value: 'v' }] });
      const afterCreate = await describe();
      const refused = await admin
        .alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'min.insync.replicas', value: '0' }] }] })
        .then(() => 'accepted', (error: { type?: string }) => error.type);
      const afterRefusal = await describe();

      // Assess (source 1: DYNAMIC_TOPIC_CONFIG)
      expect(created).toBe(true);
      expect(sent?.errorCode).toBe(0);
      expect(afterCreate).toEqual(['2', 1]);
      expect(refused).toBe('INVALID_CONFIG');
      expect(afterRefusal).toEqual(['2', 1]);
    } finally {
      await Promise.all([admin.disconnect(), producer.disconnect()]);
    }
  });
});

describe('DescribeGroups during a rebalance', () => {
  it('kafkajs: describeGroups shows the protocol type, no protocol and empty member metadata and assignments while the group is PreparingRebalance', async () => {
    // Prepare: a stable group of one (over the wire), then a second member whose join starts a rebalance
    const groupId = uniqueName('rebal');
    const [c1, c2] = [await KafkaWire.connect(gw.port), await KafkaWire.connect(gw.port)];
    const joinBody = (memberId: string) => ({
      groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 20_000, memberId, groupInstanceId: null, protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.from('subscription') }], reason: null,
    });
    const join = async (conn: KafkaWire): Promise<Body> => conn.request(11, 5, joinBody((await conn.request(11, 5, joinBody(''))).memberId), 30_000);
    const admin = new Kafka({ brokers: [gw.bootstrap], clientId: 'rebalance-test', logLevel: logLevel.NOTHING }).admin();
    try {
      const first = await join(c1);
      await c1.request(14, 3, { groupId, generationId: first.generationId, memberId: first.memberId, groupInstanceId: null, assignments: [{ memberId: first.memberId, assignment: Buffer.from('all') }] });
      const stable = await admin.describeGroups([groupId]);
      void join(c2).catch(() => undefined); // answered only once the first member rejoins, which it never does here
      let code = 0;
      while (code === 0) code = (await c1.request(12, 3, { groupId, generationId: first.generationId, memberId: first.memberId, groupInstanceId: null })).errorCode;

      // Act
      const preparing = await admin.describeGroups([groupId]);

      // Assess
      expect(stable.groups[0]).toMatchObject({ state: 'Stable', protocolType: 'consumer', protocol: 'range' });
      expect(stable.groups[0]?.members.map((m) => m.memberMetadata.toString())).toEqual(['subscription']);
      expect(preparing.groups[0]).toMatchObject({ state: 'PreparingRebalance', protocolType: 'consumer', protocol: '' });
      expect(preparing.groups[0]?.members.map((m) => [m.memberMetadata.length, m.memberAssignment.length])).toEqual([[0, 0], [0, 0]]);
    } finally {
      await admin.disconnect();
      c1.close();
      c2.close();
    }
  });
});

describe('DeleteRecords, then a fetch from before it', () => {
  it('kafkajs: a consumer whose committed offset the delete passed gets OFFSET_OUT_OF_RANGE and resets to the new log start, though the gateway\'s head read lags', async () => {
    // Prepare: batches at 0-2 and 3-4, the group committed at 0; the gateway's eventually consistent head reads frozen before the delete
    const [topic, groupId] = [uniqueName('delrec'), uniqueName('delrec')];
    const kafka = new Kafka({ brokers: [gw.bootstrap], clientId: 'delete-records-test', logLevel: logLevel.NOTHING });
    const [admin, producer] = [kafka.admin(), kafka.producer()];
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    const replica = installLaggingReplica(gw.deps.clients.dynamo);
    try {
      await Promise.all([admin.connect(), producer.connect()]);
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
      await producer.send({ topic, messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
      await producer.send({ topic, messages: [{ value: 'd' }, { value: 'e' }] });
      await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '0' }] });
      const { topicId } = (await gw.deps.log.topic(topic))!;
      await replica.freeze(gw.deps.config.logTable, logKeys.head(topicId, 0));
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '3' }] });

      // Act
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const offset = await new Promise<string>((resolve) => {
        void consumer.run({ eachMessage: async ({ message }) => resolve(message.offset) });
      });

      // Assess: as from a Kafka broker, nothing below the new log start is read
      expect(replica.staleReads).toBeGreaterThan(0);
      expect(offset).toBe('3');
    } finally {
      replica.release();
      await Promise.all([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
    }
  });
});
