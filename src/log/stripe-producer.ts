/**
 * Idempotent producers on striped heads (decision 53): what one producer's append to a stripe
 * writes so that DynamoDB checks every partition's sequence in the same write that assigns its
 * offsets, as a partition head does (decision 27). Measured in bench/stripes.ts; the log's append is
 * stripe-append.ts. This module is pure.
 *
 * stripe.P.<producer id> = { e: epoch, t: last append (ms), s: number[G] }
 *   s[i]   the producer's last sequence on partition i of the stripe (-1: none yet)
 * append  SET o[3] = o[3] + :w0, P.#p.s[3] = :s0, …, P.#p.t = :now, recent = list_append(recent, :e)
 *         CONDITION attribute_exists(o) AND P.#p.e = :ep AND P.#p.s[3] = :q0 AND …
 *
 * The window (first sequence and offset of the last 5 batches, producer-state.ts) is not stored per
 * partition: shifting five pairs per partition in the expression would fit ~12 partitions in 4 KB.
 * The entry carries the producer id and epoch, and each packed record the batch's first sequence
 * (a seventh varlong), so a retry's original offsets are found where the view finds its batch.
 * A batch at sequence 0 conditions on -1 (none yet); a producer whose sequences wrapped to 0 fails
 * that condition and is judged on a read, as every condition failure is.
 *
 * Admission (a producer not inline, or a new epoch): the write sets `P.#p` whole, conditioned on its
 * absence (and on fewer than LIMITS.stripeInlineProducers inline) or on the old epoch's state.
 */
import { FloeError } from '@floe/protocol';
import { LIMITS } from './limits.js';
import type { ProducerState } from './producer-state.js';
import { decodeRecords, encodeRecords, EXPRESSION_MAX_BYTES, EXPRESSION_MAX_OPERATORS, stripeOf, type StripeBatch, type StripeEntry } from './stripe-head.js';
import type { HeadUpdate } from './store.js';

export interface ProducerStripeBatch extends StripeBatch {
  /** first and last sequence of the batch */
  first: number;
  last: number;
  /** the producer's last sequence on the partition the write conditions on (default: the one before `first`, -1 for 0) */
  prev?: number;
}

export interface ProducerStripeEntry extends StripeEntry {
  /** producer id (decimal) and epoch */
  p: string;
  e: number;
}

export interface ProducerStripeWrite {
  stripe: number;
  indexes: number[];
  spans: number[];
  update: HeadUpdate;
  entry: ProducerStripeEntry;
  updateBytes: number;
  conditionBytes: number;
  updateOperators: number;
  conditionOperators: number;
}

const APPEND = 'recent = list_append(recent, :e)';
const TIME = 'P.#p.t = :now';
// As the plain append's condition: a partition whose stripe an add has not grown yet fails it (unknown partition).
const guardFor = (top: number): string => `attribute_exists(o[${top}]) AND P.#p.e = :ep`;

/** What an admission's write replaces: nothing (in a stripe with `P` or without), or the old epoch's state as read. */
export interface StripeAdmission {
  /** the stripe's partition count (the length of the producer's sequence list) */
  size: number;
  replacing: { kind: 'absent' } | { kind: 'noP' } | { kind: 'epoch'; e: number; t: number };
  /** an inline producer whose state expired (producer.id.expiration.ms), dropped to make room: its id and `t` as read */
  expired?: { id: string; t: number };
}

/**
 * The writes appending one producer's batches (one request, one segment object `key`) to stripes
 * of width `width`: one per stripe touched, more where a stripe's partitions would not fit one
 * update or condition expression (4 KB each, 300 operators each).
 */
