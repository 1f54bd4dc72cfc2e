/**
 * Produce: validate every partition's batch, write ONE segment object holding
 * all valid batches, then commit each partition with a single-item conditional
 * write (a striped topic: each stripe touched, decision 52). Nothing is
 * acknowledged before both the object and the commits are durable.
 * A failure after the PUT leaves an unreferenced (orphan) object, collected later.
 *
 * This is the log's produce API for both front doors: the HTTP produce route and the Kafka
 * gateway call `produce` with the same request shape (one RecordBatch v2 per partition), and
 * idempotent producers get Kafka's semantics from it (producer-state.ts).
 */
import {
  ATTRIBUTE,
  BATCH_HEADER_SIZE,
  type BatchHeader,
  FloeError,
  type ProducePartitionResult,
  type ProduceRequest,
  type ProduceTopicResult,
  setMaxTimestamp,
  validateBatch,
  validateRecords,
} from '@floe/protocol';
import { publicError } from '../storage/errors.js';
import { newSegmentKey } from '../storage/keys.js';
import type { ObjectStore } from '../storage/object-store.js';
import { appendBatch, type AppendResult } from './append.js';
import { appendToStripes } from './stripe-append.js';
import { nowOf, producerIdExpiryOf, type LogDeps } from './deps.js';
import { compacts, LIMITS, stampsAppendTime } from './limits.js';
import { ProducerRegistry } from './producer-ids.js';
import { lastSequence, type ProducerBatch } from './producer-state.js';
import { RecordValidationError, refuseRecords } from './record-errors.js';
import { refuseClientLogAppendTime, refuseOutOfWindow, timestampWindowOf } from './timestamp-bounds.js';
import type { Topic } from './topics.js';

export interface ProduceDeps extends LogDeps {
  store: ObjectStore;
  resolveTopic: (name: string) => Promise<Topic | undefined>;
  /** Told of a resolved topic whose head is gone, so a cache behind resolveTopic reads it afresh next time. */
  topicGone?: (topic: Topic) => void;
  /** Fault-test hooks (src/local/crash-points.ts): after the segment PUT, and after the commits before answering. */
  afterSegmentWrite?: (key: string) => Promise<void> | void;
  afterCommit?: () => Promise<void> | void;
  /**
   * Walk every batch's records before accepting it (default true). Only the log benchmark turns
   * it off, to measure what it costs side by side; a server must never skip it (issue 13).
   */
  validateRecords?: boolean;
  /** Which producer ids and epochs the cluster issued, cached per instance (created on first use if absent). */
  producerRegistry?: ProducerRegistry;
}

interface Valid {
  topic: Topic;
  result: ProducePartitionResult;
  batch: Buffer;
  header: BatchHeader;
  /** max timestamp of the records as walked (a batch flagged LogAppendTime: its header's); the append time on a LogAppendTime topic */
  maxTimestamp: number;
  /** idempotent batches: producer id, epoch, sequences */
  producer?: ProducerBatch;
  start: number;
}

const failed = (partition: number, error: unknown): ProducePartitionResult => {
  const e = publicError(error, `produce to partition ${partition}`);
  const recordErrors = error instanceof RecordValidationError ? { recordErrors: error.recordErrors } : {};
  return { partition, errorCode: e.code, errorMessage: e.message, ...recordErrors, baseOffset: -1, logAppendTime: -1, logStartOffset: -1 };
};

