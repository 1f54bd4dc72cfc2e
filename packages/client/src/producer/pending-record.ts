/**
 * A record between send() and its outcome: the fields the batch encoder reads, and the
 * handle send() returns. Like the Future of Kafka's producer, the handle is not a promise
 * of its own: the Promise behind it is made only when someone awaits it or calls
 * then/catch/finally. Once appended, the record is bytes in its batch (batch.ts) and the
 * handle only knows where: the batch keeps the handles someone observes (a callback, an
 * awaited handle), not the others. A fire-and-forget send() thus leaves no object per
 * record alive until its batch completes; with 100-byte records the garbage collector's
 * work for those objects was about a third of the producer's CPU (bench/producer.ts).
 */
import type { FloeError, ProducedRecord, RecordHeader } from '@floe/protocol';
import { toFloeError } from './classify.js';
import type { ProducerBatch } from './batch.js';

export interface RecordMetadata {
  topic: string;
  partition: number;
  /** -1 when not known (acks=0, or a duplicate whose original offset the server no longer finds) */
  offset: number;
  /** the record's timestamp; on a LogAppendTime topic, the time the log appended it (Kafka's) */
  timestamp: number;
  /** -1 for a null key */
  serializedKeySize: number;
  /** -1 for a null value */
  serializedValueSize: number;
}

/** Kafka's Callback.onCompletion(metadata, exception): exactly one of the two is set; the error carries `code` and `retriable`. */
export type SendCallback = (metadata: RecordMetadata | undefined, error: FloeError | undefined) => void;

/** The promise behind a handle, once someone asked for it, and how to settle it. */
interface Deferred {
  promise: Promise<RecordMetadata>;
  resolve: (metadata: RecordMetadata) => void;
  reject: (error: Error) => void;
}

export class PendingRecord implements ProducedRecord, Promise<RecordMetadata> {
  key: Buffer | null = null;
  value: Buffer | null = null;
  headers: RecordHeader[] | undefined = undefined;
  timestamp = 0;
  /** upper bound of the encoded record: what it holds of buffer.memory until it completes */
  size = 0;
  /** the partition asked for on the record, if any; once acknowledged, the partition it went to */
  partition: number | undefined = undefined;
  /** when send() was called (max.block.ms counts from here) */
  sentAt = 0;
  /** the batch it was appended to and its index there (a merge or split moves it: ProducerBatch.locate) */
  batch: ProducerBatch | undefined = undefined;
  index = 0;
  /** serialized sizes, -1 for null, kept for the metadata once key and value are encoded */
  private keySize = -1;
  private valueSize = -1;
  /** the offset it was written at (-1: not known), or why it failed; undefined until then */
  private outcome: number | Error | undefined = undefined;
  /** the send callback, then (or instead) the promise made on first use: fields are few, for there is one object per record */
  private observer: SendCallback | Deferred | undefined = undefined;

  constructor(readonly topic: string) {}

  /** Told the outcome once, in a later microtask (never inside the sender's own bookkeeping). Set before the record is appended (send() does). */
  set callback(callback: SendCallback | undefined) {
    this.observer = callback;
  }

  /** Whether its batch must tell it the outcome. */
  get observed(): boolean {
    return this.observer !== undefined;
  }

  /** Its batch encoded it: only the sizes of key and value are kept. */
  dropPayload(): void {
    this.keySize = this.key === null ? -1 : this.key.length;
    this.valueSize = this.value === null ? -1 : this.value.length;
    this.key = null;
    this.value = null;
    this.headers = undefined;
  }

  get [Symbol.toStringTag](): string {
    return 'PendingRecord';
  }

  then<T1 = RecordMetadata, T2 = never>(
    onFulfilled?: ((metadata: RecordMetadata) => T1 | PromiseLike<T1>) | null,
    onRejected?: ((reason: unknown) => T2 | PromiseLike<T2>) | null,
  ): Promise<T1 | T2> {
    return this.settled().then(onFulfilled, onRejected);
  }

  catch<T = never>(onRejected?: ((reason: unknown) => T | PromiseLike<T>) | null): Promise<RecordMetadata | T> {
    return this.settled().catch(onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<RecordMetadata> {
    return this.settled().finally(onFinally);
  }

  succeed(partition: number, offset: number): void {
    if (this.outcome !== undefined) return;
    this.partition = partition;
    this.outcome = offset;
    const observer = this.observer;
    if (observer === undefined) return; // the metadata object is made only for someone who asked for it
    const metadata = this.metadata(offset);
    if (typeof observer === 'function') {
      this.observer = undefined;
      queueMicrotask(() => invoke(observer, metadata, undefined));
    } else observer.resolve(metadata);
  }

  /** A failure nobody awaits is simply dropped, as an unchecked Future is in Kafka: it never crashes the process. */
  fail(error: Error): void {
    if (this.outcome !== undefined) return;
    this.outcome = error;
    const observer = this.observer;
    if (typeof observer === 'function') {
      this.observer = undefined;
      queueMicrotask(() => invoke(observer, undefined, error));
    } else observer?.reject(error);
  }

  private metadata(offset: number): RecordMetadata {
    // Kafka's RecordMetadata: the log append time when the topic stamps one, else the record's own.
    const appendTime = this.batch?.logAppendTime ?? -1;
    return {
      topic: this.topic,
      partition: this.partition ?? -1,
      offset,
      timestamp: appendTime >= 0 ? appendTime : this.timestamp,
      serializedKeySize: this.key === null ? this.keySize : this.key.length,
      serializedValueSize: this.value === null ? this.valueSize : this.value.length,
    };
  }

  /** The promise behind the handle, made on first use (a callback set before it is still told). */
  private settled(): Promise<RecordMetadata> {
    const observer = this.observer;
    if (observer !== undefined && typeof observer !== 'function') return observer.promise;
    const outcome = this.outcome;
    if (outcome !== undefined) {
      const promise = outcome instanceof Error ? Promise.reject(outcome) : Promise.resolve(this.metadata(outcome));
      this.observer = { promise, resolve: ignore, reject: ignore };
      return promise;
    }
    let resolve: Deferred['resolve'] = ignore;
    let reject: Deferred['reject'] = ignore;
    const promise = new Promise<RecordMetadata>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    if (typeof observer === 'function') {
      // Both asked for the outcome: the callback is told from the promise.
      promise.then(
        (metadata) => invoke(observer, metadata, undefined),
        (error: Error) => invoke(observer, undefined, error),
      );
    }
    this.observer = { promise, resolve, reject };
    // Appended and not observed until now: its batch (or the one it moved to) tells it, at once if done.
    if (observer === undefined) this.batch?.observe(this);
    return promise;
  }
}

const ignore = (): void => undefined;

function invoke(callback: SendCallback, metadata: RecordMetadata | undefined, error: Error | undefined): void {
  try {
    callback(metadata, error === undefined ? undefined : toFloeError(error));
  } catch (thrown) {
    // Kafka logs and carries on when a user callback throws.
    process.emitWarning(`producer send callback threw: ${(thrown as Error)?.message ?? String(thrown)}`);
  }
}
