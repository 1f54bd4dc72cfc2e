/**
 * Produce (0), v3-9. Each partition's RecordBatch v2 goes to the log exactly as sent (the log
 * validates it and stores the client's bytes). A connection's requests touching the same
 * partition are applied in arrival order (PartitionOrder), so up to five idempotent requests in
 * flight keep their sequence order. acks=0 gets no response at all.
 */
import type { KafkaStruct, MessageBody, ProduceRequest } from '@floe/protocol/kafka';
import type { Handler } from '../context.js';
import { check } from '../denials.js';
import { KafkaCode, kafkaCodeOf, toKafkaError } from '../kafka-codes.js';
import { LOG_LIMITS, type PortProducePartition, type PortProduceResult } from '../log-port.js';

interface Entry {
  topic: string;
  partition: number;
  records: Buffer | null;
  /** An error decided before the log sees the batch. */
  error?: { code: number; message: string };
  result?: PortProduceResult;
}

const RECORD_COUNT_OFFSET = 57;

/**
 * A failure the log reports without a Kafka meaning (a storage error while committing) may have
 * committed: REQUEST_TIMED_OUT makes the client retry, and an idempotent retry gets the original offsets.
 */
function produceCode(result: PortProduceResult): number {
  return result.errorCode === 'UNKNOWN_SERVER_ERROR' ? KafkaCode.REQUEST_TIMED_OUT : kafkaCodeOf(result.errorCode);
}

export const produce: Handler = async (gw, raw, { connection, access: accessOf }) => {
  const body = raw as MessageBody<typeof ProduceRequest>;
  const acks = body.acks ?? 1;
  const entries: Entry[] = [];
  const byTopic: Array<{ name: string; entries: Entry[] }> = [];
  for (const t of body.topicData ?? []) {
    const list: Entry[] = [];
    byTopic.push({ name: t.name ?? '', entries: list });
    for (const p of t.partitionData ?? []) {
      const entry: Entry = { topic: t.name ?? '', partition: p.index ?? -1, records: p.records ?? null };
      list.push(entry);
      entries.push(entry);
    }
  }
  const requestError = (code: number, message: string) => {
    for (const e of entries) e.error ??= { code, message };
  };
  if (acks !== 0 && acks !== 1 && acks !== -1) requestError(KafkaCode.INVALID_REQUIRED_ACKS, `acks must be 0, 1 or -1, got ${acks}`);
  if (body.transactionalId !== null && body.transactionalId !== undefined) requestError(KafkaCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'transactions are not supported');
  if (entries.length > LOG_LIMITS.maxPartitionsPerRequest) requestError(KafkaCode.INVALID_REQUEST, `request names ${entries.length} partitions`);
  // Write per topic, before anything else about the partition: a denied topic's batches never reach the log.
  const access = await accessOf();
  for (const e of entries) if (!e.error) e.error = check(access, 'topic', e.topic, 'Write');
  for (const e of entries) if (!e.error && (e.records === null || e.records.length === 0)) e.error = { code: KafkaCode.CORRUPT_MESSAGE, message: 'no record batch' };

  const pending = entries.filter((e) => !e.error);
  if (pending.length > 0) {
    const keys = pending.map((e) => `${e.topic}:${e.partition}`);
    // Partitions are independent in Kafka's Produce, so a request past one segment's budget is several
    // segment objects, each committed on its own: a failed one fails only its own partitions.
    await connection.order.run(keys, () =>
      Promise.all(segmentsOf(pending, LOG_LIMITS.maxProduceRequestBytes).map((segment) => writeSegment(gw, acks, body.timeoutMs ?? 30_000, segment))),
    );
    await wakeFetches(gw, entries);
  }
  if (acks === 0) return null;
  return {
    responses: byTopic.map((t) => ({
      name: t.name,
      partitionResponses: t.entries.map((e): KafkaStruct => {
        const code = e.error?.code ?? (e.result ? produceCode(e.result) : KafkaCode.UNKNOWN_SERVER_ERROR);
        const ok = code === KafkaCode.NONE && e.result !== undefined;
        return {
          index: e.partition,
          errorCode: code,
          baseOffset: BigInt(ok ? (e.result?.baseOffset ?? -1) : -1),
          logAppendTimeMs: BigInt(ok ? (e.result?.logAppendTime ?? -1) : -1), // -1 on CreateTime, but for a duplicate (decision 49)
          logStartOffset: BigInt(ok ? (e.result?.logStartOffset ?? -1) : -1),
          // Kafka's (v8+): which records made the batch be refused; older versions drop the field.
          recordErrors: ok ? [] : (e.result?.recordErrors ?? []).map((r) => ({ batchIndex: r.batchIndex, batchIndexErrorMessage: r.message })),
          errorMessage: ok ? null : (e.error?.message ?? e.result?.errorMessage ?? null),
        };
      }),
    })),
    throttleTimeMs: 0,
  };
};

