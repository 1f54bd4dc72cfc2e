/**
 * Committing a request's batches to a striped topic (decision 52): one UpdateItem per stripe it
 * touches (more where a stripe's partitions would not fit one expression) and no read. Each batch's
 * base offset is its partition's counter in the item the write returns, minus its span. A write that
 * leaves its stripe's entries past the limit spills them in the background (stripe-spill.ts).
 *
 * Idempotent batches (decision 53, stripe-producer.ts) are written per producer, conditioned on its
 * last sequence of each partition; a write whose condition fails is judged on a read of the stripe,
 * batch by batch, by producer-state.ts's `judge` as a partition head's are (append.ts).
 */
import { FloeError, sleep } from '@floe/protocol';
import { originalTimeAt, refuseLateCommit, type AppendResult } from './append.js';
import { nowOf, producerIdExpiryOf, type LogDeps } from './deps.js';
import { LIMITS } from './limits.js';
import { judge, type ProducerBatch, type ProducerState } from './producer-state.js';
import { getStripe, updateStripe } from './store.js';
import { baseOffsetsIn, partitionView, planStripeAppend, stripeOf, type StripeBatch, type StripeItem, type StripeWrite, type TopicRef } from './stripe-head.js';
import { planProducerStripeAppend, stateOf, type ProducerStripeBatch, type ProducerStripeWrite, type StripeAdmission, type StripeWithProducers } from './stripe-producer.js';
import { spillStripeInBackground } from './stripe-spill.js';

/** A partition's outcome: as a partition head's append answers it (a duplicate: its original offset and time). */
export type StripeAppendResult = AppendResult;

type Striped = TopicRef & { stripeWidth: number };
type Results = Map<number, StripeAppendResult | Error>;
type Pending = ProducerStripeBatch & { producer: ProducerBatch };
const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/**
 * Appends `batches` (one per partition, all in the segment object `key`, appended at `appendTime`)
 * to the stripes of `topic`; a batch with `producer` is an idempotent producer's. Answers each
 * partition's offsets, or its error: the writes are independent, so one stripe's failure leaves
 * the others committed.
 */
export async function appendToStripes(
  deps: LogDeps,
  topic: Striped,
  key: string,
  appendTime: number,
  batches: ReadonlyArray<StripeBatch & { producer?: ProducerBatch }>,
): Promise<Results> {
  const width = topic.stripeWidth;
  const results: Results = new Map();
  // One producer per request in Kafka; grouped by id anyway, each producer's writes its own.
  const producers = new Map<string, Pending[]>();
  for (const b of batches) {
    if (!b.producer) continue;
    const list = producers.get(b.producer.producerId) ?? [];
    list.push({ ...b, producer: b.producer, first: b.producer.first, last: b.producer.last });
    producers.set(b.producer.producerId, list);
  }
  await Promise.all([
    ...planStripeAppend(key, appendTime, batches.filter((b) => !b.producer), width).map(async (write) => {
      const partitions = write.indexes.map((i) => write.stripe * width + i);
      try {
        if (!(await commit(deps, topic, key, appendTime, write, results))) {
          throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `partitions ${partitions[0]}-${partitions.at(-1)} do not exist`);
        }
      } catch (error) {
        for (const p of partitions) results.set(p, asError(error));
      }
    }),
    ...[...producers.values()].flatMap((list) => {
      const { producerId, epoch } = (list[0] as Pending).producer;
      return planProducerStripeAppend(key, appendTime, list, width, { id: producerId, epoch }).map(async (write) => {
        const partitions = write.indexes.map((i) => write.stripe * width + i);
        try {
          // The producer continues its sequences on every partition of the write: no read.
          if (await commit(deps, topic, key, appendTime, write, results)) return;
          const mine = list.filter((b) => partitions.includes(b.partition));
          await judgeOnStripe(deps, topic, key, appendTime, write.stripe, mine, results);
        } catch (error) {
          for (const p of partitions) if (!results.has(p)) results.set(p, asError(error));
        }
      });
    }),
  ]);
  return results;
}

