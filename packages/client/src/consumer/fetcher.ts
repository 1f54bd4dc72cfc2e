/**
 * Fetching for poll(): one fetch request for every fetchable partition, its
 * batches decoded and buffered per partition, handed out up to max.poll.records
 * at a time. A buffered record is returned only if its partition is still
 * assigned, not paused, not being revoked, and its position still matches
 * (a seek or a revocation in between makes the buffer stale).
 */
import { API_LIMITS, type CorruptBatch, type DecodedRecord, type ErrorCode, partitionKey, type PartitionKey, readFetchedRecords } from '@floe/protocol';
import type { FloeHttpClient } from '../http-client.js';
import { fetchRaw } from '../log-client.js';
import type { AssignedPartitions, PartitionState } from './partitions.js';

export interface FetchSettings {
  fetchMinBytes: number;
  fetchMaxWaitMs: number;
  fetchMaxBytes: number;
  maxPartitionFetchBytes: number;
  requestTimeoutMs: number;
}

export interface FetchedRecord extends DecodedRecord {
  topic: string;
  partition: number;
}

interface Buffered {
  key: PartitionKey;
  /** position the records were fetched for */
  from: number;
  records: DecodedRecord[];
  next: number;
  /** offset after the last batch read: where the position goes once the records are consumed (past a compacted batch's removed last records) */
  end: number;
}

export interface FetchOutcome {
  /** partitions whose position is outside the log (retention, or a bad seek) */
  outOfRange: PartitionState[];
  /** other per-partition errors, e.g. a deleted topic */
  errors: Array<{ state: PartitionState; code: ErrorCode; message?: string }>;
  /** partitions stopped at a stored batch that cannot be read (the records before it are buffered) */
  corrupt: Array<{ state: PartitionState; batch: CorruptBatch }>;
  /** partitions that came back with records to return */
  delivered: number;
}

export class Fetcher {
  private buffers: Buffered[] = [];

  constructor(
    private readonly http: FloeHttpClient,
    private readonly settings: FetchSettings,
  ) {}

  hasBuffered(key: PartitionKey): boolean {
    return this.buffers.some((b) => b.key === key && b.next < b.records.length);
  }

  discard(key: PartitionKey): void {
    this.buffers = this.buffers.filter((b) => b.key !== key);
  }

  clear(): void {
    this.buffers = [];
  }

  /** Whether any fetched record is waiting to be returned. */
  get buffered(): boolean {
    return this.buffers.some((b) => b.next < b.records.length);
  }

  /**
   * One fetch for the partitions that have nothing buffered; waits at most maxWaitMs on the server.
   * An answer is kept only for a partition whose state is still `current` and at the position asked:
   * a partition dropped and assigned again meanwhile has a new state, maybe at an older position.
   */
  async fetch(partitions: PartitionState[], maxWaitMs: number, current: (state: PartitionState) => boolean = () => true): Promise<FetchOutcome> {
    const outcome: FetchOutcome = { outOfRange: [], errors: [], corrupt: [], delivered: 0 };
    const wanted = partitions.filter((p) => !this.hasBuffered(p.key));
    if (wanted.length === 0) return outcome;
    const byTopic = new Map<string, PartitionState[]>();
    for (const p of wanted) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
    const asked = new Map(wanted.map((p) => [p.key, p.position as number]));
    const topics = await fetchRaw(
      this.http,
      {
        maxWaitMs: Math.max(0, Math.floor(maxWaitMs)),
        minBytes: this.settings.fetchMinBytes,
        maxBytes: this.settings.fetchMaxBytes,
        topics: [...byTopic].map(([topic, list]) => ({
          topic,
          partitions: list.map((p) => ({ partition: p.partition, fetchOffset: p.position as number, partitionMaxBytes: this.settings.maxPartitionFetchBytes })),
        })),
      },
      this.settings.requestTimeoutMs,
    );
    const states = new Map(wanted.map((p) => [p.key, p]));
    // Decompression is bounded: no batch past the largest a topic accepts, and about fetch.max.bytes in all.
    let budget = this.settings.fetchMaxBytes;
    let first = true;
    for (const t of topics) {
      for (const p of t.partitions) {
        const key = partitionKey(t.topic, p.partition);
        const state = states.get(key);
        if (!state || !current(state) || state.position !== asked.get(key)) continue; // seeked, revoked or reassigned meanwhile
        if (p.errorCode === 'OFFSET_OUT_OF_RANGE') {
          outcome.outOfRange.push(state);
          continue;
        }
        if (p.errorCode !== 'NONE') {
          outcome.errors.push({ state, code: p.errorCode, message: p.errorMessage });
          continue;
        }
        state.highWatermark = p.highWatermark;
        state.logStartOffset = p.logStartOffset;
        const from = state.position as number;
        const read = readFetchedRecords(p.records, from, { maxBatchBytes: API_LIMITS.maxMessageBytesCeiling, maxDecodedBytes: Math.max(0, budget), atLeastOne: first });
        if (p.records.length > 0) first = false;
        budget -= read.decodedBytes;
        if (read.records.length > 0) {
          this.buffers.push({ key, from, records: read.records, next: 0, end: read.nextOffset ?? from });
          outcome.delivered++;
        }
        else if (read.nextOffset !== undefined && !read.corrupt) state.position = read.nextOffset; // batches whose records before the position are all it held (compaction)
        if (read.corrupt) outcome.corrupt.push({ state, batch: read.corrupt });
      }
    }
    return outcome;
  }

  /** Up to `max` buffered records of returnable partitions, advancing their positions. */
  drain(assigned: AssignedPartitions, max: number): FetchedRecord[] {
    const out: FetchedRecord[] = [];
    const served: Buffered[] = [];
    for (const buffer of this.buffers) {
      if (out.length >= max) break;
      const state = assigned.returnable(buffer.key);
      if (!state) continue;
      served.push(buffer);
      while (buffer.next < buffer.records.length && out.length < max) {
        const record = buffer.records[buffer.next] as DecodedRecord;
        buffer.next++;
        if (record.offset < (state.position as number)) continue; // a batch starts before the position
        out.push({ ...record, topic: state.topic, partition: state.partition });
        state.position = record.offset + 1;
      }
      // All consumed: continue after the last batch, whose last offsets compaction may have removed.
      if (buffer.next >= buffer.records.length && (state.position as number) < buffer.end) state.position = buffer.end;
    }
    // Partitions just served go to the back, so that one busy partition cannot starve the others.
    this.buffers = [...this.buffers.filter((b) => !served.includes(b)), ...served];
    // Drop spent buffers and those of partitions no longer assigned (seeks discard theirs explicitly).
    this.buffers = this.buffers.filter((b) => {
      if (b.next >= b.records.length) return false;
      const state = assigned.get(b.key);
      return state !== undefined && state.position !== undefined && (b.records[b.next] as DecodedRecord).offset >= state.position;
    });
    return out;
  }
}
