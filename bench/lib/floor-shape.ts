/**
 * The raw-handler floor of the producer bench replays the producer round's request shape
 * (batches per request, records per batch). Averages rounded up can exceed what the handler
 * accepts (a run under load once built a 1,055,711-byte batch against max.message.bytes
 * 1,048,588), so the shape is capped by the encoded sizes themselves.
 */
import { API_LIMITS } from '../../packages/protocol/src/limits.js';
import { encodeRecordBatch } from '../../packages/protocol/src/records/record-batch.js';

export interface FloorShape {
  batchesPerRequest: number;
  recordsPerBatch: number;
}

/** Request bytes beyond the batches (framing, topic and partition fields): a generous allowance. */
const REQUEST_OVERHEAD_BYTES = 64 * 1024;

const batchBytes = (records: number, valueBytes: number): number =>
  encodeRecordBatch({ records: Array.from({ length: records }, () => ({ key: null, value: Buffer.alloc(valueBytes, 'x') })), producerId: 1n, producerEpoch: 0, baseSequence: 0 }).length;

export function floorShape(
  producer: { requests: number; batches: number; records: number },
  valueBytes: number,
  limits: { maxMessageBytes: number; maxRequestBytes: number } = { maxMessageBytes: API_LIMITS.defaultMaxMessageBytes, maxRequestBytes: API_LIMITS.maxProduceRequestBytes },
): FloorShape {
  // Measured, not estimated: a record's varint fields grow with its offset delta.
  let recordsPerBatch = Math.max(1, Math.round(producer.records / Math.max(1, producer.batches)));
  let bytesPerBatch = batchBytes(recordsPerBatch, valueBytes);
  while (recordsPerBatch > 1 && bytesPerBatch > limits.maxMessageBytes) {
    recordsPerBatch = Math.max(1, Math.min(recordsPerBatch - 1, Math.floor((recordsPerBatch * limits.maxMessageBytes) / bytesPerBatch)));
    bytesPerBatch = batchBytes(recordsPerBatch, valueBytes);
  }
  const fitBatches = Math.max(1, Math.floor((limits.maxRequestBytes - REQUEST_OVERHEAD_BYTES) / bytesPerBatch));
  const batchesPerRequest = Math.min(fitBatches, Math.max(1, Math.round(producer.batches / Math.max(1, producer.requests))));
  return { batchesPerRequest, recordsPerBatch };
}
