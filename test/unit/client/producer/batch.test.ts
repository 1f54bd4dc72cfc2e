/** A producer batch: records encoded on append, merged and split as bytes, handles told their offsets wherever their records went. */
import { describe, expect, it } from 'vitest';
import { ProducerBatch } from '../../../../packages/client/src/producer/batch.js';
import { PendingRecord } from '../../../../packages/client/src/producer/pending-record.js';
import { decodeRecordBatch, estimateRecordSize } from '../../../../packages/protocol/src/records/record-batch.js';
import { FloeError } from '../../../../packages/protocol/src/errors.js';

const T0 = 1_700_000_000_000;
const state = { producerId: 7n, producerEpoch: 2, baseSequence: 40, generation: 1 };

function record(label: string, timestamp = T0, headers?: PendingRecord['headers']): PendingRecord {
  const r = new PendingRecord('t');
  r.key = label.startsWith('null') ? null : Buffer.from(`k-${label}`);
  r.value = Buffer.from(`v-${label}`);
  r.headers = headers;
  r.timestamp = timestamp;
  r.size = estimateRecordSize(r);
  return r;
}

function batchOf(labels: string[], timestamps: number[] = labels.map(() => T0), capacity = 1 << 20): { batch: ProducerBatch; handles: PendingRecord[] } {
  const batch = new ProducerBatch('t', 3, T0, T0 + 60_000, capacity);
  const handles = labels.map((label, i) => record(label, timestamps[i]));
  for (const h of handles) expect(batch.tryAppend(h)).toBe(true);
  return { batch, handles };
}

const decoded = (bytes: Buffer) => {
  const { header, records } = decodeRecordBatch(bytes);
  return { header, records: records.map((r) => ({ offset: r.offset, timestamp: r.timestamp, key: r.key?.toString() ?? null, value: r.value?.toString() })) };
};

