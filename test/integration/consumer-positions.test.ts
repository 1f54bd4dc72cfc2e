/**
 * The Consumer's offsets against the local cluster: where it starts (committed
 * offset, auto.offset.reset earliest/latest/none), commits, seeks, pause and
 * lag, and what a record carries.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Consumer, Deserializers, type ConsumerConfig } from '../../packages/client/src/consumer/index.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { produceRaw } from '../../packages/client/src/log-client.js';
import type { FloeError } from '../../packages/protocol/src/errors.js';
import { encodeRecordBatch } from '../../packages/protocol/src/records/record-batch.js';
import { useTestCluster, uniqueName } from '../helpers/cluster.js';
import { keysByPartition, produceKeyed } from '../fixtures/consumer-data.js';
import { pollUntil, pollWhile } from '../fixtures/consumer-poll.js';

const env = useTestCluster();
const open: Array<Consumer<unknown, unknown>> = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close().catch(() => undefined)));
});

function consumer<K = string | null, V = string | null>(config: Partial<ConsumerConfig<K, V>> = {}): Consumer<K, V> {
  const c = new Consumer<K, V>({
    bootstrap: env.cluster.url,
    sessionTimeoutMs: 3000,
    heartbeatIntervalMs: 300,
    fetchMaxWaitMs: 100,
    keyDeserializer: Deserializers.string as never,
    valueDeserializer: Deserializers.string as never,
    ...config,
  });
  open.push(c as Consumer<unknown, unknown>);
  return c;
}

/** A one-partition topic holding values "0".."n-1". */
async function topicWith(n: number, partitions = 1): Promise<string> {
  const topic = uniqueName('c');
  await env.admin.createTopic(topic, partitions);
  if (n > 0) await appendValues(topic, 0, n);
  return topic;
}

async function appendValues(topic: string, from: number, to: number, partition = 0): Promise<void> {
  const records = Array.from({ length: to - from }, (_, i) => ({ key: null, value: Buffer.from(String(from + i)) }));
  await produceRaw(env.http, { acks: -1, timeoutMs: 10_000, topics: [{ topic, partitions: [{ partition, records: encodeRecordBatch({ records }) }] }] });
}

const values = (records: Array<{ value: unknown }>) => records.map((r) => r.value);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => String(from + i));

describe('where a consumer starts', () => {
  it('a restarted consumer resumes from the committed offset, and nothing before it comes again', async () => {
    // Prepare
    const topic = await topicWith(60);
    const groupId = uniqueName('g');
    const first = consumer({ groupId, autoOffsetReset: 'earliest', enableAutoCommit: false, maxPollRecords: 7 });
    first.subscribe([topic]);
    const read = await pollUntil(first, 25);
    await first.commitSync([{ topic, partition: 0, offset: 25 }]);
    await first.close();

    // Act
    const second = consumer({ groupId, autoOffsetReset: 'earliest' });
    second.subscribe([topic]);
    const rest = await pollUntil(second, 35);

    // Assess
    expect(values(read).slice(0, 25)).toEqual(range(0, 25));
    expect(values(rest)).toEqual(range(25, 60));
    expect(rest[0]?.offset).toBe(25);
  });

  it('auto.offset.reset earliest reads what is already there; latest only what comes after it started', async () => {
    // Prepare
    const topic = await topicWith(10);
    const early = consumer({ groupId: uniqueName('early'), autoOffsetReset: 'earliest' });
    const late = consumer({ groupId: uniqueName('late'), autoOffsetReset: 'latest' });
    early.subscribe([topic]);
    late.subscribe([topic]);

    // Act
    const fromStart = await pollUntil(early, 10);
    await pollWhile(late, () => late.assignment().length === 0, 10_000, 'an assignment');
    const startedAt = await late.position({ topic, partition: 0 });
    await appendValues(topic, 10, 13);
    const fromEnd = await pollUntil(late, 3);

    // Assess
    expect(values(fromStart)).toEqual(range(0, 10));
    expect(startedAt).toBe(10);
    expect(values(fromEnd)).toEqual(['10', '11', '12']);
  });

  it('seekToBeginning wins over auto.offset.reset latest (once, both applied and the partition ended at latest)', async () => {
    // Prepare
    const topic = await topicWith(3);
    const c = consumer({ autoOffsetReset: 'latest' });
    c.assign([{ topic, partition: 0 }]);

    // Act
    c.seekToBeginning([{ topic, partition: 0 }]);
    const records = await pollUntil(c, 3);

    // Assess
    expect(values(records)).toEqual(['0', '1', '2']);
  });

  it('a consumer with the longest request timeout the config takes (2^31-1 ms) reads: its fetches do not time out at once', async () => {
    // Prepare: a consumer caught up with an empty partition, whose failed requests are counted;
    // a fetch's timeout is the request timeout plus the server's wait (fetchMaxWaitMs 100)
    const topic = await topicWith(0);
    const failures: string[] = [];
    const http = new (class extends FloeHttpClient {
      override call(...args: Parameters<FloeHttpClient['call']>) {
        return super.call(...args).catch((error: Error) => {
          failures.push(error.message);
          throw error;
        });
      }
    })(env.cluster.url, { requestTimeoutMs: 2 ** 31 - 1 });
    const c = consumer({ autoOffsetReset: 'earliest', requestTimeoutMs: 2 ** 31 - 1, http });
    c.assign([{ topic, partition: 0 }]);
    await c.poll(300);

    // Act
    await appendValues(topic, 0, 3);
    const records = await pollUntil(c, 3, 5000);

    // Assess
    expect(values(records)).toEqual(['0', '1', '2']);
    expect(failures).toEqual([]);
  });

  it('auto.offset.reset none fails without a committed offset and starts from it when there is one', async () => {
    // Prepare
    const topic = await topicWith(5);
    const groupId = uniqueName('none');
    const strict = consumer({ groupId, autoOffsetReset: 'none' });
    strict.subscribe([topic]);

    // Act
    const failure = await pollWhile(strict, () => true, 10_000).then(
      () => undefined,
      (error: FloeError) => error,
    );
    await strict.close();
    const setter = consumer({ groupId, enableAutoCommit: false });
    setter.assign([{ topic, partition: 0 }]);
    await setter.commitSync([{ topic, partition: 0, offset: 3 }]);
    const again = consumer({ groupId, autoOffsetReset: 'none' });
    again.subscribe([topic]);
    const records = await pollUntil(again, 2);

    // Assess
    expect(failure?.code).toBe('OFFSET_OUT_OF_RANGE');
    expect(failure?.message).toContain('auto.offset.reset is none');
    expect(values(records)).toEqual(['3', '4']);
  });
});

