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

export interface ProducePartitionResult {
  partition: number;
  errorCode: ErrorCode;
  errorMessage?: string;
  baseOffset: number;
  logAppendTime: number;
  logStartOffset: number;
}

export interface ProduceTopicResult {
  topic: string;
  partitions: ProducePartitionResult[];
}
