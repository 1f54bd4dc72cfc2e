/**
 * Striped partition heads (decision 52, issue 15's wide requests): G consecutive partitions of a
 * topic share one item, so a produce request costs one write per stripe it touches instead of one
 * per partition. Measured in bench/stripes.ts. A topic's layout is fixed when it is created
 * (`TopicRef.stripeWidth`); the log writes stripes only where its deps turn them on (LogDeps.stripes,
 * off by default until decision 52's build order is done). This module is pure.
 *
 * stripe { o: number[G], l: number[G], recent: StripeEntry[] }
 *   o[i]     next offset of partition stripe * G + i   (a list, not a map: `o[17]` is shorter than `o.#p17`
 *            in the expression, which DynamoDB bounds at 4 KB)
 *   l[i]     its log start offset
 *   recent   one entry per write, in the order the write incremented the counters:
 *            { k: segment object key, a: append time (ms), b: Binary, one packed record per partition written }
 * record   six Kafka varlongs (zigzag LEB128, packages/protocol's varint.ts):
 *            i (index in the stripe), w (offset span), w - n (records compaction removed: 0 at append),
 *            s (byte offset in the object), l (batch length), t - a (max timestamp minus append time)
 *
 * Why one Binary per entry: DynamoDB bills a Binary by its length, so a record costs ~9 bytes (index,
 * span and delta one byte each, offset three, length two). The same six fields as a list of numbers
 * cost ~20–25 bytes (1 byte per element, 1 + half the digits per number, 3 per list), as a map more
 * (names); a string would need a printable encoding (base64: a third more). One Binary for the entry
 * rather than one per partition saves the list's per-element byte, and the segment key and append
 * time are written once per entry, not once per partition.
 *
 * Offsets (decision 32's rule, per partition): the entries that touch partition i, in list order,
 * end at o[i], so each batch's base offset is o[i] minus its span and the spans of i after it. No
 * base is stored. An append is one UpdateItem per stripe touched and no read:
 *   SET o[3] = o[3] + :w0, o[9] = o[9] + :w1, …, recent = list_append(recent, :e)   on condition attribute_exists(o[9])
 * The log asks for ReturnValues ALL_NEW (the bench for UPDATED_NEW, which lists the updated elements
 * of `o` in index order): a batch's base offset is its partition's new counter minus its span, and
 * the item also tells the log start offsets the produce answer carries. A stripe whose partitions
 * would not fit DynamoDB's expression limits in one write is written in several, each with its own entry.
 *
 * Spills (stripe-spill.ts): `recent` would grow with every write, so once its entries pass
 * LIMITS.stripeSpillBytes (as DynamoDB bills them, roughly: stripeEntryBytes) the appender moves
 * the oldest to a stripe chunk until the rest is at most half of it:
 *
 * stripe  … sp: entries spilled so far (0 when created)
 * chunk   pk the stripe's, sk "c#<seq:20>" (seq = sp before it) { entries: StripeEntry[], ends: number[] }
 *   entries  the entries moved, unchanged, oldest first
 *   ends[i]  partition i's next offset after the chunk's last entry (its counter then: o[i] minus the
 *            spans of i in the entries kept); absent for a partition added since, whose end is 0
 *
 * One chunk per spill holding whole entries, not split per partition (a split would cost one write
 * per partition, what striping saves; bench/stripes.ts measured it). A reader of partition i finds
 * the first chunk whose ends[i] passes its offset by a binary search over seq, and each batch's
 * base offset as in the stripe: ends[i] minus its span and the spans of i after it in the chunk.
 * The chunk is written first, then the stripe trimmed on `sp` (as the per-partition spill), so a
 * reader that reads the stripe, then its chunks, finds every batch.
 *
 * Idempotent producers (decision 53, stripe-producer.ts): `P.<producer id>` holds each inline
 * producer's epoch and last sequence per partition; its entries carry `p` and `e`, and each packed
 * record a seventh varlong (the batch's first sequence). decodeRecords reads both kinds.
 *
 * Retention on stripes: src/housekeeping/stripe-retention.ts. Compaction never runs on stripes: compacted
 * topics keep one head per partition (topics.ts).
 */
import { FloeError, readVarlong, sizeOfVarlong, writeVarlong } from '@floe/protocol';
import { spanOfAll, type Location, type PartitionHead } from './partition-head.js';
import type { HeadUpdate } from './store.js';

