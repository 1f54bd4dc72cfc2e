/**
 * An idle consumer stops holding server waits open (a waiting Lambda is billed by
 * the millisecond), spaces its fetches out up to fetchIdleMaxIntervalMs, and still
 * sees the first record after the idle spell.
 */
import { describe, expect, it } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { Consumer, Deserializers } from '../../packages/client/src/consumer/index.js';
import { produceRaw } from '../../packages/client/src/log-client.js';
import type { FunctionUrlHandler } from '../../src/handlers/http.js';
import { encodeRecordBatch } from '../../packages/protocol/src/records/record-batch.js';
import { useTestCluster, uniqueName } from '../helpers/cluster.js';

const env = useTestCluster({
  wrapHandler: (name, handler): FunctionUrlHandler =>
    name !== 'fetch'
      ? handler
      : async (event) => {
          if (event.rawPath === '/v1/fetch' && event.body) {
            serverWaits.push((JSON.parse(event.body) as { maxWaitMs: number }).maxWaitMs);
            fetchTimes.push(performance.now());
          }
          return handler(event);
        },
});
/** maxWaitMs of every fetch the fetch function received, in order */
const serverWaits: number[] = [];
/** when each of them arrived */
const fetchTimes: number[] = [];

async function pollFor(consumer: Consumer<string | null, string | null>, ms: number): Promise<string[]> {
  const seen: string[] = [];
  const until = Date.now() + ms;
  while (Date.now() < until) for (const r of await consumer.poll(200)) seen.push(r.value ?? '');
  return seen;
}

describe('idle fetch backoff', () => {
  it.each([true, false])('fetchIdleBackoff %s: server waits after an idle spell, and the next record still arrives', async (backoff) => {
    // Prepare
    const topic = uniqueName('idle');
    await Admin.fromClient(env.http).createTopic(topic, 1);
    const consumer = new Consumer<string | null, string | null>({
      bootstrap: env.cluster.url,
      fetchMaxWaitMs: 300,
      fetchIdleBackoff: backoff,
      fetchIdleMaxIntervalMs: 900,
      autoOffsetReset: 'earliest',
      keyDeserializer: Deserializers.string as never,
      valueDeserializer: Deserializers.string as never,
    });
    consumer.assign([{ topic, partition: 0 }]);
    serverWaits.length = 0;
    fetchTimes.length = 0;

    // Act
    await pollFor(consumer, 4000);
    const idleWaits = [...serverWaits];
    const idleTimes = [...fetchTimes];
    await produceRaw(env.http, { acks: -1, timeoutMs: 5000, topics: [{ topic, partitions: [{ partition: 0, records: encodeRecordBatch({ records: [{ key: null, value: Buffer.from('after idle') }] }) }] }] });
    const seen = await pollFor(consumer, 1500);
    await consumer.close();

    // Assess
    expect(seen).toEqual(['after idle']);
    const late = idleWaits.slice(3);
    expect(late.length).toBeGreaterThan(2);
    if (backoff) {
      expect(late.every((w) => w === 0)).toBe(true);
      // Idle fetches start at least fetchMaxWaitMs (300 ms) apart (across 200 ms polls), the gap doubling towards 900 ms.
      // Measured where they arrive, so a loaded machine's transport jitter shortens one now and then (277 ms in a CI
      // run); back-to-back fetches would be a few ms apart.
      const gaps = idleTimes.slice(4).map((t, i) => t - idleTimes[i + 3]!);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(200);
      expect(gaps.at(-1)).toBeGreaterThanOrEqual(750);
    }
    else expect(late.filter((w) => w >= 100).length).toBeGreaterThan(late.length / 2); // poll's time left can shorten a few
  });

  it('fetches at once after seek(), however wide the idle gap has grown', async () => {
    // Prepare: one record read, then an idle spell long enough for the gap to reach several seconds
    const topic = uniqueName('idle-seek');
    await Admin.fromClient(env.http).createTopic(topic, 1);
    await produceRaw(env.http, { acks: -1, timeoutMs: 5000, topics: [{ topic, partitions: [{ partition: 0, records: encodeRecordBatch({ records: [{ key: null, value: Buffer.from('first') }] }) }] }] });
    const consumer = new Consumer<string | null, string | null>({
      bootstrap: env.cluster.url,
      fetchMaxWaitMs: 300,
      fetchIdleMaxIntervalMs: 10_000,
      autoOffsetReset: 'earliest',
      keyDeserializer: Deserializers.string as never,
      valueDeserializer: Deserializers.string as never,
    });
    consumer.assign([{ topic, partition: 0 }]);
    expect(await pollFor(consumer, 6000)).toEqual(['first']);

    // Act
    consumer.seek({ topic, partition: 0 }, 0);
    const started = performance.now();
    const again = await consumer.poll(1500);
    const took = performance.now() - started;
    await consumer.close();

    // Assess: the idle gap had reached seconds; a seek does not wait it out
    expect(again.map((r) => r.value)).toEqual(['first']);
    expect(took).toBeLessThan(1500);
  });
});
