/**
 * The console API's contract at its edges: read-only mode refuses every write
 * route with 403 before Floe is asked, bad input gets a 4xx with Floe's error
 * body, and requests from other sites or hostnames are refused.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConsoleServer } from '../../../src/console/server.js';
import { FakeGateway } from '../../helpers/console-fake-gateway.js';
import { call, startTestConsole } from '../../helpers/console-server.js';

const WRITES: Array<[string, unknown]> = [
  ['/api/topics', { name: 'new-topic', partitions: 1 }],
  ['/api/topics/topic-0000/partitions', { count: 5 }],
  ['/api/topics/topic-0000/records', { value: 'x' }],
  ['/api/groups/g/offsets/reset', { topic: 'topic-0000', to: 'earliest', dryRun: true }],
  ['/api/topics/topic-0000/configs', { configs: { 'retention.ms': 1000 } }],
  ['/api/topics/topic-0000/delete-records', { partitions: [{ partition: 0, offset: -1 }] }],
];

const errorShape = { error: { code: expect.any(String), message: expect.any(String), retriable: expect.any(Boolean) } };

let server: ConsoleServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function seeded(): FakeGateway {
  const gateway = new FakeGateway();
  gateway.seed(1, 2);
  return gateway;
}

/** A raw request with a chosen Host header (fetch does not let one set it). */
function withHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('console API in read-only mode', () => {
  it('refuses every write route with 403 and a Kafka-style error, and changes nothing', async () => {
    // Prepare
    const gateway = seeded();
    server = await startTestConsole(gateway, { readOnly: true });

    // Act
    const answers = await Promise.all(WRITES.map(([path, body]) => call(server!.url, 'POST', path, body)));
    const info = await call(server.url, 'GET', '/api/info');
    const reads = await call(server.url, 'GET', '/api/topics');

    // Assess
    for (const answer of answers) {
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual({ error: { code: 'CLUSTER_AUTHORIZATION_FAILED', message: expect.stringContaining('read-only'), retriable: false } });
    }
    for (const method of ['createTopic', 'addPartitions', 'produce', 'resetOffsets', 'alterTopicConfigs', 'deleteRecords']) expect(gateway.calls.get(method)).toBeUndefined();
    expect(info.body).toMatchObject({ readOnly: true });
    expect(reads.status).toBe(200);
  });
});

