/**
 * Kafka RecordBatch v2 (magic 2): whole-batch encode and decode.
 * The 61-byte header is laid out in batch-header.ts; after it come `recordCount`
 * records, compressed together as one unit when attributes & 7 != 0:
 *
 *   record = length          varint   bytes after this field
 *            attributes      int8     unused, 0
 *            timestampDelta  varlong  timestamp - baseTimestamp
 *            offsetDelta     varint   offset - baseOffset
 *            keyLength       varint   -1 = null key
 *            key             bytes
 *            valueLength     varint   -1 = null value
 *            value           bytes
 *            headerCount     varint
 *            headers         headerCount x [keyLength varint, key UTF-8, valueLength varint (-1 = null), value]
 *   varints are zigzag LEB128 (varint.ts).
 *
 * Encoding sizes every record first and writes into one buffer; decoding returns
 * keys and values as views into the input (or into the decompressed records).
 */
import {
  ATTRIBUTE,
  BATCH_HEADER_SIZE,
  COMPRESSION_CODECS,
  CRC_OFFSET,
  LENGTH_FIELD_END,
  MAGIC_V2,
  batchCrc,
  readBatchHeader,
  type BatchHeader,
  type CompressionType,
} from './batch-header.js';
import { compress, decompress } from './compression.js';
import { readVarint, readVarlong, sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong, type Cursor } from './varint.js';
import { FloeError } from '../errors.js';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface ProducedRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[] | undefined;
  timestamp?: number | undefined;
}

export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface EncodeBatchOptions {
  /** At least one. */
  records: ProducedRecord[];
  /** Default 0 (Floe stores 0 and patches it on read). */
  baseOffset?: number;
  /** Default 'none'. */
  compression?: CompressionType;
  /** Default -1 (not idempotent). An int64: a bigint, or a number within the safe integers. */
  producerId?: number | bigint;
  /** Default -1. */
  producerEpoch?: number;
  /** Default -1. */
  baseSequence?: number;
  /** Default -1. */
  partitionLeaderEpoch?: number;
  /** Sets the timestamp-type bit (LogAppendTime); default false (CreateTime). */
  logAppendTime?: boolean;
  /** Timestamp for records without one; default Date.now(). */
  now?: number;
}

export interface DecodedBatch {
  header: BatchHeader;
  records: DecodedRecord[];
  /** bytes of the records section, decompressed */
  recordBytes: number;
}

/** Smallest possible record body: attributes, timestampDelta, offsetDelta, key, value, headerCount. */
const MIN_RECORD_BODY = 6;
const TWO_POW_32 = 4294967296;

// --- encode -----------------------------------------------------------------

/** Per-record body sizes, reused across calls (encoding is synchronous). */
let bodySizes = new Int32Array(1024);

