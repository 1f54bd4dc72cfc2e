/** A bounds-checked big-endian reader: every overrun becomes a 400 (INVALID_REQUEST), never a RangeError. */
import { FloeError } from '../errors.js';

export class WireReader {
  pos = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly what: string,
  ) {}

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw new FloeError('INVALID_REQUEST', `malformed ${this.what}: truncated at byte ${this.pos}`);
    }
  }
  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }
  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  int64(): number {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new FloeError('INVALID_REQUEST', `malformed ${this.what}: int64 out of range`);
    }
    return Number(v);
  }
  bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  string(): string {
    const n = this.int16();
    if (n < 0) throw new FloeError('INVALID_REQUEST', `malformed ${this.what}: negative string length`);
    return this.bytes(n).toString('utf8');
  }
  /** An array count that must be plausible for the bytes left (each element takes at least `minElementBytes`). */
  count(minElementBytes: number): number {
    const n = this.int32();
    if (n < 0 || n * minElementBytes > this.buf.length - this.pos) {
      throw new FloeError('INVALID_REQUEST', `malformed ${this.what}: array count ${n} does not fit the body`);
    }
    return n;
  }
  end(): void {
    if (this.pos !== this.buf.length) {
      throw new FloeError('INVALID_REQUEST', `malformed ${this.what}: ${this.buf.length - this.pos} trailing bytes`);
    }
  }
}

export class WireWriter {
  private chunks: Buffer[] = [];
  int16(v: number): this {
    const b = Buffer.allocUnsafe(2);
    b.writeInt16BE(v);
    this.chunks.push(b);
    return this;
  }
  int32(v: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(v);
    this.chunks.push(b);
    return this;
  }
  int64(v: number): this {
    const b = Buffer.allocUnsafe(8);
    b.writeBigInt64BE(BigInt(v));
    this.chunks.push(b);
    return this;
  }
  string(s: string): this {
    const bytes = Buffer.from(s, 'utf8');
    this.int16(bytes.length);
    this.chunks.push(bytes);
    return this;
  }
  raw(bytes: Buffer): this {
    this.chunks.push(bytes);
    return this;
  }
  finish(): Buffer {
    return Buffer.concat(this.chunks);
  }
}