/** A topic as the head functions need it: its id, and its layout. `Topic` is one. */
export interface TopicRef {
  topicId: string;
  /** partitions per stripe item (decision 52); absent: one head item per partition */
  stripeWidth?: number;
}

/** The stripes of a topic of `partitions` partitions: index, first partition, and size (the last may be narrower). */
export function stripesOf(partitions: number, width: number): Array<{ stripe: number; first: number; size: number }> {
  return Array.from({ length: Math.ceil(partitions / width) }, (_, stripe) => ({ stripe, first: stripe * width, size: Math.min(width, partitions - stripe * width) }));
}

/** DynamoDB's bound on one expression string (UpdateExpression, ConditionExpression), in bytes. */
export const EXPRESSION_MAX_BYTES = 4096;
/** DynamoDB's bound on operators and functions in an expression (each `+`, comparison, AND, function). */
export const EXPRESSION_MAX_OPERATORS = 300;

export interface StripeEntry {
  /** segment object key */
  k: string;
  /** log append time (ms) */
  a: number;
  /** packed records, one per partition this write touched */
  b: Uint8Array;
  /** an idempotent producer's entry (decision 53): its id (decimal) and epoch; each packed record then carries a seventh varlong, the batch's first sequence */
  p?: string;
  e?: number;
}

export interface StripeItem {
  o: number[];
  l: number[];
  recent: StripeEntry[];
  /** entries spilled to stripe chunks so far (absent: a stripe written before spills, 0) */
  sp?: number;
}

/** A stripe chunk item's content (see the header). */
export interface StripeChunk {
  /** entries spilled before it: its sort key */
  seq: number;
  entries: StripeEntry[];
  /** each partition's next offset after the chunk's last entry */
  ends: number[];
}

/** One partition's batch in a request, where it lies in the request's segment object. */
export interface StripeBatch {
  partition: number;
  /** byte offset in the object */
  s: number;
  /** length in bytes */
  l: number;
  /** record count */
  n: number;
  /** offset span (lastOffsetDelta + 1) */
  w: number;
  /** max timestamp (ms) */
  t: number;
}

/** A packed record decoded: index in the stripe, and the Location fields it carries. */
export interface StripeRecord {
  i: number;
  w: number;
  n: number;
  s: number;
  l: number;
  t: number;
  /** first sequence of the batch (a producer's entry only) */
  q?: number;
}

/** One UpdateItem of an append, on stripe `stripe`. */
export interface StripeWrite {
  stripe: number;
  /** the partitions' indexes in the stripe, ascending (the order UPDATED_NEW returns their counters in) */
  indexes: number[];
  /** offset span of each, aligned with `indexes` */
  spans: number[];
  update: HeadUpdate;
  entry: StripeEntry;
  /** UpdateExpression bytes and operators (the condition is one function more) */
  expressionBytes: number;
  operators: number;
}

export const stripeOf = (partition: number, width: number): { stripe: number; index: number } => ({ stripe: Math.floor(partition / width), index: partition % width });

/** A new stripe item for `partitions` partitions (the last stripe of a topic may be narrower). */
export const newStripe = (partitions: number): StripeItem => ({ o: new Array<number>(partitions).fill(0), l: new Array<number>(partitions).fill(0), recent: [], sp: 0 });

/** Packs records as an entry's `b`: six varlongs each, a seventh (`q`) in a producer's entry, which gives every record one. */
export function encodeRecords(records: readonly StripeRecord[], appendTime: number): Uint8Array {
  const fields = (r: StripeRecord) => (r.q === undefined ? [r.i, r.w, r.w - r.n, r.s, r.l, r.t - appendTime] : [r.i, r.w, r.w - r.n, r.s, r.l, r.t - appendTime, r.q]);
  const size = records.reduce((sum, r) => sum + fields(r).reduce((s, v) => s + sizeOfVarlong(v), 0), 0);
  const out = new Uint8Array(size);
  let pos = 0;
  for (const r of records) for (const v of fields(r)) pos = writeVarlong(out, pos, v);
  return out;
}

export function decodeRecords(entry: StripeEntry): StripeRecord[] {
  const b = entry.b;
  const c = { pos: 0, end: b.length };
  const out: StripeRecord[] = [];
  while (c.pos < c.end) {
    const i = readVarlong(b, c);
    const w = readVarlong(b, c);
    const removed = readVarlong(b, c);
    const r: StripeRecord = { i, w, n: w - removed, s: readVarlong(b, c), l: readVarlong(b, c), t: entry.a + readVarlong(b, c) };
    // A producer's entry packs seven varlongs per record (stripe-producer.ts): every reader skips the seventh alike.
    if (entry.p !== undefined) r.q = readVarlong(b, c);
    out.push(r);
  }
  return out;
}