export function planProducerStripeAppend(
  key: string,
  appendTime: number,
  batches: readonly ProducerStripeBatch[],
  width: number,
  producer: { id: string; epoch: number },
  /** set: the write admits the producer (one write: the caller admits the first of several, appends the rest after) */
  admission?: StripeAdmission,
): ProducerStripeWrite[] {
  const byStripe = new Map<number, ProducerStripeBatch[]>();
  for (const b of [...batches].sort((x, y) => x.partition - y.partition)) {
    if (b.w !== b.n || b.last - b.first + 1 !== b.n) throw new FloeError('INVALID_RECORD', `partition ${b.partition}: an idempotent batch's span, count and sequences disagree`);
    const { stripe } = stripeOf(b.partition, width);
    byStripe.set(stripe, [...(byStripe.get(stripe) ?? []), b]);
  }
  const writes: ProducerStripeWrite[] = [];
  for (const [stripe, list] of byStripe) {
    let rest = list;
    while (rest.length > 0) {
      const write = oneWrite(stripe, key, appendTime, rest, width, producer);
      writes.push(admission && writes.length === 0 ? admitting(write, rest.slice(0, write.indexes.length), width, appendTime, admission) : write);
      rest = rest.slice(write.indexes.length);
    }
  }
  return writes;
}

function oneWrite(stripe: number, key: string, appendTime: number, batches: readonly ProducerStripeBatch[], width: number, producer: { id: string; epoch: number }): ProducerStripeWrite {
  const spans = new Map<number, string>();
  const set: string[] = [];
  const conditions: string[] = [];
  const values: Record<string, unknown> = { ':ep': producer.epoch, ':now': appendTime };
  const taken: ProducerStripeBatch[] = [];
  let updateBytes = 'SET '.length + APPEND.length + 2 + TIME.length;
  let conditionBytes = guardFor(width - 1).length; // the longest guard: the bound holds whichever index ends the write
  // update: one `+` per partition, and list_append; condition: attribute_exists, AND and `=`, then `=` and AND per partition
  let updateOperators = 1;
  let conditionOperators = 3;
  for (const b of batches) {
    const i = b.partition % width;
    const n = taken.length;
    const span = spans.get(b.w) ?? `:w${spans.size}`;
    const clauses = [`o[${i}] = o[${i}] + ${span}`, `P.#p.s[${i}] = :s${n}`];
    const condition = `P.#p.s[${i}] = :q${n}`;
    const grownUpdate = updateBytes + clauses.reduce((s, c) => s + c.length + 2, 0);
    const grownCondition = conditionBytes + condition.length + ' AND '.length;
    if (n > 0 && (grownUpdate > EXPRESSION_MAX_BYTES || grownCondition > EXPRESSION_MAX_BYTES || updateOperators + 1 > EXPRESSION_MAX_OPERATORS || conditionOperators + 2 > EXPRESSION_MAX_OPERATORS)) break;
    spans.set(b.w, span);
    values[span] = b.w;
    values[`:s${n}`] = b.last;
    values[`:q${n}`] = b.prev ?? (b.first === 0 ? -1 : b.first - 1);
    set.push(...clauses);
    conditions.push(condition);
    taken.push(b);
    updateBytes = grownUpdate;
    conditionBytes = grownCondition;
    updateOperators += 1;
    conditionOperators += 2;
  }
  const entry: ProducerStripeEntry = {
    k: key,
    a: appendTime,
    p: producer.id,
    e: producer.epoch,
    b: encodeRecords(taken.map((b) => ({ i: b.partition % width, w: b.w, n: b.n, s: b.s, l: b.l, t: b.t, q: b.first })), appendTime),
  };
  values[':e'] = [entry];
  // The guard names the highest index written: at most as long as the one the sizes were checked with.
  const condition = [guardFor((taken.at(-1) as ProducerStripeBatch).partition % width), ...conditions].join(' AND ');
  return {
    stripe,
    indexes: taken.map((b) => b.partition % width),
    spans: taken.map((b) => b.w),
    update: { set: [...set, TIME, APPEND], condition, names: { '#p': producer.id }, values },
    entry,
    updateBytes,
    conditionBytes: condition.length,
    updateOperators,
    conditionOperators,
  };
}

/** The partition indexes of a producer entry's packed records (seven varlongs each). */
export const indexesOf = (entry: StripeEntry): number[] => decodeRecords(entry).map((r) => r.i);

/**
 * `write` as an admission: the counters and the entry as planned, `P.#p` set whole instead of its
 * sequences, on the condition that what the slow path read of the producer is still there.
 */
