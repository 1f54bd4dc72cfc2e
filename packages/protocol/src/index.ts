/**
 * @floe/protocol: what the SDK, the handlers and the Kafka gateway share — the error table,
 * Kafka's RecordBatch v2 codec and compression, Floe's HTTP API request/response shapes and
 * binary framing, topic-partition keys, group epochs and limits, and small async helpers.
 * It depends on no server-side package.
 */
export * from './errors.js';
export * from './retry.js';
export * from './async.js';
export * from './limits.js';
export * from './records/record-batch.js';
export * from './records/record-builder.js';
export * from './records/batch-header.js';
export * from './records/varint.js';
export * from './records/crc32c.js';
export * from './records/compression.js';
export * from './records/validate-records.js';
export * from './records/retain-records.js';
export * from './records/read-fetched.js';
export * from './api/topic-partition.js';
export * from './api/produce.js';
export * from './api/fetch.js';
export * from './api/groups.js';
export * from './api/acls.js';
export * from './http/wire-reader.js';
export * from './http/produce-request.js';
export * from './http/fetch-response.js';
export * from './partitioning/murmur2.js';
