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
  const total = entries.reduce((sum, e) => sum + (e.records?.length ?? 0), 0);
  const requestError = (code: number, message: string) => {
    for (const e of entries) e.error ??= { code, message };
  };
  if (acks !== 0 && acks !== 1 && acks !== -1) requestError(KafkaCode.INVALID_REQUIRED_ACKS, `acks must be 0, 1 or -1, got ${acks}`);
  if (body.transactionalId !== null && body.transactionalId !== undefined) requestError(KafkaCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'transactions are not supported');
  if (total > LOG_LIMITS.maxProduceRequestBytes) requestError(KafkaCode.MESSAGE_TOO_LARGE, `request carries ${total} bytes of records; the limit is ${LOG_LIMITS.maxProduceRequestBytes}`);
  if (entries.length > LOG_LIMITS.maxPartitionsPerRequest) requestError(KafkaCode.INVALID_REQUEST, `request names ${entries.length} partitions`);
  // Write per topic, before anything else about the partition: a denied topic's batches never reach the log.
  const access = await accessOf();
  for (const e of entries) if (!e.error) e.error = check(access, 'topic', e.topic, 'Write');
  for (const e of entries) if (!e.error && (e.records === null || e.records.length === 0)) e.error = { code: KafkaCode.CORRUPT_MESSAGE, message: 'no record batch' };

  const toLog = new Map<string, PortProducePartition[]>();
  for (const e of entries) {
    if (e.error) continue;
    toLog.set(e.topic, [...(toLog.get(e.topic) ?? []), { partition: e.partition, records: e.records as Buffer }]);
  }
  if (toLog.size > 0) {
    const keys = entries.filter((e) => !e.error).map((e) => `${e.topic}:${e.partition}`);
    try {
      const results = await connection.order.run(keys, () => gw.deps.log.produce(acks, body.timeoutMs ?? 30_000, [...toLog].map(([topic, partitions]) => ({ topic, partitions }))));
      const pending = entries.filter((e) => !e.error);
      // The log answers every partition it was given, in the order given (topics grouped).
      const ordered = [...toLog.keys()].flatMap((topic) => pending.filter((e) => e.topic === topic));
      ordered.forEach((e, i) => {
        e.result = results[i];
      });
    } catch (error) {
      // Nothing was committed when the segment write itself failed: a retry is safe.
      const { code, message } = toKafkaError(error);
      const retriable = code === KafkaCode.UNKNOWN_SERVER_ERROR ? KafkaCode.KAFKA_STORAGE_ERROR : code;
      for (const e of entries) if (!e.error) e.error = { code: retriable, message };
    }
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

/** Fetches waiting in this gateway on the partitions just written wake at once. */
async function wakeFetches(gw: Parameters<Handler>[0], entries: Entry[]): Promise<void> {
  for (const e of entries) {
    if (!e.result || e.result.errorCode !== 'NONE' || !e.records || e.records.length < RECORD_COUNT_OFFSET + 4) continue;
    const topic = await gw.deps.log.topic(e.topic);
    if (topic) gw.heads.advanced(topic.topicId, e.partition, e.result.baseOffset + e.records.readInt32BE(RECORD_COUNT_OFFSET));
  }
}