const LIST_APPEND = 'recent = list_append(recent, :e)';
// The stripe exists and holds the write's highest index: a partition whose stripe an add has not
// grown yet fails the condition (unknown partition), not the expression (DynamoDB's ValidationException).
const conditionFor = (top: number): string => `attribute_exists(o[${top}])`;

function checked(batches: readonly StripeBatch[], width: number): StripeBatch[] {
  if (!Number.isInteger(width) || width < 1) throw new FloeError('INVALID_REQUEST', `stripe width ${width} is not a positive integer`);
  const seen = new Set<number>();
  for (const b of batches) {
    if (!Number.isInteger(b.partition) || b.partition < 0) throw new FloeError('INVALID_REQUEST', `partition ${b.partition} is not a partition number`);
    if (seen.has(b.partition)) throw new FloeError('INVALID_REQUEST', `partition ${b.partition} appears twice in one request`);
    if (!(b.w >= 1) || !(b.n >= 0 && b.n <= b.w) || !(b.s >= 0) || !(b.l >= 0)) throw new FloeError('INVALID_REQUEST', `partition ${b.partition}: batch span ${b.w}, count ${b.n}, range ${b.s}+${b.l} is not a batch`);
    seen.add(b.partition);
  }
  return [...batches].sort((x, y) => x.partition - y.partition);
}

/**
 * The writes that append one request's batches (one segment object `key`, appended at
 * `appendTime`) to striped heads of width `width`: one per stripe touched, more for a stripe whose
 * partitions would not fit one expression. Plain producers only (no sequence conditions).
 */
export function planStripeAppend(key: string, appendTime: number, batches: readonly StripeBatch[], width: number): StripeWrite[] {
  const byStripe = new Map<number, StripeBatch[]>();
  for (const b of checked(batches, width)) {
    const { stripe } = stripeOf(b.partition, width);
    const list = byStripe.get(stripe) ?? [];
    list.push(b);
    byStripe.set(stripe, list);
  }
  const writes: StripeWrite[] = [];
  for (const [stripe, list] of byStripe) {
    let rest = list;
    while (rest.length > 0) {
      const write = oneWrite(stripe, key, appendTime, rest, width);
      writes.push(write);
      rest = rest.slice(write.indexes.length);
    }
  }
  return writes;
}

/** A write of as many of `batches` (one stripe's, ascending) as fit one expression's limits. */
function oneWrite(stripe: number, key: string, appendTime: number, batches: readonly StripeBatch[], width: number): StripeWrite {
  const placeholders = new Map<number, string>();
  const set: string[] = [];
  const taken: StripeBatch[] = [];
  // "SET " + clauses joined by ", " + ", " + the list_append; one operator per `+`, one for list_append, one for the condition.
  let bytes = 'SET '.length + LIST_APPEND.length;
  for (const b of batches) {
    const index = b.partition % width;
    const placeholder = placeholders.get(b.w) ?? `:w${placeholders.size}`;
    const clause = `o[${index}] = o[${index}] + ${placeholder}`;
    const grown = bytes + clause.length + 2;
    if (taken.length > 0 && (grown > EXPRESSION_MAX_BYTES || taken.length + 1 + 2 > EXPRESSION_MAX_OPERATORS)) break;
    placeholders.set(b.w, placeholder);
    set.push(clause);
    taken.push(b);
    bytes = grown;
  }
  const records = taken.map((b) => ({ i: b.partition % width, w: b.w, n: b.n, s: b.s, l: b.l, t: b.t }));
  const entry: StripeEntry = { k: key, a: appendTime, b: encodeRecords(records, appendTime) };
  const values: Record<string, unknown> = { ':e': [entry] };
  for (const [span, placeholder] of placeholders) values[placeholder] = span;
  return {
    stripe,
    indexes: records.map((r) => r.i),
    spans: records.map((r) => r.w),
    update: { set: [...set, LIST_APPEND], condition: conditionFor(records.at(-1)?.i ?? 0), values },
    entry,
    expressionBytes: bytes,
    operators: taken.length + 1,
  };
}

