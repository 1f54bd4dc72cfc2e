/**
 * The partition head item and its batch locations.
 *
 * head   { nextOffset, logStartOffset, recentBase, recent: Location[], producers: { <pid>: ProducerState }, adm, pv, bytes? }
 * chunk  { base, entries: IndexEntry[] }  (sk "i#<last offset of the chunk>": locations and compaction gaps)
 *
 * Offsets are not stored per location: the i-th recent location starts at
 * recentBase + the offset spans before it (`w`, the batch's lastOffsetDelta + 1; decision 32).
 * An append is therefore one UpdateItem with no prior read: `nextOffset = nextOffset + w` and
 * `recent = list_append(recent, [loc])` in the same atomic write; the new nextOffset (returned
 * by DynamoDB) tells the batch's base offset. Compaction keeps every batch's span while it
 * removes records (so `n` may be smaller than `w`), and replaces a batch it emptied by a gap.
 */

import type { ProducerState } from './producer-state.js';

export type { ProducerState };

/** Where one committed batch lives. Short attribute names: a head write is billed per KB of the whole item. */
export interface Location {
  /** segment object key */
  k: string;
  /** byte offset of the batch in the object */
  s: number;
  /** batch length in bytes */
  l: number;
  /** record count (compaction lowers it; offsets come from `w`) */
  n: number;
  /**
   * offset span: the batch's lastOffsetDelta + 1, kept when compaction removes records. Absent only in
   * locations written before decision 32, whose span is their record count (housekeeping adds it).
   */
  w?: number;
  /** delete horizon (ms): set when compaction first reached the batch's tombstones; they go once it passed */
  h?: number;
  /** max timestamp of the batch (ms) */
  t: number;
  /** log append time (ms) */
  a: number;
  /** producer id, epoch and base sequence: written by Floe before decision 27 (the producer windows carry offsets now) */
  p?: number;
  e?: number;
  q?: number;
}

export interface PartitionHead {
  nextOffset: number;
  logStartOffset: number;
  recentBase: number;
  recent: Location[];
  /** idempotent-producer state of the most recently active producers, by decimal producer id (producer-state.ts) */
  producers: Record<string, ProducerState>;
  /** batch bytes ever appended (absent until the first append) */
  bytes?: number;
  /** producer states demoted from this head, per slot of producer ids (guards re-admissions; absent until the first) */
  pv?: number[];
  /**
   * base offset of the batch each producer was admitted with, by producer id: the admission's write
   * records `nextOffset` here (its window holds -1 for that batch). Absent in heads created before
   * decision 27 until their first admission.
   */
  adm?: Record<string, number>;
}

/** Offsets whose batches compaction removed whole: only how many (an index chunk entry, never in a head). */
export interface Gap {
  w: number;
  k?: undefined;
}

/** What an index chunk lists, in offset order: batch locations and gaps. */
export type IndexEntry = Location | Gap;

export const isGap = (entry: IndexEntry): entry is Gap => entry.k === undefined;

/** Offsets an entry covers (a location written before decision 32: its record count, equal to its span then). */
export const spanOf = (entry: IndexEntry): number => entry.w ?? (entry as Location).n;

/** Sum of the spans of consecutive entries. */
export const spanOfAll = (entries: readonly IndexEntry[]): number => entries.reduce((sum, e) => sum + spanOf(e), 0);

export interface LocatedBatch extends Location {
  baseOffset: number;
  /** offset after the batch (baseOffset + span) */
  end: number;
  gap?: undefined;
}

export interface LocatedGap {
  gap: true;
  baseOffset: number;
  end: number;
}

export type LocatedEntry = LocatedBatch | LocatedGap;

export const emptyHead = (): PartitionHead => ({
  nextOffset: 0,
  logStartOffset: 0,
  recentBase: 0,
  recent: [],
  producers: {},
  adm: {},
});

/** Assigns base offsets to consecutive entries starting at `base`, gaps included. */
export function withEntryOffsets(base: number, entries: readonly IndexEntry[]): LocatedEntry[] {
  const out: LocatedEntry[] = [];
  let offset = base;
  for (const entry of entries) {
    const end = offset + spanOf(entry);
    out.push(isGap(entry) ? { gap: true, baseOffset: offset, end } : { ...entry, baseOffset: offset, end });
    offset = end;
  }
  return out;
}

/** The batches of consecutive entries starting at `base`, with their offsets (gaps skipped). */
export function withOffsets(base: number, entries: readonly IndexEntry[]): LocatedBatch[] {
  return withEntryOffsets(base, entries).filter((e): e is LocatedBatch => !e.gap);
}
