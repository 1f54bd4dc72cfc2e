/** Public types of the Consumer (Kafka's ConsumerRecord, OffsetAndMetadata, ConsumerRebalanceListener). */
import type { RecordHeader, TopicPartition } from '@floe/protocol';

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

export type CommitCallback = (error: Error | undefined, offsets: TopicPartitionOffset[]) => void;
