/**
 * Hostile input at a live Kafka gateway on the run's storage: truncated frames of every served API
 * and version, garbage bodies, huge length fields, unknown APIs and versions, oversized and negative
 * size prefixes, and well-formed requests with bad contents. The gateway never crashes and never
 * writes: each connection gets Kafka error codes or is closed, the write counters stay still, and a
 * fresh connection is served afterwards.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRecordBatch } from '../../packages/protocol/src/index.js';
import { encodeRequest, findApi } from '../../packages/protocol/src/kafka/index.js';
import { advertisedApis, isServed, SERVED_APIS } from '../../src/gateway/apis.js';
import { uniqueName } from '../helpers/cluster.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { KafkaWire, type Body } from '../helpers/kafka-wire.js';
import { sampleBody } from '../unit/protocol/kafka/schema-samples.js';
import { fuzzParams, fuzzTimeout } from './fuzz-runs.js';

let gw: TestGateway;
let topic: string;

/** APIs that change nothing whatever they are asked (auto-creation is off). */
const READ_ONLY = new Set([1, 2, 3, 9, 10, 12, 15, 16, 18, 32, 60]);

const versionsOf = (apis: typeof SERVED_APIS) => apis.flatMap((api) => Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) => ({ apiKey: api.apiKey, version: api.minVersion + i })));
const VERSIONS = versionsOf(SERVED_APIS);
/** Listed by ApiVersions but not served (Produce v0-2, advertised for librdkafka's compression): each closes the connection. */
const ADVERTISED_ONLY = versionsOf(advertisedApis(SERVED_APIS)).filter((v) => !isServed(SERVED_APIS, v.apiKey, v.version));

function validFrame(apiKey: number, version: number): Buffer {
  const api = findApi(apiKey);
  if (!api) throw new Error(`no api ${apiKey}`);
  return encodeRequest(apiKey, version, 7, 'fuzz', sampleBody(api.request, version, 'filled'));
}

const sized = (payload: Buffer): Buffer => {
  const frame = Buffer.alloc(4 + payload.length);
  frame.writeInt32BE(payload.length, 0);
  payload.copy(frame, 4);
  return frame;
};

const header = (apiKey: number, version: number, clientId: string | null = 'fuzz'): Buffer => {
  const id = clientId === null ? null : Buffer.from(clientId);
  const out = Buffer.alloc(10 + (id?.length ?? 0));
  out.writeInt16BE(apiKey, 0);
  out.writeInt16BE(version, 2);
  out.writeInt32BE(99, 4);
  out.writeInt16BE(id === null ? -1 : id.length, 8);
  id?.copy(out, 10);
  return out;
};

/** Sends bytes on a fresh connection: whether it was answered and whether the gateway closed it. */
async function hurl(bytes: Buffer): Promise<{ frames: number; closed: boolean }> {
  const conn = await KafkaWire.connect(gw.port);
  conn.sendRaw(bytes);
  // One request per connection: an answer, a close, or (a bug) silence.
  const frame = await Promise.race([conn.nextFrame(5000).catch(() => undefined), conn.whenClosed.then(() => undefined), new Promise<'quiet'>((r) => setTimeout(() => r('quiet'), 2000))]);
  const frames = frame instanceof Buffer ? 1 : 0;
  const closed = conn.closed;
  conn.close();
  return { frames, closed };
}

let writesBefore = 0;
let putsBefore = 0;

beforeAll(async () => {
  gw = await startTestGateway();
  topic = uniqueName('fuzz');
  await gw.deps.log.createTopic(topic, 2, {});
  writesBefore = gw.writes.length;
  putsBefore = gw.deps.s3.stats.puts;
});

afterAll(async () => {
  await gw?.close();
});

async function assertServedAndUnchanged(): Promise<void> {
  const conn = await KafkaWire.connect(gw.port);
  const answer = await conn.request(18, 3, { clientSoftwareName: 'after', clientSoftwareVersion: '1' });
  conn.close();
  expect(answer.errorCode).toBe(0);
  expect(gw.writes.slice(writesBefore)).toEqual([]);
  expect(gw.deps.s3.stats.puts).toBe(putsBefore);
}

