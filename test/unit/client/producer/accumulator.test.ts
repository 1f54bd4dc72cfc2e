/** The record accumulator: batching by size, readiness (full, linger, backoff, force), draining and expiry. */
import { describe, expect, it } from 'vitest';
import { RecordAccumulator } from '../../../../packages/client/src/producer/accumulator.js';
import type { ProducerBatch } from '../../../../packages/client/src/producer/batch.js';
import { PendingRecord } from '../../../../packages/client/src/producer/pending-record.js';
import { decodeRecordBatch, estimateRecordSize } from '../../../../packages/protocol/src/records/record-batch.js';

const T0 = 1_000_000;
const options = { batchSize: 1000, lingerMs: 50, deliveryTimeoutMs: 10_000, maxRequestSize: 1_048_576 };
const encode = (batch: ProducerBatch) => batch.encode('none', undefined);

function record(topic: string, size = 100, label = '', timestamp = T0): PendingRecord {
  const r = new PendingRecord(topic);
  r.value = Buffer.from(label.padEnd(size, '.'));
  r.timestamp = timestamp;
  r.size = estimateRecordSize(r);
  return r;
}

function fill(acc: RecordAccumulator, partition: number, count: number, now = T0, topic = 't'): ProducerBatch[] {
  const batches = new Set<ProducerBatch>();
  for (let i = 0; i < count; i++) batches.add(acc.append(record(topic), partition, now));
  return [...batches];
}

