/**
 * Committing a batch to a partition: one single-item conditional UpdateItem on the partition head
 * that assigns the offsets and, for an idempotent producer, checks and advances its state in the
 * same write (producer-state.ts, decision 27); then (sometimes) spilling old locations to an index
 * item. No transactions, no prior read on the happy path.
 */
import { FloeError, sleep } from '@floe/protocol';
import { reportInternalError } from '../storage/errors.js';
import { segmentKeyTime } from '../storage/keys.js';
import { nowOf, producerIdExpiryOf, type LogDeps } from './deps.js';
import { LIMITS } from './limits.js';
import { locateBatches } from './locate.js';
import { spanOf, spanOfAll, withOffsets, type Location, type PartitionHead } from './partition-head.js';
import {
  baseAppend,
  admitAndAppendUpdate,
  admitUpdate,
  appendUpdate,
  judge,
  resolved,
  SEQUENCE_MODULUS,
  victimOf,
  type Admission,
  type ProducerBatch,
  type ProducerState,
} from './producer-state.js';
import type { TopicRef } from './stripe-head.js';
import { deleteChunkItem, getHead, getProducerStateItem, putChunkIfAbsent, putProducerStateItem, trimHead, updateHead, type HeadUpdate } from './store.js';

export { lastSequence, type ProducerBatch } from './producer-state.js';

export interface AppendResult {
  baseOffset: number;
  /** the append time; for a duplicate, its original batch's max timestamp (-1: not known) */
  logAppendTime: number;
  logStartOffset: number;
  /** true when this batch had been committed before (idempotent retry): the original offset is returned */
  duplicate: boolean;
}

type Appended = { nextOffset: number; recent: Location[]; logStartOffset: number };

/**
 * Refuses, retriable, a write that would point a head at an object written too long ago. The sweep
 * deletes an unreferenced object once its key time is older than the grace, so a commit this late
 * (a process stalled past Lambda's timeout, e.g. the gateway's) must not reference it: the object is
 * left to the sweep.
 */
export function refuseLateCommit(deps: LogDeps, key: string, appendTime: number): void {
  const age = nowOf(deps) - (segmentKeyTime(key) ?? appendTime);
  if (age > LIMITS.maxCommitAgeMs) {
    throw new FloeError('REQUEST_TIMED_OUT', `the batch's segment object was written ${age} ms ago, past ${LIMITS.maxCommitAgeMs} ms; retry`);
  }
}

/** A write that points the head at `location`'s object (refused when too late, see refuseLateCommit). */
async function commit(deps: LogDeps, topicId: string, partition: number, location: Location, update: HeadUpdate): Promise<Appended | undefined> {
  refuseLateCommit(deps, location.k, location.a);
  return (await updateHead(deps, topicId, partition, update)) as Appended | undefined;
}

export async function appendBatch(
  deps: LogDeps,
  topicId: string,
  partition: number,
  location: Location,
  producer: ProducerBatch | undefined,
  /** A duplicate's original batch is looked up in the index when the head no longer lists it (for its `t`). */
  originalTime = false,
): Promise<AppendResult> {
  if (!producer) {
    const plain: HeadUpdate = { ...baseAppend(location), condition: 'attribute_exists(nextOffset)' };
    const attrs = await commit(deps, topicId, partition, location, plain);
    if (!attrs) throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `partition ${partition} does not exist`);
    return appended(deps, topicId, partition, location, attrs);
  }
  const key = `${partitionId(deps, topicId, partition)}\u0000${producer.producerId}\u0000${producer.epoch}`;
  const mine = inProgress.get(key) ?? new Map<number, Promise<unknown>>();
  inProgress.set(key, mine);
  // The batch before this one is being appended by this very process (requests of one producer that
  // arrived together): let it go first rather than pay a write bound to fail, a read and a wait.
  const predecessor = mine.get((producer.first - 1 + SEQUENCE_MODULUS) % SEQUENCE_MODULUS);
  const work = (async () => {
    if (predecessor) await Promise.race([predecessor.catch(() => undefined), sleep(LIMITS.sequenceGapWaitMs)]);
    // Most appends continue a producer inline in the head: try that first, with no read. A batch at
    // sequence 0 usually starts a producer (or an epoch) the head does not hold yet: read first rather
    // than pay for a write bound to fail (a failed conditional write is billed like a write).
    if (producer.first !== 0) {
      const attrs = await commit(deps, topicId, partition, location, appendUpdate(producer, location, location.a));
      if (attrs) return appended(deps, topicId, partition, location, attrs);
    }
    return appendIdempotent(deps, topicId, partition, location, producer, originalTime);
  })();
  mine.set(producer.last, work);
  try {
    return await work;
  } finally {
    if (mine.get(producer.last) === work) mine.delete(producer.last);
    if (mine.size === 0 && inProgress.get(key) === mine) inProgress.delete(key);
  }
}