export function encodeRecordBatch(options: EncodeBatchOptions): Buffer {
  const records = options.records;
  const count = records.length;
  if (count === 0) throw new FloeError('INVALID_RECORD', 'a record batch needs at least one record');
  const compression = options.compression ?? 'none';
  const codec = COMPRESSION_CODECS.indexOf(compression);
  if (codec < 0) throw new FloeError('UNSUPPORTED_COMPRESSION_TYPE', `unknown compression type ${String(compression)}`);
  const baseOffset = checkInteger('baseOffset', options.baseOffset ?? 0, -Number.MAX_SAFE_INTEGER);
  const producerId = checkInt64('producerId', options.producerId ?? -1);
  const producerEpoch = checkInteger('producerEpoch', options.producerEpoch ?? -1, -0x8000, 0x7fff);
  const baseSequence = checkInteger('baseSequence', options.baseSequence ?? -1, -0x80000000, 0x7fffffff);
  const leaderEpoch = checkInteger('partitionLeaderEpoch', options.partitionLeaderEpoch ?? -1, -0x80000000, 0x7fffffff);
  const now = options.now ?? Date.now();

  let baseTimestamp = Infinity;
  let maxTimestamp = -Infinity;
  for (let i = 0; i < count; i++) {
    const ts = (records[i] as ProducedRecord).timestamp ?? now;
    if (!(ts >= 0 && Number.isSafeInteger(ts))) {
      throw new FloeError('INVALID_TIMESTAMP', `invalid timestamp ${ts}: timestamps are non-negative integers (ms)`);
    }
    if (ts < baseTimestamp) baseTimestamp = ts;
    if (ts > maxTimestamp) maxTimestamp = ts;
  }

  if (bodySizes.length < count) bodySizes = new Int32Array(Math.max(count, bodySizes.length * 2));
  const sizes = bodySizes;
  let recordsSize = 0;
  for (let i = 0; i < count; i++) {
    const record = records[i] as ProducedRecord;
    const body =
      1 +
      sizeOfVarlong((record.timestamp ?? now) - baseTimestamp) +
      sizeOfVarint(i) +
      sizeOfBytes(record.key) +
      sizeOfBytes(record.value) +
      sizeOfHeaders(record.headers);
    sizes[i] = body;
    recordsSize += sizeOfVarint(body) + body;
  }
  if (recordsSize > 0x7fffffff - BATCH_HEADER_SIZE) {
    throw new FloeError('RECORD_LIST_TOO_LARGE', `records need ${recordsSize} bytes, more than a batch can hold`);
  }

  let batch: Buffer;
  if (codec === 0) {
    batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + recordsSize);
    writeRecords(batch, BATCH_HEADER_SIZE, records, sizes, baseTimestamp, now);
  } else {
    const raw = Buffer.allocUnsafe(recordsSize);
    writeRecords(raw, 0, records, sizes, baseTimestamp, now);
    const compressed = compress(compression, raw);
    batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + compressed.length);
    batch.set(compressed, BATCH_HEADER_SIZE);
  }

  writeBatchHeader(batch, {
    baseOffset,
    partitionLeaderEpoch: leaderEpoch,
    attributes: codec | (options.logAppendTime ? ATTRIBUTE.logAppendTime : 0),
    count,
    baseTimestamp,
    maxTimestamp,
    producerId,
    producerEpoch,
    baseSequence,
  });
  return batch;
}

/** The header fields of a batch whose records section is already in place after byte 61. */
export interface BatchHeaderFields {
  baseOffset: number;
  partitionLeaderEpoch: number;
  /** compression codec and flag bits (batch-header.ts) */
  attributes: number;
  count: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
}

/** Writes the 61-byte header of `batch` (the whole buffer is the batch) and, last, its CRC-32C. */
export function writeBatchHeader(batch: Buffer, fields: BatchHeaderFields): void {
  writeInt64(batch, 0, fields.baseOffset);
  batch.writeInt32BE(batch.length - LENGTH_FIELD_END, 8);
  batch.writeInt32BE(fields.partitionLeaderEpoch, 12);
  batch[16] = MAGIC_V2;
  batch.writeInt16BE(fields.attributes, 21);
  batch.writeInt32BE(fields.count - 1, 23);
  writeInt64(batch, 27, fields.baseTimestamp);
  writeInt64(batch, 35, fields.maxTimestamp);
  batch.writeBigInt64BE(fields.producerId, 43);
  batch.writeInt16BE(fields.producerEpoch, 51);
  batch.writeInt32BE(fields.baseSequence, 53);
  batch.writeInt32BE(fields.count, 57);
  batch.writeUInt32BE(batchCrc(batch), CRC_OFFSET);
}

/**
 * Writes one record at `pos` with the given deltas (a batch built a record at a time, as the
 * producer's accumulator does); returns the position after it. The caller leaves room for
 * estimateRecordSize(record) bytes, an upper bound whatever the deltas.
 */
