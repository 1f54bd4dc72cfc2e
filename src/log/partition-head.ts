/**
 * The partition head item and its batch locations.
 *
 * head   { nextOffset, logStartOffset, recentBase, recent: Location[], producers: { <pid>: ProducerState }, bytes? }
 * chunk  { base, entries: Location[] }  (sk "i#<last offset of the chunk>")
 *
 * Offsets are not stored per location: the i-th recent location starts at
 * recentBase + the record counts before it. An append is therefore one
 * UpdateItem with no prior read: `nextOffset = nextOffset + n` and
 * `recent = list_append(recent, [loc])` in the same atomic write; the new
 * nextOffset (returned by DynamoDB) tells the batch's base offset.
 */

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
  /** producer id, epoch and base sequence (idempotent batches only) */
  p?: number;
  e?: number;
  q?: number;
}

export interface ProducerState {
  /** epoch */
  e: number;
  /** last sequence number appended */
  s: number;
  /** last append time (ms), for expiring idle producer state */
  t: number;
}

export interface PartitionHead {
  nextOffset: number;
  logStartOffset: number;
  recentBase: number;
  recent: Location[];
  producers: Record<string, ProducerState>;
  /** batch bytes ever appended (absent until the first append) */
  bytes?: number;
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
