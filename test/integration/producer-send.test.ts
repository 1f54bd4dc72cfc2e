/**
 * The producer against the local cluster: partitioning, offsets, promise and callback
 * results, batching (linger.ms, full batches), send() not waiting for the network,
 * flush, close and metadata refresh.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { partitionForKey } from '../../packages/protocol/src/partitioning/murmur2.js';
import { Producer, type RecordMetadata } from '../../packages/client/src/producer/index.js';
import type { FloeError } from '../../packages/protocol/src/errors.js';
import { uniqueName } from '../helpers/cluster.js';
import { readPartition, values } from '../helpers/log.js';
import { settledCount, settlesWithin, sleep, startTappedCluster, type ProduceTap } from './producer-helpers.js';

let tap: ProduceTap;
let admin: Admin;
let http: FloeHttpClient;
const producers: Array<Producer<never, never> | Producer<string, string>> = [];

const stringProducer = (config: Partial<ConstructorParameters<typeof Producer<string, string>>[0]> = {}) => {
  const producer = new Producer<string, string>({ bootstrap: tap.cluster.url, keySerializer: 'string', valueSerializer: 'string', ...config });
  producers.push(producer);
  return producer;
};

async function topic(partitions: number): Promise<string> {
  const name = uniqueName('prod');
  await admin.createTopic(name, partitions);
  return name;
}

beforeAll(async () => {
  tap = await startTappedCluster();
  http = new FloeHttpClient(tap.cluster.url);
  admin = Admin.fromClient(http);
});

afterAll(async () => {
  await Promise.all(producers.map((p) => p.close({ timeoutMs: 1000 })));
  await tap.cluster.close();
});

describe('producer', () => {
  it('puts keyed records on the key\'s murmur2 partition at dense offsets in send order, reported to promise and callback', async () => {
    // Prepare
    const name = await topic(6);
    const producer = stringProducer({ lingerMs: 2 });
    const keys = Array.from({ length: 300 }, (_, i) => `user-${i % 23}`);
    const fromCallbacks: Array<RecordMetadata | undefined> = [];
    // Act
    const results = await Promise.all(
      keys.map((key, i) =>
        producer.send({ topic: name, key, value: `${key}#${i}` }, (metadata, error) => {
          fromCallbacks[i] = error ? undefined : metadata;
        }),
      ),
    );
    // Assess
    expect(results.map((m) => m.partition)).toEqual(keys.map((k) => partitionForKey(Buffer.from(k), 6)));
    expect(fromCallbacks).toEqual(results);
    for (let p = 0; p < 6; p++) {
      const sentHere = keys.map((key, i) => ({ key, i })).filter(({ key }) => partitionForKey(Buffer.from(key), 6) === p);
      const stored = await readPartition(http, name, p);
      expect(values(stored)).toEqual(sentHere.map(({ key, i }) => `${key}#${i}`));
      expect(sentHere.map(({ i }) => results[i]!.offset)).toEqual(stored.map((r) => r.offset));
      expect(stored.map((r) => r.offset)).toEqual(stored.map((_, n) => n));
    }
  });

  it('honours an explicit partition and a custom partitioner', async () => {
    // Prepare
    const name = await topic(4);
    const producer = stringProducer({ partitioner: { partition: ({ value, partitionCount }) => (value?.length ?? 0) % partitionCount } });
    // Act
    const explicit = await producer.send({ topic: name, key: 'k', value: 'abc', partition: 2 });
    const custom = await Promise.all(['a', 'bb', 'ccc', 'dddd', 'eeeee'].map((value) => producer.send({ topic: name, key: 'k', value })));
    // Assess
    expect(explicit.partition).toBe(2);
    expect(custom.map((m) => m.partition)).toEqual([1, 2, 3, 0, 1]);
  });

  it('turns many small sends into few requests with linger.ms=50', async () => {
    // Prepare
    const name = await topic(1);
    const producer = stringProducer({ lingerMs: 50 });
    await producer.partitionsFor(name);
    const before = tap.requests;
    const started = Date.now();
    // Act: 200 sends spread over ~200 ms
    const sends: Array<Promise<RecordMetadata>> = [];
    for (let i = 0; i < 200; i++) {
      sends.push(producer.send({ topic: name, value: `v${i}` }));
      if (i % 2 === 1) await sleep(1);
    }
    await Promise.all(sends);
    const elapsed = Date.now() - started;
    const requests = tap.requests - before;
    // Assess: at most one request per linger period (plus the last partial one)
    expect(requests).toBeLessThanOrEqual(Math.ceil(elapsed / 50) + 2);
    expect(requests).toBeLessThan(200 / 10);
  });

  it('sends a full batch at once without waiting for linger.ms', async () => {
    // Prepare: a minute of linger, ~2 KB batches, 100-byte values
    const name = await topic(1);
    const producer = stringProducer({ lingerMs: 60_000, batchSize: 2048 });
    await producer.partitionsFor(name);
    // Act: 20 records fill one batch (and overflow into the next); one more record alone afterwards
    const sends = Array.from({ length: 20 }, (_, i) => producer.send({ topic: name, value: `${i}`.padStart(100, '.') }));
    const fullAcknowledged = await settlesWithin(Promise.all(sends), 10_000);
    const partial = producer.send({ topic: name, value: 'alone' });
    const partialAcknowledged = await settlesWithin(partial, 200);
    // Assess
    expect(fullAcknowledged).toBe(true);
    expect(partialAcknowledged).toBe(false); // still lingering in its partial batch
    await producer.flush();
    expect((await partial).offset).toBe(20);
  });

  it('returns from send() while an earlier request is still waiting for its answer', async () => {
    // Prepare: hold produce requests at the handler
    const name = await topic(1);
    const producer = stringProducer({ lingerMs: 0 });
    await producer.partitionsFor(name);
    const before = tap.requests;
    const release = tap.hold();
    const first = producer.send({ topic: name, value: 'first' });
    while (tap.requests === before) await sleep(5);
    // Act
    const later = Array.from({ length: 100 }, (_, i) => producer.send({ topic: name, value: `later-${i}` }));
    const settled = settledCount([first, ...later]);
    await sleep(50);
    const settledWhileHeld = settled();
    release();
    const all = await Promise.all([first, ...later]);
    // Assess
    expect(settledWhileHeld).toBe(0);
    expect(all.map((m) => m.offset)).toEqual(all.map((_, i) => i));
  });

  it('flush() resolves once everything sent so far is acknowledged; close() flushes and refuses later sends', async () => {
    // Prepare
    const name = await topic(2);
    const producer = stringProducer({ lingerMs: 60_000 });
    const first = Array.from({ length: 50 }, (_, i) => producer.send({ topic: name, key: `k${i % 5}`, value: `a${i}` }));
    const tracker = settledCount(first);
    // Act
    await producer.flush();
    const settledAfterFlush = tracker();
    const second = Array.from({ length: 30 }, (_, i) => producer.send({ topic: name, key: `k${i % 5}`, value: `b${i}` }));
    await producer.close();
    const afterClose = await producer.send({ topic: name, value: 'too late' }).catch((e: FloeError) => e);
    // Assess
    expect(settledAfterFlush).toBe(50);
    await expect(Promise.all(second)).resolves.toHaveLength(30);
    expect((afterClose as FloeError).message).toMatch(/closed/);
    const stored = (await readPartition(http, name, 0)).length + (await readPartition(http, name, 1)).length;
    expect(stored).toBe(80);
  });

  it('starts using added partitions after metadata.max.age.ms', async () => {
    // Prepare: a key that lands on partition 0 of 1 but elsewhere of 4
    const name = await topic(1);
    const key = Array.from({ length: 100 }, (_, i) => `key-${i}`).find((k) => partitionForKey(Buffer.from(k), 4) !== 0)!;
    const producer = stringProducer({ lingerMs: 0, metadataMaxAgeMs: 100 });
    const before = await producer.send({ topic: name, key, value: 'before' });
    // Act
    await admin.createPartitions(name, 4);
    let after = before;
    for (let attempt = 0; attempt < 40 && after.partition === 0; attempt++) {
      await sleep(50);
      after = await producer.send({ topic: name, key, value: 'after' });
    }
    // Assess
    expect(before.partition).toBe(0);
    expect(after.partition).toBe(partitionForKey(Buffer.from(key), 4));
  });

  it('fails sends to an unknown topic or partition with UNKNOWN_TOPIC_OR_PARTITION after max.block.ms', async () => {
    // Prepare
    const name = await topic(2);
    const producer = stringProducer({ maxBlockMs: 300, retryBackoffMs: 20 });
    // Act
    const unknownTopic = await producer.send({ topic: uniqueName('missing'), value: 'x' }).catch((e: FloeError) => e);
    const unknownPartition = await producer.send({ topic: name, value: 'x', partition: 2 }).catch((e: FloeError) => e);
    const fine = await producer.send({ topic: name, value: 'x', partition: 1 });
    // Assess
    expect((unknownTopic as FloeError).code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect((unknownPartition as FloeError).code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(fine.partition).toBe(1);
  });

  it('takes a null callback as none and headers as a Map; refuses a callback, record, headers or partition of the wrong kind through the promise, with one error for promise and callback', async () => {
    // Prepare
    const name = await topic(2);
    const producer = stringProducer({ partitioner: { partition: ({ value }) => { if (value?.toString() === 'boom') throw new Error('no partition for boom'); return 0; } } });
    const heard: Array<string | undefined> = [];
    const codeOf = (p: Promise<unknown>) => p.then(() => 'NONE', (e: FloeError) => `${e.code}${e.retriable ? ' retriable' : ''}`);

    // Act
    const withNull = await producer.send({ topic: name, value: 'a' }, null);
    const withMap = await producer.send({ topic: name, value: 'b', headers: new Map([['trace-id', 'abc']]) });
    const notAFunction = await codeOf(producer.send({ topic: name, value: 'c' }, 'yes' as never));
    const noRecord = await codeOf(producer.send(null as never));
    const stringHeaders = await codeOf(producer.send({ topic: name, value: 'd', headers: 'abc' as never }));
    const badPartitions = await Promise.all([-1, 1.5, '1' as never, 1n as never].map((partition) => codeOf(producer.send({ topic: name, value: 'e', partition }))));
    const thrown = await codeOf(producer.send({ topic: name, value: 'boom' }, (_m, e) => heard.push(e && `${e.code}${e.retriable ? ' retriable' : ''}`)));
    await sleep(10);

    // Assess
    expect(withNull.offset).toBe(0);
    expect((await readPartition(http, name, 0)).map((r) => r.headers.map((h) => [h.key, h.value?.toString()]))).toEqual([[], [['trace-id', 'abc']]]);
    expect(withMap.offset).toBe(1);
    expect([notAFunction, noRecord, stringHeaders]).toEqual(['INVALID_REQUEST', 'INVALID_RECORD', 'INVALID_RECORD']);
    expect(badPartitions).toEqual(Array(4).fill('INVALID_REQUEST')); // Kafka's IllegalArgumentException, not a missing partition
    expect(thrown).toBe('INVALID_REQUEST');
    expect(heard).toEqual(['INVALID_REQUEST']);
  });

  it('close() with a timeout fails a send still waiting for metadata of an unknown topic at once, not at max.block.ms', async () => {
    // Prepare
    const producer = stringProducer({ maxBlockMs: 30_000 });
    const waiting = producer.send({ topic: uniqueName('nowhere'), value: 'x' }).then(
      () => 'sent',
      (e: FloeError) => e.code,
    );
    await sleep(200);
    const started = Date.now();

    // Act
    await producer.close({ timeoutMs: 300 });
    const outcome = await waiting;

    // Assess
    expect(outcome).toBe('REQUEST_TIMED_OUT');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
