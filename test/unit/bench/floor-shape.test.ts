import { describe, expect, it } from 'vitest';
import { floorShape } from '../../../bench/lib/floor-shape.js';
import { API_LIMITS } from '../../../packages/protocol/src/limits.js';
import { encodeRecordBatch } from '../../../packages/protocol/src/records/record-batch.js';

const encoded = (records: number, valueBytes: number) =>
  encodeRecordBatch({ records: Array.from({ length: records }, () => ({ key: null, value: Buffer.alloc(valueBytes, 'x') })), producerId: 7n, producerEpoch: 0, baseSequence: 0 }).length;

describe('producer bench floor shape', () => {
  it('keeps the producer round shape when it fits', () => {
    // Prepare: 100 requests of 4 batches of 50 records
    const producer = { requests: 100, batches: 400, records: 20_000 };

    // Act
    const shape = floorShape(producer, 100);

    // Assess
    expect(shape).toEqual({ batchesPerRequest: 4, recordsPerBatch: 50 });
  });

  it('never builds a batch over max.message.bytes, even when the averages round up past it', () => {
    // Prepare: the shape of the failed run, 1 KiB records whose average batch rounds to 1,031 records
    const producer = { requests: 10, batches: 10, records: 10_310 };

    // Act
    const shape = floorShape(producer, 1024);

    // Assess: the batch fits exactly, one more record would not
    expect(encoded(shape.recordsPerBatch, 1024)).toBeLessThanOrEqual(API_LIMITS.defaultMaxMessageBytes);
    expect(encoded(shape.recordsPerBatch + 1, 1024)).toBeGreaterThan(API_LIMITS.defaultMaxMessageBytes);
  });

  it('never builds a request over the request limit', () => {
    // Prepare: 8 full batches per request asked for
    const producer = { requests: 10, batches: 80, records: 80 * 1000 };

    // Act
    const shape = floorShape(producer, 1024);

    // Assess
    expect(shape.batchesPerRequest * encoded(shape.recordsPerBatch, 1024)).toBeLessThanOrEqual(API_LIMITS.maxProduceRequestBytes);
    expect(shape.batchesPerRequest).toBeGreaterThanOrEqual(1);
    expect(shape.batchesPerRequest).toBeLessThan(8);
  });
});
