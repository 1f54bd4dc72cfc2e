/**
 * Walking a batch's records without decoding them, as Kafka's broker does before it appends
 * (LogValidator): the records section is decompressed (bounded), and every record's framing is
 * checked — length, attributes, timestamp and offset deltas, key, value and header lengths —
 * and the records must be exactly as many as the header claims and fill the section exactly.
 * Nothing is allocated per record and nothing is changed: the stored bytes stay the client's.
 *
 * Errors (Kafka's codes): CORRUPT_MESSAGE for bytes that do not parse (bad varints, lengths
 * that overrun, a count that does not match, data that does not decompress), INVALID_RECORD
 * for records that parse but break the format's rules (offset deltas not 0, 1, 2, …, record
 * attributes set, null header keys), MESSAGE_TOO_LARGE for a records section that decompresses
 * to more than the limit (a decompression bomb).
 */
import { FloeError } from '../errors.js';
import { ATTRIBUTE, BATCH_HEADER_SIZE, type BatchHeader } from './batch-header.js';
import { decompress } from './compression.js';
import { readVarint, readVarlong, type Cursor } from './varint.js';

/**
 * Kafka's CreateTime bounds (message.timestamp.before.max.ms / after.max.ms, as LogValidator applies
 * them): the timestamps a record may carry, inclusive; ±Infinity for no bound. A record without a
 * timestamp (-1) is never out of the window, as in Kafka.
 */
export interface TimestampWindow {
  min: number;
  max: number;
  /** out-of-window records listed at most (all are counted) */
  maxListed: number;
  /**
   * A compacted topic's: a record without a key is refused for that (Kafka's LogValidator checks the
   * key first) and its timestamp is not checked, so a batch whose only out-of-window records are
   * keyless is INVALID_RECORD, as in Kafka, not INVALID_TIMESTAMP.
   */
  keylessExempt?: boolean;
}

/** Kafka's RecordBatch.NO_TIMESTAMP. */
export const NO_TIMESTAMP = -1;

export interface RecordsSummary {
  /** bytes of the records section once decompressed (the section itself when uncompressed) */
  recordBytes: number;
  /** largest record timestamp (CreateTime: baseTimestamp + the largest delta); the header's for LogAppendTime */
  maxTimestamp: number;
  /** records with a null key (a compacted topic refuses the batch for them, as Kafka's broker does) */
  keyless: number;
  /** the first `keylessListed` of them, by index in the batch */
  keylessRecords: number[];
  /** records whose timestamp lies outside the window asked for (0 without one) */
  outOfWindow: number;
  /** the first `maxListed` of them: index in the batch and timestamp (a batch flagged LogAppendTime: the header's maxTimestamp, as its records read) */
  outOfWindowRecords: Array<{ index: number; timestamp: number }>;
}

/** Smallest record body: attributes, timestampDelta, offsetDelta, keyLength, valueLength, headerCount (one byte each). */
const MIN_RECORD_BODY = 6;

const corrupt = (message: string): FloeError => new FloeError('CORRUPT_MESSAGE', message);
const invalid = (message: string): FloeError => new FloeError('INVALID_RECORD', message);

/**
 * Checks the records of one batch whose header `validateBatch` has accepted. `maxRecordBytes`
 * bounds the decompressed records section: it is refused with MESSAGE_TOO_LARGE, before more
 * than that is inflated. With a `window`, every record's timestamp is checked against it.
 * `keylessListed`: how many keyless records to name (a compacted topic's answer lists them).
 */
export function validateRecords(batch: Buffer, header: BatchHeader, maxRecordBytes: number, window?: TimestampWindow, keylessListed = 0): RecordsSummary {
  let data = batch;
  let start = BATCH_HEADER_SIZE;
  if (header.compression !== 'none') {
    data = decompress(header.compression, batch.subarray(BATCH_HEADER_SIZE), maxRecordBytes, 'MESSAGE_TOO_LARGE');
    start = 0;
  }
  const end = data.length;
  const count = header.recordCount;
  // Bound the work by the bytes present before trusting the count.
  if (count > (end - start) / (MIN_RECORD_BODY + 1)) {
    throw corrupt(`record batch claims ${count} records but holds only ${end - start} bytes of records`);
  }
  const c: Cursor = { pos: start, end };
  let maxDelta = Number.NEGATIVE_INFINITY;
  let keylessCount = 0;
  const keylessRecords: number[] = [];
  const logAppendTime = (header.attributes & ATTRIBUTE.logAppendTime) !== 0;
  let outOfWindow = 0;
  const outOfWindowRecords: Array<{ index: number; timestamp: number }> = [];
  for (let i = 0; i < count; i++) {
    c.end = end;
    const length = readVarint(data, c);
    if (length < MIN_RECORD_BODY || length > end - c.pos) {
      throw corrupt(`record ${i} of ${count} declares ${length} bytes; ${end - c.pos} remain`);
    }
    const recordEnd = c.pos + length;
    c.end = recordEnd;
    if (data[c.pos++] !== 0) throw invalid(`record ${i} has attributes ${data[c.pos - 1]}; they are unused in RecordBatch v2 and must be 0`);
    const timestampDelta = readVarlong(data, c);
    if (timestampDelta > maxDelta) maxDelta = timestampDelta;
    // What the record reads as (Kafka's record.timestamp()): under LogAppendTime, the batch's maxTimestamp.
    const timestamp = logAppendTime ? header.maxTimestamp : header.baseTimestamp + timestampDelta;
    const offsetDelta = readVarint(data, c);
    if (offsetDelta !== i) throw invalid(`record ${i} has offset delta ${offsetDelta}; record deltas must be 0, 1, 2, …`);
    const keyless = skipBytes(data, c, i, 'key', true);
    if (keyless && keylessCount++ < keylessListed) keylessRecords.push(i);
    if (window && !(keyless && window.keylessExempt) && timestamp !== NO_TIMESTAMP && (timestamp < window.min || timestamp > window.max)) {
      if (outOfWindow++ < window.maxListed) outOfWindowRecords.push({ index: i, timestamp });
    }
    skipBytes(data, c, i, 'value', true);
    const headers = readVarint(data, c);
    // Each header takes at least two bytes (two length varints).
    if (headers < 0 || headers > (recordEnd - c.pos) / 2) throw corrupt(`record ${i} declares ${headers} headers in ${recordEnd - c.pos} bytes`);
    for (let h = 0; h < headers; h++) {
      skipBytes(data, c, i, `header ${h} key`, false);
      skipBytes(data, c, i, `header ${h} value`, true);
    }
    if (c.pos !== recordEnd) throw corrupt(`record ${i} has ${recordEnd - c.pos} bytes past its fields`);
  }
  if (c.pos !== end) throw corrupt(`record batch has ${end - c.pos} bytes after its ${count} records`);
  return {
    recordBytes: end - start,
    maxTimestamp: logAppendTime || count === 0 ? header.maxTimestamp : header.baseTimestamp + maxDelta,
    keyless: keylessCount,
    keylessRecords,
    outOfWindow,
    outOfWindowRecords,
  };
}

/** Skips a length-prefixed field; true when it was null. */
function skipBytes(data: Buffer, c: Cursor, record: number, what: string, nullable: boolean): boolean {
  const length = readVarint(data, c);
  if (length < 0) {
    if (length === -1 && nullable) return true;
    throw length === -1 ? invalid(`record ${record} has a null ${what}`) : corrupt(`record ${record} ${what} has length ${length}`);
  }
  if (length > c.end - c.pos) throw corrupt(`record ${record} ${what} of ${length} bytes overruns the record`);
  c.pos += length;
  return false;
}
