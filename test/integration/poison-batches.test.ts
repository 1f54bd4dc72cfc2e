/**
 * Issue 13, "poison batches" and "decompression amplification", as the attacker did it: batches
 * with a valid header and CRC around lying or hostile records, sent to the produce route.
 * Each is refused with a Kafka code and changes nothing (no object, no offsets). Batches an older
 * server stored anyway (written here with record validation switched off) are one partition's
 * CORRUPT_MESSAGE for every reader — the JSON fetch, the SDK Consumer, `floe consume`, the chaos
 * checker's read — while the healthy partitions still deliver. The JSON fetch lists only records
 * at or after the offset asked for.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { Consumer, CorruptRecordError } from '../../packages/client/src/consumer/index.js';
import { produceRaw } from '../../packages/client/src/log-client.js';
import { batchCrc, CRC_OFFSET } from '../../packages/protocol/src/records/batch-header.js';
import { encodeRecordBatch } from '../../packages/protocol/src/records/record-batch.js';
import { readAll } from '../../src/chaos/read-all.js';
import { useTestCluster, uniqueName } from '../helpers/cluster.js';
import { batchOf, produceValues } from '../helpers/log.js';
import { FLOE_BIN } from '../helpers/processes.js';

const env = useTestCluster();

/** A copy of `batch` changed by `edit`, with its CRC made valid again (what an attacker sends). */
function resealed(batch: Buffer, edit: (b: Buffer) => void): Buffer {
  const copy = Buffer.from(batch);
  edit(copy);
  copy.writeUInt32BE(batchCrc(copy), CRC_OFFSET);
  return copy;
}

/** Uncompressed one-byte records: record i starts at 61 + 8 i (length, attributes, ts delta, offset delta, key, value length, value, headers). */
const oneByteRecords = (n: number): Buffer => batchOf(Array.from({ length: n }, (_, i) => String(i % 10)));

const POISON: Record<string, () => Buffer> = {
  'claims 5 records, holds 1': () =>
    resealed(oneByteRecords(1), (b) => {
      b.writeInt32BE(5, 57);
      b.writeInt32BE(4, 23);
    }),
  'claims 1,000,000 records, holds 1': () =>
    resealed(oneByteRecords(1), (b) => {
      b.writeInt32BE(1_000_000, 57);
      b.writeInt32BE(999_999, 23);
    }),
  'garbage records': () => resealed(oneByteRecords(4), (b) => b.fill(0xff, 61)),
  'gzip flag on uncompressed records': () => resealed(oneByteRecords(3), (b) => b.writeInt16BE(1, 21)),
  'repeated offset delta': () => resealed(oneByteRecords(3), (b) => (b[61 + 8 + 3] = 0)),
  'record attributes set': () => resealed(oneByteRecords(2), (b) => (b[61 + 1] = 4)),
};

const EXPECTED_CODE: Record<string, string> = {
  'claims 5 records, holds 1': 'CORRUPT_MESSAGE',
  'claims 1,000,000 records, holds 1': 'CORRUPT_MESSAGE',
  'garbage records': 'CORRUPT_MESSAGE',
  'gzip flag on uncompressed records': 'CORRUPT_MESSAGE',
  'repeated offset delta': 'INVALID_RECORD',
  'record attributes set': 'INVALID_RECORD',
};

/** A gzip batch whose one record inflates to 32 MiB (the attacker's was 3.4 GiB). */
const gzipBomb = (): Buffer => encodeRecordBatch({ records: [{ key: null, value: Buffer.alloc(32 * 1024 * 1024) }], compression: 'gzip' });

async function highWatermarks(topic: string, partitions: number): Promise<number[]> {
  return (await env.admin.listOffsets(topic, Array.from({ length: partitions }, (_, p) => p), 'latest')).map((o) => o.offset);
}

