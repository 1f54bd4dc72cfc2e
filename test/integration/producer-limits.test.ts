/**
 * The producer's documented failures: a full buffer (BUFFER_EXHAUSTED after max.block.ms),
 * records too large for a request or a topic (MESSAGE_TOO_LARGE), delivery.timeout.ms,
 * close with a timeout, and serialization failures, each failing only the records concerned.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { Producer, type ProducerConfig } from '../../packages/client/src/producer/index.js';
import type { FloeError } from '../../packages/protocol/src/errors.js';
import { uniqueName } from '../helpers/cluster.js';
import { readPartition, values } from '../helpers/log.js';
import { startTappedCluster, type ProduceTap } from './producer-helpers.js';

let tap: ProduceTap;
let admin: Admin;
let http: FloeHttpClient;
const producers: Array<Producer<string, string>> = [];

beforeAll(async () => {
  tap = await startTappedCluster();
  http = new FloeHttpClient(tap.cluster.url);
  admin = Admin.fromClient(http);
});
afterAll(async () => {
  await Promise.all(producers.map((p) => p.close({ timeoutMs: 500 })));
  await tap.cluster.close();
});

function producer(config: Partial<ProducerConfig<string, string>> = {}): Producer<string, string> {
  const p = new Producer<string, string>({ bootstrap: tap.cluster.url, keySerializer: 'string', valueSerializer: 'string', ...config });
  producers.push(p);
  return p;
}

async function topic(configs?: Record<string, number>): Promise<string> {
  const name = uniqueName('limits');
  await admin.createTopic(name, 1, configs);
  return name;
}

const errorOf = (promise: Promise<unknown>) => promise.then(() => undefined, (e: FloeError) => e);

describe('producer limits', () => {
  it('fails a send with BUFFER_EXHAUSTED once buffer.memory stayed full for max.block.ms', async () => {
    // Prepare: room for 8 records of ~420 bytes, nothing acknowledged while requests are held
    const name = await topic();
    const p = producer({ bufferMemory: 3500, maxBlockMs: 300, lingerMs: 0 });
    await p.partitionsFor(name);
    const release = tap.hold();
    const accepted = Array.from({ length: 8 }, (_, i) => p.send({ topic: name, value: `${i}`.padStart(400, '.') }));
    // Act
    const started = Date.now();
    const error = await errorOf(p.send({ topic: name, value: 'x'.repeat(400) }));
    const waited = Date.now() - started;
    release();
    // Assess
    expect(error?.code).toBe('BUFFER_EXHAUSTED');
    expect(error?.message).toMatch(/max\.block\.ms \(\d+ ms\)/);
    expect(waited).toBeGreaterThanOrEqual(290);
    expect(waited).toBeLessThan(3000);
    await expect(Promise.all(accepted)).resolves.toHaveLength(8); // the records already buffered still go out
  });

  it('lets a blocked send through as soon as acknowledgements free the buffer', async () => {
    // Prepare
    const name = await topic();
    const p = producer({ bufferMemory: 3500, maxBlockMs: 10_000, lingerMs: 0 });
    await p.partitionsFor(name);
    const release = tap.hold();
    const first = Array.from({ length: 8 }, (_, i) => p.send({ topic: name, value: `${i}`.padStart(400, '.') }));
    // Act
    const blocked = p.send({ topic: name, value: 'waited'.padEnd(400, '.') });
    const wasBlocked = p.blocked;
    release();
    const metadata = await blocked;
    // Assess
    expect(wasBlocked).toBe(true);
    await Promise.all(first);
    expect(metadata.offset).toBe(8);
  });

  it('rejects a record larger than max.request.size or buffer.memory with MESSAGE_TOO_LARGE, sending nothing', async () => {
    // Prepare
    const name = await topic();
    const p = producer({ maxRequestSize: 10_000, bufferMemory: 8_000 });
    const before = tap.requests;
    // Act
    const overRequest = await errorOf(p.send({ topic: name, value: 'x'.repeat(10_000) }));
    const overBuffer = await errorOf(p.send({ topic: name, value: 'x'.repeat(9_000) }));
    const fits = await p.send({ topic: name, value: 'x'.repeat(5_000) });
    // Assess
    expect(overRequest?.code).toBe('MESSAGE_TOO_LARGE');
    expect(overRequest?.message).toMatch(/max\.request\.size/);
    expect(overBuffer?.code).toBe('MESSAGE_TOO_LARGE');
    expect(overBuffer?.message).toMatch(/buffer\.memory/);
    expect(fits.offset).toBe(0);
    expect(tap.requests - before).toBe(1);
  });

  it("splits batches above the topic's max.message.bytes and fails only a record that alone exceeds it", async () => {
    // Prepare: topic limit 1000 bytes, producer batches of 16 KB
    const name = await topic({ 'max.message.bytes': 1000 });
    const p = producer({ lingerMs: 50 });
    // Act
    const small = Array.from({ length: 40 }, (_, i) => p.send({ topic: name, value: `small-${i}`.padEnd(100, '.') }));
    const big = errorOf(p.send({ topic: name, value: 'B'.repeat(1500) }));
    const results = await Promise.all(small);
    // Assess
    expect((await big)?.code).toBe('MESSAGE_TOO_LARGE');
    expect(results.map((m) => m.offset)).toEqual(results.map((_, i) => i));
    expect(values(await readPartition(http, name, 0)).map((v) => v.replace(/\.+$/, ''))).toEqual(results.map((_, i) => `small-${i}`));
  });

  it('fails records with REQUEST_TIMED_OUT after delivery.timeout.ms when no answer comes', async () => {
    // Prepare: requests held at the handler; each attempt times out after 100 ms
    const name = await topic();
    const p = producer({ requestTimeoutMs: 100, deliveryTimeoutMs: 400, retryBackoffMs: 20, lingerMs: 0 });
    await p.partitionsFor(name);
    const release = tap.hold();
    const before = tap.requests;
    // Act
    const error = await errorOf(p.send({ topic: name, value: 'never answered' }));
    const attempts = tap.requests - before;
    release();
    // Assess
    expect(error?.code).toBe('REQUEST_TIMED_OUT');
    expect(error?.message).toMatch(/delivery\.timeout\.ms \(400 ms\)/);
    expect(attempts).toBeGreaterThan(1); // retried before giving up
  });

  it('close() with a timeout fails what is still unacknowledged and returns', async () => {
    // Prepare
    const name = await topic();
    const p = producer({ lingerMs: 0 });
    await p.partitionsFor(name);
    const release = tap.hold();
    const pending = errorOf(p.send({ topic: name, value: 'stuck' }));
    // Act
    await p.close({ timeoutMs: 100 });
    const error = await pending;
    release();
    // Assess
    expect(error?.code).toBe('REQUEST_TIMED_OUT');
    expect(error?.message).toMatch(/closed/);
  });

  it('fails only the record whose serialization fails', async () => {
    // Prepare
    const name = await topic();
    const p = new Producer<string, unknown>({ bootstrap: tap.cluster.url, valueSerializer: 'json' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    // Act
    const results = await Promise.allSettled([
      p.send({ topic: name, value: { n: 1 } }),
      p.send({ topic: name, value: cyclic }),
      p.send({ topic: name, value: { n: 2 } }),
    ]);
    await p.close();
    // Assess
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(((results[1] as PromiseRejectedResult).reason as FloeError).code).toBe('SERIALIZATION_ERROR');
    expect(values(await readPartition(http, name, 0))).toEqual(['{"n":1}', '{"n":2}']);
  });
});
