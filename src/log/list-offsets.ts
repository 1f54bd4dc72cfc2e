/**
 * ListOffsets: earliest (log start), latest (high watermark), the first
 * offset whose timestamp is >= a given time, or the record with the largest
 * timestamp (Kafka's max-timestamp spec, KIP-734). The time lookups walk batch
 * locations by max timestamp, then decode the one batch that holds the answer.
 */
import { decodeRecordBatch, type ErrorCode, FloeError } from '@floe/protocol';
import { publicError } from '../storage/errors.js';
import { readHead } from './append.js';
import type { FetchDeps } from './fetch.js';
import { iterateLiveBatches } from './index-chunks.js';
import { LIMITS } from './limits.js';
import { locateBatches } from './locate.js';
import type { LocatedBatch, PartitionHead } from './partition-head.js';
import { readBatches } from './read-ranges.js';
import type { Topic } from './topics.js';

export const EARLIEST = -2;
export const LATEST = -1;
/** Kafka's ListOffsets v7 spec: the record with the largest timestamp. */
export const MAX_TIMESTAMP = -3;

export interface ListOffsetsPartitionResult {
  partition: number;
  errorCode: ErrorCode;
  errorMessage?: string;
  offset: number;
  timestamp: number;
}

async function knownPartition(deps: FetchDeps, topicName: string, partition: number): Promise<Topic> {
  const topic = await deps.resolveTopic(topicName);
  if (!topic || !Number.isInteger(partition) || partition < 0 || partition >= topic.partitions) {
    throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `unknown topic or partition ${topicName}/${partition}`);
  }
  return topic;
}

/**
 * The first record with the largest timestamp from the log start on (Kafka answers the first batch
 * holding the largest, then its first record holding it); offset and timestamp -1 for an empty log.
 * Reads every index chunk of the partition: Kafka keeps this per segment, Floe's head does not.
 * A batch the log start falls inside (DeleteRecords) is judged by its records from the log start
 * on: its max timestamp may be a deleted record's, and compaction may have left it none above.
 */
async function maxTimestampOffset(deps: FetchDeps, topic: Topic, partition: number, head: PartitionHead): Promise<{ offset: number; timestamp: number }> {
  const topOf = async (batch: LocatedBatch) => {
    const [bytes] = await readBatches(deps.store, [[batch]]);
    const records = decodeRecordBatch(bytes as Buffer, LIMITS.readerMaxBatchBytes).records.filter((r) => r.offset >= head.logStartOffset);
    const top = records.reduce<(typeof records)[number] | undefined>((found, r) => (!found || r.timestamp > found.timestamp ? r : found), undefined);
    return top && { offset: top.offset, timestamp: top.timestamp };
  };
  let cut: { offset: number; timestamp: number } | undefined;
  let best: LocatedBatch | undefined;
  for await (const batch of iterateLiveBatches(deps, topic, partition, head)) {
    if (batch.baseOffset < head.logStartOffset) cut = await topOf(batch); // the first one only
    else if (!best || batch.t > best.t) best = batch;
  }
  // The cut batch comes first, so it wins a tie.
  if (cut && (!best || cut.timestamp >= best.t)) return cut;
  if (!best) return { offset: -1, timestamp: -1 };
  return (await topOf(best)) ?? { offset: best.baseOffset, timestamp: best.t };
}

/** `spec`: EARLIEST, LATEST, MAX_TIMESTAMP, or a timestamp in ms (>= 0). */
export async function listOffset(deps: FetchDeps, topicName: string, partition: number, spec: number): Promise<ListOffsetsPartitionResult> {
  const result: ListOffsetsPartitionResult = { partition, errorCode: 'NONE', offset: -1, timestamp: -1 };
  try {
    let topic = await knownPartition(deps, topicName, partition);
    let head = await readHead(deps, topic, partition);
    if (!head && deps.topicGone) {
      // The cached topic was deleted (and maybe created again): look it up afresh, once.
      deps.topicGone(topic);
      topic = await knownPartition(deps, topicName, partition);
      head = await readHead(deps, topic, partition);
    }
    if (!head) throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `partition ${partition} does not exist`);
    if (spec === EARLIEST) return { ...result, offset: head.logStartOffset };
    if (spec === LATEST) return { ...result, offset: head.nextOffset };
    if (spec === MAX_TIMESTAMP) return { ...result, ...(await maxTimestampOffset(deps, topic, partition, head)) };
    if (!Number.isSafeInteger(spec) || spec < 0) throw new FloeError('INVALID_REQUEST', `invalid timestamp ${spec}`);
    let from = head.logStartOffset;
    while (from < head.nextOffset) {
      let batches;
      try {
        batches = await locateBatches(deps, topic, partition, head, { fromOffset: from, maxBytes: LIMITS.maxFetchResponseBytes, forceFirst: true });
      } catch (error) {
        if (!(error instanceof FloeError && error.code === 'OFFSET_OUT_OF_RANGE')) throw error;
        // Retention moved the log start past `from` after the head was read (and deleted the chunks):
        // a lookup by time has no offset to be out of range, so it goes on from the new log start.
        const fresh = await readHead(deps, topic, partition);
        if (!fresh) throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `partition ${partition} does not exist`);
        if (fresh.logStartOffset <= from) throw error;
        head = fresh;
        from = fresh.logStartOffset;
        continue;
      }
      if (batches.length === 0) break;
      // Every batch whose max timestamp qualifies, in order, as Kafka searches: the batch the log start
      // is inside (DeleteRecords) may owe its max timestamp to a deleted record, and then the answer
      // is in a later batch.
      for (const hit of batches.filter((b) => b.t >= spec)) {
        const [bytes] = await readBatches(deps.store, [[hit]]);
        const decoded = decodeRecordBatch(bytes as Buffer, LIMITS.readerMaxBatchBytes);
        const logStart = head.logStartOffset;
        const record = decoded.records.find((r) => r.timestamp >= spec && r.offset >= logStart);
        if (record) return { ...result, offset: record.offset, timestamp: record.timestamp };
      }
      const last = batches[batches.length - 1];
      if (!last) break;
      from = last.end;
    }
    return result; // no record at or after that time: offset -1, as Kafka answers
  } catch (error) {
    const e = publicError(error, `offset lookup of ${topicName}/${partition}`);
    return { ...result, errorCode: e.code, errorMessage: e.message };
  }
}
