/** The SDK-middleware fault layer against the real stand-ins: injected faults are seen, retried, and replayable. */
import { afterEach, describe, expect, it } from 'vitest';
import { PutCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { createAwsClients, type AwsClients } from '../../src/aws/clients.js';
import { seededRandom } from '../../src/faults/random.js';
import { sampleLatency, StorageFaults } from '../../src/faults/storage-faults.js';
import { configFromEnv } from '../../src/config/index.js';
import { newSegmentKey } from '../../src/storage/keys.js';
import { S3ObjectStore } from '../../src/storage/object-store.js';

const opened: AwsClients[] = [];
const clientsWith = (faults: StorageFaults) => {
  const clients = createAwsClients(configFromEnv());
  faults.install(clients);
  opened.push(clients);
  return clients;
};
afterEach(() => {
  for (const c of opened.splice(0)) {
    c.s3.destroy();
    c.dynamo.destroy();
  }
});

describe('storage fault layer', () => {
  it('injects errors that the SDK retries, so calls still succeed while the stats count them', async () => {
    // Prepare
    const faults = new StorageFaults({ seed: 7, errorRate: 0.3 });
    const { dynamo } = clientsWith(faults);
    const table = configFromEnv().logTable;

    // Act
    let failed = 0;
    for (let i = 0; i < 20; i++) {
      await dynamo.send(new PutCommand({ TableName: table, Item: { pk: `faults-${i}`, sk: 'x', v: i } })).catch(() => failed++);
    }
    faults.setEnabled(false);
    const read = await dynamo.send(new GetCommand({ TableName: table, Key: { pk: 'faults-19', sk: 'x' } }));

    // Assess: more errors were injected than calls failed — the SDK's retries absorbed the rest
    expect(faults.stats.errors).toBeGreaterThan(failed);
    expect(failed).toBeLessThan(20);
    expect(read.Item === undefined || read.Item.v === 19).toBe(true);
  });

  it('loses responses of requests that did happen', async () => {
    // Prepare
    const faults = new StorageFaults({ seed: 1, lostResponseRate: 1 });
    const config = configFromEnv();
    const { s3 } = clientsWith(faults);
    const store = new S3ObjectStore(s3, config.bucket);
    const key = newSegmentKey();
    const plain = createAwsClients(config);
    opened.push(plain);

    // Act
    const outcome = await store.put(key, Buffer.from('written anyway')).then(
      () => 'ok',
      (e: Error) => e.name,
    );
    const stored = await new S3ObjectStore(plain.s3, config.bucket).getRange(key, 0, 14);

    // Assess
    expect(outcome).toBe('TimeoutError');
    expect(stored.toString()).toBe('written anyway');
    expect(faults.stats.lostResponses).toBeGreaterThanOrEqual(1);
  });

  it('replays the same decisions for the same seed', () => {
    // Act
    const a = Array.from({ length: 5 }, seededRandom(42));
    const b = Array.from({ length: 5 }, seededRandom(42));
    const c = Array.from({ length: 5 }, seededRandom(43));

    // Assess
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('draws latencies whose median and 99th percentile match the model', () => {
    // Prepare
    const random = seededRandom(3);
    const dist = { p50: 20, p99: 200 };

    // Act
    const xs = Array.from({ length: 20_000 }, () => sampleLatency(dist, random)).sort((x, y) => x - y);

    // Assess
    expect(xs[10_000]!).toBeGreaterThan(18);
    expect(xs[10_000]!).toBeLessThan(22);
    expect(xs[19_800]!).toBeGreaterThan(170);
    expect(xs[19_800]!).toBeLessThan(235);
  });

  describe('latency modes', () => {
    const DRAW_MS = 300;
    /** Times one DynamoDB write: from the caller, and when it reached the stand-in (a middleware below the fault layer). */
    async function timedWrite(latencyMode: 'added' | 'floor') {
      const faults = new StorageFaults({ seed: 5, latencyMode, latency: { dynamoWrite: { p50: DRAW_MS, p99: DRAW_MS } } });
      const { dynamo } = clientsWith(faults);
      let reachedAt = 0;
      (dynamo as unknown as { middlewareStack: { add: (mw: unknown, o: unknown) => void } }).middlewareStack.add(
        (next: (a: unknown) => Promise<unknown>) => async (args: unknown) => {
          reachedAt = performance.now();
          return next(args);
        },
        { step: 'deserialize', name: 'testReachedStandIn', priority: 'low' },
      );
      const calledAt = performance.now();
      await dynamo.send(new PutCommand({ TableName: configFromEnv().logTable, Item: { pk: `faults-${latencyMode}`, sk: 'x' } }));
      return { waitedBeforeRequest: reachedAt - calledAt, total: performance.now() - calledAt, stats: faults.stats };
    }

    it('added: the request waits the draw, then runs', async () => {
      // Act
      const t = await timedWrite('added');

      // Assess
      expect(t.waitedBeforeRequest).toBeGreaterThanOrEqual(DRAW_MS - 1);
      expect(t.stats.overran).toBe(0);
    });

    it('floor: the request runs during the draw, and the caller still waits the whole draw', async () => {
      // Act
      const t = await timedWrite('floor');

      // Assess: it reached the stand-in at once, yet took at least the draw; the stand-in answered within it
      expect(t.waitedBeforeRequest).toBeLessThan(DRAW_MS / 2);
      expect(t.total).toBeGreaterThanOrEqual(DRAW_MS - 1);
      expect(t.stats.delayedMs).toBeCloseTo(DRAW_MS, 6);
    });

    it('floor: a request the service refuses still takes the whole draw', async () => {
      // Prepare: a conditional write that fails
      const faults = new StorageFaults({ seed: 5, latencyMode: 'floor', latency: { dynamoWrite: { p50: DRAW_MS, p99: DRAW_MS } } });
      const { dynamo } = clientsWith(faults);
      const calledAt = performance.now();

      // Act
      const refused = await dynamo
        .send(new PutCommand({ TableName: configFromEnv().logTable, Item: { pk: 'faults-refused', sk: 'x' }, ConditionExpression: 'attribute_exists(pk)' }))
        .then(() => 'written', (e: Error) => e.name);

      // Assess
      expect(refused).toBe('ConditionalCheckFailedException');
      expect(performance.now() - calledAt).toBeGreaterThanOrEqual(DRAW_MS - 1);
    });

    it('floor: counts requests that took longer than their draw', async () => {
      // Prepare
      const faults = new StorageFaults({ seed: 5, latencyMode: 'floor', latency: { dynamoWrite: { p50: 0.001, p99: 0.001 } } });
      const { dynamo } = clientsWith(faults);

      // Act
      for (let i = 0; i < 3; i++) await dynamo.send(new PutCommand({ TableName: configFromEnv().logTable, Item: { pk: `faults-overrun-${i}`, sk: 'x' } }));

      // Assess
      expect(faults.stats.overran).toBe(3);
      expect(faults.stats.overranMs).toBeGreaterThan(0);
    });
  });
});
