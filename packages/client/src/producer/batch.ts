/**
 * One partition's batch in the accumulator: the records, who to tell when they are
 * acknowledged, and (once first drained) its producer id, epoch and base sequence,
 * which it keeps across retries so the server can recognise a retry.
 */
import { BATCH_HEADER_SIZE, type CompressionType, encodeRecordBatch, type FloeError } from '@floe/protocol';
import type { PendingRecord } from './pending-record.js';

export interface ProducerState {
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  /** which producer identity the sequence belongs to (see idempotence.ts) */
  generation: number;
}

export class ProducerBatch {
  readonly records: PendingRecord[] = [];
  /** estimated encoded size: header plus upper bounds of the records */
  sizeBytes = BATCH_HEADER_SIZE;
  attempts = 0;
  /** no new attempt before this time (retry backoff) */
  retryAt = 0;
  /** some attempt ended without telling whether it was committed */
  ambiguous = false;
  /** false for the halves of a split batch: they must not be merged again */
  mergeable = true;
  /** why the last attempt failed (named when the batch finally expires) */
  lastError?: FloeError;
  state?: ProducerState;
  encoded?: Buffer;
  /** creation order within its partition (a split's halves share their original's place) */
  order = 0;
  /** room in the order up to the next batch (halved by each split) */
  orderStep = 1;
  /** place among its partition's first sends (-1: never sent); the server's window of 5 counts batches in this order */
  sendIndex = -1;
  /** the server surely did not write it under its sequence numbers: take new ones before the next attempt */
  needsNewSequence = false;
  /** its last attempt was sent while an earlier batch of its partition was unanswered (an OUT_OF_ORDER answer may just mean that one was late) */
  sentBehindUnresolved = false;
  /** times it was given new sequence numbers after the server lost track of its producer */
  resequenced = 0;
  completed = false;
  readonly done: Promise<void>;
  private settle!: () => void;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly createdAt: number,
    readonly deadline: number,
    /** batch.size (capped to what fits a request) */
    readonly capacity: number,
  ) {
    this.done = new Promise((resolve) => (this.settle = resolve));
  }

  /** Adds a record unless the batch is non-empty and the record would overflow it. */
  tryAppend(record: PendingRecord): boolean {
    if (this.records.length > 0 && this.sizeBytes + record.size > this.capacity) return false;
    this.records.push(record);
    this.sizeBytes += record.size;
    return true;
  }

  get full(): boolean {
    return this.sizeBytes >= this.capacity;
  }

  get reservedBytes(): number {
    let bytes = 0;
    for (const r of this.records) bytes += r.size;
    return bytes;
  }

  /** Encodes once; an unsent batch is re-encoded when its producer identity changed. */
  encode(compression: CompressionType, state: ProducerState | undefined): Buffer {
    this.state = state;
    this.encoded = encodeRecordBatch({
      records: this.records,
      compression,
      producerId: state?.producerId ?? -1,
      producerEpoch: state?.producerEpoch ?? -1,
      baseSequence: state?.baseSequence ?? -1,
    });
    return this.encoded;
  }

  succeed(baseOffset: number): void {
    if (this.completed) return;
    this.completed = true;
    const records = this.records;
    for (let i = 0; i < records.length; i++) (records[i] as PendingRecord).succeed(this.partition, baseOffset < 0 ? -1 : baseOffset + i);
    this.settle();
  }

  fail(error: Error): void {
    if (this.completed) return;
    this.completed = true;
    for (const r of this.records) r.fail(error);
    this.settle();
  }

  /**
   * Takes over the records of the unsent batch queued behind this one (a partition with a
   * backlog sends one larger batch instead of waiting a round trip per batch.size).
   */
  absorb(next: ProducerBatch): void {
    for (const r of next.records) this.records.push(r);
    this.sizeBytes += next.sizeBytes - BATCH_HEADER_SIZE;
    next.completed = true;
    void this.done.then(() => next.settle());
  }

  /** Splits a multi-record batch in two halves (after MESSAGE_TOO_LARGE), as Kafka does: the halves are
   * unsent and keep the original's creation time, so delivery.timeout.ms still counts from send(). */
  split(): [ProducerBatch, ProducerBatch] {
    const half = Math.ceil(this.records.length / 2);
    const capacity = Math.max(BATCH_HEADER_SIZE, Math.floor(this.capacity / 2));
    const parts = [this.records.slice(0, half), this.records.slice(half)].map((records, i) => {
      const part = new ProducerBatch(this.topic, this.partition, this.createdAt, this.deadline, capacity);
      part.mergeable = false;
      part.orderStep = this.orderStep / 2;
      part.order = this.order + i * part.orderStep;
      for (const r of records) {
        part.records.push(r);
        part.sizeBytes += r.size;
      }
      return part;
    }) as [ProducerBatch, ProducerBatch];
    this.completed = true;
    void Promise.all(parts.map((p) => p.done)).then(() => this.settle());
    return parts;
  }
}