describe('console API input checks', () => {
  it('answers bad input with 4xx and the error body, without calling Floe for what it can check itself', async () => {
    // Prepare
    const gateway = seeded();
    server = await startTestConsole(gateway);
    const url = server.url;

    // Act
    const answers = {
      badLimit: await call(url, 'GET', '/api/topics?limit=0'),
      hugeLimit: await call(url, 'GET', '/api/topics?limit=100000'),
      badMode: await call(url, 'GET', '/api/topics/topic-0000/messages?mode=sideways'),
      badTimestamp: await call(url, 'GET', '/api/topics/topic-0000/messages?mode=timestamp&timestamp=yesterday'),
      pageTooBig: await call(url, 'GET', '/api/topics/topic-0000/messages?limit=101'),
      unknownTopic: await call(url, 'GET', '/api/topics/nope'),
      notJson: await call(url, 'POST', '/api/topics', '{not json'),
      noName: await call(url, 'POST', '/api/topics', { partitions: 1 }),
      tooManyPartitions: await call(url, 'POST', '/api/topics', { name: 'x', partitions: 5000 }),
      arrayBody: await call(url, 'POST', '/api/topics', [1]),
      badConfig: await call(url, 'POST', '/api/topics', { name: 'x', configs: { 'retention.ms': true } }),
      resetNoDryRun: await call(url, 'POST', '/api/groups/g/offsets/reset', { topic: 'topic-0000', to: 'earliest' }),
      resetBadTarget: await call(url, 'POST', '/api/groups/g/offsets/reset', { topic: 'topic-0000', to: 'tomorrow', dryRun: true }),
      resetBadDate: await call(url, 'POST', '/api/groups/g/offsets/reset', { topic: 'topic-0000', to: 'datetime', datetime: 'soon', dryRun: true }),
      noConfigs: await call(url, 'POST', '/api/topics/topic-0000/configs', { configs: {} }),
      configNotScalar: await call(url, 'POST', '/api/topics/topic-0000/configs', { configs: { 'retention.ms': [1] } }),
      deleteNoPartitions: await call(url, 'POST', '/api/topics/topic-0000/delete-records', { partitions: [] }),
      deleteBadOffset: await call(url, 'POST', '/api/topics/topic-0000/delete-records', { partitions: [{ partition: 0, offset: -2 }] }),
      deleteTwice: await call(url, 'POST', '/api/topics/topic-0000/delete-records', { partitions: [{ partition: 0, offset: 1 }, { partition: 0, offset: 2 }] }),
      // a field Floe does not take must not be dropped on the way: the caller meant something by it
      configsValidateOnly: await call(url, 'POST', '/api/topics/topic-0000/configs', { configs: { 'retention.ms': 1000 }, validateOnly: true }),
      createTypo: await call(url, 'POST', '/api/topics', { name: 'x', partitons: 3 }),
      partitionsExtra: await call(url, 'POST', '/api/topics/topic-0000/partitions', { count: 5, validateOnly: true }),
      resetTypo: await call(url, 'POST', '/api/groups/g/offsets/reset', { topic: 'topic-0000', to: 'earliest', dryRun: false, partiton: [0] }),
      produceTypo: await call(url, 'POST', '/api/topics/topic-0000/records', { value: 'x', partiton: 1 }),
      deleteDryRun: await call(url, 'POST', '/api/topics/topic-0000/delete-records', { partitions: [{ partition: 0, offset: -1 }], dryRun: true }),
      deleteEntryExtra: await call(url, 'POST', '/api/topics/topic-0000/delete-records', { partitions: [{ partition: 0, offset: -1, topic: 'other' }] }),
      deleteEntryNotObject: await call(url, 'POST', '/api/topics/topic-0000/delete-records', { partitions: [[0, -1]] }),
      deletePast2p53: await call(url, 'POST', '/api/topics/topic-0000/delete-records', '{"partitions":[{"partition":0,"offset":9007199254740993}]}'),
      // 1e400 parses as Infinity, which JSON would pass on as null: a reset of the config
      configInfinite: await call(url, 'POST', '/api/topics/topic-0000/configs', '{"configs":{"retention.ms":1e400}}'),
      createConfigInfinite: await call(url, 'POST', '/api/topics', '{"name":"x","configs":{"retention.ms":-1e400}}'),
      noRoute: await call(url, 'GET', '/api/nothing'),
      wrongMethod: await call(url, 'POST', '/api/overview', {}),
      textBody: await call(url, 'POST', '/api/topics', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' }),
      tooLarge: await call(url, 'POST', '/api/topics/topic-0000/records', { value: 'x'.repeat(4 * 1024 * 1024) }),
    };

    // Assess
    const statuses = Object.fromEntries(Object.entries(answers).map(([k, a]) => [k, a.status]));
    expect(statuses).toEqual({
      badLimit: 400,
      hugeLimit: 400,
      badMode: 400,
      badTimestamp: 400,
      pageTooBig: 400,
      unknownTopic: 404,
      notJson: 400,
      noName: 400,
      tooManyPartitions: 400,
      arrayBody: 400,
      badConfig: 400,
      resetNoDryRun: 400,
      resetBadTarget: 400,
      resetBadDate: 400,
      noConfigs: 400,
      configNotScalar: 400,
      deleteNoPartitions: 400,
      deleteBadOffset: 400,
      deleteTwice: 400,
      configsValidateOnly: 400,
      createTypo: 400,
      partitionsExtra: 400,
      resetTypo: 400,
      produceTypo: 400,
      deleteDryRun: 400,
      deleteEntryExtra: 400,
      deleteEntryNotObject: 400,
      deletePast2p53: 400,
      configInfinite: 400,
      createConfigInfinite: 400,
      noRoute: 404,
      wrongMethod: 405,
      textBody: 415,
      tooLarge: 413,
    });
    for (const answer of Object.values(answers)) expect(answer.body).toEqual(errorShape);
    expect(answers.unknownTopic.body.error.code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(answers.deleteDryRun.body.error.message).toContain('unknown field "dryRun"');
    expect(answers.configInfinite.body.error.code).toBe('INVALID_CONFIG');
    expect(gateway.calls.get('createTopic')).toBeUndefined();
    expect(gateway.calls.get('resetOffsets')).toBeUndefined();
    expect(gateway.calls.get('alterTopicConfigs')).toBeUndefined();
    expect(gateway.calls.get('deleteRecords')).toBeUndefined();
    expect(gateway.calls.get('addPartitions')).toBeUndefined();
    expect(gateway.calls.get('produce')).toBeUndefined();
  });

  it('passes Floe refusals through with their code and status (existing topic, group with live members)', async () => {
    // Prepare
    const gateway = seeded();
    gateway.groups.set('busy', {
      groupId: 'busy',
      state: 'Stable',
      groupEpoch: 1,
      assignor: 'sticky',
      members: [{ memberId: 'm1', clientId: 'c', memberEpoch: 1, assignment: [{ topic: 'topic-0000', partition: 0 }], lastHeartbeatAt: 1 }],
      partitions: [],
    });
    server = await startTestConsole(gateway);

    // Act
    const exists = await call(server.url, 'POST', '/api/topics', { name: 'topic-0000' });
    const busy = await call(server.url, 'POST', '/api/groups/busy/offsets/reset', { topic: 'topic-0000', to: 'earliest', dryRun: false });

    // Assess
    expect(exists).toMatchObject({ status: 409, body: { error: { code: 'TOPIC_ALREADY_EXISTS' } } });
    expect(busy).toMatchObject({ status: 409, body: { error: { code: 'NON_EMPTY_GROUP' } } });
  });
});

describe('console request guard', () => {
  it('refuses cross-site writes and non-loopback Host names (DNS rebinding), and serves pages with a strict CSP', async () => {
    // Prepare
    const gateway = seeded();
    server = await startTestConsole(gateway);
    const port = new URL(server.url).port;

    // Act
    const crossSite = await call(server.url, 'POST', '/api/topics', { name: 'evil' }, { origin: 'https://evil.example' });
    const sameSite = await call(server.url, 'POST', '/api/topics', { name: 'fine' }, { origin: `http://127.0.0.1:${port}` });
    const rebound = await withHost(`${server.url}api/info`, `evil.example:${port}`);
    const reboundLookalike = await withHost(`${server.url}api/info`, `127.attacker.example:${port}`);
    const otherLoopback = await withHost(`${server.url}api/info`, `127.0.0.2:${port}`);
    const localhost = await withHost(`${server.url}api/info`, `localhost:${port}`);
    const page = await call(server.url, 'GET', '/');
    const traversal = await call(server.url, 'GET', '/..%2Fpackage.json');

    // Assess
    expect(crossSite.status).toBe(403);
    expect(sameSite.status).toBe(201);
    expect(gateway.topics.has('evil')).toBe(false);
    expect(rebound).toBe(403);
    expect(reboundLookalike).toBe(403); // a public name that merely starts like a loopback address
    expect(otherLoopback).toBe(200);
    expect(localhost).toBe(200);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(traversal.status).toBe(404);
  });
});