export async function produce(deps: ProduceDeps, request: ProduceRequest): Promise<ProduceTopicResult[]> {
  const results: ProduceTopicResult[] = [];
  const valid: Valid[] = [];
  let size = 0;
  // Partitions already in this request, across its topic entries: a topic may be listed twice.
  const seen = new Set<string>();
  // The log's clock the batches' timestamps are checked against (a CreateTime topic's bounds): one per request.
  const checkedAt = nowOf(deps);
  for (const t of request.topics) {
    const topicResult: ProduceTopicResult = { topic: t.topic, partitions: [] };
    results.push(topicResult);
    const topic = await deps.resolveTopic(t.topic);
    for (const p of t.partitions) {
      try {
        if (!topic) throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `unknown topic "${t.topic}"`);
        if (!Number.isInteger(p.partition) || p.partition < 0 || p.partition >= topic.partitions) {
          throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${t.topic}" has no partition ${p.partition}`);
        }
        const id = `${topic.topicId}:${p.partition}`;
        if (seen.has(id)) throw new FloeError('INVALID_REQUEST', `partition ${p.partition} of "${t.topic}" appears twice in one request`);
        seen.add(id);
        if (p.records.length > topic.configs['max.message.bytes']) {
          throw new FloeError(
            'MESSAGE_TOO_LARGE',
            `batch of ${p.records.length} bytes exceeds max.message.bytes ${topic.configs['max.message.bytes']} of "${t.topic}"`,
          );
        }
        const header = validateBatch(p.records);
        // Kafka's broker walks the records before it appends; so does Floe (stored bytes stay the client's).
        // Decompressed, a batch must still fit max.message.bytes: a decompression bomb is refused here.
        const maxTimestamp = deps.validateRecords === false ? header.maxTimestamp : walkRecords(p.records, header, topic, p.partition, checkedAt);
        // An id or epoch the cluster never issued never reaches any partition's state (decision 26).
        const producer = header.producerId >= 0n ? await producerBatchOf(deps, header) : undefined;
        const result: ProducePartitionResult = { partition: p.partition, errorCode: 'NONE', baseOffset: -1, logAppendTime: -1, logStartOffset: -1 };
        topicResult.partitions.push(result);
        valid.push({ topic, result, batch: p.records, header, maxTimestamp, producer, start: size });
        size += p.records.length;
      } catch (error) {
        topicResult.partitions.push(failed(p.partition, error));
      }
    }
  }
  if (valid.length === 0) return results;

  // The log append time: known before the segment is written, since LogAppendTime topics carry it in the stored bytes.
  const appendTime = nowOf(deps);
  const key = newSegmentKey(new Date(appendTime));
  const body = Buffer.allocUnsafe(size);
  for (const v of valid) {
    v.batch.copy(body, v.start);
    body.writeBigInt64BE(0n, v.start); // stored batches carry baseOffset 0; it is patched on read
    v.maxTimestamp = stamp(body.subarray(v.start, v.start + v.batch.length), v, appendTime);
  }
  await deps.store.put(key, body);
  await deps.afterSegmentWrite?.(key);
  // By topic id, not by Topic object: a topic named twice in the request may resolve to two objects, and its stripes are written once each.
  const striped = new Map<string, Valid[]>();
  for (const v of valid) if (v.topic.stripeWidth !== undefined) striped.set(v.topic.topicId, [...(striped.get(v.topic.topicId) ?? []), v]);
  await Promise.all([
    ...[...striped.values()].map((batches) => commitStriped(deps, (batches[0] as Valid).topic, key, appendTime, batches)),
    ...valid.filter((v) => v.topic.stripeWidth === undefined).map(async (v) => {
      try {
        const outcome: AppendResult = await appendBatch(
          deps,
          v.topic.topicId,
          v.result.partition,
          // w: the offsets the batch takes (lastOffsetDelta + 1, checked equal to the count above); compaction keeps it when it lowers n.
          { k: key, s: v.start, l: v.batch.length, n: v.header.recordCount, w: v.header.lastOffsetDelta + 1, t: v.maxTimestamp, a: appendTime },
          v.producer,
          stampsAppendTime(v.topic.configs),
        );
        Object.assign(v.result, {
          baseOffset: outcome.baseOffset,
          logAppendTime: answeredTime(v, outcome),
          logStartOffset: outcome.logStartOffset,
        });
      } catch (error) {
        // The head is gone: the topic was deleted (and maybe created again) since it was cached.
        if (error instanceof FloeError && error.code === 'UNKNOWN_TOPIC_OR_PARTITION') deps.topicGone?.(v.topic);
        Object.assign(v.result, failed(v.result.partition, error));
      }
    }),
  ]);
  await deps.afterCommit?.();
  return results;
}

/** A striped topic's batches of the request: one write per stripe (stripe-append.ts). */
async function commitStriped(deps: ProduceDeps, topic: Topic, key: string, appendTime: number, batches: Valid[]): Promise<void> {
  const outcomes = await appendToStripes(
    deps,
    { topicId: topic.topicId, stripeWidth: topic.stripeWidth as number },
    key,
    appendTime,
    batches.map((v) => ({ partition: v.result.partition, s: v.start, l: v.batch.length, n: v.header.recordCount, w: v.header.lastOffsetDelta + 1, t: v.maxTimestamp, producer: v.producer })),
  );
  for (const v of batches) {
    const outcome = outcomes.get(v.result.partition);
    if (outcome === undefined || outcome instanceof Error) {
      if (outcome instanceof FloeError && outcome.code === 'UNKNOWN_TOPIC_OR_PARTITION') deps.topicGone?.(topic);
      Object.assign(v.result, failed(v.result.partition, outcome ?? new Error('no outcome')));
    } else {
      Object.assign(v.result, { baseOffset: outcome.baseOffset, logAppendTime: answeredTime(v, outcome), logStartOffset: outcome.logStartOffset });
    }
  }
}

/**
 * Kafka's log_append_time: the append time on a LogAppendTime topic, -1 on a CreateTime one. A
 * duplicate (a retry answered with its original offsets) gets its original batch's max timestamp
 * on either (UnifiedLog sets it from the producer state's BatchMetadata): on LogAppendTime the
 * original append time (-1 once the batch is gone), on CreateTime the retry's own, the same bytes.
 */