/** Idempotent appends under way in this process, by partition and producer, by their last sequence. */
const inProgress = new Map<string, Map<number, Promise<unknown>>>();

/** Appends waiting for a predecessor in this process, by partition: an append here wakes them at once. */
const waiting = new Map<string, Set<() => void>>();
const partitionId = (deps: LogDeps, topicId: string, partition: number): string => `${deps.logTable}\u0000${topicId}\u0000${partition}`;

/** Sleeps up to `ms`, or until an append to the partition commits in this process. */
function waitForAppend(deps: LogDeps, topicId: string, partition: number, ms: number): Promise<void> {
  const id = partitionId(deps, topicId, partition);
  return new Promise((resolve) => {
    const set = waiting.get(id) ?? new Set<() => void>();
    waiting.set(id, set);
    const done = () => {
      clearTimeout(timer);
      set.delete(done);
      if (set.size === 0 && waiting.get(id) === set) waiting.delete(id);
      resolve();
    };
    const timer = setTimeout(done, ms);
    set.add(done);
  });
}

function appended(deps: LogDeps, topicId: string, partition: number, location: Location, attrs: Appended): AppendResult {
  const wake = waiting.get(partitionId(deps, topicId, partition));
  if (wake) for (const done of [...wake]) done();
  const baseOffset = attrs.nextOffset - spanOf(location);
  const recentBase = attrs.nextOffset - spanOfAll(attrs.recent);
  if (shouldSpill(attrs.recent.length)) {
    // Not awaited: the acknowledgement does not depend on it (the batch is committed), and two more
    // sequential writes would sit on the produce latency. A spill that fails, or is frozen with its
    // Lambda instance, is harmless: a later crossing (or housekeeping) spills what this one did not.
    spillInBackground(deps, topicId, partition, recentBase, attrs.recent);
  }
  return { baseOffset, logAppendTime: location.a, logStartOffset: attrs.logStartOffset, duplicate: false };
}

/**
 * The max timestamp `t` of the batch at `baseOffset`, as stored: Kafka answers a duplicate with its
 * original batch's (BatchMetadata.timestamp), which on a LogAppendTime topic is the append time. The
 * head usually still lists a retry's original; else, when `lookUp`, one Query of the index finds it
 * (a duplicate's path only). -1 when it is gone (retention, DeleteRecords), not looked up, or the
 * lookup failed (logged: the duplicate is still acknowledged).
 */
export async function originalTimeAt(deps: LogDeps, topicId: string, partition: number, head: PartitionHead, baseOffset: number, lookUp: boolean): Promise<number> {
  const recent = head.recent ?? [];
  const listed = withOffsets(head.nextOffset - spanOfAll(recent), recent).find((b) => b.baseOffset === baseOffset);
  if (listed || !lookUp || baseOffset < head.logStartOffset) return listed?.t ?? -1;
  const [found] = await locateBatches(deps, { topicId }, partition, head, { fromOffset: baseOffset, maxBytes: 0, forceFirst: true }).catch((error: unknown) => {
    // The acknowledgement does not fail for its timestamp, but the failure is logged; a batch retention just removed is none.
    if (!(error instanceof FloeError && error.code === 'OFFSET_OUT_OF_RANGE')) {
      reportInternalError(`timestamp lookup of a duplicate at offset ${baseOffset} of partition ${partition} of topic ${topicId}`, error);
    }
    return [];
  });
  return found?.baseOffset === baseOffset ? found.t : -1;
}

