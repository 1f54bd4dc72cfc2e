/**
 * The gateway as processes: `floe gateway` on the handlers' storage environment (what a container
 * runs), draining on SIGTERM - a waiting fetch is answered, then the process exits 0 - and `floe dev`
 * serving the gateway next to the bootstrap URL, auto-creating topics when asked.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRecordBatch } from '../../packages/protocol/src/index.js';
import { uniqueName } from '../helpers/cluster.js';
import { startTestGateway } from '../helpers/gateway.js';
import { ClientProcess, HAS_KCAT, kcat } from '../helpers/kafka-clients.js';
import { KafkaWire } from '../helpers/kafka-wire.js';
import { FLOE_BIN } from '../helpers/processes.js';
import { ALICE, documentText } from '../helpers/sasl-fixtures.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const fetchAtEnd = (topic: string, maxWaitMs: number) => ({
  replicaId: -1,
  maxWaitMs,
  minBytes: 1,
  maxBytes: 1 << 20,
  isolationLevel: 0,
  sessionId: 0,
  sessionEpoch: -1,
  topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
  forgottenTopicsData: [],
  rackId: '',
});

describe('floe gateway', () => {
  it('serves the handlers\' storage, advertises what it is told, and drains on SIGTERM', async () => {
    // Prepare: a topic made through another gateway on the same storage
    const helper = await startTestGateway();
    const topic = uniqueName('cli');
    await helper.deps.log.createTopic(topic, 1, {});
    await helper.close();
    const gateway = ClientProcess.start(process.execPath, [FLOE_BIN, 'gateway', '--port', '0', '--advertised-host', 'kafka.example.internal', '--advertised-port', '9094', '--json']);
    await gateway.until(() => gateway.stdout.length > 0, 30_000, 'the gateway to start');
    const ready = JSON.parse(gateway.stdout[0] as string) as { kafka: string; advertised: string };
    const port = Number(ready.kafka.split(':').at(-1));

    // Act: metadata, then a produce answered and a long fetch in flight when SIGTERM arrives
    const wire = await KafkaWire.connect(port);
    const meta = await wire.request(3, 1, { topics: [{ name: topic }] });
    const produced = await wire.request(0, 7, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records: encodeRecordBatch({ records: [{ key: null, value: Buffer.from('x') }] }) }] }] });
    const withData = wire.send(1, 11, fetchAtEnd(topic, 20_000));
    const afterFetch = { ...fetchAtEnd(topic, 20_000) };
    afterFetch.topics[0]!.partitions[0]!.fetchOffset = 1n;
    wire.send(1, 11, afterFetch);
    await new Promise((r) => setTimeout(r, 300));
    const stoppedAt = Date.now();
    gateway.child.kill('SIGTERM');
    const first = await wire.read(1, 11);
    const second = await wire.read(1, 11);
    const code = await gateway.exited;
    const stoppedIn = Date.now() - stoppedAt;
    await wire.whenClosed;

    // Assess
    expect(ready.advertised).toBe('kafka.example.internal:9094');
    expect(meta.brokers).toEqual([{ nodeId: 1, host: 'kafka.example.internal', port: 9094, rack: null }]);
    expect(produced.responses[0].partitionResponses[0].errorCode).toBe(0);
    expect(first.correlationId).toBe(withData);
    expect(first.body.responses[0].partitions[0].records.length).toBeGreaterThan(0);
    expect(second.body.responses[0].partitions[0]).toMatchObject({ errorCode: 0, highWatermark: 1n });
    expect(stoppedIn).toBeLessThan(5000); // the 20 s long-poll ended at shutdown
    expect(code).toBe(0);
  });

  it('with no FLOE_GATEWAY_* security set: plaintext without SASL, silent health checks, nothing written to disk', async () => {
    // Prepare: an empty working directory, home and temp directory to catch any file it writes
    const scratch = ['cwd', 'home', 'tmp'].map((name) => mkdtempSync(join(tmpdir(), `floe-gw-${name}-`)));
    dirs.push(...scratch);
    const [cwd, home, tmp] = scratch as [string, string, string];
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, TMPDIR: tmp };
    for (const name of Object.keys(env)) if (name.startsWith('FLOE_GATEWAY_')) delete env[name];
    const gateway = new ClientProcess(spawn(process.execPath, [FLOE_BIN, 'gateway', '--port', '0', '--json'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] }));
    await gateway.until(() => gateway.stdout.length > 0, 30_000, 'the gateway to start');
    const ready = JSON.parse(gateway.stdout[0] as string) as { kafka: string; security: string };
    const port = Number(ready.kafka.split(':').at(-1));

    // Act: health checks (connect, close), then an anonymous client
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.end());
        socket.once('close', () => resolve());
      });
    }
    const wire = await KafkaWire.connect(port);
    const meta = await wire.request(3, 1, { topics: [] });
    wire.close();
    const stderrBeforeStop = [...gateway.stderr];
    const code = await gateway.stop('SIGTERM');

    // Assess
    expect(ready.security).toBe('plaintext, no SASL (User:ANONYMOUS)');
    expect(meta.brokers).toHaveLength(1);
    expect(stderrBeforeStop).toEqual([]);
    expect(code).toBe(0);
    for (const dir of scratch) expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses to start without storage configuration, with a clear error', async () => {
    // Act
    const env = { ...process.env };
    delete env.FLOE_BUCKET;
    const child = ClientProcess.start(process.execPath, [FLOE_BIN, 'gateway', '--port', '0'], env);
    const code = await child.exited;

    // Assess
    expect(code).toBe(1);
    expect(child.stderr.join('\n')).toContain('FLOE_BUCKET');
  });

  it('refuses to start, saying which, when the storage it is configured with does not exist (a table, the bucket, the ACL rules table with ACLs on)', async () => {
    // Prepare: the test storage's environment, one name at a time made wrong
    const start = async (wrong: Record<string, string>) => {
      const child = ClientProcess.start(process.execPath, [FLOE_BIN, 'gateway', '--port', '0', '--json'], { ...process.env, ...wrong });
      return { code: await child.exited, stderr: child.stderr.join('\n'), stdout: child.stdout.join('\n') };
    };

    // Act
    const [logTable, groupsTable, bucket] = [await start({ FLOE_LOG_TABLE: 'no-such-log' }), await start({ FLOE_GROUPS_TABLE: 'no-such-groups' }), await start({ FLOE_BUCKET: 'no-such-bucket' })];
    const aclTable = await start({ FLOE_AUTHORIZATION: 'acl', FLOE_ACL_TABLE: 'no-such-acl' });

    // Assess: nothing listened
    expect([logTable.code, groupsTable.code, bucket.code, aclTable.code]).toEqual([1, 1, 1, 1]);
    expect(logTable.stderr).toMatch(/the log table "no-such-log" does not exist/);
    expect(groupsTable.stderr).toMatch(/the groups table "no-such-groups" does not exist/);
    expect(bucket.stderr).toMatch(/the bucket "no-such-bucket" does not exist/);
    expect(aclTable.stderr).toMatch(/the ACL table "no-such-acl" does not exist/);
    expect([logTable.stdout, groupsTable.stdout, bucket.stdout, aclTable.stdout].join('')).not.toContain('kafka');
  });
});

describe('floe dev', () => {
  it('prints the Kafka address next to the bootstrap URL and serves it', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'floe-dev-kafka-'));
    dirs.push(dataDir);
    const dev = ClientProcess.start(process.execPath, [FLOE_BIN, 'dev', '--port', '0', '--no-console', '--data-dir', dataDir, '--housekeeping-interval-ms', '0']);

    try {
      // Act
      await dev.until(() => dev.stdout.some((l) => l.includes('Press Ctrl-C')), 60_000, 'floe dev to start');
      const kafkaLine = dev.stdout.find((l) => l.trim().startsWith('kafka:')) ?? '';
      const address = kafkaLine.trim().split(/\s+/)[1] as string;
      const wire = await KafkaWire.connect(Number(address.split(':')[1]));
      const versions = await wire.request(18, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
      wire.close();
      const listed = HAS_KCAT ? await kcat(['-b', address, '-L']) : undefined;
      const code = await dev.stop('SIGINT');

      // Assess
      expect(dev.stdout.findIndex((l) => l.includes('bootstrap:'))).toBe(dev.stdout.indexOf(kafkaLine) - 1);
      expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(versions.errorCode).toBe(0);
      if (listed) expect(listed.stdout).toContain(`broker 1 at ${address}`);
      expect(code).toBe(0);
    } finally {
      await dev.stop('SIGKILL');
    }
  });

  it('--auto-create-topics --default-partitions 3: a topic a Kafka client names is created with 3 partitions, as Kafka\'s auto.create.topics.enable', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'floe-dev-auto-'));
    dirs.push(dataDir);
    const args = ['dev', '--port', '0', '--no-console', '--data-dir', dataDir, '--housekeeping-interval-ms', '0', '--auto-create-topics', '--default-partitions', '3', '--json'];
    const dev = ClientProcess.start(process.execPath, [FLOE_BIN, ...args]);
    const topic = uniqueName('auto');

    try {
      await dev.until(() => dev.stdout.length > 0, 60_000, 'floe dev to start');
      const { kafka } = JSON.parse(dev.stdout[0] as string) as { kafka: string };
      const wire = await KafkaWire.connect(Number(kafka.split(':').at(-1)));

      // Act: Metadata v4 naming a new topic and allowing creation (what kafkajs and librdkafka's producer send)
      const meta = await wire.request(3, 4, { topics: [{ name: topic }], allowAutoTopicCreation: true });
      const again = await wire.request(3, 4, { topics: [{ name: topic }], allowAutoTopicCreation: false });
      wire.close();

      // Assess
      expect(meta.topics[0]).toMatchObject({ name: topic });
      expect(again.topics[0]).toMatchObject({ name: topic, errorCode: 0 });
      expect(again.topics[0].partitions).toHaveLength(3);
    } finally {
      await dev.stop('SIGKILL');
    }
  });

  it('--sasl-mechanisms SCRAM-SHA-256 --credentials-file: the local gateway requires SASL, as `floe gateway` does; kafkajs with the password produces, without SASL it is refused', async () => {
    // Prepare: a credentials file with alice
    const dataDir = mkdtempSync(join(tmpdir(), 'floe-dev-sasl-'));
    dirs.push(dataDir);
    const credentialsFile = join(dataDir, 'users.json');
    writeFileSync(credentialsFile, await documentText(), { mode: 0o600 });
    const args = ['dev', '--port', '0', '--no-console', '--data-dir', join(dataDir, 'data'), '--housekeeping-interval-ms', '0', '--auto-create-topics', '--sasl-mechanisms', 'SCRAM-SHA-256', '--credentials-file', credentialsFile];
    const dev = ClientProcess.start(process.execPath, [FLOE_BIN, ...args]);
    const topic = uniqueName('devsasl');

    try {
      await dev.until(() => dev.stdout.some((l) => l.includes('Press Ctrl-C')), 60_000, 'floe dev to start');
      const kafkaLine = dev.stdout.find((l) => l.trim().startsWith('kafka:')) ?? '';
      const address = kafkaLine.trim().split(/\s+/)[1] as string;
      const client = (sasl?: SASLOptions) => new Kafka({ brokers: [address], clientId: 'dev-sasl', logLevel: logLevel.NOTHING, retry: { retries: 0 }, ...(sasl ? { sasl } : {}) });

      // Act
      const producer = client({ mechanism: 'scram-sha-256', username: ALICE.name, password: ALICE.password }).producer();
      await producer.connect();
      const [sent] = await producer.send({ topic, messages: [{ value: 'v' }] }).finally(() => producer.disconnect());
      const anonymous = client().admin();
      const refused = await anonymous.connect().then(() => anonymous.listTopics()).then(() => undefined, (e: Error) => e);
      await anonymous.disconnect();

      // Assess
      expect(kafkaLine).toContain('SASL SCRAM-SHA-256');
      expect(sent?.errorCode).toBe(0);
      expect(refused).toBeInstanceOf(Error);
    } finally {
      await dev.stop('SIGKILL');
    }
  });
});
