/**
 * One partition's batch in the accumulator: the records, who to tell when they are
 * acknowledged, and (once first drained) its producer id, epoch and base sequence,
 * which it keeps across retries so the server can recognise a retry.
 */
import type { CompressionType } from '../../log/batch-header.js';
import { BATCH_HEADER_SIZE } from '../../log/batch-header.js';
import { encodeRecordBatch, type ProducedRecord } from '../../log/record-batch.js';

export interface RecordMetadata {
  topic: string;
  partition: number;
  /** -1 when not known (acks=0, or a duplicate whose original offset the server no longer finds) */
  offset: number;
  /** the record's timestamp (CreateTime) */
  timestamp: number;
  /** -1 for a null key */
  serializedKeySize: number;
  /** -1 for a null value */
  serializedValueSize: number;
}

/** Where one record's outcome goes. */
export interface Delivery {
  resolve(metadata: RecordMetadata): void;
  reject(error: Error): void;
  timestamp: number;
  keySize: number;
  valueSize: number;
  /** buffer.memory bytes this record holds until it completes */
  bytes: number;
}

export interface ProducerState {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  /** which producer identity the sequence belongs to (see idempotence.ts) */
  generation: number;
}

export class ProducerBatch {
  readonly records: ProducedRecord[] = [];
  readonly deliveries: Delivery[] = [];
  /** estimated encoded size: header plus upper bounds of the records */
  sizeBytes = BATCH_HEADER_SIZE;
  attempts = 0;
  /** no new attempt before this time (retry backoff) */
  retryAt = 0;
  /** some attempt ended without telling whether it was committed */
  ambiguous = false;
  state?: ProducerState;
  encoded?: Buffer;
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
  tryAppend(record: ProducedRecord, size: number, delivery: Delivery): boolean {
    if (this.records.length > 0 && this.sizeBytes + size > this.capacity) return false;
    this.records.push(record);
    this.deliveries.push(delivery);
    this.sizeBytes += size;
    return true;
  }

  get full(): boolean {
    return this.sizeBytes >= this.capacity;
  }

  get reservedBytes(): number {
    let bytes = 0;
    for (const d of this.deliveries) bytes += d.bytes;
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
    this.deliveries.forEach((d, i) =>
      d.resolve({
        topic: this.topic,
        partition: this.partition,
        offset: baseOffset < 0 ? -1 : baseOffset + i,
        timestamp: d.timestamp,
        serializedKeySize: d.keySize,
        serializedValueSize: d.valueSize,
      }),
    );
    this.settle();
  }

  fail(error: Error): void {
    if (this.completed) return;
    this.completed = true;
    for (const d of this.deliveries) d.reject(error);
    this.settle();
  }

  /** Splits a multi-record batch in two halves (after MESSAGE_TOO_LARGE), as Kafka does: the halves are
   * unsent and keep the original's creation time, so delivery.timeout.ms still counts from send(). */
  split(sizeOf: (record: ProducedRecord) => number): [ProducerBatch, ProducerBatch] {
    const half = Math.ceil(this.records.length / 2);
    const parts = [0, half].map((from, i) => {
      const to = i === 0 ? half : this.records.length;
      const capacity = Math.max(BATCH_HEADER_SIZE, Math.floor(this.capacity / 2));
      const part = new ProducerBatch(this.topic, this.partition, this.createdAt, this.deadline, capacity);
      for (let r = from; r < to; r++) {
        part.records.push(this.records[r] as ProducedRecord);
        part.deliveries.push(this.deliveries[r] as Delivery);
        part.sizeBytes += sizeOf(this.records[r] as ProducedRecord);
      }
      return part;
    }) as [ProducerBatch, ProducerBatch];
    this.completed = true;
    void Promise.all(parts.map((p) => p.done)).then(() => this.settle());
    return parts;
  }
}
