/**
 * Moving encoded records between RecordBatch v2 record sections (record-batch.ts has the
 * format). A producer encodes each record into its batch when it is appended, as Kafka's
 * MemoryRecordsBuilder does: offsetDelta is its index, timestampDelta counts from the
 * batch's first timestamp. Merging two unsent batches, or splitting one the topic refused
 * as too large, copies records to another batch whose first offset and timestamp differ:
 *
 *   record = length varint | attributes int8 | timestampDelta varlong | offsetDelta varint | rest
 *
 * Only the two deltas change (and with their widths, length); `rest` (key, value, headers)
 * is copied as is.
 */
import { readVarint, readVarlong, sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong, type Cursor } from './varint.js';
import { FloeError } from '../errors.js';

/**
 * Most bytes one record can grow by when its deltas change: offsetDelta 1 -> 5 bytes,
 * timestampDelta 1 -> 10, and the length varint in front of them 1 -> 5.
 */
export const MAX_REBASE_GROWTH = 4 + 9 + 4;

/** Below this many bytes a loop copies faster than a call into Buffer.copy. */
const SMALL_COPY = 256;

export interface Rebased {
  /** position after the last record written */
  end: number;
  /** records copied */
  count: number;
  /** the largest timestampDelta written (relative to the target batch), -Infinity if none */
  maxTimestampDelta: number;
}

/**
 * Copies `count` records starting at `start` in `src` to `pos` in `dst`, adding `offsetShift`
 * to each offsetDelta and `timestampShift` to each timestampDelta. `dst` needs room for the
 * source bytes plus MAX_REBASE_GROWTH per record.
 */
export function rebaseRecords(src: Buffer, start: number, count: number, dst: Buffer, pos: number, offsetShift: number, timestampShift: number): Rebased {
  const c: Cursor = { pos: start, end: src.length };
  let maxTimestampDelta = -Infinity;
  for (let i = 0; i < count; i++) {
    const bodyEnd = readBodyEnd(src, c, i);
    const bodyStart = c.pos;
    c.pos = bodyStart + 1; // attributes
    const timestampDelta = readVarlong(src, c) + timestampShift;
    const offsetDelta = readVarint(src, c) + offsetShift;
    const restStart = c.pos;
    const body = 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta) + (bodyEnd - restStart);
    pos = writeVarint(dst, pos, body);
    dst[pos++] = src[bodyStart] as number;
    pos = writeVarlong(dst, pos, timestampDelta);
    pos = writeVarint(dst, pos, offsetDelta);
    if (bodyEnd - restStart > SMALL_COPY) {
      src.copy(dst, pos, restStart, bodyEnd);
      pos += bodyEnd - restStart;
    } else for (let b = restStart; b < bodyEnd; b++) dst[pos++] = src[b] as number;
    c.pos = bodyEnd;
    if (timestampDelta > maxTimestampDelta) maxTimestampDelta = timestampDelta;
  }
  return { end: pos, count, maxTimestampDelta };
}

/** Position after `count` encoded records starting at `start`. */
export function skipRecords(buf: Buffer, start: number, count: number): number {
  const c: Cursor = { pos: start, end: buf.length };
  for (let i = 0; i < count; i++) {
    const length = readVarint(buf, c);
    c.pos += length;
    if (c.pos > buf.length) throw new FloeError('CORRUPT_MESSAGE', `record ${i} of a batch being rebuilt overruns it`);
  }
  return c.pos;
}

/** The timestampDelta of the record at `start` (a batch cut there starts its timestamps from it). */
export function timestampDeltaAt(buf: Buffer, start: number): number {
  const c: Cursor = { pos: start, end: buf.length };
  readBodyEnd(buf, c, 0);
  c.pos += 1; // attributes
  return readVarlong(buf, c);
}

/** Reads a record's length at `c.pos` (left at its body) and returns where the body ends; refuses one that overruns `buf`. */
function readBodyEnd(buf: Buffer, c: Cursor, index: number): number {
  const length = readVarint(buf, c);
  const end = c.pos + length;
  if (length < 3 || end > buf.length) throw new FloeError('CORRUPT_MESSAGE', `record ${index} of a batch being rebuilt overruns it`);
  return end;
}
