/** Floe's fetch request and answer, shared by the SDK and the fetch handler (binary framing: ../http/fetch-response.ts). */
import type { ErrorCode } from '../errors.js';

export interface FetchPartitionRequest {
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
}

export interface FetchTopicRequest {
  topic: string;
  partitions: FetchPartitionRequest[];
}

export interface FetchRequest {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  topics: FetchTopicRequest[];
}

export interface FetchPartitionResult {
  partition: number;
  errorCode: ErrorCode;
  errorMessage?: string;
  highWatermark: number;
  logStartOffset: number;
  /** concatenated RecordBatch v2 bytes with offsets patched */
  records: Buffer;
}

export interface FetchTopicResult {
  topic: string;
  partitions: FetchPartitionResult[];
}
