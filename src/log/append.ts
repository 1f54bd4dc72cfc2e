/**
 * Committing a batch to a partition: one single-item conditional UpdateItem on
 * the partition head, then (sometimes) spilling old locations to an index item.
 * No transactions, no prior read on the happy path.
 */
import { FloeError } from '@floe/protocol';
import type { LogDeps } from './deps.js';
import { LIMITS } from './limits.js';
import { withOffsets, type Location, type LocatedBatch, type PartitionHead } from './partition-head.js';
import { getHead, newestChunkItems, putChunkIfAbsent, trimHead, updateHead } from './store.js';

export interface ProducerInfo {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
}

export interface AppendResult {
  baseOffset: number;
  logAppendTime: number;
  logStartOffset: number;
  /** true when this batch had been committed before (idempotent retry): the original offset is returned */
  duplicate: boolean;
}

const MAX_SEQUENCE = 2 ** 31 - 1;

/** Kafka sequence numbers wrap from int32 max to 0. */
export const lastSequence = (baseSequence: number, count: number): number => (baseSequence + count - 1) % (MAX_SEQUENCE + 1);

export async function appendBatch(
  deps: LogDeps,
  topicId: string,
  partition: number,
  location: Location,
  producer: ProducerInfo | undefined,
): Promise<AppendResult> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':n': location.n, ':loc': [location] };
  let update = 'nextOffset = nextOffset + :n, recent = list_append(recent, :loc)';
  let condition = 'attribute_exists(nextOffset)';
  if (producer) {
    names['#pid'] = String(producer.producerId);
    values[':state'] = { e: producer.producerEpoch, s: lastSequence(producer.baseSequence, location.n), t: location.a };
    values[':e'] = producer.producerEpoch;
    update += ', producers.#pid = :state';
    if (producer.baseSequence === 0) {
      // A new producer, a new epoch, or a wrap-around of the sequence.
      values[':max'] = MAX_SEQUENCE;
      condition += ' AND (attribute_not_exists(producers.#pid) OR producers.#pid.e < :e OR (producers.#pid.e = :e AND producers.#pid.s = :max))';
    } else {
      values[':prev'] = producer.baseSequence - 1;
      condition += ' AND producers.#pid.e = :e AND producers.#pid.s = :prev';
    }
  }
  const attrs = (await updateHead(deps, topicId, partition, {
    set: [update],
    condition,
    names: producer ? names : undefined,
    values,
  })) as { nextOffset: number; recent: Location[] } | undefined;
  if (!attrs) return classifyRejection(deps, topicId, partition, location, producer);
  const baseOffset = attrs.nextOffset - location.n;
  const recentBase = attrs.nextOffset - attrs.recent.reduce((sum, loc) => sum + loc.n, 0);
  if (shouldSpill(attrs.recent.length)) {
    // Not awaited: the acknowledgement does not depend on it (the batch is committed), and two more
    // sequential writes would sit on the produce latency. A spill that fails, or is frozen with its
    // Lambda instance, is harmless: a later crossing (or housekeeping) spills what this one did not.
    spillInBackground(deps, topicId, partition, recentBase, attrs.recent);
  }
  return { baseOffset, logAppendTime: location.a, logStartOffset: -1, duplicate: false };
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
  for (let c = 0; c < chunks; c++) {
    const entries = recent.slice(c * size, (c + 1) * size);
    // Only the first spiller creates a chunk: racing spillers hold identical entries, and a late one
    // must not undo housekeeping's rewrite of it (merging moves its locations to another object).
    await putChunkIfAbsent(deps, topicId, partition, base, entries);
    base += entries.reduce((sum, loc) => sum + loc.n, 0);
  }
  await trimHead(deps, topicId, partition, recentBase, base, chunks * size); // false: someone else trimmed first
}

/** The partition head, strongly consistent. */
export const readHead = (deps: LogDeps, topicId: string, partition: number): Promise<PartitionHead | undefined> => getHead(deps, topicId, partition);

async function classifyRejection(
  deps: LogDeps,
  topicId: string,
  partition: number,
  location: Location,
  producer: ProducerInfo | undefined,
): Promise<AppendResult> {
  const head = await readHead(deps, topicId, partition);
  if (!head) throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `partition ${partition} does not exist`);
  if (!producer) throw new FloeError('UNKNOWN_SERVER_ERROR', 'append rejected for an unknown reason; retry');
  const state = head.producers[String(producer.producerId)];
  if (state && state.e > producer.producerEpoch) {
    throw new FloeError(
      'INVALID_PRODUCER_EPOCH',
      `producer ${producer.producerId} epoch ${producer.producerEpoch} is fenced by epoch ${state.e}`,
    );
  }
  if (state && state.e === producer.producerEpoch && isDuplicate(producer.baseSequence, state.s)) {
    const original = await findProducerBatch(deps, topicId, partition, head, producer);
    if (original) {
      return { baseOffset: original.baseOffset, logAppendTime: original.a, logStartOffset: head.logStartOffset, duplicate: true };
    }
    throw new FloeError('DUPLICATE_SEQUENCE_NUMBER', `batch with sequence ${producer.baseSequence} was already written`);
  }
  const expected = state && state.e === producer.producerEpoch ? (state.s + 1) % (MAX_SEQUENCE + 1) : 0;
  throw new FloeError(
    'OUT_OF_ORDER_SEQUENCE_NUMBER',
    `producer ${producer.producerId} sent sequence ${producer.baseSequence}, expected ${expected}`,
  );
}

/** A sequence at or before the last one written (within a window, to survive wrap-around) is a retry. */
function isDuplicate(baseSequence: number, lastSeq: number): boolean {
  const distance = (lastSeq - baseSequence + MAX_SEQUENCE + 1) % (MAX_SEQUENCE + 1);
  return distance < 1_000_000;
}

/** Finds an already committed batch of this producer: in the head, else in the newest index items. */
async function findProducerBatch(
  deps: LogDeps,
  topicId: string,
  partition: number,
  head: PartitionHead,
  producer: ProducerInfo,
): Promise<LocatedBatch | undefined> {
  const matches = (loc: LocatedBatch): boolean =>
    loc.p === producer.producerId && loc.e === producer.producerEpoch && loc.q === producer.baseSequence;
  const inHead = withOffsets(head.recentBase, head.recent).find(matches);
  if (inHead) return inHead;
  const items = await newestChunkItems(deps, topicId, partition, 8);
  for (const item of items) {
    const found = withOffsets(item.base as number, item.entries as Location[]).find(matches);
    if (found) return found;
  }
  return undefined;
}