export function writeRecord(buf: Buffer, pos: number, record: ProducedRecord, offsetDelta: number, timestampDelta: number): number {
  const body =
    1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta) + sizeOfBytes(record.key) + sizeOfBytes(record.value) + sizeOfHeaders(record.headers);
  pos = writeVarint(buf, pos, body);
  buf[pos++] = 0; // record attributes: unused
  pos = writeVarlong(buf, pos, timestampDelta);
  pos = writeVarint(buf, pos, offsetDelta);
  pos = writeBytes(buf, pos, record.key);
  pos = writeBytes(buf, pos, record.value);
  return writeHeaders(buf, pos, record.headers);
}

/** Upper bound of one record's encoded bytes, whatever its offset and timestamp deltas turn out to be. */
export function estimateRecordSize(record: ProducedRecord): number {
  // 1 attributes + 10 (widest varlong timestamp delta) + 5 (widest varint offset delta)
  const body = 16 + sizeOfBytes(record.key) + sizeOfBytes(record.value) + sizeOfHeaders(record.headers);
  return sizeOfVarint(body) + body;
}

function writeRecords(
  buf: Buffer,
  start: number,
  records: ProducedRecord[],
  sizes: Int32Array,
  baseTimestamp: number,
  now: number,
): void {
  let pos = start;
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as ProducedRecord;
    pos = writeVarint(buf, pos, sizes[i] as number);
    buf[pos++] = 0; // record attributes: unused
    pos = writeVarlong(buf, pos, (record.timestamp ?? now) - baseTimestamp);
    pos = writeVarint(buf, pos, i);
    pos = writeBytes(buf, pos, record.key);
    pos = writeBytes(buf, pos, record.value);
    pos = writeHeaders(buf, pos, record.headers);
  }
}

function writeHeaders(buf: Buffer, pos: number, headers: RecordHeader[] | undefined): number {
  if (headers === undefined || headers === null) {
    buf[pos] = 0;
    return pos + 1;
  }
  pos = writeVarint(buf, pos, headers.length);
  for (let h = 0; h < headers.length; h++) {
    const header = headers[h] as RecordHeader;
    pos = writeString(buf, pos, header.key);
    pos = writeBytes(buf, pos, header.value);
  }
  return pos;
}

function sizeOfBytes(bytes: Uint8Array | null | undefined): number {
  if (bytes === null || bytes === undefined) return 1;
  if (!(bytes instanceof Uint8Array)) throw new FloeError('INVALID_RECORD', 'record keys and values must be Buffers or null');
  return sizeOfVarint(bytes.length) + bytes.length;
}

function sizeOfHeaders(headers: RecordHeader[] | undefined): number {
  if (headers === undefined || headers === null) return 1;
  let size = sizeOfVarint(headers.length);
  for (let h = 0; h < headers.length; h++) {
    const header = headers[h] as RecordHeader;
    if (typeof header.key !== 'string') throw new FloeError('INVALID_RECORD', 'record header keys must be strings');
    const keyLength = utf8Length(header.key);
    size += sizeOfVarint(keyLength) + keyLength + sizeOfBytes(header.value);
  }
  return size;
}

function writeBytes(buf: Buffer, pos: number, bytes: Uint8Array | null | undefined): number {
  if (bytes === null || bytes === undefined) {
    buf[pos] = 1; // zigzag(-1)
    return pos + 1;
  }
  pos = writeVarint(buf, pos, bytes.length);
  buf.set(bytes, pos);
  return pos + bytes.length;
}

/** Header keys are short and usually ASCII: a byte loop beats a call into C++. */
function utf8Length(s: string): number {
  const n = s.length;
  if (n > 64) return Buffer.byteLength(s, 'utf8');
  for (let i = 0; i < n; i++) {
    if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8');
  }
  return n;
}

function writeString(buf: Buffer, pos: number, s: string): number {
  const length = utf8Length(s);
  pos = writeVarint(buf, pos, length);
  if (length === s.length && length <= 64) {
    for (let i = 0; i < length; i++) buf[pos + i] = s.charCodeAt(i);
  } else {
    buf.write(s, pos, length, 'utf8');
  }
  return pos + length;
}

