/**
 * Idempotent-producer state of one partition (decision 27), as Kafka's ProducerStateManager keeps
 * it per producer id: the epoch, the last sequence, and the last 5 batches (first sequence and base
 * offset; each batch's last sequence is the next one's first minus one). A partition head keeps
 * the state of its `headInlineProducers` most recently active producers inline, so that an append
 * checks and advances it in the same single-item write that assigns its offsets; the least recently
 * active producer is demoted to an item of its own (`s#<producer id>`) to make room for another, and
 * comes back inline with its next batch. The head therefore stays small whatever the number of
 * producers, and a producer's state is never lost while it is younger than producer.id.expiration.ms.
 *
 * This module is pure: it judges a batch against a state, and builds the head updates.
 */
import { FloeError } from '@floe/protocol';
import type { HeadUpdate } from './store.js';
import { spanOf, type Location } from './partition-head.js';
import { LIMITS } from './limits.js';

/** Kafka's sequence numbers are int32 and wrap from 2^31-1 to 0. */
export const SEQUENCE_MODULUS = 2 ** 31;
/** Sequence distances below this count as "ahead"/"behind"; beyond, as the other way round the wrap. */
export const SEQUENCE_HORIZON = 2 ** 30;
const WINDOW = LIMITS.producerWindowBatches;

export interface ProducerState {
  /** epoch */
  e: number;
  /** last sequence of the newest batch */
  s: number;
  /** last append time (ms): which producer is least recently active, and when its state expires */
  t: number;
  /** the sequence this state started at (0, or where a producer with expired state was accepted again) */
  f: number;
  /** first sequences of the last batches, newest first (-1: none) */
  q: number[];
  /** base offsets of the last batches, newest first (-1: none, or — for a batch that exists — the admitted batch, whose offset is in the head's `adm`) */
  o: number[];
}

/** An idempotent batch, as its header describes it. */
export interface ProducerBatch {
  /** decimal string of the int64 producer id */
  producerId: string;
  epoch: number;
  first: number;
  last: number;
  /** the producer id's current epoch was issued less than producer.id.expiration.ms ago */
  recentlyIssued: boolean;
}

export const lastSequence = (first: number, count: number): number => (first + count - 1) % SEQUENCE_MODULUS;
const next = (seq: number): number => (seq + 1) % SEQUENCE_MODULUS;
/** Steps forward from `from` to `to`, around the wrap. */
const forward = (from: number, to: number): number => (((to - from) % SEQUENCE_MODULUS) + SEQUENCE_MODULUS) % SEQUENCE_MODULUS;

/** The state of a producer whose batches start at `first` under `epoch`, before any batch of it. */
export function freshState(epoch: number, first: number, now: number): ProducerState {
  return { e: epoch, s: (first - 1 + SEQUENCE_MODULUS) % SEQUENCE_MODULUS, t: now, f: first, q: new Array<number>(WINDOW).fill(-1), o: new Array<number>(WINDOW).fill(-1) };
}

/** `state` after the batch [first, last] was appended at `baseOffset`. */
export function withBatch(state: ProducerState, first: number, last: number, baseOffset: number, now: number): ProducerState {
  return { ...state, s: last, t: now, q: [first, ...state.q.slice(0, WINDOW - 1)], o: [baseOffset, ...state.o.slice(0, WINDOW - 1)] };
}

export type Verdict =
  /** the next batch of a producer inline in the head: append with `appendUpdate` */
  | { kind: 'append' }
  /** the producer is not inline (new, a new epoch, or demoted): admit `state`, then append */
  | { kind: 'admit'; state: ProducerState }
  /** a retry of a batch in the window: its original offset */
  | { kind: 'duplicate'; baseOffset: number }
  /** an earlier batch of the producer has not arrived: wait for it, then OUT_OF_ORDER_SEQUENCE_NUMBER */
  | { kind: 'wait'; error: FloeError }
  | { kind: 'reject'; error: FloeError };

/** A state with its admitted batch's offset filled in from the head's `adm` (what a demotion writes out). */
export function resolved(state: ProducerState, admitted: number | undefined): ProducerState {
  return state.o.includes(-1) ? { ...state, o: state.o.map((o, i) => (o === -1 && (state.q[i] ?? -1) >= 0 ? (admitted ?? -1) : o)) } : state;
}

/**
 * Kafka's checks (ProducerStateManager.checkSequence), against the state found inline (with the
 * head's `adm` entry for it) or demoted.
 */