function admitting(write: ProducerStripeWrite, batches: readonly ProducerStripeBatch[], width: number, now: number, admission: StripeAdmission): ProducerStripeWrite {
  // The new state: this write's last sequences, -1 elsewhere; `f` where a batch starts past 0 (an expired producer's).
  const state: StripeProducer = { e: write.entry.e, t: now, s: new Array<number>(admission.size).fill(-1) };
  for (const b of batches) {
    state.s[b.partition % width] = b.last;
    if (b.first !== 0) state.f = { ...state.f, [String(b.partition % width)]: b.first };
  }
  const top = write.indexes.at(-1) ?? 0;
  const counters = write.update.set.filter((c) => c.startsWith('o['));
  const values: Record<string, unknown> = Object.fromEntries(Object.entries(write.update.values ?? {}).filter(([k]) => k === ':e' || k.startsWith(':w')));
  const r = admission.replacing;
  const conditions = [`attribute_exists(o[${top}])`];
  let set: string;
  if (r.kind === 'noP') {
    conditions.push('attribute_not_exists(P)');
    set = 'P = :P';
    values[':P'] = { [write.entry.p]: state };
  } else {
    set = 'P.#p = :P';
    values[':P'] = state;
    if (r.kind === 'absent') {
      // The bound holds against racing admissions too: size() of the map as it is when written.
      conditions.push('attribute_not_exists(P.#p)', admission.expired ? 'size(P) <= :cap' : 'size(P) < :cap');
      values[':cap'] = LIMITS.stripeInlineProducers;
    } else {
      conditions.push('P.#p.e = :oe', 'P.#p.t = :ot');
      Object.assign(values, { ':oe': r.e, ':ot': r.t });
    }
  }
  const names = r.kind === 'noP' ? undefined : { ...write.update.names };
  const remove: string[] = [];
  if (admission.expired && names) {
    // Dropped only if it has not written since it was read (its `t` moves with every write).
    names['#x'] = admission.expired.id;
    conditions.push('P.#x.t = :xt');
    values[':xt'] = admission.expired.t;
    remove.push('P.#x');
  }
  return { ...write, update: { set: [...counters, set, APPEND], remove, condition: conditions.join(' AND '), ...(names ? { names } : {}), values } };
}

/** A producer's inline state in a stripe item, as the append leaves it (`f`: sparse, only where it started past 0). */
export interface StripeProducer {
  e: number;
  t: number;
  s: number[];
  f?: Record<string, number>;
}

/** What the slow path reads: the stripe's counters, entries (plain or a producer's) and inline producers. */
export interface StripeWithProducers {
  o: number[];
  recent: StripeEntry[];
  P?: Record<string, StripeProducer>;
}

/**
 * Decision 27's state of `producerId` on partition `index`, rebuilt from a stripe (decision 53): the
 * epoch and last sequence stored, the window of its last batches found in the entries, newest first,
 * with the offsets the view gives them. Undefined when the producer is not inline or has written
 * nothing to the partition. `window` batches at most: older ones are in the stripe's chunks.
 */
export function stateOf(item: StripeWithProducers, producerId: string, index: number, window = LIMITS.producerWindowBatches): ProducerState | undefined {
  const producer = item.P?.[producerId];
  const last = producer?.s[index];
  if (!producer || last === undefined || last < 0) return undefined;
  const q: number[] = [];
  const o: number[] = [];
  let end = item.o[index] ?? 0;
  for (let n = item.recent.length - 1; n >= 0 && q.length < window; n--) {
    const entry = item.recent[n]!;
    for (const r of decodeRecords(entry)) {
      if (r.i !== index) continue;
      end -= r.w;
      if (entry.p === producerId && entry.e === producer.e) {
        q.push(r.q ?? -1);
        o.push(end);
      }
    }
  }
  while (q.length < window) {
    q.push(-1);
    o.push(-1);
  }
  return { e: producer.e, s: last, t: producer.t, f: producer.f?.[String(index)] ?? 0, q, o };
}
