/**
 * One partition's batch in the accumulator: its records, encoded as they are appended (as
 * Kafka's MemoryRecordsBuilder does, so a buffered record is bytes, not objects the garbage
 * collector must trace), who to tell when they are acknowledged, and (once first drained) its
 * producer id, epoch and base sequence, which it keeps across retries so the server can
 * recognise a retry.
 */
import {
  BATCH_HEADER_SIZE,
  COMPRESSION_CODECS,
  compress,
  FloeError,
  MAX_REBASE_GROWTH,
  rebaseRecords,
  skipRecords,
  timestampDeltaAt,
  writeBatchHeader,
  writeRecord,
  type CompressionType,
} from '@floe/protocol';
import type { PendingRecord } from './pending-record.js';

export interface ProducerState {
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  /** which producer identity the sequence belongs to (see idempotence.ts) */
  generation: number;
}

const EMPTY = Buffer.alloc(0);
/**
 * A new batch's first buffer, unless its first record needs more; it then doubles as records arrive.
 * buffer.memory counts records, not buffers: a batch holds 512 bytes or at most about twice its records', so
 * many partitions with a record each do not hold batch.size each (Kafka counts that against the pool).
 */
const FIRST_ALLOCATION = 512;
/**
 * The first buffer of a batch whose partition fills them (the accumulator judges): its capacity, up to this, at once.
 * Growing by doubling there cost ~15% of the producer's throughput at 100-byte records
 * (bench/producer.ts): each step is a new external buffer for the garbage collector.
 */
const BUSY_FIRST_ALLOCATION = 64 * 1024;

/** Where the records of a batch went when it was merged into another one, or split in two. */
type Moved = { into: ProducerBatch; shift: number } | { halves: [ProducerBatch, ProducerBatch]; half: number };

