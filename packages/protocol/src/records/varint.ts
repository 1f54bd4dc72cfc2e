/**
 * Kafka's variable-length integers (record fields inside a RecordBatch v2).
 *
 *   zigzag:  n >= 0 -> 2n,  n < 0 -> -2n - 1   (small magnitudes of either sign stay small)
 *   then unsigned LEB128: 7 bits per byte, least significant group first,
 *   high bit (0x80) set on every byte except the last.
 *
 *   varint  (int32): at most 5 bytes; bits past 32 in the 5th byte are dropped (as Kafka's ByteUtils does)
 *   varlong (int64): at most 10 bytes; JS numbers are exact up to 2^53, which covers
 *                    every timestamp and offset Floe produces
 *
 *   examples: 0 -> 00, -1 -> 01, 1 -> 02, 63 -> 7e, -64 -> 7f, 64 -> 80 01, 300 -> d8 04
 *
 * Readers take a Cursor (position and exclusive end) so hot loops avoid
 * allocating a result object per call; a read past `end` or an over-long
 * encoding throws CORRUPT_MESSAGE.
 */
import { FloeError } from '../errors.js';

/** A read position inside [pos, end) of some buffer; readers advance `pos`. */
export interface Cursor {
  pos: number;
  end: number;
}

function truncated(): FloeError {
  return new FloeError('CORRUPT_MESSAGE', 'varint runs past the end of its field');
}

/** Encoded size of an int32 varint. */
export function sizeOfVarint(value: number): number {
  const u = ((value << 1) ^ (value >> 31)) >>> 0;
  if (u < 0x80) return 1;
  if (u < 0x4000) return 2;
  if (u < 0x200000) return 3;
  if (u < 0x10000000) return 4;
  return 5;
}

/** Encoded size of an int64 varlong (value must be an integer). */
export function sizeOfVarlong(value: number): number {
  if (value === (value | 0)) return sizeOfVarint(value);
  let u = zigzag64(value);
  let size = 1;
  while (u >= 0x80n) {
    u >>= 7n;
    size++;
  }
  return size;
}

/** Beyond int32 (a delta of more than 24 days) exactness matters more than speed: use BigInt. */
function zigzag64(value: number): bigint {
  const v = BigInt(value);
  return BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
}

/** Writes an int32 varint at `pos`; returns the position after it. */
export function writeVarint(buf: Uint8Array, pos: number, value: number): number {
  let u = ((value << 1) ^ (value >> 31)) >>> 0;
  while (u >= 0x80) {
    buf[pos++] = (u & 0x7f) | 0x80;
    u >>>= 7;
  }
  buf[pos++] = u;
  return pos;
}

/** Writes an int64 varlong at `pos`; returns the position after it. */
export function writeVarlong(buf: Uint8Array, pos: number, value: number): number {
  if (value === (value | 0)) return writeVarint(buf, pos, value);
  let u = zigzag64(value);
  while (u >= 0x80n) {
    buf[pos++] = Number(u & 0x7fn) | 0x80;
    u >>= 7n;
  }
  buf[pos++] = Number(u);
  return pos;
}

/** Reads an int32 varint at `c.pos`, advancing it. */
export function readVarint(buf: Uint8Array, c: Cursor): number {
  // Small enough to inline: lengths and deltas almost always fit in one or two bytes.
  const pos = c.pos;
  const end = c.end;
  if (pos < end) {
    const b0 = buf[pos] as number;
    if (b0 < 0x80) {
      c.pos = pos + 1;
      return (b0 >>> 1) ^ -(b0 & 1);
    }
    if (pos + 1 < end) {
      const b1 = buf[pos + 1] as number;
      if (b1 < 0x80) {
        const u = (b0 & 0x7f) | (b1 << 7);
        c.pos = pos + 2;
        return (u >>> 1) ^ -(u & 1);
      }
    }
  }
  return readVarintSlow(buf, c);
}

function readVarintSlow(buf: Uint8Array, c: Cursor): number {
  let pos = c.pos;
  const end = c.end;
  let u = 0;
  let shift = 0;
  let b: number;
  do {
    if (pos >= end) throw truncated();
    if (shift === 35) throw new FloeError('CORRUPT_MESSAGE', 'varint longer than 5 bytes');
    b = buf[pos++] as number;
    u |= (b & 0x7f) << shift; // bits past 32 in the 5th byte fall off, as in Kafka
    shift += 7;
  } while (b >= 0x80);
  c.pos = pos;
  return (u >>> 1) ^ -(u & 1);
}

/** Reads an int64 varlong at `c.pos`, advancing it. */
export function readVarlong(buf: Uint8Array, c: Cursor): number {
  const pos = c.pos;
  if (pos < c.end) {
    const b = buf[pos] as number;
    if (b < 0x80) {
      c.pos = pos + 1;
      return (b >>> 1) ^ -(b & 1);
    }
  }
  return readVarlongSlow(buf, c);
}

function readVarlongSlow(buf: Uint8Array, c: Cursor): number {
  let pos = c.pos;
  const end = c.end;
  // First 28 bits in integer arithmetic, the rest (up to 10 bytes in all) in floats.
  let low = 0;
  let shift = 0;
  let b: number;
  do {
    if (pos >= end) throw truncated();
    b = buf[pos++] as number;
    low |= (b & 0x7f) << shift;
    shift += 7;
  } while (b >= 0x80 && shift < 28);
  if (b < 0x80) {
    c.pos = pos;
    return (low >>> 1) ^ -(low & 1);
  }
  let high = 0;
  let scale = 1;
  do {
    if (shift >= 70) throw new FloeError('CORRUPT_MESSAGE', 'varlong longer than 10 bytes');
    if (pos >= end) throw truncated();
    b = buf[pos++] as number;
    high += (b & 0x7f) * scale;
    scale *= 128;
    shift += 7;
  } while (b >= 0x80);
  c.pos = pos;
  // u = low + high * 2^28; undo zigzag without leaving float arithmetic.
  const half = high * 0x8000000 + (low >>> 1);
  return low & 1 ? -half - 1 : half;
}