/**
 * The partitions in groups of at most `budget` bytes of records, in request order, each written as one
 * segment object (the log's produce-request size, which bounds a segment). Kafka bounds only the whole
 * request (socket.request.max.bytes; here the frame limit), so a kafkajs send of 100 KB records to many
 * partitions must not fail for being 5 MB. Copies of one partition stay together, so the log still
 * refuses the second copy rather than writing both. A batch alone past the budget goes alone: it is
 * past every topic's max.message.bytes, which the log refuses for that partition.
 */
function segmentsOf(entries: Entry[], budget: number): Entry[][] {
  const byPartition = new Map<string, Entry[]>();
  for (const e of entries) {
    const key = `${e.topic}\0${e.partition}`;
    const copies = byPartition.get(key);
    if (copies) copies.push(e);
    else byPartition.set(key, [e]);
  }
  const segments: Entry[][] = [];
  let current: Entry[] = [];
  let bytes = 0;
  for (const copies of byPartition.values()) {
    const size = copies.reduce((sum, e) => sum + (e.records?.length ?? 0), 0);
    if (current.length > 0 && bytes + size > budget) {
      segments.push(current);
      current = [];
      bytes = 0;
    }
    current.push(...copies);
    bytes += size;
  }
  if (current.length > 0) segments.push(current);
  return segments;
}

/** One segment's partitions through the log; its entries get their results, or its failure. */
async function writeSegment(gw: Parameters<Handler>[0], acks: number, timeoutMs: number, segment: Entry[]): Promise<void> {
  const toLog = new Map<string, PortProducePartition[]>();
  for (const e of segment) toLog.set(e.topic, [...(toLog.get(e.topic) ?? []), { partition: e.partition, records: e.records as Buffer }]);
  try {
    const results = await gw.deps.log.produce(acks, timeoutMs, [...toLog].map(([topic, partitions]) => ({ topic, partitions })));
    // The log answers every partition it was given, in the order given (topics grouped).
    const ordered = [...toLog.keys()].flatMap((topic) => segment.filter((e) => e.topic === topic));
    ordered.forEach((e, i) => {
      e.result = results[i];
    });
  } catch (error) {
    // Nothing was committed when the segment write itself failed: a retry is safe.
    const { code, message } = toKafkaError(error);
    const retriable = code === KafkaCode.UNKNOWN_SERVER_ERROR ? KafkaCode.KAFKA_STORAGE_ERROR : code;
    for (const e of segment) e.error = { code: retriable, message };
  }
}

/** Fetches waiting in this gateway on the partitions just written wake at once. */
async function wakeFetches(gw: Parameters<Handler>[0], entries: Entry[]): Promise<void> {
  for (const e of entries) {
    if (!e.result || e.result.errorCode !== 'NONE' || !e.records || e.records.length < RECORD_COUNT_OFFSET + 4) continue;
    const topic = await gw.deps.log.topic(e.topic);
    if (topic) gw.heads.advanced(topic.topicId, e.partition, e.result.baseOffset + e.records.readInt32BE(RECORD_COUNT_OFFSET));
  }
}
