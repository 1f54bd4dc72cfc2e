/**
 * Produce: validate every partition's batch, write ONE segment object holding
 * all valid batches, then commit each partition with a single-item conditional
 * write. Nothing is acknowledged before both the object and the commits are durable.
 * A failure after the PUT leaves an unreferenced (orphan) object, collected later.
 */
import { type BatchHeader, type ErrorCode, FloeError, type ProducePartitionResult, type ProduceRequest, type ProduceTopicResult, validateBatch } from '@floe/protocol';
import { publicError } from '../storage/errors.js';
import { newSegmentKey } from '../storage/keys.js';
import type { ObjectStore } from '../storage/object-store.js';
import { appendBatch, type AppendResult } from './append.js';
import { nowOf, type LogDeps } from './deps.js';
import { LIMITS } from './limits.js';
import type { Topic } from './topics.js';

export interface ProduceDeps extends LogDeps {
  store: ObjectStore;
  resolveTopic: (name: string) => Promise<Topic | undefined>;
  /** Fault-test hooks (src/local/crash-points.ts): after the segment PUT, and after the commits before answering. */
  afterSegmentWrite?: (key: string) => Promise<void> | void;
  afterCommit?: () => Promise<void> | void;
}

interface Valid {
  topic: Topic;
  result: ProducePartitionResult;
  batch: Buffer;
  header: BatchHeader;
  start: number;
}

const failed = (partition: number, error: unknown): ProducePartitionResult => {
  const e = publicError(error, `produce to partition ${partition}`);
  return { partition, errorCode: e.code, errorMessage: e.message, baseOffset: -1, logAppendTime: -1, logStartOffset: -1 };
};

export async function produce(deps: ProduceDeps, request: ProduceRequest): Promise<ProduceTopicResult[]> {
  const results: ProduceTopicResult[] = [];
  const valid: Valid[] = [];
  let size = 0;
  for (const t of request.topics) {
    const topicResult: ProduceTopicResult = { topic: t.topic, partitions: [] };
    results.push(topicResult);
    const topic = await deps.resolveTopic(t.topic);
    const seen = new Set<number>();
    for (const p of t.partitions) {
      try {
        if (!topic) throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `unknown topic "${t.topic}"`);
        if (!Number.isInteger(p.partition) || p.partition < 0 || p.partition >= topic.partitions) {
          throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${t.topic}" has no partition ${p.partition}`);
        }
        if (seen.has(p.partition)) throw new FloeError('INVALID_REQUEST', `partition ${p.partition} appears twice in one request`);
        seen.add(p.partition);
        if (p.records.length > topic.configs['max.message.bytes']) {
          throw new FloeError(
            'MESSAGE_TOO_LARGE',
            `batch of ${p.records.length} bytes exceeds max.message.bytes ${topic.configs['max.message.bytes']} of "${t.topic}"`,
          );
        }
        const header = validateBatch(p.records);
        const result: ProducePartitionResult = { partition: p.partition, errorCode: 'NONE', baseOffset: -1, logAppendTime: -1, logStartOffset: -1 };
        topicResult.partitions.push(result);
        valid.push({ topic, result, batch: p.records, header, start: size });
        size += p.records.length;
      } catch (error) {
        topicResult.partitions.push(failed(p.partition, error));
      }
    }
  }
  if (valid.length === 0) return results;

  const key = newSegmentKey(new Date(nowOf(deps)));
  const body = Buffer.allocUnsafe(size);
  for (const v of valid) {
    v.batch.copy(body, v.start);
    body.writeBigInt64BE(0n, v.start); // stored batches carry baseOffset 0; it is patched on read
  }
  await deps.store.put(key, body);
  await deps.afterSegmentWrite?.(key);

  const appendTime = nowOf(deps);
  await Promise.all(
    valid.map(async (v) => {
      const idempotent = v.header.producerId >= 0;
      try {
        const outcome: AppendResult = await appendBatch(
          deps,
          v.topic.topicId,
          v.result.partition,
          {
            k: key,
            s: v.start,
            l: v.batch.length,
            n: v.header.recordCount,
            t: v.header.maxTimestamp,
            a: appendTime,
            ...(idempotent ? { p: v.header.producerId, e: v.header.producerEpoch, q: v.header.baseSequence } : {}),
          },
          idempotent
            ? { producerId: v.header.producerId, producerEpoch: v.header.producerEpoch, baseSequence: v.header.baseSequence }
            : undefined,
        );
        Object.assign(v.result, {
          baseOffset: outcome.baseOffset,
          logAppendTime: outcome.logAppendTime,
          logStartOffset: outcome.logStartOffset,
        });
      } catch (error) {
        Object.assign(v.result, failed(v.result.partition, error));
      }
    }),
  );
  await deps.afterCommit?.();
  return results;
}

export function validateProduceRequest(request: ProduceRequest, bodyBytes: number): void {
  if (bodyBytes > LIMITS.maxProduceRequestBytes) {
    throw new FloeError('RECORD_LIST_TOO_LARGE', `produce request of ${bodyBytes} bytes exceeds ${LIMITS.maxProduceRequestBytes}`);
  }
  if (![0, 1, -1].includes(request.acks)) throw new FloeError('INVALID_REQUIRED_ACKS', `acks must be 0, 1 or -1 (all), got ${request.acks}`);
  if (request.topics.length === 0) throw new FloeError('INVALID_REQUEST', 'produce request names no topic');
  const count = request.topics.reduce((sum, t) => sum + t.partitions.length, 0);
  if (count === 0) throw new FloeError('INVALID_REQUEST', 'produce request carries no partition');
  if (count > LIMITS.maxPartitionsPerRequest) {
    throw new FloeError('INVALID_REQUEST', `produce request names ${count} partitions; the limit is ${LIMITS.maxPartitionsPerRequest}`);
  }
}
