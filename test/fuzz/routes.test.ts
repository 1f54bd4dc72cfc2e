/**
 * Every HTTP route of the produce, fetch, admin and groups functions against
 * generated malformed input, called in-process on the run's storage: mutating
 * routes always answer the documented 4xx, read-only routes never a 5xx, and a
 * full read afterwards shows the stored state unchanged (the fixture topic's
 * description and records, the fixture group's offsets, and no topic created
 * under any name the fuzzer sent).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/config/index.js';
import { adminApp } from '../../src/handlers/admin-app.js';
import { createHandlerDeps, type HandlerDeps } from '../../src/handlers/deps.js';
import { fetchApp } from '../../src/handlers/fetch-app.js';
import { groupsApp } from '../../src/handlers/groups-app.js';
import type { FunctionUrlHandler } from '../../src/handlers/http.js';
import { produceApp } from '../../src/handlers/produce-app.js';
import { batchCrc, CRC_OFFSET, CRC_START } from '../../packages/protocol/src/records/batch-header.js';
import { encodeProduceRequest, PRODUCE_CONTENT_TYPE } from '../../packages/protocol/src/http/produce-request.js';
import { uniqueName } from '../helpers/cluster.js';
import { batchOf } from '../helpers/log.js';
import { fuzzParams, fuzzTimeout } from './fuzz-runs.js';
import { hostileBatch } from './hostile-batches.js';
import { invoke, isCleanAnswer, isDocumented4xx, type Answer, type Call } from './route-events.js';

let deps: HandlerDeps;
let fn: Record<'produce' | 'fetch' | 'admin' | 'groups', FunctionUrlHandler>;
const topic = uniqueName('fuzz');
const group = uniqueName('fuzz-group');
const PARTITIONS = 2;
/** every topic name the fuzzer put in a request: none may exist afterwards unless it did before */
const sentNames = new Set<string>();
let before: string;

const JSON_TYPE = 'application/json';
const ok = async (call: Call): Promise<Answer> => {
  const a = await invoke(call.path.startsWith('/v1/groups') ? fn.groups : call.path.startsWith('/v1/produce') || call.path.startsWith('/v1/producer') ? fn.produce : call.path.startsWith('/v1/fetch') ? fn.fetch : fn.admin, call);
  if (a.status >= 400) throw new Error(`fixture call failed: ${a.status} ${a.body}`);
  return a;
};

/** The state a malformed request must not change, as one comparable string. */
async function snapshot(): Promise<string> {
  const described = JSON.parse((await ok({ method: 'GET', path: `/v1/topics/${topic}` })).body) as unknown;
  const records = [];
  for (let p = 0; p < PARTITIONS; p++) {
    records.push(JSON.parse((await ok({ method: 'GET', path: '/v1/fetch', query: `topic=${topic}&partition=${p}&offset=0&maxBytes=4194304` })).body));
  }
  const offsets = JSON.parse((await ok({ method: 'POST', path: `/v1/groups/${group}/offsets/fetch`, type: JSON_TYPE, body: JSON.stringify({ topics: [{ topic }] }) })).body) as unknown;
  return JSON.stringify({ described, records, offsets });
}

async function createdBySentNames(): Promise<string[]> {
  const listed = JSON.parse((await ok({ method: 'GET', path: '/v1/topics' })).body) as { topics: Array<{ name: string }> };
  return listed.topics.map((t) => t.name).filter((n) => sentNames.has(n) && n !== topic);
}

beforeAll(async () => {
  deps = createHandlerDeps(configFromEnv());
  fn = { produce: produceApp(deps), fetch: fetchApp(deps), admin: adminApp(deps), groups: groupsApp(deps) };
  await ok({ method: 'POST', path: '/v1/topics', type: JSON_TYPE, body: JSON.stringify({ name: topic, partitions: PARTITIONS }) });
  for (let p = 0; p < PARTITIONS; p++) {
    await ok({ method: 'POST', path: '/v1/produce', type: JSON_TYPE, body: JSON.stringify({ records: [{ topic, partition: p, key: 'k', value: `v${p}` }] }) });
  }
  await ok({ method: 'POST', path: `/v1/groups/${group}/offsets/commit`, type: JSON_TYPE, body: JSON.stringify({ topics: [{ topic, partitions: [{ partition: 0, offset: 1 }] }] }) });
  before = await snapshot();
});