/**
 * The base offset of each batch of `write`, aligned with its indexes, from the counters UPDATED_NEW
 * returned (the updated elements of `o`, in index order).
 */
export function baseOffsetsOf(write: StripeWrite, returned: { o?: unknown }): number[] {
  const counters = returned.o;
  if (!Array.isArray(counters) || counters.length !== write.indexes.length) {
    throw new FloeError('UNKNOWN_SERVER_ERROR', `a stripe write of ${write.indexes.length} partitions returned ${Array.isArray(counters) ? counters.length : 'no'} counters`);
  }
  return counters.map((next, j) => Number(next) - (write.spans[j] as number));
}

/**
 * The base offset of each batch of `write`, aligned with its indexes, from the item as the write left
 * it (ReturnValues ALL_NEW): its partition's counter minus its span.
 */
export function baseOffsetsIn(write: Pick<StripeWrite, 'indexes' | 'spans'>, item: { o?: unknown }): number[] {
  const counters = item.o;
  return write.indexes.map((index, j) => {
    const next = Array.isArray(counters) ? counters[index] : undefined;
    if (typeof next !== 'number') throw new FloeError('UNKNOWN_SERVER_ERROR', `a stripe write returned no counter for partition index ${index}`);
    return next - (write.spans[j] as number);
  });
}

/**
 * Partition `index` of a stripe as a partition head: its next offset, log start and locations in
 * offset order (recentBase follows from the spans), so readers of a PartitionHead read it unchanged.
 * No producer state: a striped topic judges its producers on the stripe (stripe-producer.ts).
 */
export function partitionView(item: StripeItem, index: number): PartitionHead {
  const recent = locationsIn(item.recent, index);
  const nextOffset = item.o[index] ?? 0;
  return { nextOffset, logStartOffset: item.l[index] ?? 0, recentBase: nextOffset - spanOfAll(recent), recent, producers: {} };
}

/** Partition `index`'s locations in `entries`, in order. */
function locationsIn(entries: readonly StripeEntry[], index: number): Location[] {
  const out: Location[] = [];
  for (const entry of entries) {
    for (const r of decodeRecords(entry)) if (r.i === index) out.push({ k: entry.k, s: r.s, l: r.l, n: r.n, w: r.w, t: r.t, a: entry.a });
  }
  return out;
}

/** Bytes besides the key and the Binary an entry adds to an item: its time (~8), names `k` `a` `b`, map and list element overheads. */
const ENTRY_OVERHEAD_BYTES = 8 + 7;

/** What one entry of `recent` (or of a chunk) costs in an item, roughly as DynamoDB bills it. */
export const stripeEntryBytes = (entry: StripeEntry): number => entry.k.length + entry.b.length + ENTRY_OVERHEAD_BYTES;

/**
 * Entries one spill moves at most: its trim names each (`recent[12], `), and an expression holds
 * 4 KB. A stripe further behind (spills failing a while) is brought down by the next appends' spills.
 */
export const STRIPE_SPILL_MAX_ENTRIES = 200;

/** How many of the oldest entries a spill moves: none while they fit `limitBytes`, else until the rest fits half of it. */
export function entriesToSpill(recent: readonly StripeEntry[], limitBytes: number): number {
  const sizes = recent.map(stripeEntryBytes);
  let rest = sizes.reduce((sum, n) => sum + n, 0);
  if (rest <= limitBytes) return 0;
  let m = 0;
  while (m < sizes.length && m < STRIPE_SPILL_MAX_ENTRIES && rest > limitBytes / 2) rest -= sizes[m++] as number;
  return m;
}

/** The chunk a spill of the `m` oldest entries of `item` writes: ends are the counters minus the spans kept. */
export function chunkOf(item: StripeItem, m: number): StripeChunk {
  const ends = [...item.o];
  for (const entry of item.recent.slice(m)) for (const r of decodeRecords(entry)) ends[r.i] = (ends[r.i] as number) - r.w;
  return { seq: item.sp ?? 0, entries: item.recent.slice(0, m), ends };
}

/** Partition `index`'s part of a chunk: its locations, which start at `base` and end at `end`. */
export function chunkView(chunk: StripeChunk, index: number): { base: number; end: number; entries: Location[] } {
  const entries = locationsIn(chunk.entries, index);
  const end = chunk.ends[index] ?? 0;
  return { base: end - spanOfAll(entries), end, entries };
}
