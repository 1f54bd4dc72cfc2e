/** Public types of the Consumer (Kafka's ConsumerRecord, OffsetAndMetadata, ConsumerRebalanceListener). */
import { FloeError, type RecordHeader, type TopicPartition } from '@floe/protocol';

export type { RecordHeader, TopicPartition };

export interface ConsumerRecord<K, V> {
  topic: string;
  partition: number;
  offset: number;
  key: K;
  value: V;
  headers: RecordHeader[];
  /** ms since the epoch (CreateTime, or LogAppendTime if the batch says so) */
  timestamp: number;
}

export interface OffsetAndMetadata {
  offset: number;
  metadata?: string;
}

export interface TopicPartitionOffset extends TopicPartition, OffsetAndMetadata {}

/**
 * Called from inside poll() (and close()), like Kafka's listener. Revoked: the
 * partitions are about to go to another member - commit what you processed.
 * Lost: they were already taken (session expired, fenced) - commits will fail.
 * A listener without onPartitionsLost gets onPartitionsRevoked instead, as in Kafka.
 */
export interface ConsumerRebalanceListener {
  onPartitionsRevoked?(partitions: TopicPartition[]): void | Promise<void>;
  onPartitionsAssigned?(partitions: TopicPartition[]): void | Promise<void>;
  onPartitionsLost?(partitions: TopicPartition[]): void | Promise<void>;
}

export interface PartitionLag extends TopicPartition {
  /** log end offset minus position; undefined until a fetch has seen the partition */
  lag: number | undefined;
}

/**
 * Node's error-first order, (error, offsets): unlike Kafka's OffsetCommitCallback.onComplete(offsets,
 * exception) and unlike SendCallback. The error carries `code` and `retriable`.
 */
export type CommitCallback = (error: FloeError | undefined, offsets: TopicPartitionOffset[]) => void;

/**
 * A stored batch of one partition cannot be read (Kafka's CorruptRecordException, code
 * CORRUPT_MESSAGE). poll() throws it once; the other partitions keep delivering, and this one
 * stays at `offset` until the application seeks (to `nextOffset` to skip the batch).
 */
export class CorruptRecordError extends FloeError {
  constructor(
    readonly topic: string,
    readonly partition: number,
    /** the position the partition is stopped at */
    readonly offset: number,
    /** the offset after the bad batch, as its header claims (undefined when the header is unreadable) */
    readonly nextOffset: number | undefined,
    detail: string,
  ) {
    super(
      'CORRUPT_MESSAGE',
      `${topic}/${partition} cannot be read at offset ${offset}: ${detail}; the partition is stopped there (other partitions continue)${nextOffset === undefined ? '' : `; seek to ${nextOffset} to skip the batch`}`,
    );
    this.name = 'CorruptRecordError';
  }
}
