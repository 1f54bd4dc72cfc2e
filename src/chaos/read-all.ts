/**
 * The checker's final read: a whole partition, from its log start to its high watermark.
 * A partition that cannot be read to its end (a corrupt stored batch, an error code) is
 * returned with what was read and the error, for the checker to report as that partition's.
 */
import { fetchRaw, type FloeHttpClient } from '@floe/client';
import { FloeError, readFetchedRecords, withRetry } from '@floe/protocol';
import type { PartitionLog } from './checker.js';

/** a client retries timeouts and unavailable handlers; the final read does too */
const READ_RETRY = { retries: 8, initialBackoffMs: 200, maxBackoffMs: 3000, isRetriable: (e: unknown) => e instanceof FloeError && e.retriable };

export async function readAll(http: FloeHttpClient, topic: string, partition: number): Promise<PartitionLog> {
  const records: PartitionLog['records'] = [];
  let offset = 0;
  let logStartOffset = 0;
  for (;;) {
    const [t] = await withRetry(() => fetchRaw(http, { maxWaitMs: 0, minBytes: 0, maxBytes: 4 * 1024 * 1024, topics: [{ topic, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 1024 * 1024 }] }] }), READ_RETRY);
    const p = t?.partitions[0];
    if (!p) throw new Error(`no answer for ${topic}/${partition}`);
    if (p.errorCode === 'OFFSET_OUT_OF_RANGE' && offset < p.logStartOffset) {
      offset = logStartOffset = p.logStartOffset;
      continue;
    }
    const done = (error: string) => ({ topic, partition, logStartOffset, highWatermark: p.highWatermark, records, error });
    if (p.errorCode !== 'NONE') return done(`${p.errorCode}: ${p.errorMessage ?? ''}`);
    logStartOffset = Math.min(logStartOffset, p.logStartOffset);
    const read = readFetchedRecords(p.records, offset);
    for (const r of read.records) records.push({ offset: r.offset, id: r.value?.toString('utf8') ?? '' });
    if (read.corrupt) return done(`CORRUPT_MESSAGE: ${read.corrupt.message}`);
    const last = records[records.length - 1];
    if (last && last.offset + 1 > offset) offset = last.offset + 1;
    if (read.nextOffset !== undefined && read.nextOffset > offset) offset = read.nextOffset; // past a compacted batch's removed offsets
    if (offset >= p.highWatermark) return { topic, partition, logStartOffset, highWatermark: p.highWatermark, records };
    if (p.records.length === 0) throw new Error(`no progress reading ${topic}/${partition} at ${offset}`);
  }
}