afterAll(async () => {
  // Assess (shared by every property): the stored state is what it was
  expect(await snapshot()).toBe(before);
  expect(await createdBySentNames()).toEqual([]);
  deps.clients.s3.destroy();
  deps.clients.dynamo.destroy();
});

// --- generators ---------------------------------------------------------------

const notJson = fc.string({ maxLength: 40 }).filter((s) => {
  try {
    JSON.parse(s);
    return false;
  } catch {
    return true;
  }
});
const nonObjectJson = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.jsonValue(), { maxLength: 4 })).map((v) => JSON.stringify(v));
/** JSON values that are never an integer, nor a numeric string */
const notInteger = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
  fc.string({ maxLength: 8 }).filter((s) => !/^\s*-?\d+\s*$/.test(s)),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.object({ maxDepth: 1 }),
);
const negative = fc.integer({ max: -1 });
const badTopicName = fc.oneof(
  fc.constant(''), // answered 500 until fixed: regressions.test.ts, seed -2042217329
  fc.constant('.'),
  fc.constant('..'),
  fc.string({ minLength: 1, maxLength: 30 }).filter((s) => /[^a-zA-Z0-9._-]/.test(s)),
  fc.constant('x'.repeat(250)),
);
const freshName = fc.integer({ min: 0, max: 1e9 }).map((n) => `${topic}-new-${n}`);
const name = (arb: fc.Arbitrary<string>) => arb.map((n) => (sentNames.add(n), n));
/** malformed JSON bodies every object-taking route must reject */
const malformedBody = fc.oneof(notJson, nonObjectJson);