export class ProducerBatch {
  recordCount = 0;
  /** estimated encoded size: header plus upper bounds of the records (what capacity is checked against) */
  sizeBytes = BATCH_HEADER_SIZE;
  /** what its records hold of buffer.memory until it completes */
  reservedBytes = 0;
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
  /** the sender is done with it: succeeded, failed, or merged or split into other batches (its records are told on delivery) */
  completed = false;
  /** settles once its records were told the outcome (deliver()), or those of the batches it was merged or split into */
  readonly done: Promise<void>;
  private settle!: () => void;
  /** the batch being built: BATCH_HEADER_SIZE bytes for the header, then the records appended so far */
  private buf: Buffer = EMPTY;
  private end = BATCH_HEADER_SIZE;
  private baseTimestamp = 0;
  private maxTimestamp = 0;
  /** records whose outcome someone asked for (a callback, or an awaited handle) */
  private observers: PendingRecord[] = [];
  /** the base offset it was written at (-1: not known), or why it failed: set when the sender is done with it */
  private outcome: number | Error | undefined = undefined;
  /** the outcome, once delivered to its records */
  private result: number | Error | undefined = undefined;
  /** the log append time its write was stamped with (a LogAppendTime topic), -1 if none: its records' metadata timestamp then, as in Kafka */
  logAppendTime = -1;
  private moved: Moved | undefined = undefined;
  private readonly firstAllocation: number;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly createdAt: number,
    readonly deadline: number,
    /** batch.size (capped to what fits a request) */
    readonly capacity: number,
    /** its partition fills batches: allocate the capacity (up to BUSY_FIRST_ALLOCATION) with the first record */
    busy = false,
  ) {
    this.firstAllocation = busy ? Math.min(capacity, BUSY_FIRST_ALLOCATION) : FIRST_ALLOCATION;
    this.done = new Promise((resolve) => (this.settle = resolve));
  }

  /** Encodes a record into the batch unless the batch is non-empty and the record would overflow it. */
  tryAppend(record: PendingRecord): boolean {
    if (this.recordCount > 0 && this.sizeBytes + record.size > this.capacity) return false;
    const index = this.recordCount;
    const timestamp = record.timestamp;
    if (index === 0) this.baseTimestamp = this.maxTimestamp = timestamp;
    else if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    this.grow(this.end + record.size); // record.size bounds its encoding, whatever the deltas
    this.end = writeRecord(this.buf, this.end, record, index, timestamp - this.baseTimestamp);
    this.recordCount = index + 1;
    this.sizeBytes += record.size;
    this.reservedBytes += record.size;
    record.batch = this;
    record.index = index;
    record.dropPayload(); // encoded: the batch holds its bytes now
    if (record.observed) this.observers.push(record);
    return true;
  }

  /** bytes its buffer takes in memory (about twice its records' at most, past its first allocation) */
  get allocatedBytes(): number {
    return this.buf.length;
  }

  get full(): boolean {
    return this.sizeBytes >= this.capacity;
  }

  /** Encodes once; an unsent batch is re-encoded when its producer identity changed (only the header differs). */
  encode(compression: CompressionType, state: ProducerState | undefined): Buffer {
    const codec = COMPRESSION_CODECS.indexOf(compression);
    if (codec < 0) throw new FloeError('UNSUPPORTED_COMPRESSION_TYPE', `unknown compression type ${String(compression)}`);
    if (this.recordCount === 0) throw new FloeError('INVALID_RECORD', 'a record batch needs at least one record');
    this.state = state;
    let batch: Buffer;
    // The first encoding writes the header in place; a later one copies, leaving bytes already handed out as they were.
    if (codec === 0) batch = this.encoded === undefined ? this.buf.subarray(0, this.end) : Buffer.from(this.buf.subarray(0, this.end));
    else {
      const compressed = compress(compression, this.buf.subarray(BATCH_HEADER_SIZE, this.end));
      batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + compressed.length);
      batch.set(compressed, BATCH_HEADER_SIZE);
    }
    writeBatchHeader(batch, {
      baseOffset: 0,
      partitionLeaderEpoch: -1,
      attributes: codec,
      count: this.recordCount,
      baseTimestamp: this.baseTimestamp,
      maxTimestamp: this.maxTimestamp,
      producerId: state?.producerId ?? -1n,
      producerEpoch: state?.producerEpoch ?? -1,
      baseSequence: state?.baseSequence ?? -1,
    });
    this.encoded = batch;
    return batch;
  }

  /** Registers a record to be told the outcome (it is told at once if the batch already completed). */
  observe(record: PendingRecord): void {
    const [batch, at] = ProducerBatch.locate(this, record.index);
    record.batch = batch;
    record.index = at;
    const result = batch.result;
    if (result === undefined) batch.observers.push(record);
    else batch.tell(record, result);
  }

  /** The batch that holds (or held, when it completed) a record, following merges and splits. */
  static locate(batch: ProducerBatch, index: number): [ProducerBatch, number] {
    for (let moved = batch.moved; moved !== undefined; moved = batch.moved) {
      if ('into' in moved) {
        batch = moved.into;
        index += moved.shift;
      } else if (index < moved.half) batch = moved.halves[0];
      else {
        batch = moved.halves[1];
        index -= moved.half;
      }
    }
    return [batch, index];
  }

  /** Written at `baseOffset`: its records are told on deliver(). `logAppendTime`: the broker's, on a LogAppendTime topic (else -1). */
  succeed(baseOffset: number, logAppendTime = -1): void {
    if (!this.completed) this.logAppendTime = logAppendTime;
    this.decide(baseOffset);
  }

  /** Failed for good: its records are told on deliver(). */
  fail(error: Error): void {
    this.decide(error);
  }

  /** Tells its records the outcome, in send order; the accumulator calls it once every earlier batch of the partition was delivered. */
  deliver(): void {
    const result = this.outcome;
    if (result === undefined || this.result !== undefined) return;
    this.result = result;
    const observers = this.observers;
    this.observers = [];
    // Handles awaited only after later ones were appended joined the list late.
    if (!inIndexOrder(observers)) observers.sort((a, b) => a.index - b.index);
    for (let i = 0; i < observers.length; i++) this.tell(observers[i] as PendingRecord, result);
    this.settle();
  }

  /**
   * Takes over the records of the unsent batches queued behind this one (a partition with a
   * backlog sends one larger batch instead of waiting a round trip per batch.size).
   */
  absorb(nexts: readonly ProducerBatch[]): void {
    let room = this.end;
    for (const next of nexts) room += next.end - BATCH_HEADER_SIZE + next.recordCount * MAX_REBASE_GROWTH;
    this.grow(room);
    for (const next of nexts) {
      const shift = this.recordCount;
      const copied = rebaseRecords(next.buf, BATCH_HEADER_SIZE, next.recordCount, this.buf, this.end, shift, next.baseTimestamp - this.baseTimestamp);
      this.end = copied.end;
      this.recordCount += next.recordCount;
      this.maxTimestamp = Math.max(this.maxTimestamp, this.baseTimestamp + copied.maxTimestampDelta);
      this.sizeBytes += next.sizeBytes - BATCH_HEADER_SIZE;
      this.reservedBytes += next.reservedBytes;
      for (const record of next.observers) {
        record.batch = this;
        record.index += shift;
        this.observers.push(record);
      }
      next.hand({ into: this, shift });
      void this.done.then(() => next.settle());
    }
  }

  /** Splits a multi-record batch in two halves (after MESSAGE_TOO_LARGE), as Kafka does: the halves are
   * unsent and keep the original's creation time, so delivery.timeout.ms still counts from send(). */
  split(): [ProducerBatch, ProducerBatch] {
    const half = Math.ceil(this.recordCount / 2);
    const cut = skipRecords(this.buf, BATCH_HEADER_SIZE, half);
    // buffer.memory is released per batch: share this one's reservation in proportion to the bytes.
    const firstReserved = Math.round((this.reservedBytes * (cut - BATCH_HEADER_SIZE)) / (this.end - BATCH_HEADER_SIZE));
    const halves: [ProducerBatch, ProducerBatch] = [
      this.part(0, BATCH_HEADER_SIZE, cut, half, 0, firstReserved),
      this.part(1, cut, this.end, this.recordCount - half, -half, this.reservedBytes - firstReserved),
    ];
    for (const record of this.observers) {
      const second = record.index >= half;
      record.batch = halves[second ? 1 : 0];
      if (second) record.index -= half;
      record.batch.observers.push(record);
    }
    this.hand({ halves, half });
    void Promise.all(halves.map((p) => p.done)).then(() => this.settle());
    return halves;
  }

  private part(i: number, start: number, end: number, count: number, offsetShift: number, reserved: number): ProducerBatch {
    const part = new ProducerBatch(this.topic, this.partition, this.createdAt, this.deadline, Math.max(BATCH_HEADER_SIZE, Math.floor(this.capacity / 2)));
    part.mergeable = false;
    part.orderStep = this.orderStep / 2;
    part.order = this.order + i * part.orderStep;
    part.grow(BATCH_HEADER_SIZE + (end - start) + count * MAX_REBASE_GROWTH);
    // Each half's timestamps count from its own first record, as a batch of its own would.
    const first = timestampDeltaAt(this.buf, start);
    const copied = rebaseRecords(this.buf, start, count, part.buf, BATCH_HEADER_SIZE, offsetShift, -first);
    part.end = copied.end;
    part.recordCount = count;
    part.baseTimestamp = this.baseTimestamp + first;
    part.maxTimestamp = part.baseTimestamp + copied.maxTimestampDelta;
    part.reservedBytes = reserved;
    part.sizeBytes = BATCH_HEADER_SIZE + reserved;
    return part;
  }

  /** Its records now live in other batches: it completes with them and keeps no bytes. */
  private hand(moved: Moved): void {
    this.moved = moved;
    this.observers = [];
    this.buf = EMPTY;
    this.encoded = undefined;
    this.completed = true;
  }

  private decide(outcome: number | Error): void {
    if (this.completed) return;
    this.completed = true;
    this.outcome = outcome;
    this.buf = EMPTY; // handles kept by the caller keep the batch, not its bytes
    this.encoded = undefined;
  }

  private tell(record: PendingRecord, result: number | Error): void {
    if (typeof result === 'number') record.succeed(this.partition, result < 0 ? -1 : result + record.index);
    else record.fail(result);
  }

  /** Makes room for `bytes` in the buffer (the header included), doubling up to the capacity. */
  private grow(bytes: number): void {
    if (bytes <= this.buf.length) return;
    const size = Math.max(bytes, Math.min(Math.max(this.buf.length * 2, this.firstAllocation), this.capacity));
    const buf = Buffer.allocUnsafe(size);
    this.buf.copy(buf, 0, 0, this.end);
    this.buf = buf;
  }
}

function inIndexOrder(records: readonly PendingRecord[]): boolean {
  for (let i = 1; i < records.length; i++) if ((records[i] as PendingRecord).index < (records[i - 1] as PendingRecord).index) return false;
  return true;
}
