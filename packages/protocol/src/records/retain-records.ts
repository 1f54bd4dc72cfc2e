/**
 * Rewriting a stored batch with some of its records, as Kafka's log cleaner does (MemoryRecords
 * .filterTo): the records kept are copied byte for byte — same offset and timestamp deltas, keys,
 * values, headers — so offsets and timestamps do not change, and the header keeps its base offset,
 * base timestamp, lastOffsetDelta (the batch's offset span), attributes (compression, timestamp
 * type) and producer id, epoch and base sequence. Only the record count, the max timestamp (of the
 * records kept, for CreateTime), the length and the CRC are new; a compressed batch is recompressed
 * with its own codec.
 */
import { FloeError } from '../errors.js';
import { ATTRIBUTE, BATCH_HEADER_SIZE, CRC_OFFSET, LENGTH_FIELD_END, batchCrc, readBatchHeader, type BatchHeader } from './batch-header.js';
import { compress, decompress } from './compression.js';
import { readVarint, readVarlong, type Cursor } from './varint.js';

/** One record as a rewrite needs it: where its bytes are, its deltas, its key, whether its value is null. */
export interface RecordView {
  /** byte range of the whole record (length varint included) in `BatchRecords.section` */
  start: number;
  end: number;
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  /** a tombstone: the value is null */
  nullValue: boolean;
}

export interface BatchRecords {
  header: BatchHeader;
  /** the records section, decompressed */
  section: Buffer;
  records: RecordView[];
}

const corrupt = (message: string): FloeError => new FloeError('CORRUPT_MESSAGE', message);

function readField(data: Buffer, c: Cursor): Buffer | null {
  const length = readVarint(data, c);
  if (length === -1) return null;
  if (length < 0 || length > c.end - c.pos) throw corrupt(`field of ${length} bytes in a record of ${c.end - c.pos} remaining`);
  const field = data.subarray(c.pos, c.pos + length);
  c.pos += length;
  return field;
}

/** Reads a batch's records for a rewrite (CRC checked first). `maxRecordBytes` bounds decompression. */
export function readBatchRecords(batch: Buffer, maxRecordBytes: number): BatchRecords {
  if (batch.length < BATCH_HEADER_SIZE || LENGTH_FIELD_END + batch.readInt32BE(8) !== batch.length) throw corrupt(`record batch of ${batch.length} bytes has a wrong length field`);
  if (batchCrc(batch) !== batch.readUInt32BE(CRC_OFFSET)) throw corrupt('record batch CRC mismatch');
  const header = readBatchHeader(batch);
  const section = header.compression === 'none' ? batch.subarray(BATCH_HEADER_SIZE) : decompress(header.compression, batch.subarray(BATCH_HEADER_SIZE), maxRecordBytes);
  const records: RecordView[] = [];
  const c: Cursor = { pos: 0, end: section.length };
  for (let i = 0; i < header.recordCount; i++) {
    c.end = section.length;
    const start = c.pos;
    const length = readVarint(section, c);
    if (length <= 0 || length > section.length - c.pos) throw corrupt(`record ${i} declares ${length} bytes`);
    const end = c.pos + length;
    c.end = end;
    c.pos++; // attributes
    const timestampDelta = readVarlong(section, c);
    const offsetDelta = readVarint(section, c);
    const key = readField(section, c);
    const value = readField(section, c);
    records.push({ start, end, offsetDelta, timestampDelta, key, nullValue: value === null });
    c.pos = end;
  }
  if (c.pos !== section.length) throw corrupt(`record batch has ${section.length - c.pos} bytes after its records`);
  return { header, section, records };
}

/**
 * The batch with only the records `keep` selects (at least one). Base offset written as 0 (Floe stores
 * 0 and patches it on read).
 */
export function retainRecords(batch: Buffer, read: BatchRecords, keep: (record: RecordView, index: number) => boolean): Buffer {
  const kept = read.records.filter(keep);
  if (kept.length === 0) throw new FloeError('INVALID_RECORD', 'a record batch needs at least one record');
  const raw = Buffer.allocUnsafe(kept.reduce((sum, r) => sum + r.end - r.start, 0));
  let pos = 0;
  let maxDelta = Number.NEGATIVE_INFINITY;
  for (const r of kept) {
    read.section.copy(raw, pos, r.start, r.end);
    pos += r.end - r.start;
    if (r.timestampDelta > maxDelta) maxDelta = r.timestampDelta;
  }
  const { header } = read;
  const body = header.compression === 'none' ? raw : compress(header.compression, raw);
  const out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + body.length);
  batch.copy(out, 0, 0, BATCH_HEADER_SIZE);
  body.copy(out, BATCH_HEADER_SIZE);
  out.writeBigInt64BE(0n, 0);
  out.writeInt32BE(out.length - LENGTH_FIELD_END, 8);
  if ((header.attributes & ATTRIBUTE.logAppendTime) === 0) out.writeBigInt64BE(BigInt(header.baseTimestamp + maxDelta), 35);
  out.writeInt32BE(kept.length, 57);
  out.writeUInt32BE(batchCrc(out), CRC_OFFSET);
  return out;
}

/** Max timestamp a batch's header holds (the records' for CreateTime), for its location. */
export const batchMaxTimestamp = (batch: Buffer): number => Number(batch.readBigInt64BE(35));
