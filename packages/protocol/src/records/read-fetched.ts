/**
 * Reading fetched batches as a consumer does — the JSON fetch route, the SDK's Consumer, the
 * chaos checker — so that one bad stored batch is one partition's error and not the whole
 * answer's, and so that no reader inflates more than it asked for:
 * - records before the requested offset are dropped (a batch may start before it);
 * - a batch that does not decode (corrupt, or decompressing past the bound) stops the
 *   partition there: the records before it are returned, and it is reported with its offsets
 *   so that the reader can report CORRUPT_MESSAGE for that partition (or seek past it);
 * - decoding stops once `maxDecodedBytes` of records have been inflated (at least one batch is
 *   decoded, as Kafka returns at least one batch); the reader asks again from where it stopped.
 */
import { FloeError } from '../errors.js';
import { API_LIMITS } from '../limits.js';
import { BATCH_HEADER_SIZE, LENGTH_FIELD_END } from './batch-header.js';
import { decodeRecordBatch, type DecodedRecord } from './record-batch.js';

export interface ReadLimits {
  /** decompressed bytes of any one batch (default: the largest batch a topic may accept) */
  maxBatchBytes?: number;
  /** decompressed bytes over all batches read (default: unbounded) */
  maxDecodedBytes?: number;
  /** read the first batch even past maxDecodedBytes (default true: a reader always progresses) */
  atLeastOne?: boolean;
}

export interface CorruptBatch {
  /** first offset of the batch that could not be read */
  offset: number;
  /** offset after it, as its header claims (to seek past it), when the header is readable */
  nextOffset?: number;
  message: string;
}

export interface FetchedRecords {
  records: DecodedRecord[];
  /** the batch the records stop at, if one could not be read */
  corrupt?: CorruptBatch;
  /** decoding stopped at `maxDecodedBytes` before the end of the data */
  truncated: boolean;
  /** decompressed record bytes decoded */
  decodedBytes: number;
  /**
   * offset after the last batch decoded (its lastOffsetDelta + 1), when past `fromOffset`: where to
   * read next once the records are consumed. Past the last record when compaction removed the
   * batch's last records, as Kafka's consumer moves to the batch's nextOffset.
   */
  nextOffset?: number;
}

export function readFetchedRecords(data: Buffer, fromOffset: number, limits: ReadLimits = {}): FetchedRecords {
  const maxBatchBytes = limits.maxBatchBytes ?? API_LIMITS.maxMessageBytesCeiling;
  const budget = limits.maxDecodedBytes ?? Number.POSITIVE_INFINITY;
  const out: FetchedRecords = { records: [], truncated: false, decodedBytes: 0 };
  let decoded = 0;
  let pos = 0;
  let expected = fromOffset;
  while (data.length - pos >= LENGTH_FIELD_END) {
    const baseOffset = Number(data.readBigInt64BE(pos));
    const size = LENGTH_FIELD_END + data.readInt32BE(pos + 8);
    if (size < BATCH_HEADER_SIZE || size > data.length - pos) {
      // A trailing partial batch is normal in Kafka's fetch answers; a nonsensical length is not.
      if (size >= BATCH_HEADER_SIZE) break;
      out.corrupt = { offset: Math.max(expected, baseOffset), message: `record batch at byte ${pos} declares ${size} bytes` };
      break;
    }
    if (decoded >= budget && (pos > 0 || limits.atLeastOne === false)) {
      out.truncated = true;
      break;
    }
    try {
      const batch = decodeRecordBatch(data.subarray(pos, pos + size), maxBatchBytes);
      decoded += batch.recordBytes;
      for (const record of batch.records) if (record.offset >= fromOffset) out.records.push(record);
      expected = baseOffset + batch.header.lastOffsetDelta + 1;
    } catch (error) {
      const lastOffsetDelta = size >= 27 ? data.readInt32BE(pos + 23) : undefined;
      out.corrupt = {
        offset: Math.max(fromOffset, baseOffset),
        ...(lastOffsetDelta !== undefined && lastOffsetDelta >= 0 ? { nextOffset: baseOffset + lastOffsetDelta + 1 } : {}),
        message: `record batch at offset ${baseOffset} cannot be read: ${error instanceof FloeError ? error.message : String(error)}`,
      };
      break;
    }
    pos += size;
  }
  out.decodedBytes = decoded;
  if (expected > fromOffset) out.nextOffset = expected;
  return out;
}
