/**
 * Kafka RecordBatch v2 header: read, validate and patch without decoding records.
 *
 *   offset size field
 *   0      8    baseOffset            (outside the CRC: brokers patch it; Floe stores 0)
 *   8      4    batchLength           (bytes after this field; whole batch = 12 + batchLength)
 *   12     4    partitionLeaderEpoch  (outside the CRC)
 *   16     1    magic                 (2)
 *   17     4    crc                   (CRC-32C of bytes 21..end)
 *   21     2    attributes            (bits 0-2 compression, 3 timestamp type, 4 transactional, 5 control)
 *   23     4    lastOffsetDelta
 *   27     8    baseTimestamp
 *   35     8    maxTimestamp
 *   43     8    producerId
 *   51     2    producerEpoch
 *   53     4    baseSequence
 *   57     4    recordCount
 *   61     ...  records (compressed as a whole when compression != 0)
 * All integers big-endian.
 */
import { crc32c } from './crc32c.js';
import { FloeError } from '../errors.js';

export const BATCH_HEADER_SIZE = 61;
export const LENGTH_FIELD_END = 12;
export const CRC_OFFSET = 17;
export const CRC_START = 21;
export const MAGIC_V2 = 2;

export const COMPRESSION_CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type CompressionType = (typeof COMPRESSION_CODECS)[number];

export const ATTRIBUTE = {
  compressionMask: 0x07,
  logAppendTime: 0x08,
  transactional: 0x10,
  control: 0x20,
} as const;

export interface BatchHeader {
  baseOffset: number;
  /** Whole batch size in bytes (12 + the batchLength field). */
  size: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  compression: CompressionType;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  /** int64: -1 when not idempotent; Floe issues random 63-bit ids, beyond JavaScript's safe integers */
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export function readBatchHeader(buf: Buffer, pos = 0): BatchHeader {
  if (buf.length - pos < BATCH_HEADER_SIZE) {
    throw new FloeError('CORRUPT_MESSAGE', `record batch shorter than its ${BATCH_HEADER_SIZE}-byte header`);
  }
  const attributes = buf.readInt16BE(pos + 21);
  const codec = COMPRESSION_CODECS[attributes & ATTRIBUTE.compressionMask];
  if (codec === undefined) {
    throw new FloeError('UNSUPPORTED_COMPRESSION_TYPE', `unknown compression codec ${attributes & 7}`);
  }
  return {
    baseOffset: Number(buf.readBigInt64BE(pos)),
    size: LENGTH_FIELD_END + buf.readInt32BE(pos + 8),
    partitionLeaderEpoch: buf.readInt32BE(pos + 12),
    magic: buf.readInt8(pos + 16),
    crc: buf.readUInt32BE(pos + CRC_OFFSET),
    attributes,
    compression: codec,
    lastOffsetDelta: buf.readInt32BE(pos + 23),
    baseTimestamp: Number(buf.readBigInt64BE(pos + 27)),
    maxTimestamp: Number(buf.readBigInt64BE(pos + 35)),
    producerId: buf.readBigInt64BE(pos + 43),
    producerEpoch: buf.readInt16BE(pos + 51),
    baseSequence: buf.readInt32BE(pos + 53),
    recordCount: buf.readInt32BE(pos + 57),
  };
}

export function batchCrc(batch: Buffer): number {
  return crc32c(batch.subarray(CRC_START));
}

/**
 * Checks one complete RecordBatch v2 occupying all of `batch`: framing, magic,
 * CRC, record count. Records are not decoded (stored bytes are the client's bytes).
 */
export function validateBatch(batch: Buffer): BatchHeader {
  const header = readBatchHeader(batch);
  if (header.magic !== MAGIC_V2) {
    throw new FloeError('UNSUPPORTED_FOR_MESSAGE_FORMAT', `record batch magic ${header.magic}; only v2 (magic 2) is accepted`);
  }
  if (header.size !== batch.length) {
    throw new FloeError(
      'CORRUPT_MESSAGE',
      `record batch length field says ${header.size} bytes but ${batch.length} were sent (exactly one batch per partition)`,
    );
  }
  const crc = batchCrc(batch);
  if (crc !== header.crc) {
    throw new FloeError('CORRUPT_MESSAGE', `record batch CRC mismatch: header ${header.crc}, computed ${crc}`);
  }
  if (header.recordCount <= 0 || header.lastOffsetDelta !== header.recordCount - 1) {
    throw new FloeError(
      'INVALID_RECORD',
      `record batch has ${header.recordCount} records and lastOffsetDelta ${header.lastOffsetDelta}`,
    );
  }
  if (header.attributes & ATTRIBUTE.control || header.attributes & ATTRIBUTE.transactional) {
    throw new FloeError('INVALID_RECORD', 'transactional and control batches are not supported');
  }
  return header;
}

/** Writes baseOffset into a batch in place (the field lies outside the CRC). */
export function patchBaseOffset(buf: Buffer, pos: number, baseOffset: number): void {
  buf.writeBigInt64BE(BigInt(baseOffset), pos);
}

const ATTRIBUTES_OFFSET = 21;
const MAX_TIMESTAMP_OFFSET = 35;

/**
 * Kafka's MutableRecordBatch.setMaxTimestamp on the `batch` (exactly one batch), in place: sets
 * the timestamp-type bit and maxTimestamp and recomputes the CRC, unless both already hold (the
 * bytes are then left alone). The records are not touched: under LogAppendTime every record
 * reads as maxTimestamp, whatever its own delta says.
 */
export function setMaxTimestamp(batch: Buffer, logAppendTime: boolean, maxTimestamp: number): void {
  const attributes = batch.readInt16BE(ATTRIBUTES_OFFSET);
  const next = logAppendTime ? attributes | ATTRIBUTE.logAppendTime : attributes & ~ATTRIBUTE.logAppendTime;
  if (next === attributes && Number(batch.readBigInt64BE(MAX_TIMESTAMP_OFFSET)) === maxTimestamp) return;
  batch.writeInt16BE(next, ATTRIBUTES_OFFSET);
  batch.writeBigInt64BE(BigInt(maxTimestamp), MAX_TIMESTAMP_OFFSET);
  batch.writeUInt32BE(batchCrc(batch), CRC_OFFSET);
}

/** Splits concatenated batches (as stored or fetched) into [start, end) ranges; a trailing partial batch is dropped. */
export function splitBatches(buf: Buffer): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  let pos = 0;
  while (buf.length - pos >= LENGTH_FIELD_END) {
    const size = LENGTH_FIELD_END + buf.readInt32BE(pos + 8);
    if (size < BATCH_HEADER_SIZE || pos + size > buf.length) break;
    out.push({ start: pos, end: pos + size });
    pos += size;
  }
  return out;
}