describe('commits, positions, seeks, pause and lag', () => {
  it('commitAsync lands in call order, committed() reads it back, auto-commit commits what poll returned', async () => {
    // Prepare
    const topic = await topicWith(20);
    const groupId = uniqueName('commits');
    const c = consumer({ groupId, autoOffsetReset: 'earliest', enableAutoCommit: false });
    c.assign([{ topic, partition: 0 }]);
    const outcomes: Array<string | undefined> = [];

    // Act
    for (const offset of [3, 9, 14]) c.commitAsync([{ topic, partition: 0, offset, metadata: `m${offset}` }], (error) => outcomes.push(error?.message));
    await c.commitSync([]); // waits for the async commits before it
    const afterAsync = await c.committed([{ topic, partition: 0 }]);
    const auto = consumer({ groupId: uniqueName('auto'), autoOffsetReset: 'earliest', autoCommitIntervalMs: 1 });
    auto.assign([{ topic, partition: 0 }]);
    const read = await pollUntil(auto, 20);
    await auto.poll(0); // the next poll commits what the previous ones returned
    await auto.close();
    const autoCommitted = await new Consumer({ bootstrap: env.cluster.url, groupId: auto.config.groupId }).committed([{ topic, partition: 0 }]);

    // Assess
    expect(outcomes).toEqual([undefined, undefined, undefined]);
    expect(afterAsync).toEqual([{ topic, partition: 0, offset: 14, metadata: 'm14' }]);
    expect(read).toHaveLength(20);
    expect(autoCommitted[0]?.offset).toBe(20);
  });

  it('seek, seekToBeginning, seekToEnd, position, pause/resume and lag on assigned partitions', async () => {
    // Prepare
    const topic = await topicWith(10, 2);
    await appendValues(topic, 100, 104, 1);
    const c = consumer({ autoOffsetReset: 'earliest', maxPollRecords: 100 });
    const p0 = { topic, partition: 0 };
    const p1 = { topic, partition: 1 };
    c.assign([p0, p1]);

    // Act
    c.pause([p1]);
    const onlyP0 = await pollUntil(c, 10);
    const lagAfterP0 = c.currentLag(p0);
    c.seek(p0, 7);
    const fromSeek = await pollUntil(c, 3);
    c.resume([p1]);
    const p1Records = await pollUntil(c, 4);
    c.seekToBeginning([p1]);
    const rewound = await c.position(p1);
    c.seekToEnd([p0]);
    const end = await c.position(p0);
    await appendValues(topic, 10, 12);
    const tail = await pollUntil(c, 6);

    // Assess
    expect(onlyP0.every((r) => r.partition === 0)).toBe(true);
    expect(values(onlyP0)).toEqual(range(0, 10));
    expect(lagAfterP0).toBe(0);
    expect(values(fromSeek)).toEqual(['7', '8', '9']);
    expect(values(p1Records)).toEqual(['100', '101', '102', '103']);
    expect(c.paused()).toEqual([]);
    expect(rewound).toBe(0);
    expect(end).toBe(10);
    expect(values(tail).sort()).toEqual(['10', '100', '101', '102', '103', '11']);
    expect(c.lag()).toEqual([
      { topic, partition: 0, lag: 0 },
      { topic, partition: 1, lag: 0 },
    ]);
  });

  it('beginningOffsets, endOffsets, offsetsForTimes, partitionsFor and listTopics answer for any partition, assigned or not', async () => {
    // Prepare: 5 records at known times on partition 0 of a 2-partition topic, retention not yet moved
    const topic = await topicWith(0, 2);
    const t0 = Date.now() - 60_000;
    const records = Array.from({ length: 5 }, (_, i) => ({ key: null, value: Buffer.from(String(i)), timestamp: t0 + i * 1000 }));
    await produceRaw(env.http, { acks: -1, timeoutMs: 10_000, topics: [{ topic, partitions: [{ partition: 0, records: encodeRecordBatch({ records }) }] }] });
    const c = consumer();
    const p0 = { topic, partition: 0 };
    const p1 = { topic, partition: 1 };

    // Act
    const beginning = await c.beginningOffsets([p0, p1]);
    const end = await c.endOffsets([p0, p1]);
    const times = await c.offsetsForTimes([{ ...p0, timestamp: t0 + 2500 }, { ...p0, timestamp: new Date(t0 + 10_000) }, { ...p1, timestamp: t0 }]);
    const partitions = await c.partitionsFor(topic);
    const listed = (await c.listTopics()).find((t) => t.topic === topic);
    const unknown = await c.endOffsets([{ topic: uniqueName('missing'), partition: 0 }]).then(() => 'NONE', (e: FloeError) => e.code);

    // Assess
    expect(beginning.map((o) => o.offset)).toEqual([0, 0]);
    expect(end.map((o) => [o.partition, o.offset])).toEqual([[0, 5], [1, 0]]);
    expect(times).toEqual([{ ...p0, offset: 3, timestamp: t0 + 3000 }, { ...p0, offset: null }, { ...p1, offset: null }]);
    expect(partitions).toEqual([p0, p1]);
    expect(listed).toEqual({ topic, partitions: 2 });
    expect(unknown).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(c.assignment()).toEqual([]);
  });

  it('seekToBeginning rewinds under the default auto.offset.reset (latest) too', async () => {
    // Prepare: a consumer with the default policy; the partition holds records.
    const topic = await topicWith(5, 1);
    const c = consumer({ maxPollRecords: 100 });
    const p0 = { topic, partition: 0 };
    c.assign([p0]);

    // Act
    c.seekToBeginning([p0]);
    const rewound = await c.position(p0);
    const records = await pollUntil(c, 5);

    // Assess: the explicit seek wins over the default policy (it once was overwritten by "latest").
    expect(rewound).toBe(0);
    expect(values(records)).toEqual(range(0, 5));
  });

  it('records carry topic, partition, offset, deserialized key and value, headers and timestamp; a bad value stops poll at its offset', async () => {
    // Prepare
    const topic = uniqueName('rec');
    await env.admin.createTopic(topic, 1);
    const timestamp = 1_700_000_000_000;
    const batch = encodeRecordBatch({
      records: [
        { key: Buffer.from('k'), value: Buffer.from('{"n":1}'), headers: [{ key: 'h', value: Buffer.from('v') }], timestamp },
        { key: null, value: Buffer.from('not json'), timestamp },
        { key: null, value: Buffer.from('{"n":3}'), timestamp },
      ],
    });
    await produceRaw(env.http, { acks: -1, timeoutMs: 10_000, topics: [{ topic, partitions: [{ partition: 0, records: batch }] }] });
    const c = consumer<string | null, { n: number } | null>({ autoOffsetReset: 'earliest', valueDeserializer: Deserializers.json<{ n: number }>() });
    const tp = { topic, partition: 0 };
    c.assign([tp]);

    // Act
    const good = await pollUntil(c, 1);
    const bad = await c.poll(5000).catch((error: FloeError) => error);
    const stuckAt = await c.position(tp);
    c.seek(tp, 2);
    const after = await pollUntil(c, 1);

    // Assess
    expect(good).toEqual([{ topic, partition: 0, offset: 0, key: 'k', value: { n: 1 }, headers: [{ key: 'h', value: Buffer.from('v') }], timestamp }]);
    expect(bad).toMatchObject({ code: 'SERIALIZATION_ERROR' });
    expect(String((bad as Error).message)).toContain('offset 1');
    expect(stuckAt).toBe(1);
    expect(after.map((r) => [r.offset, r.value])).toEqual([[2, { n: 3 }]]);
  });

  it('keys land on partitions as in Kafka and each partition is read in order', async () => {
    // Prepare
    const topic = uniqueName('keys');
    await env.admin.createTopic(topic, 3);
    const keys = keysByPartition(3, 2);
    await produceKeyed(env.http, topic, keys.flat().flatMap((key) => [0, 1, 2].map((n) => ({ key, value: `${key}:${n}` }))));
    const c = consumer({ autoOffsetReset: 'earliest' });
    c.assign([0, 1, 2].map((partition) => ({ topic, partition })));

    // Act
    const records = await pollUntil(c, 18);

    // Assess
    for (const r of records) expect(keys[r.partition]).toContain(r.key);
    for (const p of [0, 1, 2]) {
      const offsets = records.filter((r) => r.partition === p).map((r) => r.offset);
      expect(offsets).toEqual([0, 1, 2, 3, 4, 5]);
    }
  });
});
