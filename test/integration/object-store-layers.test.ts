/** The object-store layers over a real S3 stand-in: cached ranges, request counting, range coalescing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../src/aws/clients.js';
import { configFromEnv } from '../../src/config/index.js';
import type { LocatedBatch } from '../../src/log/partition-head.js';
import { coalesce, readBatches } from '../../src/log/read-ranges.js';
import { encodeRecordBatch, decodeRecordBatches } from '../../packages/protocol/src/records/record-batch.js';
import { CachedObjectStore, InstrumentedObjectStore } from '../../src/storage/layers.js';
import { S3ObjectStore } from '../../src/storage/object-store.js';
import { newSegmentKey } from '../../src/storage/keys.js';

let clients: AwsClients;
let s3: S3ObjectStore;

beforeAll(() => {
  const config = configFromEnv();
  clients = createAwsClients(config);
  s3 = new S3ObjectStore(clients.s3, config.bucket);
});
afterAll(() => {
  clients.s3.destroy();
  clients.dynamo.destroy();
});

const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff));

describe('CachedObjectStore', () => {
  it('serves reads inside a cached range without a request below, and evicts least recently used ranges', async () => {
    // Prepare: three 1 KiB objects, a cache that holds two of them
    const counted = new InstrumentedObjectStore(s3);
    const keys = [newSegmentKey(), newSegmentKey(), newSegmentKey()];
    for (const [i, key] of keys.entries()) await s3.put(key, bytes(1024, i));
    const cache = new CachedObjectStore(counted, 2048);

    // Act
    const first = await cache.getRange(keys[0]!, 0, 1024);
    const inside = await cache.getRange(keys[0]!, 100, 200);
    await cache.getRange(keys[1]!, 0, 1024);
    await cache.getRange(keys[2]!, 0, 1024); // evicts keys[0]
    const again = await cache.getRange(keys[0]!, 0, 10);

    // Assess
    expect(first).toEqual(bytes(1024, 0));
    expect(inside).toEqual(bytes(1024, 0).subarray(100, 200));
    expect(again).toEqual(bytes(1024, 0).subarray(0, 10));
    expect(counted.stats.gets).toBe(4);
    expect(cache.hits).toBe(1);
  });

  it('caches what it writes, so reading a just-written object costs no GET', async () => {
    // Prepare
    const counted = new InstrumentedObjectStore(s3);
    const cache = new CachedObjectStore(counted, 1 << 20);
    const key = newSegmentKey();

    // Act
    await cache.put(key, bytes(4096, 9));
    const read = await cache.getRange(key, 1000, 3000);

    // Assess
    expect(read).toEqual(bytes(4096, 9).subarray(1000, 3000));
    expect(counted.stats).toMatchObject({ puts: 1, gets: 0, bytesPut: 4096 });
  });
});

describe('reading batches', () => {
  it('merges near ranges of one object into one GET and patches base offsets on copies', async () => {
    // Prepare: one object holding three batches (as a produce request writes them), stored with baseOffset 0
    const batches = ['a', 'b', 'c'].map((v) => encodeRecordBatch({ records: [{ key: null, value: Buffer.from(v) }] }));
    const key = newSegmentKey();
    await s3.put(key, Buffer.concat(batches));
    let pos = 0;
    const located: LocatedBatch[] = batches.map((b, i) => {
      const loc = { k: key, s: pos, l: b.length, n: 1, t: 0, a: 0, baseOffset: 100 + i, end: 101 + i };
      pos += b.length;
      return loc;
    });
    const counted = new InstrumentedObjectStore(s3);

    // Act
    const spans = coalesce(located);
    const [first, rest] = await readBatches(counted, [[located[0]!], [located[1]!, located[2]!]]);
    const reread = await s3.getRange(key, 0, batches[0]!.length);

    // Assess
    expect(spans).toEqual([{ key, start: 0, end: pos }]);
    expect(counted.stats.gets).toBe(1);
    expect(decodeRecordBatches(first!).map((b) => b.header.baseOffset)).toEqual([100]);
    expect(decodeRecordBatches(rest!).flatMap((b) => b.records.map((r) => [r.offset, r.value?.toString()]))).toEqual([
      [101, 'b'],
      [102, 'c'],
    ]);
    expect(reread.readBigInt64BE(0)).toBe(0n); // the stored bytes were not touched
  });

  it('keeps far-apart ranges as separate GETs', () => {
    // Prepare
    const loc = (s: number): LocatedBatch => ({ k: 'seg/x', s, l: 100, n: 1, t: 0, a: 0, baseOffset: 0, end: 1 });

    // Act
    const spans = coalesce([loc(0), loc(10_000_000), loc(100)]);

    // Assess
    expect(spans).toEqual([
      { key: 'seg/x', start: 0, end: 200 },
      { key: 'seg/x', start: 10_000_000, end: 10_000_100 },
    ]);
  });
});