/** Single-step admissions tried before admitting and appending in two writes (a busy head moves between read and write). */
const SINGLE_STEP_ADMISSIONS = 2;
/** How long one append may keep losing races for its head to concurrent ones before it gives up (retriable). */
const CONTENTION_BUDGET_MS = 5000;

/**
 * The slow path of an idempotent append: read the head (and the producer's demoted state if it is
 * not inline), judge the batch as Kafka's broker would, and act: append, admit the producer inline
 * (demoting the least recently active one if the head is full), answer a retry with its original
 * offsets, or wait a bounded time for a predecessor that is still on its way before answering
 * OUT_OF_ORDER_SEQUENCE_NUMBER (produce is leaderless: a producer's requests may reach DynamoDB out
 * of order).
 */
async function appendIdempotent(deps: LogDeps, topicId: string, partition: number, location: Location, producer: ProducerBatch, originalTime: boolean): Promise<AppendResult> {
  const started = nowOf(deps);
  const waitUntil = started + LIMITS.sequenceGapWaitMs;
  let pause = 5;
  let singleStepFailures = 0;
  let lost = 0;
  /** A conditional write lost a race: back off a little, at random, so racers do not meet again. */
  const backOff = () => sleep(Math.random() * Math.min(2 ** lost++, 20));
  while (nowOf(deps) - started < CONTENTION_BUDGET_MS) {
    const head = await getHead(deps, { topicId }, partition);
    if (!head) throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `partition ${partition} does not exist`);
    const now = nowOf(deps);
    const inline = head.producers?.[producer.producerId];
    const state = inline ?? (await demotedState(deps, topicId, partition, producer.producerId, now));
    const verdict = judge(state, inline !== undefined, producer, now, head.adm?.[producer.producerId]);
    switch (verdict.kind) {
      case 'duplicate':
        return {
          baseOffset: verdict.baseOffset,
          logAppendTime: await originalTimeAt(deps, topicId, partition, head, verdict.baseOffset, originalTime),
          logStartOffset: head.logStartOffset,
          duplicate: true,
        };
      case 'reject':
        throw verdict.error;
      case 'wait':
        if (now >= waitUntil) throw new FloeError('OUT_OF_ORDER_SEQUENCE_NUMBER', `${verdict.error.message} (waited ${LIMITS.sequenceGapWaitMs} ms)`);
        // Re-read the head when an append to this partition commits here, or after a short pause (it may commit elsewhere).
        await waitForAppend(deps, topicId, partition, Math.min(pause, waitUntil - now));
        pause = Math.min(pause * 2, LIMITS.sequenceGapPollMaxMs);
        continue;
      case 'append': {
        const attrs = await commit(deps, topicId, partition, location, appendUpdate(producer, location, location.a));
        if (attrs) return appended(deps, topicId, partition, location, attrs);
        await backOff();
        continue;
      }
      case 'admit': {
        const admission = await admissionOf(deps, topicId, partition, head, producer.producerId, verdict.state, inline, now);
        // Heads created before `adm` existed admit in one write only if nothing is appended meanwhile.
        if (head.adm !== undefined || singleStepFailures < SINGLE_STEP_ADMISSIONS) {
          const attrs = await commit(deps, topicId, partition, location, admitAndAppendUpdate(admission, producer, location, head, location.a));
          if (attrs) return appended(deps, topicId, partition, location, attrs);
          singleStepFailures++;
          await backOff();
          continue;
        }
        // Appends keep moving nextOffset between our read and write: admit first, append second.
        if (await updateHead(deps, topicId, partition, admitUpdate(admission, false))) {
          const attrs = await commit(deps, topicId, partition, location, appendUpdate(producer, location, location.a));
          if (attrs) return appended(deps, topicId, partition, location, attrs);
        }
        await backOff();
        continue;
      }
    }
  }
  throw new FloeError('UNKNOWN_SERVER_ERROR', `append to partition ${partition} kept losing races for its head for ${CONTENTION_BUDGET_MS} ms; retry`, { retriable: true });
}

/** A producer's demoted state, unless it expired (Kafka's producer.id.expiration.ms). */
async function demotedState(deps: LogDeps, topicId: string, partition: number, producerId: string, now: number): Promise<ProducerState | undefined> {
  const item = await getProducerStateItem(deps, topicId, partition, producerId);
  if (!item || (item.t as number) < now - producerIdExpiryOf(deps)) return undefined;
  const { e, s, t, f, q, o } = item as unknown as ProducerState;
  return { e, s, t, f, q, o };
}