function writeInt64(buf: Buffer, pos: number, value: number): void {
  const high = Math.floor(value / TWO_POW_32);
  buf.writeInt32BE(high, pos);
  buf.writeUInt32BE(value - high * TWO_POW_32, pos + 4);
}

function checkInt64(name: string, value: number | bigint): bigint {
  if (typeof value === 'bigint') {
    if (value < -(2n ** 63n) || value >= 2n ** 63n) throw new FloeError('INVALID_RECORD', `${name} ${value} is not an int64`);
    return value;
  }
  return BigInt(checkInteger(name, value, -Number.MAX_SAFE_INTEGER));
}

function checkInteger(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new FloeError('INVALID_RECORD', `${name} ${value} is not an integer in [${min}, ${max}]`);
  }
  return value;
}

// --- decode -----------------------------------------------------------------

/**
 * Decodes exactly one batch occupying all of `batch`, checking framing and CRC first.
 * A compressed records section larger than `maxDecompressedBytes` is refused (CORRUPT_MESSAGE).
 */
export function decodeRecordBatch(batch: Buffer, maxDecompressedBytes?: number): DecodedBatch {
  return decodeAt(batch, 0, batch.length, maxDecompressedBytes);
}

/** Decodes concatenated batches (a fetch response); a trailing partial batch is ignored, as Kafka consumers do. */
export function decodeRecordBatches(data: Buffer): DecodedBatch[] {
  const batches: DecodedBatch[] = [];
  let pos = 0;
  while (data.length - pos >= LENGTH_FIELD_END) {
    const size = LENGTH_FIELD_END + data.readInt32BE(pos + 8);
    if (size < BATCH_HEADER_SIZE) throw corrupt(`record batch at byte ${pos} declares ${size} bytes`);
    if (size > data.length - pos) break;
    batches.push(decodeAt(data, pos, pos + size));
    pos += size;
  }
  return batches;
}

function corrupt(message: string): FloeError {
  return new FloeError('CORRUPT_MESSAGE', message);
}

function decodeAt(buf: Buffer, start: number, end: number, maxDecompressedBytes?: number): DecodedBatch {
  if (end - start < BATCH_HEADER_SIZE) {
    throw corrupt(`record batch of ${end - start} bytes is shorter than its ${BATCH_HEADER_SIZE}-byte header`);
  }
  const declared = LENGTH_FIELD_END + buf.readInt32BE(start + 8);
  if (declared !== end - start) throw corrupt(`record batch length field says ${declared} bytes, found ${end - start}`);
  const magic = buf[start + 16];
  if (magic !== MAGIC_V2) {
    if (magic === 0 || magic === 1) {
      throw new FloeError('UNSUPPORTED_FOR_MESSAGE_FORMAT', `message set magic ${magic}; only RecordBatch v2 is decoded`);
    }
    throw corrupt(`record batch magic ${magic}`);
  }
  const whole = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
  const crc = batchCrc(whole);
  if (crc !== whole.readUInt32BE(CRC_OFFSET)) {
    throw corrupt(`record batch CRC mismatch: header ${whole.readUInt32BE(CRC_OFFSET)}, computed ${crc}`);
  }
  const header = readBatchHeader(whole);
  if (header.recordCount < 0) throw corrupt(`record batch declares ${header.recordCount} records`);
  let data = whole;
  let pos = BATCH_HEADER_SIZE;
  if (header.compression !== 'none') {
    data = decompress(header.compression, whole.subarray(BATCH_HEADER_SIZE), maxDecompressedBytes);
    pos = 0;
  }
  return { header, records: decodeRecords(data, pos, header), recordBytes: data.length - pos };
}