describe('hostile frames at a live gateway', () => {
  it(
    'closes the connection on a truncated request of any served API and version',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...VERSIONS), fc.double({ min: 0, max: 1, noNaN: true }), async ({ apiKey, version }, cut) => {
          // Prepare: a strict prefix of a valid request, re-framed with its own size
          const payload = validFrame(apiKey, version).subarray(4);
          const prefix = payload.subarray(0, Math.min(payload.length - 1, Math.floor(cut * payload.length)));

          // Act
          const outcome = await hurl(sized(prefix));

          // Assess
          expect(outcome).toEqual({ frames: 0, closed: true });
        }),
        fuzzParams(),
      );
      await assertServedAndUnchanged();
    },
    fuzzTimeout(20),
  );

  it(
    'answers or closes on garbage after a valid header of a read-only API, and on huge length fields',
    async () => {
      const readOnly = VERSIONS.filter((v) => READ_ONLY.has(v.apiKey));
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...readOnly),
          fc.oneof(
            fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
            fc.constantFrom(Buffer.from('7fffffff', 'hex'), Buffer.from('7fff', 'hex'), Buffer.from('ffffff7f', 'hex'), Buffer.from('ffffffffff0f', 'hex'), Buffer.from('80000000', 'hex')),
          ),
          async ({ apiKey, version }, body) => {
            // Act
            const outcome = await hurl(sized(Buffer.concat([header(apiKey, version), body])));

            // Assess: either a response (the bytes happened to be a valid body) or a closed connection
            expect(outcome.frames === 1 || outcome.closed).toBe(true);
          },
        ),
        fuzzParams(),
      );
      await assertServedAndUnchanged();
    },
    fuzzTimeout(20),
  );

  it(
    'closes the connection on any body after the header of a version advertised but not served, and writes nothing',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...ADVERTISED_ONLY), fc.uint8Array({ maxLength: 256 }), async ({ apiKey, version }, body) => {
          // Act
          const outcome = await hurl(sized(Buffer.concat([header(apiKey, version), Buffer.from(body)])));

          // Assess
          expect(outcome).toEqual({ frames: 0, closed: true });
        }),
        fuzzParams(),
      );
      await assertServedAndUnchanged();
    },
    fuzzTimeout(20),
  );

  it('closes on unknown APIs and versions, unread APIs, and bad size prefixes', async () => {
    // Prepare
    const cases: Array<[string, Buffer]> = [
      ['unknown api key', sized(header(9999, 0))],
      ['negative api key', sized(header(-5, 0))],
      ...ADVERTISED_ONLY.map(({ apiKey, version }): [string, Buffer] => [`api ${apiKey} v${version}, advertised, not served`, sized(Buffer.concat([header(apiKey, version), Buffer.alloc(20)]))]),
      ['Fetch v13 (topic ids)', sized(Buffer.concat([header(1, 13), Buffer.alloc(40)]))],
      ['a version the codec knows but the gateway does not serve (DescribeAcls v2)', sized(Buffer.concat([header(29, 2), Buffer.alloc(30)]))],
      ['SaslHandshake with a garbled body', sized(Buffer.concat([header(17, 1), Buffer.from('0005PLAIN', 'latin1')]))],
      ['size prefix beyond the maximum', Buffer.from('7fffffff00000000', 'hex')],
      ['negative size prefix', Buffer.from('ffffff9c00', 'hex')],
      ['header shorter than 8 bytes', sized(Buffer.from('0012', 'hex'))],
      ['empty frame', sized(Buffer.alloc(0))],
    ];

    // Act
    const outcomes = [];
    for (const [name, bytes] of cases) outcomes.push([name, await hurl(bytes)]);

    // Assess
    for (const [name, outcome] of outcomes) expect([name, outcome]).toEqual([name, { frames: 0, closed: true }]);
    await assertServedAndUnchanged();
  });

  it(
    'answers well-formed requests with bad contents with Kafka error codes and writes nothing',
    async () => {
      const corrupt = encodeRecordBatch({ records: [{ key: null, value: Buffer.from('v') }] });
      corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 1) ^ 1, corrupt.length - 1);
      const bad = fc.oneof(
        fc.record({ partition: fc.integer({ min: -3, max: 50 }), records: fc.constantFrom(corrupt, Buffer.alloc(0), Buffer.from('not a batch')) }).map(({ partition, records }) => ({
          apiKey: 0,
          version: 9,
          body: { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] },
          expectCode: (b: Body) => b.responses[0].partitionResponses[0].errorCode !== 0,
        })),
        fc.string({ maxLength: 10 }).map((name) => ({
          apiKey: 0,
          version: 7,
          body: { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: `missing-${name}`, partitionData: [{ index: 0, records: encodeRecordBatch({ records: [{ key: null, value: Buffer.from('v') }] }) }] }] },
          expectCode: (b: Body) => b.responses[0].partitionResponses[0].errorCode !== 0,
        })),
        fc.record({ name: fc.constantFrom('', '.', '..', 'bad name', 'x'.repeat(300), 'ok-name'), partitions: fc.constantFrom(0, -5, 100_000), config: fc.constantFrom('cleanup.policy', 'retention.ms') }).map(({ name, partitions, config }) => ({
          apiKey: 19,
          version: 7,
          body: { topics: [{ name: name === 'ok-name' ? uniqueName('never') : name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [{ name: config, value: 'nonsense' }] }], timeoutMs: 1000, validateOnly: false },
          expectCode: (b: Body) => b.topics[0].errorCode !== 0,
        })),
        fc.record({ offset: fc.constantFrom(-7n, 3n), group: fc.constantFrom('bad group', uniqueName('fz')), partition: fc.constantFrom(-1, 9) }).map(({ offset, group, partition }) => ({
          apiKey: 8,
          version: 8,
          body: { groupId: group, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: [{ name: topic, partitions: [{ partitionIndex: partition, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null }] }] },
          expectCode: (b: Body) => b.topics[0].partitions[0].errorCode !== 0,
        })),
        fc.record({ session: fc.constantFrom(0, 10, 99_999_999), group: fc.constantFrom('', 'bad group', uniqueName('fz')) }).map(({ session, group }) => ({
          apiKey: 11,
          version: 7,
          body: { groupId: group, sessionTimeoutMs: session, rebalanceTimeoutMs: 1000, memberId: 'm', groupInstanceId: null, protocolType: 'consumer', protocols: session === 10 ? [] : [{ name: 'range', metadata: Buffer.alloc(0) }] },
          expectCode: (b: Body) => b.errorCode !== 0,
        })),
        fc.constantFrom(
          { apiKey: 14, version: 5, body: { groupId: uniqueName('fz'), generationId: 3, memberId: 'ghost', groupInstanceId: null, protocolType: null, protocolName: null, assignments: [{ memberId: 'ghost', assignment: Buffer.from('x') }] }, expectCode: (b: Body) => b.errorCode === 25 },
          { apiKey: 13, version: 5, body: { groupId: uniqueName('fz'), members: [{ memberId: 'ghost', groupInstanceId: null, reason: null }] }, expectCode: (b: Body) => b.members[0].errorCode === 25 },
          { apiKey: 22, version: 4, body: { transactionalId: 'tx', transactionTimeoutMs: 1000, producerId: -1n, producerEpoch: -1 }, expectCode: (b: Body) => b.errorCode === 53 },
          { apiKey: 20, version: 6, body: { topics: [{ name: uniqueName('never'), topicId: '00000000-0000-0000-0000-000000000000' }], timeoutMs: 1000 }, expectCode: (b: Body) => b.responses[0].errorCode === 3 },
          { apiKey: 37, version: 3, body: { topics: [{ name: topic, count: 1, assignments: null }], timeoutMs: 1000, validateOnly: false }, expectCode: (b: Body) => b.results[0].errorCode === 37 },
          { apiKey: 42, version: 2, body: { groupsNames: [uniqueName('never')] }, expectCode: (b: Body) => b.results[0].errorCode === 69 },
        ),
      );
      const conn = await KafkaWire.connect(gw.port);
      await fc.assert(
        fc.asyncProperty(bad, async ({ apiKey, version, body, expectCode }) => {
          // Act
          const answer = await conn.request(apiKey, version, body);

          // Assess
          expect(expectCode(answer)).toBe(true);
        }),
        fuzzParams(),
      );
      conn.close();
      await assertServedAndUnchanged();
    },
    fuzzTimeout(20),
  );
});
