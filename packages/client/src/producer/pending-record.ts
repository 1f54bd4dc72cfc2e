/**
 * A record between send() and its outcome: the fields the batch encoder reads, and the
 * promise send() returned. One object per record (the producer's hot path allocates little).
 */
import type { ProducedRecord, RecordHeader } from '@floe/protocol';

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

const ignore = (): void => undefined;

export class PendingRecord implements ProducedRecord {
  key: Buffer | null = null;
  value: Buffer | null = null;
  headers: RecordHeader[] | undefined = undefined;
  timestamp = 0;
  /** upper bound of the encoded record: what it holds of buffer.memory until it completes */
  size = 0;
  /** the partition asked for on the record, if any */
  partition: number | undefined = undefined;
  /** when send() was called (max.block.ms counts from here) */
  sentAt = 0;
  readonly promise: Promise<RecordMetadata>;
  private resolveFn!: (metadata: RecordMetadata) => void;
  private rejectFn!: (error: Error) => void;

  constructor(readonly topic: string) {
    this.promise = new Promise<RecordMetadata>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
  }

  succeed(partition: number, offset: number): void {
    this.resolveFn({
      topic: this.topic,
      partition,
      offset,
      timestamp: this.timestamp,
      serializedKeySize: this.key === null ? -1 : this.key.length,
      serializedValueSize: this.value === null ? -1 : this.value.length,
    });
  }

  fail(error: Error): void {
    // Handled from here on, so a caller who ignored the promise does not crash the process
    // (Kafka: an unchecked Future); callers who await it still see the error.
    this.promise.catch(ignore);
    this.rejectFn(error);
  }
}
