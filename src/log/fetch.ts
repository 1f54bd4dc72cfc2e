/**
 * Fetch: Kafka's semantics over partition heads and segment objects.
 * - at least one whole batch per partition with data, even past the byte limits;
 * - max.partition.fetch.bytes per partition, fetch.max.bytes over the response;
 * - wait until fetch.min.bytes are available or fetch.max.wait.ms passes
 *   (capped at LIMITS.maxFetchWaitMs), re-reading only the heads while waiting.
 * Heads are read eventually consistent (half the read units: most fetches, and every
 * idle poll, read only heads); a head that looks older than the fetch offset is read again
 * strongly consistent before the offset is called out of range (decision 35), and a partition
 * about to be served records has its log start read strongly, beside the object reads, so
 * nothing below a DeleteRecords that answered is served (decision 49).
 * Every read is settled per partition (heads, index chunks, log start, objects): one that fails
 * answers its partition alone with publicError's code, and the others are served.
 */
import { type ErrorCode, type FetchPartitionRequest, type FetchPartitionResult, type FetchRequest, type FetchTopicResult, FloeError } from '@floe/protocol';
import type { ObjectStore } from '../storage/object-store.js';
import type { LogDeps } from './deps.js';
import { LIMITS } from './limits.js';
import { locateBatches } from './locate.js';
import { spanOf, type LocatedBatch, type PartitionHead } from './partition-head.js';
import { readBatchesSettled } from './read-ranges.js';
import { headReader, type HeadReader } from './store.js';
import { publicError } from '../storage/errors.js';
import type { Topic } from './topics.js';

export interface FetchDeps extends LogDeps {
  store: ObjectStore;
  resolveTopic: (name: string) => Promise<Topic | undefined>;
  /** Told of a resolved topic whose head is gone, so a cache behind resolveTopic reads it afresh next time. */
  topicGone?: (topic: Topic) => void;
}

