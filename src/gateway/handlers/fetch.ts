/**
 * Fetch (1), v4-12. Reads what is there; if that is less than min_bytes, the request waits in the
 * gateway (up to max_wait_ms, capped by the gateway's maxFetchWaitMs) on the head watcher - never
 * polling DynamoDB per request - and reads again when a head moved. Every requested partition is
 * answered; no fetch sessions (session_id 0); records are never null.
 */
import type { FetchRequest, KafkaStruct, MessageBody } from '@floe/protocol/kafka';
import type { GatewayContext, Handler } from '../context.js';
import { check } from '../denials.js';
import type { WaitItem } from '../fetch/head-watcher.js';
import { KafkaCode, kafkaCodeOf, toKafkaError } from '../kafka-codes.js';
import { LOG_LIMITS, type PortFetchPartition, type PortFetchResult } from '../log-port.js';

const EMPTY = Buffer.alloc(0);

interface Slot {
  topic: string;
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
  /** Set when the request itself is wrong for this partition (no read). */
  errorCode?: number;
  /** The caller may not Read the topic: answered TOPIC_AUTHORIZATION_FAILED, never read, and no reason to stop waiting for the others. */
  denied?: boolean;
  result?: PortFetchResult;
}

function partitionAnswer(slot: Slot, readCommitted: boolean): KafkaStruct {
  const r = slot.result;
  const errorCode = slot.errorCode ?? (r ? kafkaCodeOf(r.errorCode) : KafkaCode.NONE);
  const hw = BigInt(r?.highWatermark ?? -1);
  return {
    partitionIndex: slot.partition,
    errorCode,
    highWatermark: hw,
    lastStableOffset: hw, // no transactions: everything below the high watermark is stable
    logStartOffset: BigInt(r?.logStartOffset ?? -1),
    abortedTransactions: readCommitted ? [] : null,
    preferredReadReplica: -1,
    records: errorCode === KafkaCode.NONE ? (r?.records ?? EMPTY) : EMPTY,
  };
}

const bytesOf = (slots: Slot[]): number => slots.reduce((sum, s) => sum + (s.result?.records.length ?? 0), 0);
const failed = (slot: Slot): boolean => (slot.errorCode !== undefined && !slot.denied) || (slot.result !== undefined && slot.result.errorCode !== 'NONE');

/** Reads the valid slots once; results land on the slots. */
async function readOnce(gw: GatewayContext, slots: Slot[], maxBytes: number): Promise<void> {
  const readable = slots.filter((s) => s.errorCode === undefined);
  if (readable.length === 0) return;
  const request: PortFetchPartition[] = readable.map(({ topic, partition, fetchOffset, partitionMaxBytes }) => ({ topic, partition, fetchOffset, partitionMaxBytes }));
  try {
    const results = await gw.deps.log.fetch(request, maxBytes);
    readable.forEach((slot, i) => {
      slot.result = results[i];
    });
  } catch (error) {
    // Storage failed (throttling, an outage): a retriable code on every partition, rather than a dropped connection.
    const { code } = toKafkaError(error);
    for (const slot of readable) slot.errorCode = code === KafkaCode.UNKNOWN_SERVER_ERROR ? KafkaCode.KAFKA_STORAGE_ERROR : code;
  }
}

/** What to wait on: each readable partition, woken once its head passes what we last saw of it. */
async function waitItems(gw: GatewayContext, slots: Slot[]): Promise<WaitItem[]> {
  const items: WaitItem[] = [];
  for (const slot of slots) {
    if (slot.errorCode !== undefined) continue;
    const topic = await gw.deps.log.topic(slot.topic);
    if (!topic) continue;
    items.push({ topic, partition: slot.partition, offset: Math.max(slot.fetchOffset, slot.result?.highWatermark ?? -1) });
  }
  return items;
}

/**
 * When the cached heads say every partition is exactly at its end, answers the slots from the cache
 * (no read): an idle consumer's fetches then cost only the watcher's shared polls.
 */
async function answerIdleFromCache(gw: GatewayContext, slots: Slot[]): Promise<boolean> {
  const found: Array<[Slot, PortFetchResult]> = [];
  for (const slot of slots) {
    if (slot.denied) continue;
    if (slot.errorCode !== undefined) return false;
    const topic = await gw.deps.log.topic(slot.topic);
    const head = topic && slot.partition >= 0 && slot.partition < topic.partitions ? gw.heads.fresh(topic, slot.partition) : undefined;
    if (!head || head.nextOffset !== slot.fetchOffset) return false;
    const { topic: name, partition } = slot;
    found.push([slot, { topic: name, partition, errorCode: 'NONE', highWatermark: head.nextOffset, logStartOffset: head.logStartOffset, records: EMPTY }]);
  }
  for (const [slot, result] of found) slot.result = result;
  return found.length > 0;
}

export const fetch: Handler = async (gw, raw, { connection, access: accessOf }) => {
  const body = raw as MessageBody<typeof FetchRequest>;
  const started = Date.now();
  if ((body.sessionId ?? 0) !== 0) {
    // No incremental fetch sessions: the client falls back to full fetches.
    return { throttleTimeMs: 0, errorCode: KafkaCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] };
  }
  const readCommitted = (body.isolationLevel ?? 0) === 1;
  const maxBytes = Math.max(1, Math.min(body.maxBytes ?? LOG_LIMITS.maxFetchResponseBytes, LOG_LIMITS.maxFetchResponseBytes));
  const minBytes = Math.max(1, body.minBytes ?? 1);
  const waitMs = Math.min(Math.max(0, body.maxWaitMs ?? 0), gw.settings.maxFetchWaitMs);

  const topics = (body.topics ?? []).map((t) => ({
    topic: t.topic ?? '',
    slots: (t.partitions ?? []).map((p): Slot => {
      const fetchOffset = Number(p.fetchOffset ?? -1n);
      const slot: Slot = { topic: t.topic ?? '', partition: p.partition ?? -1, fetchOffset, partitionMaxBytes: Math.max(1, p.partitionMaxBytes ?? 1) };
      if (!Number.isSafeInteger(fetchOffset) || fetchOffset < 0) slot.errorCode = KafkaCode.OFFSET_OUT_OF_RANGE;
      return slot;
    }),
  }));
  const slots = topics.flatMap((t) => t.slots);
  if (slots.length > LOG_LIMITS.maxPartitionsPerRequest) for (const slot of slots) slot.errorCode = KafkaCode.INVALID_REQUEST;
  // Read per topic (Kafka's rule for consumers): denied partitions are answered in place, the others are read.
  const access = await accessOf();
  for (const slot of slots) {
    const refused = slot.errorCode === undefined ? check(access, 'topic', slot.topic, 'Read') : undefined;
    if (refused) Object.assign(slot, { errorCode: refused.code, denied: true });
  }

  const deadline = started + waitMs;
  const signal = connection.signal;
  let skipRead = waitMs > 0 && (await answerIdleFromCache(gw, slots));
  for (;;) {
    if (!skipRead) await readOnce(gw, slots, maxBytes);
    skipRead = false;
    // Every partition denied: nothing could ever arrive (Kafka answers such a fetch at once too).
    if (bytesOf(slots) >= minBytes || slots.some(failed) || slots.every((s) => s.denied) || signal.aborted) break;
    const left = deadline - Date.now();
    // Timed out (or closing) with nothing new: the last answer stands.
    if (left <= 0 || !(await gw.heads.wait(await waitItems(gw, slots), left, signal))) break;
  }
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: topics.map((t) => ({ topic: t.topic, partitions: t.slots.map((s) => partitionAnswer(s, readCommitted)) })),
  };
};
