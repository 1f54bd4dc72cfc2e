/**
 * Writes Kafka's primitive wire types (the same formats reader.ts reads) into a growing list of
 * chunks. Large byte blobs (record batches) are kept by reference and copied once, when the
 * message is finished, so a big Fetch response is not copied again on every growth step.
 * Every write checks that the value fits its type: a caller bug fails here, not on the wire.
 */
import { invalidValue } from './errors.js';

/** Blobs at least this long are referenced instead of copied into the scratch buffer
 * (below it, a copy is cheaper than another chunk). */
const REFERENCE_AT = 16 * 1024;
const MAX_SCRATCH = 64 * 1024;

export class Writer {
  private chunks: Buffer[] = [];
  private buf: Buffer;
  private start = 0;
  private pos = 0;
  private flushed = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  get length(): number {
    return this.flushed + this.pos - this.start;
  }

  private flush(): void {
    if (this.pos > this.start) {
      this.chunks.push(this.buf.subarray(this.start, this.pos));
      this.flushed += this.pos - this.start;
      this.start = this.pos;
    }
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    this.buf = Buffer.allocUnsafe(Math.max(n, Math.min(MAX_SCRATCH, this.buf.length * 2)));
    this.start = this.pos = 0;
  }

  private integer(value: number, min: number, max: number, type: string): void {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw invalidValue(`${String(value)} is not a valid ${type}`);
    }
  }

  int8(value: number): void {
    this.integer(value, -0x80, 0x7f, 'int8');
    this.ensure(1);
    this.pos = this.buf.writeInt8(value, this.pos);
  }

  bool(value: boolean): void {
    if (typeof value !== 'boolean') throw invalidValue(`${String(value)} is not a bool`);
    this.ensure(1);
    this.buf[this.pos++] = value ? 1 : 0;
  }

  int16(value: number): void {
    this.integer(value, -0x8000, 0x7fff, 'int16');
    this.ensure(2);
    this.pos = this.buf.writeInt16BE(value, this.pos);
  }

  uint16(value: number): void {
    this.integer(value, 0, 0xffff, 'uint16');
    this.ensure(2);
    this.pos = this.buf.writeUInt16BE(value, this.pos);
  }

  int32(value: number): void {
    this.integer(value, -0x80000000, 0x7fffffff, 'int32');
    this.ensure(4);
    this.pos = this.buf.writeInt32BE(value, this.pos);
  }

  uint32(value: number): void {
    this.integer(value, 0, 0xffffffff, 'uint32');
    this.ensure(4);
    this.pos = this.buf.writeUInt32BE(value, this.pos);
  }

  /** int64 from a bigint, or from a number when it is a safe integer. */
  int64(value: bigint | number): void {
    const big = toInt64(value);
    this.ensure(8);
    this.pos = this.buf.writeBigInt64BE(big, this.pos);
  }

  float64(value: number): void {
    if (typeof value !== 'number') throw invalidValue(`${String(value)} is not a float64`);
    this.ensure(8);
    this.pos = this.buf.writeDoubleBE(value, this.pos);
  }

  uuid(value: string): void {
    const hex = typeof value === 'string' ? value.replace(/-/g, '') : '';
    if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw invalidValue(`${String(value)} is not a uuid`);
    this.ensure(16);
    this.pos += this.buf.write(hex, this.pos, 16, 'hex');
  }

  uvarint(value: number): void {
    this.integer(value, 0, 0xffffffff, 'unsigned varint');
    this.ensure(5);
    let rest = value;
    while (rest >= 0x80) {
      this.buf[this.pos++] = (rest & 0x7f) | 0x80;
      rest = Math.floor(rest / 128);
    }
    this.buf[this.pos++] = rest;
  }

  varint(value: number): void {
    this.integer(value, -0x80000000, 0x7fffffff, 'varint');
    this.uvarint(((value << 1) ^ (value >> 31)) >>> 0);
  }

  uvarlong(value: bigint): void {
    if (typeof value !== 'bigint' || value < 0n || value > 0xffffffffffffffffn) {
      throw invalidValue(`${String(value)} is not an unsigned varlong`);
    }
    this.ensure(10);
    let rest = value;
    while (rest >= 0x80n) {
      this.buf[this.pos++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    this.buf[this.pos++] = Number(rest);
  }

  varlong(value: bigint | number): void {
    const big = toInt64(value);
    this.uvarlong(BigInt.asUintN(64, (big << 1n) ^ (big >> 63n)));
  }

  raw(bytes: Buffer): void {
    if (bytes.length >= REFERENCE_AT) {
      this.flush();
      this.chunks.push(bytes);
      this.flushed += bytes.length;
      return;
    }
    this.ensure(bytes.length);
    this.pos += bytes.copy(this.buf, this.pos);
  }

  private lengthPrefix(length: number | null, compact: boolean, wide: boolean): void {
    if (compact) this.uvarint(length === null ? 0 : length + 1);
    else if (wide) this.int32(length ?? -1);
    else this.int16(length ?? -1);
  }

  string(value: string | null, compact: boolean): void {
    if (value === null) return this.lengthPrefix(null, compact, false);
    if (typeof value !== 'string') throw invalidValue(`${String(value)} is not a string`);
    const size = Buffer.byteLength(value, 'utf8');
    if (!compact && size > 0x7fff) throw invalidValue(`string of ${size} bytes exceeds int16 length`);
    this.lengthPrefix(size, compact, false);
    this.ensure(size);
    this.pos += this.buf.write(value, this.pos, size, 'utf8');
  }

  bytes(value: Buffer | null, compact: boolean): void {
    if (value === null) return this.lengthPrefix(null, compact, true);
    if (!Buffer.isBuffer(value)) throw invalidValue('bytes must be a Buffer');
    this.lengthPrefix(value.length, compact, true);
    this.raw(value);
  }

  arrayLength(count: number | null, compact: boolean): void {
    this.lengthPrefix(count, compact, true);
  }

  /** The bytes written, optionally preceded by their int32 size (Kafka's frame prefix). */
  finish(sizePrefix = false): Buffer {
    this.flush();
    const prefix = sizePrefix ? 4 : 0;
    const out = Buffer.allocUnsafe(prefix + this.flushed);
    if (sizePrefix) out.writeInt32BE(this.flushed, 0);
    let at = prefix;
    for (const chunk of this.chunks) at += chunk.copy(out, at);
    return out;
  }
}

function toInt64(value: bigint | number): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'bigint' && value >= -(2n ** 63n) && value < 2n ** 63n) return value;
  throw invalidValue(`${String(value)} is not a valid int64`);
}
