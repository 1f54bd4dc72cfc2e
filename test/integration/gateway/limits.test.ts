/**
 * Requests sized by the client (arrays of names, group ids, partitions) cost bounded work in the
 * gateway: storage lookups at most GATEWAY_LIMITS.lookupsInFlight at a time, each name answered once,
 * and nothing kept in memory for names that do not exist.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_LIMITS } from '../../../src/gateway/limits.js';
import { uniqueName } from '../../helpers/cluster.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { KafkaWire, type Body } from '../../helpers/kafka-wire.js';

let gw: TestGateway;
let wire: KafkaWire;
/** DynamoDB reads sent, and the most ever in flight at once. */
const reads = { sent: 0, inFlight: 0, maxInFlight: 0 };

beforeAll(async () => {
  gw = await startTestGateway();
  const dynamo = gw.deps.clients.dynamo;
  const send = dynamo.send.bind(dynamo);
  dynamo.send = (async (command: { constructor: { name: string } }, ...rest: unknown[]) => {
    const read = ['GetCommand', 'QueryCommand', 'BatchGetCommand', 'ScanCommand'].includes(command.constructor.name);
    if (read) {
      reads.sent++;
      reads.maxInFlight = Math.max(reads.maxInFlight, ++reads.inFlight);
    }
    try {
      return await (send as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
    } finally {
      if (read) reads.inFlight--;
    }
  }) as typeof dynamo.send;
  wire = await KafkaWire.connect(gw.port);
});

afterAll(async () => {
  wire?.close();
  await gw?.close();
});

const resetReads = () => Object.assign(reads, { sent: 0, inFlight: 0, maxInFlight: 0 });

describe('Metadata naming many topics', () => {
  it('answers 5,000 unknown names with one listing, each name once, and caches none of them', async () => {
    // Prepare
    const known = uniqueName('lim');
    await gw.deps.log.createTopic(known, 2, {});
    const unknown = Array.from({ length: 5000 }, (_, i) => `${known}-missing-${i}`);
    const names = [known, ...unknown, known, unknown[0] as string];
    const cachedBefore = gw.deps.log.topicCache.size;
    resetReads();

    // Act
    const meta = await wire.request(3, 1, { topics: names.map((name) => ({ name })) }, 60_000);

    // Assess
    expect(meta.topics).toHaveLength(5001);
    expect(meta.topics[0]).toMatchObject({ name: known, errorCode: 0 });
    expect(meta.topics[0].partitions).toHaveLength(2);
    expect(new Set(meta.topics.slice(1).map((t: Body) => t.errorCode))).toEqual(new Set([3]));
    expect(reads.sent).toBeLessThan(20);
    expect(gw.deps.log.topicCache.size - cachedBefore).toBeLessThanOrEqual(1);
  });

  it('reads a few names one by one, at most lookupsInFlight at a time, and keeps no miss in the topic cache', async () => {
    // Prepare
    const base = uniqueName('few');
    const names = Array.from({ length: GATEWAY_LIMITS.metadataNamesReadOneByOne }, (_, i) => `${base}-${i}`);
    const cachedBefore = gw.deps.log.topicCache.size;
    resetReads();

    // Act
    const meta = await wire.request(3, 1, { topics: names.map((name) => ({ name })) });

    // Assess
    expect(meta.topics.map((t: Body) => [t.name, t.errorCode])).toEqual(names.map((n) => [n, 3]));
    expect(reads.sent).toBe(names.length);
    expect(reads.maxInFlight).toBeLessThanOrEqual(GATEWAY_LIMITS.lookupsInFlight);
    expect(gw.deps.log.topicCache.size).toBe(cachedBefore);
  });
});