function validProduceBody(records: Buffer, partition = 0): Buffer {
  return encodeProduceRequest({ acks: -1, timeoutMs: 1000, topics: [{ topic, partitions: [{ partition, records }] }] });
}
/** One byte changed inside the CRC-covered bytes: CRC-32C detects every single-byte error. */
const corruptBatch = fc.tuple(fc.string({ minLength: 1, maxLength: 20 }), fc.nat(), fc.integer({ min: 1, max: 255 })).map(([v, at, x]) => {
  const b = batchOf([v]);
  const i = CRC_START + (at % (b.length - CRC_START));
  b[i] = (b[i] ?? 0) ^ x;
  return b;
});
/** A structurally valid batch whose header breaks a rule (magic, record count, transactional bit), CRC fixed up. */
const badHeaderBatch = fc.tuple(fc.constantFrom('magic', 'count', 'txn', 'codec'), fc.integer({ min: 3, max: 100 })).map(([what, n]) => {
  const b = batchOf(['a']);
  if (what === 'magic') b.writeInt8(n % 2, 16);
  if (what === 'count') b.writeInt32BE(n, 57);
  if (what === 'txn') b.writeInt16BE(0x10, 21);
  if (what === 'codec') b.writeInt16BE(5 + (n % 3), 21);
  b.writeUInt32BE(batchCrc(b), CRC_OFFSET);
  return b;
});
const malformedProduceBinary = fc.oneof(
  fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), fc.nat()).map(([v, n]) => {
    const b = validProduceBody(batchOf([v]));
    return b.subarray(0, n % b.length); // truncated
  }),
  fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([v, extra]) => Buffer.concat([validProduceBody(batchOf([v])), extra])),
  corruptBatch.map((b) => validProduceBody(b)),
  badHeaderBatch.map((b) => validProduceBody(b)),
  // a valid header and CRC around hostile records (issue 13's poison batches)
  hostileBatch.map((b) => validProduceBody(b)),
  fc.tuple(hostileBatch, hostileBatch).map(([a, b]) => encodeProduceRequest({ acks: -1, timeoutMs: 1000, topics: [{ topic, partitions: [{ partition: 0, records: a }, { partition: 1, records: b }] }] })),
  fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), fc.integer({ min: -32768, max: 32767 }).filter((v) => v !== 1)).map(([v, version]) => {
    const b = validProduceBody(batchOf([v]));
    b.writeInt16BE(version, 0);
    return b;
  }),
  fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), fc.integer({ min: -32768, max: 32767 }).filter((a) => a !== 0 && a !== 1 && a !== -1)).map(([v, acks]) => {
    const b = validProduceBody(batchOf([v]));
    b.writeInt16BE(acks, 2);
    return b;
  }),
  fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), fc.oneof(negative, fc.integer({ min: PARTITIONS, max: 1e6 }))).map(([v, p]) => validProduceBody(batchOf([v]), p)),
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
);
const malformedProduceJson = fc.oneof(
  malformedBody,
  fc.tuple(fc.oneof(notInteger.filter((v) => typeof v !== 'string'), fc.integer({ min: 2, max: 100 }), fc.integer({ min: -100, max: -2 }))).map(([acks]) => JSON.stringify({ acks, records: [{ topic, partition: 0, value: 'v' }] })),
  fc.oneof(fc.integer(), fc.boolean(), fc.object({ maxDepth: 1 }), fc.array(fc.integer(), { maxLength: 2 })).map((value) => JSON.stringify({ records: [{ topic, partition: 0, value }] })),
  notInteger.map((partition) => JSON.stringify({ records: [{ topic, partition, value: 'v' }] })),
  name(badTopicName).map((t) => JSON.stringify({ records: [{ topic: t, value: 'v' }] })),
  corruptBatch.map((b) => JSON.stringify({ topics: [{ topic, partitions: [{ partition: 0, records: b.toString('base64') }] }] })),
  badHeaderBatch.map((b) => JSON.stringify({ topics: [{ topic, partitions: [{ partition: 1, records: b.toString('base64') }] }] })),
  hostileBatch.map((b) => JSON.stringify({ topics: [{ topic, partitions: [{ partition: 0, records: b.toString('base64') }] }] })),
);
const badConfigs = fc.oneof(
  nonObjectJson.map((s) => JSON.parse(s) as unknown).filter((v) => v !== null),
  fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !['retention.ms', 'retention.bytes', 'max.message.bytes', '__proto__'].includes(k)).map((k) => ({ [k]: 1 })),
  fc.tuple(fc.constantFrom('retention.ms', 'retention.bytes', 'max.message.bytes'), fc.oneof(fc.boolean(), fc.object({ maxDepth: 1 }), fc.string({ minLength: 1, maxLength: 6 }).filter((s) => Number.isNaN(Number(s))))).map(([k, v]) => ({ [k]: v })),
  fc.integer({ min: 4 * 1024 * 1024 + 1 }).map((v) => ({ 'max.message.bytes': v })),
);
const badGroupId = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => /[^a-zA-Z0-9._:-]/.test(s));

/** Sends each generated call and checks the answer. */
async function fuzz(calls: fc.Arbitrary<Call>, check: (a: Answer) => boolean): Promise<void> {
  await fc.assert(
    fc.asyncProperty(calls, async (call) => {
      const a = await (call.path.startsWith('/v1/groups') ? invoke(fn.groups, call) : call.path.startsWith('/v1/produce') ? invoke(fn.produce, call) : call.path.startsWith('/v1/fetch') ? invoke(fn.fetch, call) : invoke(fn.admin, call));
      if (!check(a)) throw new Error(`${call.method} ${call.path}?${call.query ?? ''} → ${a.status} ${a.body.slice(0, 300)}`);
    }),
    fuzzParams(),
  );
}
const reject = isDocumented4xx;