async function getJson(path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${env.cluster.url}/_fn/fetch${path}`);
  return { status: response.status, body: await response.json() };
}

/** Stores batches as a server without record validation did (what an older Floe left in a log). */
async function storeUnvalidated(topic: string, partition: number, batch: Buffer): Promise<void> {
  const deps = env.cluster.deps!;
  deps.validateRecords = false;
  try {
    const [t] = await produceRaw(env.http, { acks: -1, timeoutMs: 10_000, topics: [{ topic, partitions: [{ partition, records: batch }] }] });
    expect(t?.partitions[0]?.errorCode).toBe('NONE');
  } finally {
    deps.validateRecords = true;
  }
}

describe('poison batches at produce', () => {
  for (const [name, make] of Object.entries(POISON)) {
    it(`refuses a batch with a valid header and CRC around hostile records: ${name}`, async () => {
      // Prepare
      const topic = uniqueName('poison');
      await env.admin.createTopic(topic, 1);
      await produceValues(env.http, topic, 0, ['before']);
      const puts = env.cluster.deps!.s3.stats.puts;

      // Act
      const [t] = await produceRaw(env.http, { acks: -1, timeoutMs: 10_000, topics: [{ topic, partitions: [{ partition: 0, records: make() }] }] });

      // Assess: a Kafka code, and nothing changed (no object written, the high watermark where it was)
      expect(t?.partitions[0]).toMatchObject({ errorCode: EXPECTED_CODE[name], baseOffset: -1 });
      expect(env.cluster.deps!.s3.stats.puts).toBe(puts);
      expect(await highWatermarks(topic, 1)).toEqual([1]);
      const read = await getJson(`/v1/fetch?topic=${topic}&partition=0&offset=0`);
      expect(read.status).toBe(200);
      expect(read.body.topics[0].partitions[0].records.map((r: { value: string }) => r.value)).toEqual(['before']);
    });
  }

  it('refuses a decompression bomb with MESSAGE_TOO_LARGE naming max.message.bytes, before inflating it', async () => {
    // Prepare
    const topic = uniqueName('bomb');
    await env.admin.createTopic(topic, 1);
    const bomb = gzipBomb();
    expect(bomb.length).toBeLessThan(64 * 1024); // it fits max.message.bytes as sent

    // Act
    const started = performance.now();
    const response = await fetch(`${env.cluster.url}/_fn/produce/v1/produce`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topics: [{ topic, partitions: [{ partition: 0, records: bomb.toString('base64') }] }] }),
    });
    const ms = performance.now() - started;
    const body = (await response.json()) as { error: { code: string; message: string } };

    // Assess
    expect(response.status).toBe(413);
    expect(body.error.code).toBe('MESSAGE_TOO_LARGE');
    expect(body.error.message).toContain('max.message.bytes 1048588');
    expect(ms).toBeLessThan(2000);
    expect(await highWatermarks(topic, 1)).toEqual([0]);
  });

  it('in a request for several partitions only the poisoned partition fails; the others are written', async () => {
    // Prepare
    const topic = uniqueName('mixed');
    await env.admin.createTopic(topic, 2);

    // Act
    const [t] = await produceRaw(env.http, {
      acks: -1,
      timeoutMs: 10_000,
      topics: [{ topic, partitions: [{ partition: 0, records: batchOf(['ok']) }, { partition: 1, records: POISON['claims 5 records, holds 1']!() }] }],
    });

    // Assess
    expect(t?.partitions.map((p) => [p.partition, p.errorCode])).toEqual([
      [0, 'NONE'],
      [1, 'CORRUPT_MESSAGE'],
    ]);
    expect(await highWatermarks(topic, 2)).toEqual([1, 0]);
  });

  it('accepts every codec and shape the SDK produces (nothing valid is refused)', async () => {
    // Prepare
    const topic = uniqueName('valid');
    await env.admin.createTopic(topic, 1);
    const records = Array.from({ length: 50 }, (_, i) => ({
      key: i % 3 === 0 ? null : Buffer.from(`k${i}`),
      value: i % 7 === 0 ? null : Buffer.alloc(i * 3, i),
      headers: i % 2 ? [{ key: 'h', value: null }, { key: `x${i}`, value: Buffer.from('v') }] : [],
      timestamp: 1_700_000_000_000 + ((i * 37) % 11),
    }));

    // Act
    const results = [];
    for (const compression of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
      const [t] = await produceRaw(env.http, { acks: -1, timeoutMs: 10_000, topics: [{ topic, partitions: [{ partition: 0, records: encodeRecordBatch({ records, compression }) }] }] });
      results.push(t?.partitions[0]?.errorCode);
    }

    // Assess
    expect(results).toEqual(['NONE', 'NONE', 'NONE', 'NONE', 'NONE']);
  });
});

describe('a corrupt batch an older server stored is that partition\'s error for every reader', () => {
  let topic: string;

  beforeAll(async () => {
    // Partition 1 holds a good batch, a lying batch, a gzip-flagged one and a bomb; partitions 0 and 2 are healthy.
    topic = uniqueName('stored-poison');
    await env.admin.createTopic(topic, 3);
    for (const p of [0, 1, 2]) await produceValues(env.http, topic, p, [`p${p}-a`, `p${p}-b`]);
    await storeUnvalidated(topic, 1, POISON['claims 5 records, holds 1']!());
    await storeUnvalidated(topic, 1, gzipBomb());
    for (const p of [0, 2]) await produceValues(env.http, topic, p, [`p${p}-c`]);
  });

  it('the JSON fetch of that partition answers CORRUPT_MESSAGE with the records before it; a multi-partition fetch still delivers the others', async () => {
    // Act
    const single = await getJson(`/v1/fetch?topic=${topic}&partition=1&offset=0`);
    const response = await fetch(`${env.cluster.url}/_fn/fetch/v1/fetch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topics: [{ topic, partitions: [0, 1, 2].map((partition) => ({ partition, fetchOffset: 0 })) }] }),
    });
    const multi = (await response.json()) as { topics: Array<{ partitions: Array<{ errorCode: string; records: Array<{ value: string }> }> }> };

    // Assess
    expect(single.status).toBe(400);
    expect(single.body.error.code).toBe('CORRUPT_MESSAGE');
    expect(single.body.topics[0].partitions[0].records.map((r: { value: string }) => r.value)).toEqual(['p1-a', 'p1-b']);
    expect(response.status).toBe(200);
    expect(multi.topics[0]?.partitions.map((p) => [p.errorCode, p.records.map((r) => r.value)])).toEqual([
      ['NONE', ['p0-a', 'p0-b', 'p0-c']],
      ['CORRUPT_MESSAGE', ['p1-a', 'p1-b']],
      ['NONE', ['p2-a', 'p2-b', 'p2-c']],
    ]);
  });

  it('a stored decompression bomb is refused after inflating at most the largest batch a topic accepts', async () => {
    // Act: from the bomb's offset (2 good records, then 5 claimed)
    const started = performance.now();
    const read = await getJson(`/v1/fetch?topic=${topic}&partition=1&offset=7`);

    // Assess
    expect(read.status).toBe(400);
    expect(read.body.error.code).toBe('CORRUPT_MESSAGE');
    expect(read.body.error.message).toContain('decompresses to more than 4194304 bytes');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('the SDK Consumer delivers the healthy partitions, reports the bad one once as CorruptRecordError, and goes on after a seek past it', async () => {
    // Prepare
    const consumer = new Consumer({ bootstrap: env.cluster.url, fetchMaxWaitMs: 50 });
    consumer.assign([0, 1, 2].map((partition) => ({ topic, partition })));
    consumer.seekToBeginning();
    const seen: string[] = [];
    const errors: CorruptRecordError[] = [];

    // Act
    const until = Date.now() + 5000;
    while (Date.now() < until && (seen.length < 8 || errors.length < 1)) {
      try {
        for (const r of await consumer.poll(200)) seen.push(r.value!.toString());
      } catch (error) {
        if (!(error instanceof CorruptRecordError)) throw error;
        errors.push(error);
      }
    }
    const first = errors[0]!;
    consumer.seek({ topic, partition: 1 }, first.nextOffset!);
    let afterSeek: unknown;
    try {
      await consumer.poll(500);
    } catch (error) {
      afterSeek = error;
    }
    await consumer.close();

    // Assess
    expect(seen.sort()).toEqual(['p0-a', 'p0-b', 'p0-c', 'p1-a', 'p1-b', 'p2-a', 'p2-b', 'p2-c']);
    expect(errors).toHaveLength(1);
    expect(first).toMatchObject({ code: 'CORRUPT_MESSAGE', topic, partition: 1, offset: 2, nextOffset: 7 });
    expect((afterSeek as CorruptRecordError).offset).toBe(7); // the next bad batch, the bomb
  });

  it('`floe consume --from-beginning` prints every healthy record, names the bad partition and exits 1', async () => {
    // Act
    const run = promisify(execFile);
    const outcome = await run(process.execPath, [FLOE_BIN, '--bootstrap', env.cluster.url, 'consume', topic, '--from-beginning', '--timeout-ms', '2500'], { timeout: 60_000 }).then(
      (r) => ({ ...r, code: 0 }),
      (e: { stdout: string; stderr: string; code: number }) => e,
    );

    // Assess
    expect(outcome.stdout.trim().split('\n').sort()).toEqual(['p0-a', 'p0-b', 'p0-c', 'p1-a', 'p1-b', 'p2-a', 'p2-b', 'p2-c']);
    expect(outcome.stderr).toContain(`${topic}/1 cannot be read at offset 2`);
    expect(outcome.code).toBe(1);
  });

  it('the chaos checker\'s full read reports the partition as unreadable instead of failing the whole check', async () => {
    // Act
    const logs = await Promise.all([0, 1, 2].map((p) => readAll(env.http, topic, p)));

    // Assess
    expect(logs.map((l) => [l.records.length, l.error?.split(':')[0]])).toEqual([
      [3, undefined],
      [2, 'CORRUPT_MESSAGE'],
      [3, undefined],
    ]);
  });
});

describe('the JSON fetch', () => {
  it('returns only records at or after the offset asked for, even inside a batch', async () => {
    // Prepare: offsets 0-7 in one batch, 8-15 in the next
    const topic = uniqueName('from');
    await env.admin.createTopic(topic, 1);
    await produceValues(env.http, topic, 0, Array.from({ length: 8 }, (_, i) => `v${i}`));
    await produceValues(env.http, topic, 0, Array.from({ length: 8 }, (_, i) => `v${i + 8}`));

    // Act
    const read = await getJson(`/v1/fetch?topic=${topic}&partition=0&offset=14`);

    // Assess
    expect(read.body.topics[0].partitions[0].records.map((r: { offset: number }) => r.offset)).toEqual([14, 15]);
  });
});