describe('record accumulator', () => {
  it('fills a batch up to batch.size and opens the next one', () => {
    // Prepare
    const acc = new RecordAccumulator(options);
    // Act: 100-byte values are ~118 bytes as records; 1000 bytes hold 7 after the 61-byte header
    const batches = fill(acc, 0, 20);
    // Assess
    expect(batches.map((b) => b.recordCount)).toEqual([7, 7, 6]);
    expect(batches.every((b) => b.sizeBytes <= 1000)).toBe(true);
  });

  it('holds a partial batch until linger.ms, but sends a full one at once', () => {
    // Prepare
    const acc = new RecordAccumulator(options);
    fill(acc, 0, 3); // partial
    fill(acc, 1, 8); // a full batch (the 8th record did not fit) and the one after it
    // Act
    const early = acc.drain(T0 + 10, false, encode);
    const delay = acc.readyDelay(T0 + 10, false);
    const late = acc.drain(T0 + 50, false, encode);
    // Assess: the full batch goes at once, taking the record queued behind it along
    expect(early.map((b) => [b.partition, b.recordCount])).toEqual([[1, 8]]);
    expect(delay).toBe(40);
    expect(late.map((b) => [b.partition, b.recordCount])).toEqual([[0, 3]]);
  });

  it('sends a backlog of unsent batches as one batch, in order, within the topic limit', () => {
    // Prepare: 20 records in 3 batches of <= 1000 bytes, a second apart; the topic accepts batches up to 2000 bytes
    const acc = new RecordAccumulator(options, () => 2000);
    const labels = Array.from({ length: 20 }, (_, i) => `r${i}`);
    const queued = new Set(labels.map((label, i) => acc.append(record('t', 100, label, T0 + i * 1000), 0, T0)));
    // Act
    const [first] = acc.drain(T0, false, encode);
    acc.completed(first!);
    const [second] = acc.drain(T0, true, encode);
    // Assess: the merged batch holds the first two batches' records with offset deltas 0..13 and their own timestamps
    expect(queued.size).toBe(3);
    expect(first!.recordCount).toBe(14);
    expect(first!.sizeBytes).toBeLessThanOrEqual(2000);
    expect(second!.recordCount).toBe(6);
    const sent = [first!, second!].map((b) => decodeRecordBatch(b.encoded!));
    expect(sent.flatMap((b) => b.records.map((r) => r.value!.toString().replace(/\.+$/, '')))).toEqual(labels);
    expect(sent[0]!.records.map((r) => r.offset)).toEqual(Array.from({ length: 14 }, (_, i) => i));
    expect(sent.flatMap((b) => b.records.map((r) => r.timestamp))).toEqual(labels.map((_, i) => T0 + i * 1000));
    expect(sent[0]!.header.maxTimestamp).toBe(T0 + 13_000);
  });

  it('starts a new request for a backlog that would not fit whole into the current one', () => {
    // Prepare: partition 0 holds one small batch, partition 1 a backlog of three batches (~2.7 KB)
    const acc = new RecordAccumulator({ ...options, maxRequestSize: 3200 });
    fill(acc, 0, 4);
    fill(acc, 1, 21);
    // Act
    const first = acc.drain(T0, true, encode);
    const second = acc.drain(T0, true, encode);
    // Assess: not [p0, a cut-short p1] then [rest of p1]
    expect(first.map((b) => [b.partition, b.recordCount])).toEqual([[0, 4]]);
    expect(second.map((b) => [b.partition, b.recordCount])).toEqual([[1, 21]]);
  });

  it('never merges anything with batch.size=0', () => {
    // Prepare
    const acc = new RecordAccumulator({ ...options, batchSize: 0 });
    fill(acc, 0, 3);
    // Act
    const drained = acc.drain(T0, true, encode);
    // Assess
    expect(drained.map((b) => b.recordCount)).toEqual([1]);
  });

  it('settles the merged batches when the batch that absorbed them completes', async () => {
    // Prepare
    const acc = new RecordAccumulator(options);
    const queued = fill(acc, 0, 20);
    const [sent] = acc.drain(T0, true, encode);
    // Act
    sent!.succeed(0);
    acc.completed(sent!);
    await Promise.all(queued.map((b) => b.done));
    // Assess
    expect(acc.pending()).toEqual([]);
  });

  it('delivers a batch completed before an earlier one of its partition only with it, and counts it pending until then', async () => {
    // Prepare: two batches of partition 0 in flight, one of partition 1
    const acc = new RecordAccumulator({ ...options, batchSize: 0, maxInFlightPerPartition: 5 });
    const [first, second, other] = [...fill(acc, 0, 2), ...fill(acc, 1, 1)];
    acc.drain(T0, true, encode);
    acc.drain(T0, true, encode);
    const delivered: ProducerBatch[] = [];
    for (const b of [first!, second!, other!]) void b.done.then(() => delivered.push(b));
    // Act: the second and the other partition's batch complete first
    second!.succeed(1);
    acc.completed(second!);
    other!.succeed(0);
    acc.completed(other!);
    await Promise.resolve();
    const early = [...delivered];
    const pendingMeanwhile = acc.pending();
    first!.succeed(0);
    acc.completed(first!);
    await Promise.resolve();
    // Assess
    expect(early).toEqual([other]);
    expect(pendingMeanwhile).toEqual([first, second]);
    expect(delivered).toEqual([other, first, second]);
    expect(acc.pending()).toEqual([]);
  });

  it('reports how long until linger expires, and makes everything ready when forced', () => {
    // Prepare
    const acc = new RecordAccumulator(options);
    fill(acc, 0, 1);
    // Act
    const delay = acc.readyDelay(T0 + 20, false);
    const forced = acc.drain(T0 + 20, true, encode);
    // Assess
    expect(delay).toBe(30);
    expect(forced).toHaveLength(1);
  });

  it('keeps at most one batch per partition in flight', () => {
    // Prepare
    const acc = new RecordAccumulator(options);
    fill(acc, 0, 7); // a full batch
    // Act
    const first = acc.drain(T0, true, encode);
    fill(acc, 0, 7);
    const whileInFlight = acc.drain(T0, true, encode);
    acc.completed(first[0]!);
    const afterwards = acc.drain(T0, true, encode);
    // Assess
    expect(first).toHaveLength(1);
    expect(whileInFlight).toHaveLength(0);
    expect(afterwards).toHaveLength(1);
    expect(afterwards[0]).not.toBe(first[0]);
  });

  it('says a partition has sent all its batches only while one is in flight and none is queued (decision 42)', () => {
    // Prepare
    const acc = new RecordAccumulator(options);
    fill(acc, 0, 3);
    const queued = acc.sentAll('t', 0);
    // Act
    const [batch] = acc.drain(T0, true, encode);
    const inFlight = acc.sentAll('t', 0);
    fill(acc, 0, 1);
    const refilled = acc.sentAll('t', 0);
    acc.completed(batch!);
    acc.drain(T0, true, encode);
    const secondInFlight = acc.sentAll('t', 0);
    // Assess
    expect(queued).toBe(false);
    expect(inFlight).toBe(true);
    expect(refilled).toBe(false);
    expect(secondInFlight).toBe(true);
    expect(acc.sentAll('t', 1)).toBe(false); // never written to
  });

  it('sends a new batch only within five first sends of the oldest unanswered one, answered ones counted', () => {
    // Prepare: one record per batch, five batches of partition 0 in flight
    const acc = new RecordAccumulator({ ...options, batchSize: 0, maxInFlightPerPartition: 5 });
    const sent: ProducerBatch[] = [];
    for (let i = 0; i < 5; i++) {
      fill(acc, 0, 1);
      sent.push(...acc.drain(T0, true, encode));
    }
    // Act: the four later ones are answered, the first is not; a sixth waits
    for (const b of sent.slice(1)) acc.completed(b);
    fill(acc, 0, 1);
    const behindTheOldest = acc.drain(T0, true, encode);
    acc.completed(sent[0]!);
    const afterwards = acc.drain(T0, true, encode);
    // Assess: the server keeps a producer's last 5 batches, so a sixth written before the first is
    // answered could push the first out of the window its retry needs
    expect(sent).toHaveLength(5);
    expect(behindTheOldest).toHaveLength(0);
    expect(afterwards).toHaveLength(1);
  });

  it('stops a request at max.request.size and continues with the rest next time', () => {
    // Prepare: ~900-byte batches, requests of at most 2 KB
    const acc = new RecordAccumulator({ ...options, maxRequestSize: 2000 });
    for (let p = 0; p < 5; p++) fill(acc, p, 7);
    // Act
    const requests: number[][] = [];
    for (let i = 0; i < 4; i++) requests.push(acc.drain(T0, true, encode).map((b) => b.partition));
    // Assess
    expect(requests.map((r) => r.length)).toEqual([2, 2, 1, 0]);
    expect(requests.flat().sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('puts a retried batch back at the front and holds it until its backoff ends', () => {
    // Prepare
    const acc = new RecordAccumulator(options);
    fill(acc, 0, 10);
    const [sent] = acc.drain(T0, true, encode);
    sent!.attempts = 1;
    // Act
    acc.reenqueue(sent!, [sent!], T0 + 100);
    const during = acc.drain(T0 + 99, true, encode);
    const after = acc.drain(T0 + 100, false, encode);
    // Assess
    expect(during).toHaveLength(0);
    expect(after).toEqual([sent]);
  });

  it('expires queued batches after delivery.timeout.ms but never the one in flight', () => {
    // Prepare
    const acc = new RecordAccumulator(options);
    fill(acc, 0, 7);
    const [inFlight] = acc.drain(T0, true, encode);
    fill(acc, 0, 7);
    // Act
    const none = acc.takeExpired(T0 + 9_999);
    const expired = acc.takeExpired(T0 + 10_000);
    // Assess
    expect(none).toHaveLength(0);
    expect(expired).toHaveLength(1);
    expect(expired[0]).not.toBe(inFlight);
    expect(acc.pending()).toContain(inFlight);
  });

  it('never appends to a batch that was already sent', () => {
    // Prepare
    const acc = new RecordAccumulator(options);
    const [batch] = fill(acc, 0, 1);
    acc.drain(T0, true, encode);
    batch!.attempts = 1;
    acc.reenqueue(batch!, [batch!], T0);
    // Act
    const [next] = fill(acc, 0, 1);
    // Assess
    expect(next).not.toBe(batch);
    expect(batch!.recordCount).toBe(1);
  });

  it('allocates a whole buffer at once only for a partition that filled its last batch', () => {
    // Prepare: batch.size 4 KiB, 100-byte values (~118-byte records)
    const acc = new RecordAccumulator({ ...options, batchSize: 4096 });
    // Act
    const [quiet] = fill(acc, 0, 1);
    const busy = fill(acc, 1, 40); // fills one batch and opens the next
    // Assess: a quiet partition starts small; the second batch of a busy one takes batch.size at once
    expect(quiet!.allocatedBytes).toBeLessThan(1024);
    expect(busy).toHaveLength(2);
    expect(busy[0]!.sizeBytes).toBeGreaterThan(4096 - 150);
    expect(busy[1]!.allocatedBytes).toBe(4096);
  });

  it('remembers whether the last batch sent was at least half full, for the next one a partition opens', () => {
    // Prepare: partition 0 sends a full batch, partition 1 a batch of one record
    const acc = new RecordAccumulator({ ...options, batchSize: 4096 });
    fill(acc, 0, 34);
    fill(acc, 1, 1);
    expect(acc.drain(T0 + 60, false, encode)).toHaveLength(2);
    // Act
    const [afterFull] = fill(acc, 0, 1, T0 + 61);
    const [afterOne] = fill(acc, 1, 1, T0 + 61);
    // Assess
    expect(afterFull!.allocatedBytes).toBe(4096);
    expect(afterOne!.allocatedBytes).toBeLessThan(1024);
  });
});