/** A SET through a document path that does not exist (see commit): the condition's failure. */
function pathMissing(error: unknown): undefined {
  if (error instanceof Error && error.name === 'ValidationException' && /document path/i.test(error.message)) return undefined;
  throw error;
}

/**
 * Sends one write of the append (refused when its segment object is too old, see refuseLateCommit)
 * and answers its batches from the item it left; false when its condition did not hold. A producer
 * not inline has no `P.#p` for a fast path's SET to reach, which DynamoDB may answer as a
 * ValidationException rather than the condition's failure: the same thing (pathMissing).
 */
async function commit(deps: LogDeps, topic: Striped, key: string, appendTime: number, write: StripeWrite | ProducerStripeWrite, results: Results): Promise<boolean> {
  refuseLateCommit(deps, key, appendTime);
  const item = await updateStripe(deps, topic.topicId, write.stripe * topic.stripeWidth, write.update).catch(pathMissing);
  if (!item) return false;
  answer(deps, topic, write, item, appendTime, results);
  return true;
}

/** Each batch of `write` answered from the item it left (ALL_NEW, no read), which also tells whether it spills. */
function answer(deps: LogDeps, topic: Striped, write: { stripe: number; indexes: number[]; spans: number[] }, item: StripeItem, appendTime: number, results: Results): void {
  const first = write.stripe * topic.stripeWidth;
  spillStripeInBackground(deps, topic.topicId, first, item);
  const bases = baseOffsetsIn(write, item);
  write.indexes.forEach((index, j) =>
    results.set(first + index, { baseOffset: bases[j] as number, logAppendTime: appendTime, logStartOffset: item.l[index] ?? 0, duplicate: false }),
  );
}

/** How long one stripe's slow path may keep losing races to concurrent writers before it gives up (retriable), as append.ts's. */
const CONTENTION_BUDGET_MS = 5000;


/**
 * The slow path (one stripe, one producer): read the stripe, judge each batch against the state
 * rebuilt from it, answer duplicates and rejections, wait a bounded time for batches whose
 * predecessors are on their way, and write the rest conditioned on what was read (admitting the
 * producer when it is not inline, or starts an epoch). Repeats until every batch is answered.
 */
async function judgeOnStripe(deps: LogDeps, topic: Striped, key: string, appendTime: number, stripe: number, batches: Pending[], results: Results): Promise<void> {
  const width = topic.stripeWidth;
  const first = stripe * width;
  const started = nowOf(deps);
  const waitUntil = started + LIMITS.sequenceGapWaitMs;
  let pending = batches;
  let pause = 5;
  while (pending.length > 0) {
    if (nowOf(deps) - started > CONTENTION_BUDGET_MS) {
      throw new FloeError('UNKNOWN_SERVER_ERROR', `append to stripe ${stripe} kept losing races for ${CONTENTION_BUDGET_MS} ms; retry`, { retriable: true });
    }
    const item = (await getStripe(deps, topic.topicId, first)) as (StripeItem & StripeWithProducers) | undefined;
    const now = nowOf(deps);
    const writable: Pending[] = [];
    const waiting: Array<{ batch: Pending; error: FloeError }> = [];
    const { producerId, epoch } = (pending[0] as Pending).producer;
    const inline = item?.P?.[producerId];
    const current = inline !== undefined && inline.e === epoch;
    for (const b of pending) {
      const { index } = stripeOf(b.partition, width);
      if (!item || index >= item.o.length) {
        results.set(b.partition, new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `partition ${b.partition} does not exist`));
        continue;
      }
      const verdict = judge(stateFor(item, producerId, index, epoch), current, b.producer, now);
      if (verdict.kind === 'duplicate') {
        const logAppendTime = await originalTimeAt(deps, topic.topicId, b.partition, partitionView(item, index), verdict.baseOffset, false);
        results.set(b.partition, { baseOffset: verdict.baseOffset, logAppendTime, logStartOffset: item.l[index] ?? 0, duplicate: true });
      } else if (verdict.kind === 'reject') results.set(b.partition, verdict.error);
      else if (verdict.kind === 'wait') waiting.push({ batch: b, error: verdict.error });
      // append, or admit: a partition the inline producer starts (its last sequence there is -1), or the producer itself.
      else writable.push({ ...b, prev: current ? (inline.s[index] ?? -1) : undefined });
    }
    pending = [...writable, ...waiting.map((w) => w.batch)];
    if (writable.length > 0 && item) {
      const written = await writeJudged(deps, topic, key, appendTime, stripe, item, writable, current, results);
      if (written.length > 0) {
        pending = pending.filter((b) => !written.includes(b.partition));
        continue;
      }
      await sleep(Math.random() * 10); // lost a race for the stripe: back off a little, at random
      continue;
    }
    if (waiting.length === 0) return;
    if (now >= waitUntil) {
      for (const w of waiting) results.set(w.batch.partition, new FloeError('OUT_OF_ORDER_SEQUENCE_NUMBER', `${w.error.message} (waited ${LIMITS.sequenceGapWaitMs} ms)`));
      return;
    }
    await sleep(Math.min(pause, waitUntil - now));
    pause = Math.min(pause * 2, LIMITS.sequenceGapPollMaxMs);
  }
}

