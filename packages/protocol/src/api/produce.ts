/** Floe's produce request and answer, as the SDK sends them and the produce handler reads them (binary framing: ../http/produce-request.ts). */
import type { ErrorCode } from '../errors.js';

export interface ProducePartitionRequest {
  partition: number;
  /** exactly one RecordBatch v2 */
  records: Buffer;
}

export interface ProduceTopicRequest {
  topic: string;
  partitions: ProducePartitionRequest[];
}

export interface ProduceRequest {
  acks: number;
  timeoutMs: number;
  topics: ProduceTopicRequest[];
}

/** Kafka's per-record error of a refused batch (Produce v8+ record_errors): the record's index in its batch, and why. */
export interface ProduceRecordError {
  batchIndex: number;
  message: string;
}

export interface ProducePartitionResult {
  partition: number;
  errorCode: ErrorCode;
  errorMessage?: string;
  /** the records that made the batch be refused (INVALID_TIMESTAMP, a compacted topic's keyless records' INVALID_RECORD), when known; absent otherwise */
  recordErrors?: ProduceRecordError[];
  baseOffset: number;
  logAppendTime: number;
  logStartOffset: number;
}

export interface ProduceTopicResult {
  topic: string;
  partitions: ProducePartitionResult[];
}
