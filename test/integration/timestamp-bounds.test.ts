/**
 * Kafka's timestamp bounds of CreateTime topics (message.timestamp.before.max.ms / after.max.ms,
 * KIP-937; Kafka 4.x defaults) through the HTTP API and the SDK: a batch with a record out of the
 * window is refused whole with INVALID_TIMESTAMP (per-record errors in the answer) and takes no
 * offset, while the request's other partitions are appended; LogAppendTime topics take anything.
 * The margins are hours, so the machine's pace never decides an outcome.
 */
import { execFile } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { produceRaw } from '../../packages/client/src/log-client.js';
import { Producer } from '../../packages/client/src/producer/index.js';
import { encodeRecordBatch, type ProducedRecord } from '../../packages/protocol/src/records/record-batch.js';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { Admin } from '../../packages/client/src/admin.js';
import { readHead } from '../../src/log/append.js';
import { logKeys } from '../../src/storage/keys.js';
import { startTestCluster, useTestCluster, uniqueName } from '../helpers/cluster.js';
import { FLOE_BIN } from '../helpers/processes.js';

const env = useTestCluster();
const open: Array<{ close: () => Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close().catch(() => undefined)));
});

const HOUR = 60 * 60 * 1000;

const batchAt = (timestamps: number[], compression: 'none' | 'zstd' = 'none'): Buffer =>
  encodeRecordBatch({ records: timestamps.map((timestamp, i): ProducedRecord => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), timestamp })), compression });

async function produceTo(topic: string, partitions: Array<{ partition: number; records: Buffer }>) {
  const [t] = await produceRaw(env.http, { acks: -1, timeoutMs: 10_000, topics: [{ topic, partitions }] });
  return t!.partitions;
}

const nextOffset = async (topic: string, partition: number): Promise<number> => {
  const { topicId } = await env.admin.describeTopic(topic);
  return (await readHead(env.cluster.deps!, { topicId }, partition))?.nextOffset ?? 0;
};

