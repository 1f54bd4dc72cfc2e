/**
 * compression.type end to end: every codec through the producer, the produce handler,
 * storage and fetch, decoded back; and kafkajs (an independent Kafka client) decoding
 * the gzip batch our producer wrote.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { fetchRaw } from '../../packages/client/src/log-client.js';
import { Producer } from '../../packages/client/src/producer/index.js';
import { COMPRESSION_CODECS, type CompressionType } from '../../packages/protocol/src/records/batch-header.js';
import { decodeRecordBatches } from '../../packages/protocol/src/records/record-batch.js';
import { uniqueName } from '../helpers/cluster.js';
import { startTappedCluster, type ProduceTap } from './producer-helpers.js';

const require = createRequire(import.meta.url);
const kafkajsBatchDecoder = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (decoder: unknown) => Promise<{
  records: Array<{ key: Buffer | null; value: Buffer | null; headers: Record<string, Buffer>; offset: string }>;
}>;
const KafkajsDecoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => unknown;

let tap: ProduceTap;
let http: FloeHttpClient;

beforeAll(async () => {
  tap = await startTappedCluster();
  http = new FloeHttpClient(tap.cluster.url);
});
afterAll(() => tap.cluster.close());

const RECORDS = Array.from({ length: 150 }, (_, i) => ({
  key: `order-${i % 7}`,
  value: JSON.stringify({ id: i, status: 'shipped', note: 'the same words again and again '.repeat(3) }),
  headers: { trace: `t-${i}`, source: 'compression-test' },
}));

/** Produces RECORDS with the codec and returns the stored bytes of partition 0. */
async function produceWith(compressionType: CompressionType): Promise<Buffer> {
  const topic = uniqueName(`zip-${compressionType}`);
  await Admin.fromClient(http).createTopic(topic, 1);
  const producer = new Producer<string, string>({ bootstrap: tap.cluster.url, keySerializer: 'string', valueSerializer: 'string', compressionType, lingerMs: 20 });
  await Promise.all(RECORDS.map((r) => producer.send({ topic, ...r })));
  await producer.close();
  const [t] = await fetchRaw(http, { maxWaitMs: 0, minBytes: 0, maxBytes: 4 << 20, topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 4 << 20 }] }] });
  return t!.partitions[0]!.records;
}

describe('producer compression', () => {
  it.each(COMPRESSION_CODECS)('round-trips records compressed with %s through produce and fetch', async (codec) => {
    // Act
    const stored = await produceWith(codec);
    // Assess
    const batches = decodeRecordBatches(stored);
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.every((b) => b.header.compression === codec)).toBe(true);
    const records = batches.flatMap((b) => b.records);
    expect(
      records.map((r) => ({
        key: r.key?.toString(),
        value: r.value?.toString(),
        headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value?.toString()])),
      })),
    ).toEqual(RECORDS);
    expect(records.map((r) => r.offset)).toEqual(RECORDS.map((_, i) => i));
    const rawRecordBytes = RECORDS.reduce((sum, r) => sum + r.key.length + r.value.length, 0);
    if (codec === 'none') expect(stored.length).toBeGreaterThan(rawRecordBytes);
    else expect(stored.length).toBeLessThan(rawRecordBytes / 2);
  });

  it("writes gzip batches kafkajs decodes to the same records", async () => {
    // Prepare
    const stored = await produceWith('gzip');
    // Act: kafkajs reads batch after batch from the fetched bytes
    const decoder = new KafkajsDecoder(stored) as { canReadInt64: () => boolean };
    const theirs: Array<{ key: string | undefined; value: string | undefined; headers: Record<string, string> }> = [];
    while (decoder.canReadInt64()) {
      const batch = await kafkajsBatchDecoder(decoder);
      for (const r of batch.records) {
        theirs.push({
          key: r.key?.toString(),
          value: r.value?.toString(),
          headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, v.toString()])),
        });
      }
    }
    // Assess
    expect(theirs).toEqual(RECORDS);
  });
});