describe('producer batch', () => {
  it('encodes records as they are appended, with timestamps before the first one, headers and null keys', () => {
    // Prepare
    const batch = new ProducerBatch('t', 0, T0, T0 + 1000, 1 << 20);
    const records = [record('a', T0 + 5), record('null-b', T0 - 300_000), record('c', T0 + 9, [{ key: 'h', value: Buffer.from('x') }])];
    // Act
    for (const r of records) batch.tryAppend(r);
    const bytes = batch.encode('none', state);
    // Assess
    const { header, records: out } = decodeRecordBatch(bytes);
    expect(header).toMatchObject({ producerId: 7n, producerEpoch: 2, baseSequence: 40, recordCount: 3, baseTimestamp: T0 + 5, maxTimestamp: T0 + 9 });
    expect(out.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.toString()])).toEqual([
      [0, T0 + 5, 'k-a', 'v-a'],
      [1, T0 - 300_000, null, 'v-null-b'],
      [2, T0 + 9, 'k-c', 'v-c'],
    ]);
    expect(out[2]!.headers).toEqual([{ key: 'h', value: Buffer.from('x') }]);
    expect(records.every((r) => r.key === null && r.value === null)).toBe(true); // the batch holds the bytes, not the record
  });

  it('merges the batches behind it with their offsets and timestamps rebased, compressed or not', () => {
    // Prepare: offset deltas past 63 take two bytes, and the merged batches start later in time
    const labels = (p: string, n: number) => Array.from({ length: n }, (_, i) => `${p}${i}`);
    const head = batchOf(labels('a', 60));
    const second = batchOf(labels('b', 10), labels('b', 10).map((_, i) => T0 + 400_000 + i));
    const third = batchOf(['c0'], [T0 - 1]);
    // Act
    head.batch.absorb([second.batch, third.batch]);
    const plain = decoded(head.batch.encode('none', state));
    const gzip = decoded(head.batch.encode('gzip', state));
    // Assess
    expect(head.batch.recordCount).toBe(71);
    expect(plain.records.map((r) => r.offset)).toEqual(Array.from({ length: 71 }, (_, i) => i));
    expect(plain.records.map((r) => r.value)).toEqual([...labels('a', 60), ...labels('b', 10), 'c0'].map((l) => `v-${l}`));
    expect(plain.records.slice(60).map((r) => r.timestamp)).toEqual([...Array.from({ length: 10 }, (_, i) => T0 + 400_000 + i), T0 - 1]);
    expect(plain.header.maxTimestamp).toBe(T0 + 400_009);
    expect(gzip.records).toEqual(plain.records);
    expect(second.batch.completed && third.batch.completed).toBe(true);
  });

  it('tells every handle its own offset, awaited before or after its batch was merged, split or acknowledged', async () => {
    // Prepare: h[1] is awaited at once; the rest only later
    const head = batchOf(['a0', 'a1', 'a2']);
    const tail = batchOf(['b0', 'b1', 'b2']);
    const early = head.handles[1]!.then((m) => m.offset);
    head.batch.absorb([tail.batch]);
    const beforeSplit = tail.handles[0]!.then((m) => m.offset);
    // Act: the merged batch of 6 is refused as too large and split into 3 + 3
    const [first, second] = head.batch.split();
    const sent = [first, second].map((b) => decoded(b.encode('none', state)).records.map((r) => [r.offset, r.value]));
    second.succeed(103);
    const late = tail.handles[2]!.then((m) => m.offset);
    first.succeed(100);
    first.deliver();
    second.deliver();
    // Assess
    expect(sent).toEqual([
      [
        [0, 'v-a0'],
        [1, 'v-a1'],
        [2, 'v-a2'],
      ],
      [
        [0, 'v-b0'],
        [1, 'v-b1'],
        [2, 'v-b2'],
      ],
    ]);
    expect(await early).toBe(101);
    expect(await beforeSplit).toBe(103);
    expect(await late).toBe(105);
    const all = await Promise.all([...head.handles, ...tail.handles]);
    expect(all.map((m) => [m.partition, m.offset])).toEqual([100, 101, 102, 103, 104, 105].map((o) => [3, o]));
    expect(all[0]).toMatchObject({ topic: 't', timestamp: T0, serializedKeySize: 4, serializedValueSize: 4 });
  });

  it('fails every handle of a failed batch, told by callback or awaited later', async () => {
    // Prepare: callbacks are set before the record is appended, as send() does
    const told: Array<Error | undefined> = [];
    const batch = new ProducerBatch('t', 3, T0, T0 + 60_000, 1 << 20);
    const handles = ['a', 'b', 'c'].map((label) => record(label));
    handles[0]!.callback = (_, error) => told.push(error);
    handles[2]!.callback = (_, error) => told.push(error);
    for (const h of handles) batch.tryAppend(h);
    const error = new FloeError('UNKNOWN_SERVER_ERROR', 'refused');
    // Act
    batch.fail(error);
    batch.deliver();
    await Promise.resolve();
    // Assess
    expect(told).toEqual([error, error]);
    await expect(handles[1]!).rejects.toBe(error);
  });

  it('tells nobody until delivered, then its records in send order, those awaited late included', async () => {
    // Prepare: b has a callback; c, then a are awaited only after the three were appended
    const told: string[] = [];
    const batch = new ProducerBatch('t', 3, T0, T0 + 60_000, 1 << 20);
    const [a, b, c] = ['a', 'b', 'c'].map((label) => record(label));
    b!.callback = () => told.push('b');
    for (const h of [a!, b!, c!]) batch.tryAppend(h);
    const settled = [c!.then(() => told.push('c')), a!.then(() => told.push('a'))];
    // Act
    batch.succeed(0);
    await Promise.resolve();
    const beforeDelivery = [...told];
    batch.deliver();
    await Promise.all(settled);
    // Assess
    expect(beforeDelivery).toEqual([]);
    expect(told).toEqual(['a', 'b', 'c']);
  });

  it('leaves bytes already handed out unchanged when re-encoded under another producer identity', () => {
    // Prepare
    const { batch } = batchOf(['a', 'b']);
    const first = batch.encode('none', state);
    const copy = Buffer.from(first);
    // Act
    const second = batch.encode('none', { ...state, producerId: 8n, baseSequence: 0 });
    // Assess
    expect(first.equals(copy)).toBe(true);
    expect(decodeRecordBatch(second).header).toMatchObject({ producerId: 8n, baseSequence: 0 });
    expect(decodeRecordBatch(second).records.map((r) => r.value?.toString())).toEqual(['v-a', 'v-b']);
  });

  it('starts each half of a split from its own first timestamp', () => {
    // Prepare: the first record is the latest; the second half's records are all earlier
    const { batch } = batchOf(['a', 'b', 'c', 'd'], [T0 + 2000, T0 + 1000, T0 + 1000, T0 + 1500]);
    // Act
    const halves = batch.split().map((b) => decoded(b.encode('none', state)));
    // Assess
    expect(halves.map((h) => [h.header.baseTimestamp, h.header.maxTimestamp])).toEqual([
      [T0 + 2000, T0 + 2000],
      [T0 + 1000, T0 + 1500],
    ]);
    expect(halves.flatMap((h) => h.records.map((r) => r.timestamp))).toEqual([T0 + 2000, T0 + 1000, T0 + 1000, T0 + 1500]);
  });

  it('holds memory in proportion to its records, not batch.size, for a partition with a record or two', () => {
    // Prepare: 1,000 partitions with one 100-byte record each, batch.size 16 KiB
    const batches = Array.from({ length: 1000 }, (_, p) => new ProducerBatch('t', p, T0, T0 + 60_000, 16_384));
    // Act
    batches.forEach((b, p) => b.tryAppend(record(`${p}`.padEnd(100, 'x'))));
    const full = batchOf(Array.from({ length: 70 }, (_, i) => `${i}`.padEnd(100, 'x')), undefined, 16_384).batch;
    // Assess
    const held = batches.reduce((sum, b) => sum + b.allocatedBytes, 0);
    const reserved = batches.reduce((sum, b) => sum + b.reservedBytes, 0);
    expect(held).toBeLessThan(4 * reserved);
    expect(full.allocatedBytes).toBeLessThanOrEqual(16_384);
    expect(full.allocatedBytes).toBeLessThan(2 * full.sizeBytes);
  });
});