export function judge(state: ProducerState | undefined, inline: boolean, batch: ProducerBatch, now: number, admitted?: number): Verdict {
  const id = batch.producerId;
  if (!state) {
    // A new producer starts at 0. One whose state expired is accepted at any sequence, as Kafka does;
    // one issued recently cannot have an expired state: its earlier batches are still on their way.
    if (batch.first === 0 || !batch.recentlyIssued) return { kind: 'admit', state: freshState(batch.epoch, batch.first, now) };
    return { kind: 'wait', error: oos(`producer ${id} has written nothing to this partition yet, and its batch starts at sequence ${batch.first}, not 0`) };
  }
  if (state.e > batch.epoch) {
    return { kind: 'reject', error: new FloeError('INVALID_PRODUCER_EPOCH', `producer ${id} epoch ${batch.epoch} is fenced by epoch ${state.e}`) };
  }
  if (state.e < batch.epoch) {
    if (batch.first === 0) return { kind: 'admit', state: freshState(batch.epoch, 0, now) };
    return { kind: 'wait', error: oos(`producer ${id} epoch ${batch.epoch} starts at sequence ${batch.first}, not 0`) };
  }
  if (batch.first === next(state.s)) return inline ? { kind: 'append' } : { kind: 'admit', state };
  let oldest = next(state.s);
  for (let i = 0; i < WINDOW; i++) {
    const first = state.q[i] ?? -1;
    if (first < 0) break;
    oldest = first;
    if (first !== batch.first) continue;
    const last = i === 0 ? state.s : ((state.q[i - 1] as number) - 1 + SEQUENCE_MODULUS) % SEQUENCE_MODULUS;
    const offset = state.o[i] === -1 ? admitted : state.o[i];
    if (last === batch.last && offset !== undefined && offset >= 0) return { kind: 'duplicate', baseOffset: offset };
    if (last === batch.last) return { kind: 'reject', error: new FloeError('DUPLICATE_SEQUENCE_NUMBER', `producer ${id} batch at sequence ${batch.first} was written; its offset is not known`) };
    return { kind: 'reject', error: oos(`producer ${id} batch ${batch.first}-${batch.last} overlaps its batch ${first}-${last}`) };
  }
  // Older than the window, but written under this state: a duplicate whose offset is no longer known.
  if (forward(state.f, batch.first) < forward(state.f, oldest) && forward(batch.first, state.s) < SEQUENCE_HORIZON) {
    return {
      kind: 'reject',
      error: new FloeError('DUPLICATE_SEQUENCE_NUMBER', `producer ${id} batch at sequence ${batch.first} was written before its last ${WINDOW} batches`),
    };
  }
  const gap = forward(next(state.s), batch.first);
  if (gap > 0 && gap < SEQUENCE_HORIZON) {
    return { kind: 'wait', error: oos(`producer ${id} sent sequence ${batch.first}, expected ${next(state.s)}: an earlier batch has not arrived`) };
  }
  return { kind: 'reject', error: oos(`producer ${id} sent sequence ${batch.first}; it is neither the next one (${next(state.s)}) nor a batch this partition wrote for it`) };
}

const oos = (message: string): FloeError => new FloeError('OUT_OF_ORDER_SEQUENCE_NUMBER', message);

/** Every append: the offsets, the location, and `bytes`, a running total of batch bytes written (topic describe; retention does not lower it). */
export const baseAppend = (location: Location): Pick<HeadUpdate, 'set' | 'values'> => ({
  // logStartOffset is set to itself only so that UPDATED_NEW returns it for the produce answer (Kafka's v5+ field).
  set: ['nextOffset = nextOffset + :n', 'recent = list_append(recent, :loc)', 'bytes = if_not_exists(bytes, :zero) + :l', 'logStartOffset = if_not_exists(logStartOffset, :zero)'],
  values: { ':n': spanOf(location), ':loc': [location], ':l': location.l, ':zero': 0 },
});

/**
 * The append of a batch of a producer inline in the head, with no prior read: the condition is
 * the state it continues (epoch, last sequence), and the window shifts in the same write — every
 * right-hand side reads the item as it was, so `o[0] = nextOffset` is this batch's base offset.
 */
export function appendUpdate(batch: ProducerBatch, location: Location, now: number): HeadUpdate {
  const base = baseAppend(location);
  const set = [...base.set, 'producers.#p.s = :last', 'producers.#p.t = :now'];
  for (let i = WINDOW - 1; i > 0; i--) set.push(`producers.#p.q[${i}] = producers.#p.q[${i - 1}]`, `producers.#p.o[${i}] = producers.#p.o[${i - 1}]`);
  set.push('producers.#p.q[0] = :first', 'producers.#p.o[0] = nextOffset');
  return {
    set,
    condition: 'attribute_exists(nextOffset) AND producers.#p.e = :e AND producers.#p.s = :prev',
    names: { '#p': batch.producerId },
    values: {
      ...base.values,
      ':last': batch.last,
      ':now': now,
      ':first': batch.first,
      ':e': batch.epoch,
      ':prev': (batch.first - 1 + SEQUENCE_MODULUS) % SEQUENCE_MODULUS,
    },
  };
}

/** What an admission replaces: nothing (the producer is not inline), or an older epoch's state. */
export type Replacing = { kind: 'absent' } | { kind: 'epoch'; state: ProducerState };
/** A producer demoted to make room, exactly as read. */
export interface Eviction {
  producerId: string;
  state: ProducerState;
}

export interface Admission {
  producerId: string;
  state: ProducerState;
  replacing: Replacing;
  evict?: Eviction;
  /** the head's demotion counters as read (undefined: nothing was ever demoted from it) */
  demotions: number[] | undefined;
}