function answeredTime(v: Valid, outcome: AppendResult): number {
  if (stampsAppendTime(v.topic.configs)) return outcome.logAppendTime;
  return outcome.duplicate ? v.maxTimestamp : -1;
}

/**
 * What Kafka's broker does to a batch's timestamps before appending it (LogValidator): on a
 * LogAppendTime topic it takes the append time as maxTimestamp, with the timestamp-type bit set; on
 * a CreateTime topic a batch the client flagged LogAppendTime loses the flag and keeps its
 * maxTimestamp (what its records read as), so its records read their own timestamps. Other batches
 * are stored as sent. `stored` is the batch inside the segment body; answers the batch's max
 * timestamp as stored (the index's).
 */
function stamp(stored: Buffer, v: Valid, appendTime: number): number {
  if (stampsAppendTime(v.topic.configs)) {
    setMaxTimestamp(stored, true, appendTime);
    return appendTime;
  }
  if (v.header.attributes & ATTRIBUTE.logAppendTime) setMaxTimestamp(stored, false, v.header.maxTimestamp);
  return v.maxTimestamp;
}

async function producerBatchOf(deps: ProduceDeps, header: BatchHeader): Promise<ProducerBatch> {
  const registry = (deps.producerRegistry ??= new ProducerRegistry(deps));
  const { issuedAt } = await registry.verify(header.producerId, header.producerEpoch);
  if (header.baseSequence < 0) throw new FloeError('INVALID_RECORD', `idempotent batch of producer ${header.producerId} has base sequence ${header.baseSequence}`);
  return {
    producerId: header.producerId.toString(),
    epoch: header.producerEpoch,
    first: header.baseSequence,
    last: lastSequence(header.baseSequence, header.recordCount),
    recentlyIssued: issuedAt > nowOf(deps) - producerIdExpiryOf(deps),
  };
}

/**
 * Kafka's broker-side record validation; the decompressed batch must fit max.message.bytes too, every
 * record's timestamp must be within a CreateTime topic's bounds at `now` (and a batch the client flagged
 * LogAppendTime is refused where Kafka refuses it), and a compacted topic takes
 * keyed records only (compaction keeps the latest record per key). Refused records are listed.
 */
function walkRecords(batch: Buffer, header: BatchHeader, topic: Topic, partition: number, now: number): number {
  const limit = topic.configs['max.message.bytes'];
  const compacted = compacts(topic.configs);
  const window = timestampWindowOf(topic.configs, now, compacted);
  try {
    const summary = validateRecords(batch, header, limit - BATCH_HEADER_SIZE, window, compacted ? LIMITS.maxRecordErrors : 0);
    let timestamps: RecordValidationError | undefined;
    try {
      refuseClientLogAppendTime(topic, header);
      refuseOutOfWindow(topic, window, summary);
    } catch (error) {
      if (!(error instanceof RecordValidationError)) throw error;
      timestamps = error;
    }
    refuseRecords(topic, partition, summary, timestamps);
    return summary.maxTimestamp;
  } catch (error) {
    if (error instanceof FloeError && error.code === 'MESSAGE_TOO_LARGE') {
      throw new FloeError('MESSAGE_TOO_LARGE', `batch of ${batch.length} bytes decompresses past max.message.bytes ${limit} of "${topic.name}" (${error.message})`);
    }
    throw error;
  }
}

export function validateProduceRequest(request: ProduceRequest, bodyBytes: number): void {
  if (bodyBytes > LIMITS.maxProduceRequestBytes) {
    throw new FloeError('RECORD_LIST_TOO_LARGE', `produce request of ${bodyBytes} bytes exceeds ${LIMITS.maxProduceRequestBytes}`);
  }
  if (![0, 1, -1].includes(request.acks)) throw new FloeError('INVALID_REQUIRED_ACKS', `acks must be 0, 1 or -1 (all), got ${request.acks}`);
  // The JSON form refuses a negative timeout; the binary form's int32 must not pass where it does not.
  if (!Number.isSafeInteger(request.timeoutMs) || request.timeoutMs < 0) throw new FloeError('INVALID_REQUEST', `timeoutMs must be an integer >= 0, got ${request.timeoutMs}`);
  if (request.topics.length === 0) throw new FloeError('INVALID_REQUEST', 'produce request names no topic');
  const count = request.topics.reduce((sum, t) => sum + t.partitions.length, 0);
  if (count === 0) throw new FloeError('INVALID_REQUEST', 'produce request carries no partition');
  if (count > LIMITS.maxPartitionsPerRequest) {
    throw new FloeError('INVALID_REQUEST', `produce request names ${count} partitions; the limit is ${LIMITS.maxPartitionsPerRequest}`);
  }
}
