/**
 * Reads Kafka's primitive wire types from a Buffer, big-endian, bounds-checked:
 *   int8/16/32/64, uint16/32, float64 (IEEE 754), bool (one byte, non-zero is true),
 *   uuid (16 bytes), unsigned varint (7 bits a byte, low first, at most 5 bytes),
 *   varint/varlong (zigzag over unsigned varint/varlong),
 *   string / bytes: int16 / int32 length then the bytes, -1 for null;
 *   compact string / bytes: unsigned varint length+1 then the bytes, 0 for null.
 * Every read checks the bytes remaining first, so no length taken from the input can make it
 * allocate or read past the end; bytes come back as views of the input, never copies.
 */
import { malformed } from './errors.js';

export class Reader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
    readonly end = buf.length,
  ) {}

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws unless `n` more bytes are there. */
  need(n: number, what: string): void {
    if (n > this.end - this.pos) throw malformed(`${what} needs ${n} bytes, ${this.end - this.pos} left`);
  }

  int8(): number {
    this.need(1, 'int8');
    return this.buf.readInt8(this.pos++);
  }

  bool(): boolean {
    this.need(1, 'bool');
    return this.buf[this.pos++] !== 0;
  }

  int16(): number {
    this.need(2, 'int16');
    const value = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return value;
  }

  uint16(): number {
    this.need(2, 'uint16');
    const value = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return value;
  }

  int32(): number {
    this.need(4, 'int32');
    const value = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return value;
  }

  uint32(): number {
    this.need(4, 'uint32');
    const value = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return value;
  }

  int64(): bigint {
    this.need(8, 'int64');
    const value = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return value;
  }

  float64(): number {
    this.need(8, 'float64');
    const value = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return value;
  }

  uuid(): string {
    this.need(16, 'uuid');
    const hex = this.buf.toString('hex', this.pos, this.pos + 16);
    this.pos += 16;
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** Unsigned 32-bit varint; more than 5 bytes or a value past 2^32-1 is malformed. */
  uvarint(): number {
    let value = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      this.need(1, 'varint');
      const byte = this.buf[this.pos++] as number;
      if (shift === 28 && byte > 0x0f) throw malformed('varint exceeds 32 bits');
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw malformed('varint longer than 5 bytes');
  }

  /** Zigzag-encoded signed 32-bit varint. */
  varint(): number {
    const raw = this.uvarint();
    return (raw >>> 1) ^ -(raw & 1);
  }

  /** Unsigned 64-bit varint (at most 10 bytes). */
  uvarlong(): bigint {
    let value = 0n;
    for (let shift = 0n; shift <= 63n; shift += 7n) {
      this.need(1, 'varlong');
      const byte = this.buf[this.pos++] as number;
      if (shift === 63n && byte > 0x01) throw malformed('varlong exceeds 64 bits');
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw malformed('varlong longer than 10 bytes');
  }

  /** Zigzag-encoded signed 64-bit varlong. */
  varlong(): bigint {
    const raw = this.uvarlong();
    return BigInt.asIntN(64, (raw >> 1n) ^ -(raw & 1n));
  }

  /** A view of the next `n` bytes. */
  raw(n: number, what = 'bytes'): Buffer {
    this.need(n, what);
    const view = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return view;
  }

  /** Length of a string, bytes or array: -1 (or compact 0) is null; other negatives are malformed. */
  private length(compact: boolean, wide: boolean, nullable: boolean, what: string): number | null {
    const length = compact ? this.uvarint() - 1 : wide ? this.int32() : this.int16();
    if (length === -1) {
      if (!nullable) throw malformed(`null ${what} in a non-nullable field`);
      return null;
    }
    if (length < 0) throw malformed(`negative ${what} length ${length}`);
    return length;
  }

  string(compact: boolean, nullable: boolean): string | null {
    const length = this.length(compact, false, nullable, 'string');
    return length === null ? null : this.raw(length, 'string').toString('utf8');
  }

  bytes(compact: boolean, nullable: boolean): Buffer | null {
    const length = this.length(compact, true, nullable, 'bytes');
    return length === null ? null : this.raw(length);
  }

  /**
   * An array's element count, checked against the bytes left: each element takes at least
   * `elementMinSize` bytes, so a hostile count fails here instead of driving a long loop.
   */
  arrayLength(compact: boolean, nullable: boolean, elementMinSize: number): number | null {
    const count = this.length(compact, true, nullable, 'array');
    if (count !== null && count * Math.max(1, elementMinSize) > this.remaining) {
      throw malformed(`array of ${count} cannot fit in ${this.remaining} bytes`);
    }
    return count;
  }
}