interface Slot {
  topic?: Topic;
  request: FetchPartitionRequest;
  result: FetchPartitionResult;
  head?: PartitionHead;
  /** `head` was read strongly consistent: its log start is the latest. */
  strong?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function fetchRecords(deps: FetchDeps, request: FetchRequest): Promise<FetchTopicResult[]> {
  const started = Date.now();
  const waitMs = Math.min(Math.max(0, request.maxWaitMs), LIMITS.maxFetchWaitMs);
  const maxBytes = Math.min(request.maxBytes, LIMITS.maxFetchResponseBytes);

  const slots: Array<{ topic: string; slots: Slot[] }> = [];
  for (const t of request.topics) {
    const topic = await deps.resolveTopic(t.topic);
    slots.push({
      topic: t.topic,
      slots: t.partitions.map((request) => ({
        topic,
        request,
        result: { partition: request.partition, errorCode: 'NONE', highWatermark: -1, logStartOffset: -1, records: Buffer.alloc(0) },
      })),
    });
  }
  const all = slots.flatMap((t) => t.slots);

  for (;;) {
    const round = readersOf(deps);
    await Promise.all(all.map((slot) => refreshHead(round, slot)));
    const available = all.reduce((sum, slot) => sum + availableBytesHint(slot), 0);
    const left = waitMs - (Date.now() - started);
    if (available >= Math.max(1, request.minBytes) || left <= 0) break;
    // Wait the whole of fetch.max.wait.ms: answering early would only make the client ask again at once.
    await sleep(Math.min(LIMITS.fetchPollIntervalMs, left));
  }

  // Locate batches per partition within the response budget, then read all objects at once.
  let budget = maxBytes;
  const chosen: LocatedBatch[][] = [];
  const readable: Slot[] = [];
  for (const slot of all) {
    if (slot.result.errorCode !== 'NONE' || !slot.head || !slot.topic) continue;
    if (slot.request.fetchOffset >= slot.head.nextOffset) continue;
    const limit = Math.min(slot.request.partitionMaxBytes, budget);
    if (limit <= 0 && readable.length > 0) break;
    let batches: LocatedBatch[];
    try {
      batches = await locateBatches(deps, slot.topic, slot.request.partition, slot.head, {
        fromOffset: slot.request.fetchOffset,
        maxBytes: Math.max(limit, 0),
        // Kafka: the first batch of the first non-empty partition comes back even past the limits, so consumers progress.
        forceFirst: readable.length === 0,
      });
    } catch (error) {
      if (!(error instanceof FloeError && error.code === 'OFFSET_OUT_OF_RANGE')) {
        // An index Query that failed fails its partition alone, as the object reads below do.
        failSlot(slot, error);
        continue;
      }
      // Retention moved the log start past the offset after the head was read: answer with the new one.
      await refreshHead(readersOf(deps), slot);
      if (slot.result.errorCode === 'NONE') setError(slot.result, 'OFFSET_OUT_OF_RANGE', error.message);
      continue;
    }
    if (batches.length === 0) continue;
    chosen.push(batches);
    readable.push(slot);
    budget -= batches.reduce((sum, b) => sum + b.l, 0);
  }
  // Records are served only above the latest log start: a head read eventually consistent may predate a
  // DeleteRecords that has answered its caller. Read strongly beside the objects (hidden behind S3; a round trip more on cache hits).
  // Settled per partition, as the object reads: a strong read that fails (throttled, or unavailable as
  // strong reads can be in an outage) fails its partition alone, never serving it unchecked.
  const strong = headReader(deps, true);
  const [buffers, latest] = await Promise.all([
    readBatchesSettled(deps.store, chosen),
    Promise.all(readable.map((slot) => latestBounds(strong, slot).catch((error: unknown) => ({ error })))),
  ]);
  readable.forEach((slot, i) => {
    const read = buffers[i] as Buffer | { error: unknown };
    const bounds = latest[i] as Bounds | { error: unknown };
    const failed = 'error' in bounds ? bounds : Buffer.isBuffer(read) ? undefined : read;
    if (failed) return failSlot(slot, failed.error);
    const start = (bounds as Bounds).logStartOffset;
    slot.result.logStartOffset = Math.max(slot.result.logStartOffset, start);
    if (slot.request.fetchOffset < start) {
      // The newer head's end too: a log start past the old head's end would answer start > high watermark.
      slot.result.highWatermark = Math.max(slot.result.highWatermark, (bounds as Bounds).nextOffset);
      setError(slot.result, 'OFFSET_OUT_OF_RANGE', `offset ${slot.request.fetchOffset} is below the log start offset ${start}`);
    } else slot.result.records = read as Buffer;
  });
  return slots.map((t) => ({ topic: t.topic, partitions: t.slots.map((s) => s.result) }));
}

type Bounds = Pick<PartitionHead, 'logStartOffset' | 'nextOffset'>;

/**
 * The log start (and end) as of now for a slot about to be served records (decision 49): the head's
 * own when it was read strongly, else a strong read's (a head gone meanwhile keeps the one read: its
 * records are what the topic had).
 */
async function latestBounds(strong: HeadReader, slot: Slot): Promise<Bounds> {
  const known: Bounds = { logStartOffset: slot.head?.logStartOffset ?? 0, nextOffset: slot.head?.nextOffset ?? 0 };
  if (slot.strong || !slot.topic) return known;
  const head = await strong(slot.topic, slot.request.partition);
  return head ? { logStartOffset: Math.max(known.logStartOffset, head.logStartOffset), nextOffset: Math.max(known.nextOffset, head.nextOffset) } : known;
}

/** One round's head reads: partitions of one stripe share its item's read (store.ts headReader). */
interface Readers {
  eventual: HeadReader;
  strong: HeadReader;
  topicGone?: FetchDeps['topicGone'];
}

const readersOf = (deps: FetchDeps): Readers => ({ eventual: headReader(deps, false), strong: headReader(deps, true), topicGone: deps.topicGone });

async function refreshHead(reads: Readers, slot: Slot): Promise<void> {
  const { request, result } = slot;
  if (result.errorCode !== 'NONE' && result.errorCode !== 'OFFSET_OUT_OF_RANGE') return;
  if (!slot.topic || request.partition < 0 || request.partition >= slot.topic.partitions) {
    setError(result, 'UNKNOWN_TOPIC_OR_PARTITION', 'unknown topic or partition');
    return;
  }
  let head: PartitionHead | undefined;
  try {
    head = await reads.eventual(slot.topic, request.partition);
    slot.strong = false;
    // A lagging replica: the offset may be one this consumer was given by a newer head.
    if (!head || request.fetchOffset > head.nextOffset) {
      head = await reads.strong(slot.topic, request.partition);
      slot.strong = true;
    }
  } catch (error) {
    // Settled per partition (decision 49): the others are still served. An error ends the wait, so it is read once.
    failSlot(slot, error);
    return;
  }
  if (!head) {
    reads.topicGone?.(slot.topic);
    setError(result, 'UNKNOWN_TOPIC_OR_PARTITION', 'partition does not exist');
    return;
  }
  slot.head = head;
  result.highWatermark = head.nextOffset;
  result.logStartOffset = head.logStartOffset;
  if (request.fetchOffset < head.logStartOffset || request.fetchOffset > head.nextOffset) {
    setError(
      result,
      'OFFSET_OUT_OF_RANGE',
      `offset ${request.fetchOffset} is outside [${head.logStartOffset}, ${head.nextOffset}]`,
    );
  } else {
    result.errorCode = 'NONE';
    delete result.errorMessage;
  }
}

function setError(result: FetchPartitionResult, code: ErrorCode, message: string): void {
  result.errorCode = code;
  result.errorMessage = message;
}

/** A read for one partition failed: that partition alone is answered, with the code publicError gives (decision 49). */
function failSlot(slot: Slot, error: unknown): void {
  const e = publicError(error, `fetch of ${slot.request.partition} of topic ${slot.topic?.name}`);
  setError(slot.result, e.code, e.message);
}

/** Bytes that are known to be readable for a slot from its head alone (errors count, so they end the wait). */
function availableBytesHint(slot: Slot): number {
  if (slot.result.errorCode !== 'NONE') return Number.MAX_SAFE_INTEGER;
  const head = slot.head;
  if (!head || slot.request.fetchOffset >= head.nextOffset) return 0;
  // Records before recentBase are in the index: certainly at least one batch.
  if (slot.request.fetchOffset < head.recentBase) return Number.MAX_SAFE_INTEGER;
  let offset = head.recentBase;
  let bytes = 0;
  for (const loc of head.recent) {
    if (offset + spanOf(loc) > slot.request.fetchOffset) bytes += loc.l;
    offset += spanOf(loc);
  }
  return bytes;
}

export function validateFetchRequest(request: FetchRequest): void {
  if (request.topics.length === 0) throw new FloeError('INVALID_REQUEST', 'fetch names no topic');
  let count = 0;
  const named = new Set<string>();
  for (const t of request.topics) {
    for (const p of t.partitions) {
      count++;
      // Two positions for one partition: which answer is which could not be told (Kafka refuses it too).
      const id = `${p.partition}\u0000${t.topic}`;
      if (named.has(id)) throw new FloeError('INVALID_REQUEST', `fetch names partition ${p.partition} of topic "${t.topic}" twice`);
      named.add(id);
      if (!Number.isSafeInteger(p.fetchOffset) || p.fetchOffset < 0) {
        throw new FloeError('OFFSET_OUT_OF_RANGE', `fetch offset must be a non-negative integer, got ${p.fetchOffset}`);
      }
      if (!Number.isSafeInteger(p.partitionMaxBytes) || p.partitionMaxBytes <= 0) {
        throw new FloeError('INVALID_FETCH_SIZE', 'partitionMaxBytes must be a positive integer');
      }
    }
  }
  if (count > LIMITS.maxPartitionsPerRequest) {
    throw new FloeError('INVALID_REQUEST', `fetch names ${count} partitions; the limit is ${LIMITS.maxPartitionsPerRequest}`);
  }
}
