/**
 * The message browser's one page: from an offset, a time, or the latest N
 * records of one partition, optionally only records whose key contains a
 * filter. The server reads forward until the page is full, the log ends, or
 * the scan budget is spent, and tells where the next page starts; the browser
 * only ever receives one page.
 */
import { FloeError } from '@floe/client';
import { keyFilterText, toDataView } from './data-view.js';
import type { FloeGateway, RawRecord } from './gateway.js';
import type { BrowseMode, MessagePage, MessageRow } from './shared/api-types.js';

export const BROWSE_LIMITS = {
  maxPageSize: 100,
  /** bytes asked for per fetch */
  fetchBytes: 1024 * 1024,
  /** records read at most for one page (matters with a key filter) */
  maxScanned: 5_000,
  maxFetches: 20,
} as const;

export interface BrowseQuery {
  topic: string;
  partition: number;
  mode: BrowseMode;
  /** mode offset */
  offset?: number;
  /** mode timestamp: epoch ms */
  timestamp?: number;
  /** page size; also N for mode latest */
  limit: number;
  /** keep records whose key contains this (hex for binary keys) */
  key?: string;
}

const toRow = (partition: number, r: RawRecord): MessageRow => ({
  partition,
  offset: r.offset,
  timestamp: r.timestamp,
  key: toDataView(r.key),
  value: toDataView(r.value),
  headers: r.headers.map((h) => ({ key: h.key, value: toDataView(h.value) })),
});

async function startOffset(gateway: FloeGateway, q: BrowseQuery): Promise<number> {
  if (q.mode === 'offset') return q.offset ?? 0;
  const end = await gateway.offsetFor(q.topic, q.partition, 'latest');
  if (q.mode === 'latest') return Math.max(0, end - q.limit);
  const at = await gateway.offsetFor(q.topic, q.partition, q.timestamp ?? 0);
  return at < 0 ? end : at; // no record at or after the time: an empty page at the end
}

export async function browseMessages(gateway: FloeGateway, q: BrowseQuery): Promise<MessagePage> {
  let from = await startOffset(gateway, q);
  let answer;
  try {
    answer = await gateway.fetch(q.topic, q.partition, from, BROWSE_LIMITS.fetchBytes);
  } catch (error) {
    if (!(error instanceof FloeError) || error.code !== 'OFFSET_OUT_OF_RANGE') throw error;
    // Before the log start (retention) or past the end: clamp, as a consumer with auto.offset.reset would.
    const [start, end] = await Promise.all([gateway.offsetFor(q.topic, q.partition, 'earliest'), gateway.offsetFor(q.topic, q.partition, 'latest')]);
    from = Math.min(Math.max(from, start), end);
    answer = await gateway.fetch(q.topic, q.partition, from, BROWSE_LIMITS.fetchBytes);
  }

  const rows: MessageRow[] = [];
  let cursor = from;
  let scanned = 0;
  let fetches = 1;
  for (;;) {
    let progressed = false;
    for (const record of answer.records) {
      if (record.offset < cursor) continue; // a batch starts before the offset asked for
      progressed = true;
      scanned++;
      cursor = record.offset + 1;
      if (q.key === undefined || (keyFilterText(record.key) ?? '').includes(q.key)) rows.push(toRow(q.partition, record));
      if (rows.length >= q.limit || scanned >= BROWSE_LIMITS.maxScanned) break;
    }
    // Every record read: continue after the batch, whose last offsets compaction may have removed.
    const last = answer.records[answer.records.length - 1];
    if (answer.nextOffset !== undefined && answer.nextOffset > cursor && (last === undefined || cursor > last.offset)) {
      progressed = true;
      cursor = answer.nextOffset;
    }
    const done = rows.length >= q.limit || scanned >= BROWSE_LIMITS.maxScanned || cursor >= answer.highWatermark;
    if (done || !progressed || fetches >= BROWSE_LIMITS.maxFetches) break;
    answer = await gateway.fetch(q.topic, q.partition, cursor, BROWSE_LIMITS.fetchBytes);
    fetches++;
  }
  return {
    topic: q.topic,
    partition: q.partition,
    logStartOffset: answer.logStartOffset,
    logEndOffset: answer.highWatermark,
    from,
    records: rows,
    nextOffset: cursor,
    scanned,
  };
}
