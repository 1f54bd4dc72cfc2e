/**
 * The console at the scale, 1,000 topics and 10,000 partitions (plus a
 * topic at Floe's 4,096-partition limit), on the in-memory gateway: lists are
 * paged on the server, so every answer stays one page whatever the cluster size.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleServer } from '../../../src/console/server.js';
import type { GroupDetail, Overview, Page, TopicDetail, TopicRow } from '../../../src/console/shared/api-types.js';
import { FakeGateway } from '../../helpers/console-fake-gateway.js';
import { call, startTestConsole } from '../../helpers/console-server.js';

let gateway: FakeGateway;
let server: ConsoleServer;

beforeAll(async () => {
  gateway = new FakeGateway();
  gateway.seed(1000, 10);
  gateway.seed(1, 4096, 'wide');
  gateway.groups.set('big', {
    groupId: 'big',
    state: 'Empty',
    groupEpoch: 3,
    assignor: 'range',
    members: [],
    partitions: Array.from({ length: 4096 }, (_, partition) => ({ topic: 'wide-0000', partition, committedOffset: 0, logEndOffset: 0, lag: 0, owner: null })),
  });
  server = await startTestConsole(gateway);
});
afterAll(() => server.close());

describe('the console API with 1,000 topics and 10,000 partitions', () => {
  it('pages the topic list on the server: 50 rows by default, any page by offset, filter by name', async () => {
    // Act
    const first = await call<Page<TopicRow>>(server.url, 'GET', '/api/topics');
    const last = await call<Page<TopicRow>>(server.url, 'GET', '/api/topics?offset=950&limit=100');
    const filtered = await call<Page<TopicRow>>(server.url, 'GET', '/api/topics?q=topic-09');

    // Assess
    expect(first.body.total).toBe(1001);
    expect(first.body.items).toHaveLength(50);
    expect(first.body.items[0]?.name).toBe('topic-0000');
    expect(last.body.items.map((t) => t.name).slice(-2)).toEqual(['topic-0999', 'wide-0000']);
    expect(last.body.items).toHaveLength(51);
    expect(filtered.body.total).toBe(100);
    expect(JSON.stringify(first.body).length).toBeLessThan(8_000);
  });

  it('counts every partition on the overview, and the sampler covers all topics', async () => {
    // Act
    await call(server.url, 'GET', '/api/overview'); // someone looks: the sampler starts
    await server.sampler.settled();
    const overview = await call<Overview>(server.url, 'GET', '/api/overview');

    // Assess
    expect(overview.body).toMatchObject({ topics: 1001, partitions: 10_000 + 4096, records: 0, groups: 1 });
    expect(overview.body.sampledAt).not.toBeNull();
    expect(gateway.calls.get('describeTopic')).toBeGreaterThanOrEqual(1001);
  });

  it('pages the partitions of a 4,096-partition topic and of a group holding them', async () => {
    // Act
    const topicFirst = await call<TopicDetail>(server.url, 'GET', '/api/topics/wide-0000');
    const topicLast = await call<TopicDetail>(server.url, 'GET', '/api/topics/wide-0000?offset=4000&limit=100');
    const group = await call<GroupDetail>(server.url, 'GET', '/api/groups/big?offset=4090');

    // Assess
    expect(topicFirst.body.partitionPage).toMatchObject({ total: 4096, offset: 0, limit: 100 });
    expect(topicFirst.body.partitionPage.items).toHaveLength(100);
    expect(topicLast.body.partitionPage.items.map((p) => p.partition)).toEqual(Array.from({ length: 96 }, (_, i) => 4000 + i));
    expect(group.body.partitionPage.items.map((p) => p.partition)).toEqual([4090, 4091, 4092, 4093, 4094, 4095]);
    expect(group.body.partitionPage.total).toBe(4096);
    expect(JSON.stringify(topicFirst.body).length).toBeLessThan(15_000);
  });
});