function decodeRecords(data: Buffer, start: number, header: BatchHeader): DecodedRecord[] {
  const count = header.recordCount;
  const end = data.length;
  // Bound the work by the bytes present before trusting a hostile count.
  if (count > (end - start) / (MIN_RECORD_BODY + 1)) {
    throw corrupt(`record batch declares ${count} records but holds only ${end - start} bytes of records`);
  }
  const baseOffset = header.baseOffset;
  const baseTimestamp = header.baseTimestamp;
  const appendTime = (header.attributes & ATTRIBUTE.logAppendTime) !== 0;
  const maxTimestamp = header.maxTimestamp;
  const c: Cursor = { pos: start, end };
  const records: DecodedRecord[] = [];
  const keys = new KeyCache();
  for (let i = 0; i < count; i++) {
    c.end = end;
    const length = readVarint(data, c);
    if (length < MIN_RECORD_BODY || length > end - c.pos) {
      throw corrupt(`record ${i} declares ${length} bytes; ${end - c.pos} remain`);
    }
    const recordEnd = c.pos + length;
    c.end = recordEnd;
    c.pos++; // record attributes: unused
    const timestampDelta = readVarlong(data, c);
    const offsetDelta = readVarint(data, c);
    const key = readBytes(data, c);
    const value = readBytes(data, c);
    const headerCount = readVarint(data, c);
    let headers: RecordHeader[];
    if (headerCount === 0) {
      headers = [];
    } else {
      // Each header takes at least two bytes (two length varints).
      if (headerCount < 0 || headerCount > (recordEnd - c.pos) / 2) {
        throw corrupt(`record ${i} declares ${headerCount} headers`);
      }
      headers = new Array<RecordHeader>(headerCount);
      for (let h = 0; h < headerCount; h++) {
        const keyLength = readVarint(data, c);
        if (keyLength < 0 || keyLength > recordEnd - c.pos) throw corrupt(`record ${i} header key length ${keyLength}`);
        const headerKey = keys.get(h, data, c.pos, keyLength);
        c.pos += keyLength;
        headers[h] = { key: headerKey, value: readBytes(data, c) };
      }
    }
    if (c.pos !== recordEnd) throw corrupt(`record ${i} has ${recordEnd - c.pos} bytes past its fields`);
    records.push({
      offset: baseOffset + offsetDelta,
      timestamp: appendTime ? maxTimestamp : baseTimestamp + timestampDelta,
      key,
      value,
      headers,
    });
  }
  if (c.pos !== end) throw corrupt(`record batch has ${end - c.pos} bytes after its ${count} records`);
  return records;
}

function readBytes(data: Buffer, c: Cursor): Buffer | null {
  const length = readVarint(data, c);
  if (length < 0) {
    if (length === -1) return null;
    throw corrupt(`negative field length ${length}`);
  }
  const pos = c.pos;
  if (length > c.end - pos) throw corrupt(`field of ${length} bytes overruns its record`);
  c.pos = pos + length;
  return data.subarray(pos, pos + length);
}

/**
 * Header keys repeat across a batch's records, usually at the same index: reuse the
 * string decoded for the same bytes instead of decoding it again for every record.
 */
class KeyCache {
  private readonly bytes: Buffer[] = [];
  private readonly keys: string[] = [];

  get(index: number, data: Buffer, pos: number, length: number): string {
    const slot = index & 7;
    const cached = this.bytes[slot];
    if (cached !== undefined && cached.length === length && equalBytes(cached, data, pos, length)) {
      return this.keys[slot] as string;
    }
    const bytes = data.subarray(pos, pos + length);
    const key = bytes.toString('utf8');
    if (length <= 64) {
      this.bytes[slot] = bytes;
      this.keys[slot] = key;
    }
    return key;
  }
}

function equalBytes(a: Buffer, data: Buffer, pos: number, length: number): boolean {
  for (let i = 0; i < length; i++) {
    if (a[i] !== data[pos + i]) return false;
  }
  return true;
}