describe('route fuzzing (malformed input changes nothing)', () => {
  it('POST /v1/produce (binary and JSON)', { timeout: fuzzTimeout(2) }, async () => {
    await fuzz(fc.tuple(malformedProduceBinary, fc.constantFrom(PRODUCE_CONTENT_TYPE, 'application/octet-stream')).map(([body, type]) => ({ method: 'POST', path: '/v1/produce', body, type })), reject);
    await fuzz(malformedProduceJson.map((body) => ({ method: 'POST', path: '/v1/produce', body, type: JSON_TYPE })), reject);
  });

  it('POST /v1/topics, DELETE /v1/topics/{name}, partitions and configs', { timeout: fuzzTimeout(4) }, async () => {
    const create = fc.oneof(
      malformedBody,
      name(badTopicName).map((n) => JSON.stringify({ name: n, partitions: 1 })),
      fc.tuple(name(freshName), fc.oneof(notInteger, fc.integer({ max: 0 }), fc.integer({ min: 4097 }))).map(([n, partitions]) => JSON.stringify({ name: n, partitions })),
      fc.tuple(name(freshName), badConfigs).map(([n, configs]) => JSON.stringify({ name: n, configs })),
    );
    await fuzz(create.map((body) => ({ method: 'POST', path: '/v1/topics', body, type: JSON_TYPE })), reject);
    await fuzz(name(fc.oneof(badTopicName.filter((n) => n !== '' && n !== '.' && n !== '..'), freshName)).map((n) => ({ method: 'DELETE', path: `/v1/topics/${encodeURIComponent(n)}` })), reject);
    const count = fc.oneof(malformedBody, fc.oneof(notInteger, fc.integer({ min: -1e6, max: PARTITIONS }), fc.integer({ min: 4097 })).map((c) => JSON.stringify({ count: c })));
    await fuzz(count.map((body) => ({ method: 'POST', path: `/v1/topics/${topic}/partitions`, body, type: JSON_TYPE })), reject);
    const configs = fc.oneof(malformedBody, badConfigs.map((c) => JSON.stringify({ configs: c })));
    await fuzz(configs.map((body) => ({ method: 'PUT', path: `/v1/topics/${topic}/configs`, body, type: JSON_TYPE })), reject);
  });

  it('groups: heartbeat, offset commit, reset and delete', { timeout: fuzzTimeout(3) }, async () => {
    const heartbeat = fc.oneof(
      malformedBody,
      fc.record({ memberEpoch: notInteger, memberId: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }), subscribedTopics: fc.constant([topic]) }).map((b) => JSON.stringify(b)),
      fc.record({ memberEpoch: fc.constant(0), subscribedTopics: fc.array(name(badTopicName), { minLength: 1, maxLength: 2 }) }).map((b) => JSON.stringify(b)),
      fc.record({ memberEpoch: fc.constant(0), sessionTimeoutMs: fc.oneof(negative, fc.integer({ min: 1e9 })), subscribedTopics: fc.constant([topic]) }).map((b) => JSON.stringify(b)),
    );
    await fuzz(fc.oneof(
      heartbeat.map((body) => ({ method: 'POST', path: `/v1/groups/${group}/heartbeat`, body, type: JSON_TYPE })),
      badGroupId.map((g) => ({ method: 'POST', path: `/v1/groups/${encodeURIComponent(g)}/heartbeat`, body: JSON.stringify({ memberEpoch: 0, subscribedTopics: [topic] }), type: JSON_TYPE })),
    ), reject);
    const commit = fc.oneof(
      malformedBody,
      fc.oneof(nonObjectJson, fc.constant('[]')).map((t) => `{"topics":${t === '[]' ? '[]' : t}}`),
      fc.tuple(fc.oneof(negative, notInteger), fc.nat(PARTITIONS - 1)).map(([offset, partition]) => JSON.stringify({ topics: [{ topic, partitions: [{ partition, offset }] }] })),
      fc.tuple(name(badTopicName), fc.nat(100)).map(([t, offset]) => JSON.stringify({ topics: [{ topic: t, partitions: [{ partition: 0, offset }] }] })),
    );
    await fuzz(commit.map((body) => ({ method: 'POST', path: `/v1/groups/${group}/offsets/commit`, body, type: JSON_TYPE })), reject);
    const reset = fc.oneof(
      malformedBody,
      fc.string({ maxLength: 10 }).filter((to) => !['earliest', 'latest', 'datetime', 'offset'].includes(to)).map((to) => JSON.stringify({ topic, to })),
      fc.oneof(negative, notInteger).map((offset) => JSON.stringify({ topic, to: 'offset', offset })),
      name(badTopicName).map((t) => JSON.stringify({ topic: t, to: 'earliest' })),
    );
    await fuzz(reset.map((body) => ({ method: 'POST', path: `/v1/groups/${group}/offsets/reset`, body, type: JSON_TYPE })), reject);
    const deleteOffsets = fc.oneof(
      malformedBody,
      fc.oneof(nonObjectJson, fc.constant('[]')).map((t) => `{"topics":${t}}`),
      fc.oneof(negative, notInteger, fc.integer({ min: PARTITIONS, max: 1e6 })).map((partition) => JSON.stringify({ topics: [{ topic, partitions: [partition] }] })),
      name(badTopicName).map((t) => JSON.stringify({ topics: [{ topic: t }] })),
    );
    await fuzz(deleteOffsets.map((body) => ({ method: 'POST', path: `/v1/groups/${group}/offsets/delete`, body, type: JSON_TYPE })), reject);
  });

  it('read-only routes, unknown routes, wrong methods and media types never answer 5xx', { timeout: fuzzTimeout(3) }, async () => {
    const query = fc.dictionary(fc.constantFrom('topic', 'partition', 'offset', 'maxBytes', 'maxWaitMs', 'encoding', 'spec', 'topics'), fc.oneof(fc.constant(topic), fc.string({ maxLength: 12 }), fc.integer().map(String)), { maxKeys: 6 });
    const read = fc.tuple(
      fc.constantFrom('/v1/fetch', '/v1/offsets', '/v1/metadata', '/v1/topics', '/v1/groups', `/v1/groups/${group}`, `/v1/topics/${topic}`, '/v1/bootstrap'),
      query,
      fc.constantFrom(undefined, 'application/vnd.floe.fetch.v1'),
    ).map(([path, q, accept]): Call => ({ method: 'GET', path, query: new URLSearchParams(q).toString(), accept }));
    const readBodies = fc.tuple(
      fc.constantFrom('/v1/fetch', '/v1/offsets', `/v1/groups/${group}/offsets/fetch`),
      fc.oneof(malformedBody, fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), fc.record({ topics: fc.array(fc.record({ topic: fc.oneof(fc.constant(topic), fc.string()), partitions: fc.array(fc.oneof(fc.nat(4), fc.record({ partition: fc.integer(), fetchOffset: fc.integer(), timestamp: fc.oneof(fc.integer(), fc.string()) })), { maxLength: 3 }) }), { maxLength: 2 }), maxWaitMs: fc.constantFrom(0, -1, 'x'), maxBytes: fc.integer() }).map((b) => JSON.stringify(b))),
    ).map(([path, body]): Call => ({ method: 'POST', path, body, type: JSON_TYPE }));
    await fuzz(fc.oneof(read, readBodies), isCleanAnswer);
    // wrong methods, unknown paths and media types are always rejected
    const routes = ['/v1/produce', '/v1/topics', `/v1/topics/${topic}/partitions`, `/v1/topics/${topic}/configs`, `/v1/groups/${group}/heartbeat`, `/v1/groups/${group}/offsets/commit`];
    const wrong = fc.oneof(
      fc.tuple(fc.constantFrom(...routes), fc.constantFrom('PATCH', 'OPTIONS', 'HEAD')).map(([path, method]): Call => ({ method, path, body: '{}', type: JSON_TYPE })),
      fc.string({ maxLength: 20 }).map((s): Call => ({ method: 'POST', path: `/v2/${encodeURIComponent(s)}`, body: '{}', type: JSON_TYPE })),
      fc.tuple(fc.constantFrom(...routes.slice(1)), fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data', 'image/png')).map(([path, type]): Call => ({ method: path.endsWith('configs') ? 'PUT' : 'POST', path, body: JSON.stringify({ name: `${topic}-x`, count: 3 }), type })),
    );
    await fuzz(wrong, reject);
  });
});