/**
 * Demotions are counted per slot of producer ids (`pv[slot]`): re-admitting a producer is
 * conditioned on its slot's count, so admissions of unrelated producers do not race each other.
 */
export function demotionSlot(producerId: string): number {
  let h = 0;
  for (let i = 0; i < producerId.length; i++) h = (h * 31 + producerId.charCodeAt(i)) >>> 0;
  return h % LIMITS.producerDemotionSlots;
}

function admissionClauses(a: Admission, hasAdm: boolean): { set: string[]; remove: string[]; conditions: string[]; names: Record<string, string>; values: Record<string, unknown> } {
  const names: Record<string, string> = { '#p': a.producerId };
  const values: Record<string, unknown> = {};
  const conditions = ['attribute_exists(nextOffset)'];
  if (a.replacing.kind === 'absent') {
    conditions.push('attribute_not_exists(producers.#p)');
    // What was read of the producer's demoted state (or its absence) is current only if it was not
    // demoted since the head was read: a demotion writes the demoted item before it leaves the head.
    if (a.demotions === undefined) conditions.push('attribute_not_exists(pv)');
    else {
      const slot = demotionSlot(a.producerId);
      conditions.push(`pv[${slot}] = :pv`);
      values[':pv'] = a.demotions[slot] ?? 0;
    }
  } else {
    conditions.push('producers.#p.e = :oe AND producers.#p.s = :os');
    values[':oe'] = a.replacing.state.e;
    values[':os'] = a.replacing.state.s;
  }
  const set: string[] = [];
  const remove: string[] = [];
  if (a.evict) {
    names['#v'] = a.evict.producerId;
    conditions.push('producers.#v.e = :ve AND producers.#v.s = :vs AND producers.#v.t = :vt');
    Object.assign(values, { ':ve': a.evict.state.e, ':vs': a.evict.state.s, ':vt': a.evict.state.t });
    remove.push('producers.#v');
    if (hasAdm) remove.push('adm.#v');
    const slot = demotionSlot(a.evict.producerId);
    if (a.demotions === undefined) {
      if (a.replacing.kind !== 'absent') conditions.push('attribute_not_exists(pv)');
      set.push('pv = :pvInit');
      values[':pvInit'] = Array.from({ length: LIMITS.producerDemotionSlots }, (_, i) => (i === slot ? 1 : 0));
    } else {
      set.push(`pv[${slot}] = pv[${slot}] + :one`);
      values[':one'] = 1;
    }
  }
  return { set, remove, conditions, names, values };
}

/**
 * Admission and append in one write. The window cannot name the batch's base offset (it is the
 * `nextOffset` this very write increments), so the write records it beside, in `adm.#p` — every
 * right-hand side reads the item as it was — and the window holds -1 for that batch. A head created
 * before `adm` existed gets it here, and meanwhile records the offset read, valid only if nothing was
 * appended since (`nextOffset = :seen`).
 */
export function admitAndAppendUpdate(a: Admission, batch: ProducerBatch, location: Location, head: { nextOffset: number; adm?: unknown }, now: number): HeadUpdate {
  const c = admissionClauses(a, head.adm !== undefined);
  const base = baseAppend(location);
  if (head.adm !== undefined) {
    return {
      set: [...base.set, 'producers.#p = :state', 'adm.#p = nextOffset', ...c.set],
      remove: c.remove,
      condition: c.conditions.join(' AND '),
      names: c.names,
      values: { ...base.values, ...c.values, ':state': withBatch(a.state, batch.first, batch.last, -1, now) },
    };
  }
  return {
    set: [...base.set, 'producers.#p = :state', 'adm = if_not_exists(adm, :noAdm)', ...c.set],
    remove: c.remove,
    condition: [...c.conditions, 'nextOffset = :seen'].join(' AND '),
    names: c.names,
    values: { ...base.values, ...c.values, ':seen': head.nextOffset, ':noAdm': {}, ':state': withBatch(a.state, batch.first, batch.last, head.nextOffset, now) },
  };
}

/** Admission alone (under contention): the state goes inline, the batch follows with `appendUpdate`. */
export function admitUpdate(a: Admission, hasAdm: boolean): HeadUpdate {
  const c = admissionClauses(a, hasAdm);
  return { set: ['producers.#p = :state', ...c.set], remove: c.remove, condition: c.conditions.join(' AND '), names: c.names, values: { ...c.values, ':state': a.state } };
}

/**
 * The inline producer to demote to admit another: one of the least recently active half, at random
 * (admissions running at once then rarely pick the same one and race each other).
 */
export function victimOf(producers: Record<string, ProducerState>, admitting: string, random: () => number = Math.random): Eviction | undefined {
  const inline = Object.entries(producers).filter(([id]) => id !== admitting);
  if (inline.length < LIMITS.headInlineProducers) return undefined;
  inline.sort((x, y) => x[1].t - y[1].t);
  const [producerId, state] = inline[Math.floor(random() * Math.ceil(inline.length / 2))] as [string, ProducerState];
  return { producerId, state };
}