/**
 * What admitting a producer inline takes: what it replaces, and — when the head is full — the least
 * recently active producer to demote, whose state is written to its own item first (so that it is
 * always found in one place or the other; an expired one is simply dropped).
 */
async function admissionOf(
  deps: LogDeps,
  topicId: string,
  partition: number,
  head: PartitionHead,
  producerId: string,
  state: ProducerState,
  inline: ProducerState | undefined,
  now: number,
): Promise<Admission> {
  const evict = inline ? undefined : victimOf(head.producers ?? {}, producerId);
  if (evict && evict.state.t >= now - producerIdExpiryOf(deps)) {
    const ttl = Math.ceil((evict.state.t + producerIdExpiryOf(deps) + LIMITS.leaseCleanupAfterMs) / 1000);
    await putProducerStateItem(deps, topicId, partition, evict.producerId, resolved(evict.state, head.adm?.[evict.producerId]), ttl, now - producerIdExpiryOf(deps));
  }
  return { producerId, state, replacing: inline ? { kind: 'epoch', state: inline } : { kind: 'absent' }, evict, demotions: head.pv };
}

/** Partitions with a spill running in this process: one at a time each, so spills never overlap and waste writes. */
const spilling = new Set<string>();

function spillInBackground(deps: LogDeps, topicId: string, partition: number, recentBase: number, recent: Location[]): void {
  const id = `${deps.logTable}\u0000${topicId}\u0000${partition}`;
  if (spilling.has(id)) return; // the next crossing spills whatever this one skipped
  spilling.add(id);
  spill(deps, topicId, partition, recentBase, recent)
    .catch(() => undefined)
    .finally(() => spilling.delete(id));
}

/**
 * Exactly one append in every `spillChunkBatches` past the inline limit spills,
 * so concurrent appenders do not all race to spill the same locations.
 */
export function shouldSpill(length: number): boolean {
  return length > LIMITS.headInlineBatches && (length - LIMITS.headInlineBatches - 1) % LIMITS.spillChunkBatches === 0;
}

/**
 * Moves the oldest locations of a head to index items, in chunks of
 * `spillChunkBatches`, until at most `headInlineBatches - spillChunkBatches` remain
 * of those seen. Index items are written first, then the head is trimmed on the
 * condition that nobody trimmed it since: a reader always finds every batch in
 * at least one place. Chunk boundaries are deterministic (counted from recentBase),
 * so racing spillers write identical items.
 */
export async function spill(deps: LogDeps, topicId: string, partition: number, recentBase: number, recent: Location[]): Promise<void> {
  const size = LIMITS.spillChunkBatches;
  const chunks = Math.floor((recent.length - (LIMITS.headInlineBatches - size)) / size);
  if (chunks <= 0) return;
  let base = recentBase;
  const created: Array<{ base: number; entries: Location[] }> = [];
  for (let c = 0; c < chunks; c++) {
    const entries = recent.slice(c * size, (c + 1) * size);
    // Only the first spiller creates a chunk: racing spillers hold identical entries, and a late one
    // must not undo housekeeping's rewrite of it (merging moves its locations to another object).
    if (await putChunkIfAbsent(deps, topicId, partition, base, entries)) created.push({ base, entries });
    base += spanOfAll(entries);
  }
  if (await trimHead(deps, topicId, partition, recentBase, base, chunks * size)) return;
  // Someone else trimmed first — or the partition is gone: a spill that stalled (or was frozen with
  // its Lambda instance) past the topic's delete and its cleanup would leave chunks nothing finds.
  if (created.length > 0 && !(await getHead(deps, { topicId }, partition))) {
    for (const chunk of created) await deleteChunkItem(deps, topicId, partition, chunk.base, chunk.entries);
  }
}

/** The partition head, strongly consistent unless asked otherwise (see getHead). */
export const readHead = (deps: LogDeps, topic: TopicRef, partition: number, consistent = true): Promise<PartitionHead | undefined> =>
  getHead(deps, topic, partition, consistent);
