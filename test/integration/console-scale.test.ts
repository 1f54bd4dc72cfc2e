/**
 * The console API on a real local cluster seeded with many topics of 10
 * partitions, in its own in-memory storage so the rest of the suite never
 * sees them. By default 200 topics (2,000 partitions: a few seconds); with
 * FLOE_CONSOLE_SCALE_TOPICS=1000 the full 1,000 topics / 10,000
 * partitions, which took 24-30 s to seed and 5-26 s per sampler sweep on two
 * shared cores (docs/console.md). The exact 1,000 / 10,000 case runs on
 * every run against the in-memory gateway (test/unit/console/api-scale.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpGateway } from '../../src/console/http-gateway.js';
import { mapLimit } from '../../src/console/map-limit.js';
import { startConsoleServer, type ConsoleServer } from '../../src/console/server.js';
import type { Overview, Page, TopicDetail, TopicRow } from '../../src/console/shared/api-types.js';
import { startCluster, type LocalCluster } from '../../src/local/cluster.js';
import { call, stubAssetsDir } from '../helpers/console-server.js';

const TOPICS = Number(process.env.FLOE_CONSOLE_SCALE_TOPICS ?? 200);
const PARTITIONS_EACH = 10;
const name = (i: number) => `scale-${String(i).padStart(4, '0')}`;

let cluster: LocalCluster;
let server: ConsoleServer;
let seedMs = 0;

beforeAll(async () => {
  cluster = await startCluster({ port: 0 }); // own in-memory storage
  server = await startConsoleServer({ gateway: new HttpGateway({ bootstrap: cluster.url }), bootstrap: cluster.url, port: 0, assetsDir: stubAssetsDir() });
  const started = Date.now();
  const created = await mapLimit(
    Array.from({ length: TOPICS }, (_, i) => i),
    8,
    (i) => call(server.url, 'POST', '/api/topics', { name: name(i), partitions: PARTITIONS_EACH }),
  );
  seedMs = Date.now() - started;
  console.log(`console scale: created ${TOPICS} topics x ${PARTITIONS_EACH} partitions through the console in ${seedMs} ms`);
  if (created.some((c) => c.status !== 201)) throw new Error('seeding failed');
}, 180_000);
afterAll(async () => {
  await server.close();
  await cluster.close();
});

describe(`console API with ${TOPICS} topics and ${TOPICS * PARTITIONS_EACH} partitions on the local stand-ins`, () => {
  it('pages topics on the server and counts all partitions', async () => {
    // Act
    const started = Date.now();
    const first = await call<Page<TopicRow>>(server.url, 'GET', '/api/topics?limit=50');
    const firstMs = Date.now() - started;
    const last = await call<Page<TopicRow>>(server.url, 'GET', `/api/topics?offset=${TOPICS - 10}&limit=50`);
    const overview = await call<Overview>(server.url, 'GET', '/api/overview');

    // Assess
    expect(first.body.total).toBe(TOPICS);
    expect(first.body.items.map((t) => t.name).slice(0, 2)).toEqual([name(0), name(1)]);
    expect(last.body.items.map((t) => t.name)).toEqual(Array.from({ length: 10 }, (_, i) => name(TOPICS - 10 + i)));
    expect(overview.body).toMatchObject({ topics: TOPICS, partitions: TOPICS * PARTITIONS_EACH });
    expect(firstMs).toBeLessThan(5_000);
  });

  it('sweeps every topic in one sample and reports records per topic', async () => {
    // Prepare
    await call(server.url, 'POST', `/api/topics/${name(TOPICS / 2)}/records`, { partition: 3, value: 'x' });

    // Act
    const started = Date.now();
    await server.sampler.sampleOnce();
    const sweepMs = Date.now() - started;
    console.log(`console scale: one sampler sweep of ${TOPICS} topics took ${sweepMs} ms`);
    const row = await call<Page<TopicRow>>(server.url, 'GET', `/api/topics?q=${name(TOPICS / 2)}`);
    const topic = await call<TopicDetail>(server.url, 'GET', `/api/topics/${name(TOPICS / 2)}?offset=2&limit=2`);

    // Assess
    expect(server.sampler.totals()).toMatchObject({ topics: TOPICS, partitions: TOPICS * PARTITIONS_EACH, records: 1 });
    expect(row.body.items).toEqual([{ name: name(TOPICS / 2), partitions: PARTITIONS_EACH, records: 1, bytes: expect.any(Number) }]);
    expect(topic.body.partitionPage.items.map((p) => [p.partition, p.records])).toEqual([
      [2, 0],
      [3, 1],
    ]);
  });
});