describe('timestamp bounds of CreateTime topics', () => {
  it('by default (Kafka 4.x) refuses a record more than an hour ahead, whole batch, with per-record errors; the same request\'s other partition is appended; records from long ago are taken', async () => {
    // Prepare
    const topic = uniqueName('tsb');
    const created = await env.admin.createTopic(topic, 3);
    const now = Date.now();

    // Act: partition 0 a compressed batch with one record two hours ahead, partition 1 ordinary, partition 2 from 1970
    const answers = await produceTo(topic, [
      { partition: 0, records: batchAt([now, now + 2 * HOUR, now], 'zstd') },
      { partition: 1, records: batchAt([now, now]) },
      { partition: 2, records: batchAt([1_000, 2_000]) },
    ]);
    const heads = await Promise.all([0, 1, 2].map((p) => nextOffset(topic, p)));
    const again = await produceTo(topic, [{ partition: 0, records: batchAt([now]) }]);

    // Assess
    expect(created.configs['message.timestamp.before.max.ms']).toBe(Number.MAX_SAFE_INTEGER);
    expect(created.configs['message.timestamp.after.max.ms']).toBe(HOUR);
    expect(answers.map((p) => p.errorCode)).toEqual(['INVALID_TIMESTAMP', 'NONE', 'NONE']);
    expect(answers[0]).toMatchObject({ baseOffset: -1, recordErrors: [{ batchIndex: 1 }] });
    expect(answers[0]!.errorMessage).toMatch(/1 record\(s\).*out of range.*message\.timestamp\.after\.max\.ms=3600000/);
    expect(answers[0]!.recordErrors![0]!.message).toContain(`Timestamp ${now + 2 * HOUR} of record 1`);
    expect(answers[1]!.recordErrors).toBeUndefined();
    expect(heads).toEqual([0, 2, 2]);
    expect(again[0]).toMatchObject({ errorCode: 'NONE', baseOffset: 0 });
  });

  it('takes the bounds set at create and alter: an old record is refused once before.max.ms bounds the past, taken again when it is deleted', async () => {
    // Prepare
    const topic = uniqueName('tsb-alter');
    await env.admin.createTopic(topic, 1, { 'message.timestamp.before.max.ms': HOUR, 'message.timestamp.after.max.ms': '9223372036854775807' });
    const now = Date.now();

    // Act
    const old = await produceTo(topic, [{ partition: 0, records: batchAt([now - 2 * HOUR]) }]);
    const farFuture = await produceTo(topic, [{ partition: 0, records: batchAt([now + 1000 * 24 * HOUR]) }]);
    const reset = await env.admin.alterTopicConfigs(topic, { 'message.timestamp.before.max.ms': null });
    const oldAgain = await produceTo(topic, [{ partition: 0, records: batchAt([now - 2 * HOUR]) }]);
    const tightened = await env.admin.alterTopicConfigs(topic, { 'message.timestamp.after.max.ms': 0 });
    const ahead = await produceTo(topic, [{ partition: 0, records: batchAt([now + HOUR]) }]);

    // Assess
    expect(old[0]).toMatchObject({ errorCode: 'INVALID_TIMESTAMP', baseOffset: -1 });
    expect(farFuture[0]).toMatchObject({ errorCode: 'NONE', baseOffset: 0 });
    expect(reset.configs['message.timestamp.before.max.ms']).toBe(Number.MAX_SAFE_INTEGER);
    expect(oldAgain[0]).toMatchObject({ errorCode: 'NONE', baseOffset: 1 });
    expect(tightened.configs['message.timestamp.after.max.ms']).toBe(0);
    expect(ahead[0]).toMatchObject({ errorCode: 'INVALID_TIMESTAMP' });
    expect(await nextOffset(topic, 0)).toBe(2);
  });

  it('does not check a LogAppendTime topic, whatever its bounds', async () => {
    // Prepare
    const topic = uniqueName('tsb-lat');
    await env.admin.createTopic(topic, 1, { 'message.timestamp.type': 'LogAppendTime', 'message.timestamp.before.max.ms': 0, 'message.timestamp.after.max.ms': 0 });
    const now = Date.now();

    // Act
    const answers = await produceTo(topic, [{ partition: 0, records: batchAt([1_000, now + 48 * HOUR]) }]);

    // Assess
    expect(answers[0]).toMatchObject({ errorCode: 'NONE', baseOffset: 0 });
  });

  it('a compacted topic refuses a keyless record for its key before its timestamp, as Kafka: INVALID_RECORD naming every keyless record; beside a keyed record out of bounds INVALID_TIMESTAMP naming both', async () => {
    // Prepare
    const topic = uniqueName('tsb-compact');
    await env.admin.createTopic(topic, 2, { 'cleanup.policy': 'compact' });
    const late = Date.now() + 2 * HOUR;
    const batchOf = (records: ProducedRecord[]) => encodeRecordBatch({ records });
    const keyed = (timestamp: number): ProducedRecord => ({ key: Buffer.from('k'), value: Buffer.from('v'), timestamp });
    const keyless = (timestamp: number): ProducedRecord => ({ key: null, value: Buffer.from('a'), timestamp });
    const now = Date.now();

    // Act
    const refused = await produceTo(topic, [{ partition: 1, records: batchOf([keyed(now), keyless(late), keyed(now), keyless(now)]) }]);
    const mixed = await produceTo(topic, [{ partition: 0, records: batchOf([keyless(late), keyed(late)]) }]);

    // Assess
    const message = `Compacted topic cannot accept message without key in topic partition ${topic}-1`;
    expect(refused[0]).toMatchObject({ errorCode: 'INVALID_RECORD', baseOffset: -1, recordErrors: [{ batchIndex: 1, message }, { batchIndex: 3, message }] });
    expect(refused[0]!.errorMessage).toContain('2 record(s) of the batch have no key');
    expect(mixed[0]).toMatchObject({ errorCode: 'INVALID_TIMESTAMP', recordErrors: [{ batchIndex: 0, message: `Compacted topic cannot accept message without key in topic partition ${topic}-0` }, { batchIndex: 1 }] });
    expect(mixed[0]!.recordErrors![1]!.message).toContain(`Timestamp ${late} of record 1`);
    expect([await nextOffset(topic, 0), await nextOffset(topic, 1)]).toEqual([0, 0]);
  });

  it('the JSON records form and the SDK\'s Producer get INVALID_TIMESTAMP (400, not retried) for a record out of bounds', async () => {
    // Prepare
    const topic = uniqueName('tsb-sdk');
    await env.admin.createTopic(topic, 1);
    const future = Date.now() + 3 * HOUR;
    const producer = new Producer<string, string>({ bootstrap: env.cluster.url, keySerializer: 'string', valueSerializer: 'string', lingerMs: 0 });
    open.push(producer);

    // Act
    const json = await env.http.call('produce', 'POST', '/v1/produce', { json: { acks: -1, records: [{ topic, partition: 0, value: 'late', timestamp: future }] }, allowErrorStatus: true });
    const sent = await producer.send({ topic, partition: 0, value: 'x', timestamp: future }).then(
      () => undefined,
      (e: { code?: string; retriable?: boolean }) => [e.code, e.retriable],
    );
    const ok = await producer.send({ topic, partition: 0, value: 'y' });

    // Assess
    const body = JSON.parse(json.body.toString('utf8')) as { error?: { code: string }; topics: Array<{ partitions: Array<{ errorCode: string; recordErrors?: unknown[] }> }> };
    expect(json.status).toBe(400);
    expect(body.error?.code).toBe('INVALID_TIMESTAMP');
    expect(body.topics[0]!.partitions[0]).toMatchObject({ errorCode: 'INVALID_TIMESTAMP', recordErrors: [{ batchIndex: 0 }] });
    expect(sent).toEqual(['INVALID_TIMESTAMP', false]);
    expect(ok.offset).toBe(0);
  });

  it('the CLI: --config takes Kafka\'s Long.MAX and refuses one past it (not rounded to "never"); describe prints Long.MAX as kafka-topics.sh does', async () => {
    // Prepare
    const [topic, past] = [uniqueName('tsb-cli'), uniqueName('tsb-cli-past')];
    const floe = (...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        execFile(process.execPath, [FLOE_BIN, '--bootstrap', env.cluster.url, ...args], { timeout: 60_000 }, (error, stdout, stderr) =>
          resolve({ status: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });

    // Act
    const create = await floe('topics', 'create', topic, '--config', 'message.timestamp.after.max.ms=9223372036854775807');
    const refused = await floe('topics', 'create', past, '--config', 'message.timestamp.before.max.ms=9223372036854775808');
    const described = await floe('topics', 'describe', topic);
    const listed = (await env.admin.listTopics()).map((t) => t.name);

    // Assess
    expect(create.status, create.stderr).toBe(0);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('INVALID_CONFIG');
    expect(listed).not.toContain(past);
    expect(described.stdout).toContain('message.timestamp.after.max.ms=9223372036854775807');
  });

  it('refuses message.timestamp.difference.max.ms (removed in Kafka 4.0) at create and alter, naming what replaced it, and changes nothing', async () => {
    // Prepare
    const topic = uniqueName('tsb-diff');
    await env.admin.createTopic(topic, 1);

    // Act
    const create = await env.admin.createTopic(uniqueName('tsb-diff'), 1, { 'message.timestamp.difference.max.ms': 1000 }).catch((e: { code?: string; message?: string }) => e);
    const alter = await env.admin.alterTopicConfigs(topic, { 'message.timestamp.difference.max.ms': 1000 }).catch((e: { code?: string; message?: string }) => e);
    const described = await env.admin.describeTopic(topic);

    // Assess
    for (const e of [create, alter] as Array<{ code?: string; message?: string }>) {
      expect(e.code).toBe('INVALID_CONFIG');
      expect(e.message).toContain('message.timestamp.before.max.ms and message.timestamp.after.max.ms');
    }
    expect(described.configs['message.timestamp.after.max.ms']).toBe(HOUR);
  });

  it('takes the deployment\'s defaults (FLOE_DEFAULT_MESSAGE_TIMESTAMP_*) for topics created without the configs, and for a topic stored before they existed', async () => {
    // Prepare: a deployment that takes any future time; a topic item without the two configs, as written before they existed
    const custom = await startTestCluster({ config: { defaultTimestampAfterMaxMs: Number.MAX_SAFE_INTEGER, defaultTimestampBeforeMaxMs: HOUR } });
    open.push({ close: () => custom.close() });
    const http = new FloeHttpClient(custom.url);
    const admin = Admin.fromClient(http);
    const [fresh, legacy, ancient] = [uniqueName('tsb-dep'), uniqueName('tsb-legacy'), uniqueName('tsb-ancient')];
    await admin.createTopic(fresh, 1);
    await admin.createTopic(legacy, 1, { 'message.timestamp.after.max.ms': 0 });
    await admin.createTopic(ancient, 1, { 'message.timestamp.after.max.ms': 0, 'retention.ms': 1000 });
    const deps = custom.deps!;
    // An ancient item also predates the record of overrides: its configs other than Kafka's defaults were taken as set.
    for (const [topic, overrides] of [[legacy, 'SET overrides = :none'], [ancient, ', overrides']] as const) {
      await deps.dynamo.send(
        new UpdateCommand({
          TableName: deps.logTable,
          Key: logKeys.topic(topic),
          UpdateExpression: `REMOVE configs.#b, configs.#a${overrides.startsWith(',') ? overrides : ` ${overrides}`}`,
          ExpressionAttributeNames: { '#b': 'message.timestamp.before.max.ms', '#a': 'message.timestamp.after.max.ms' },
          ...(overrides.startsWith('SET') ? { ExpressionAttributeValues: { ':none': [] } } : {}),
        }),
      );
    }
    const now = Date.now();
    const produce = async (topic: string, timestamp: number) =>
      (await produceRaw(http, { acks: -1, timeoutMs: 10_000, topics: [{ topic, partitions: [{ partition: 0, records: batchAt([timestamp]) }] }] }))[0]!.partitions[0]!.errorCode;

    // Act
    const described = await Promise.all([fresh, legacy, ancient].map((t) => admin.describeTopic(t)));
    const codes = [await produce(fresh, now + 48 * HOUR), await produce(legacy, now + 48 * HOUR), await produce(fresh, now - 2 * HOUR), await produce(legacy, now - 2 * HOUR)];

    // Assess
    for (const d of described) {
      expect(d.configs['message.timestamp.after.max.ms']).toBe(Number.MAX_SAFE_INTEGER);
      expect(d.configs['message.timestamp.before.max.ms']).toBe(HOUR);
    }
    expect(codes).toEqual(['NONE', 'NONE', 'INVALID_TIMESTAMP', 'INVALID_TIMESTAMP']);
    expect(described.map((d) => d.overrides)).toEqual([[], [], ['retention.ms']]);
  });
});