/** The least recently active inline producer whose state expired (Kafka's producer.id.expiration.ms), if any. */
function expiredOf(deps: LogDeps, item: StripeWithProducers): { id: string; t: number } | undefined {
  const before = nowOf(deps) - producerIdExpiryOf(deps);
  const [oldest] = Object.entries(item.P ?? {}).filter(([, p]) => p.t < before).sort((x, y) => x[1].t - y[1].t);
  return oldest ? { id: oldest[0], t: oldest[1].t } : undefined;
}

/**
 * Decision 27's state of the producer on one partition of the stripe, for `judge`. A producer inline
 * at a later epoch that never wrote the partition still fences an older epoch: the stripe holds one
 * epoch per producer.
 */
function stateFor(item: StripeItem & StripeWithProducers, producerId: string, index: number, epoch: number): ProducerState | undefined {
  const state = stateOf(item, producerId, index);
  const inline = item.P?.[producerId];
  if (state || !inline || inline.e <= epoch) return state;
  return { e: inline.e, s: -1, t: inline.t, f: 0, q: [], o: [] };
}

/**
 * Writes the first write of `batches` on the stripe as read: an append conditioned on the sequences
 * read, or the producer's admission. Answers the partitions written (none: the condition failed).
 */
async function writeJudged(
  deps: LogDeps,
  topic: Striped,
  key: string,
  appendTime: number,
  stripe: number,
  item: StripeItem & StripeWithProducers,
  batches: Pending[],
  current: boolean,
  results: Results,
): Promise<number[]> {
  const width = topic.stripeWidth;
  const { producerId, epoch } = (batches[0] as Pending).producer;
  let admission: StripeAdmission | undefined;
  if (!current) {
    const inline = item.P?.[producerId];
    const others = Object.keys(item.P ?? {}).filter((id) => id !== producerId).length;
    // A full stripe makes room by dropping an expired producer, the least recently active (demotion is not built).
    const expired = !inline && others >= LIMITS.stripeInlineProducers ? expiredOf(deps, item) : undefined;
    if (!inline && others >= LIMITS.stripeInlineProducers && !expired) {
      const error = new FloeError('POLICY_VIOLATION', `stripe ${stripe} holds ${others} idempotent producers, the most it keeps (LIMITS.stripeInlineProducers); producer ${producerId} is refused there`);
      for (const b of batches) results.set(b.partition, error);
      return batches.map((b) => b.partition);
    }
    const replacing = inline ? { kind: 'epoch' as const, e: inline.e, t: inline.t } : item.P ? { kind: 'absent' as const } : { kind: 'noP' as const };
    admission = { size: item.o.length, replacing, ...(expired ? { expired } : {}) };
  }
  // One write: an admission names only its own batches, the others follow on the next round.
  const [write] = planProducerStripeAppend(key, appendTime, batches, width, { id: producerId, epoch }, admission) as [ProducerStripeWrite];
  return (await commit(deps, topic, key, appendTime, write, results)) ? write.indexes.map((i) => stripe * width + i) : [];
}
