/**
 * The partition head item and its batch locations.
 *
 * head   { nextOffset, logStartOffset, recentBase, recent: Location[], producers: { <pid>: ProducerState }, adm, pv, bytes? }
 * chunk  { base, entries: Location[] }  (sk "i#<last offset of the chunk>")
 *
 * Offsets are not stored per location: the i-th recent location starts at
 * recentBase + the record counts before it. An append is therefore one
 * UpdateItem with no prior read: `nextOffset = nextOffset + n` and
 * `recent = list_append(recent, [loc])` in the same atomic write; the new
 * nextOffset (returned by DynamoDB) tells the batch's base offset.
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
  /** record count */
  n: number;
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

export interface LocatedBatch extends Location {
  baseOffset: number;
}

export const emptyHead = (): PartitionHead => ({
  nextOffset: 0,
  logStartOffset: 0,
  recentBase: 0,
  recent: [],
  producers: {},
  adm: {},
});

/** Assigns base offsets to consecutive locations starting at `base`. */
export function withOffsets(base: number, locations: Location[]): LocatedBatch[] {
  const out: LocatedBatch[] = [];
  let offset = base;
  for (const location of locations) {
    out.push({ ...location, baseOffset: offset });
    offset += location.n;
  }
  return out;
}
