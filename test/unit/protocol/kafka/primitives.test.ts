import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KafkaProtocolError, Reader, Writer } from '../../../../packages/protocol/src/kafka/index.js';
import { FUZZ_PARAMS } from './fuzz-params.js';

const require = createRequire(import.meta.url);
const KafkajsEncoder = require('kafkajs/src/protocol/encoder.js') as new () => {
  writeVarInt(value: number): { buffer: Buffer };
  writeVarLong(value: unknown): { buffer: Buffer };
  writeUVarInt(value: number): { buffer: Buffer };
};
const Long = require('kafkajs/src/utils/long.js') as { fromString(value: string): unknown };

const written = (write: (w: Writer) => void) => {
  const writer = new Writer(4);
  write(writer);
  return writer.finish().toString('hex');
};
const reader = (hex: string) => new Reader(Buffer.from(hex, 'hex'));

function failure(fn: () => unknown): KafkaProtocolError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KafkaProtocolError);
    return error as KafkaProtocolError;
  }
  throw new Error('expected a KafkaProtocolError');
}

describe('varints', () => {
  it.each<[number, string]>([
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [63, '7e'],
    [-64, '7f'],
    [64, '8001'],
    [300, 'd804'],
    [2147483647, 'feffffff0f'],
    [-2147483648, 'ffffffff0f'],
  ])('zigzag varint %i is %s', (value, hex) => {
    // Act + Assess
    expect(written((w) => w.varint(value))).toBe(hex);
    expect(reader(hex).varint()).toBe(value);
  });

  it.each<[number, string]>([
    [0, '00'],
    [127, '7f'],
    [128, '8001'],
    [300, 'ac02'],
    [4294967295, 'ffffffff0f'],
  ])('unsigned varint %i is %s', (value, hex) => {
    expect(written((w) => w.uvarint(value))).toBe(hex);
    expect(reader(hex).uvarint()).toBe(value);
  });

  it.each<[bigint, string]>([
    [0n, '00'],
    [-1n, '01'],
    [9007199254740993n, '8280808080808020'],
    [2n ** 63n - 1n, 'feffffffffffffffff01'],
    [-(2n ** 63n), 'ffffffffffffffffff01'],
  ])('zigzag varlong %s is %s', (value, hex) => {
    expect(written((w) => w.varlong(value))).toBe(hex);
    expect(reader(hex).varlong()).toBe(value);
  });

  it('agrees with kafkajs on random varints and varlongs', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (int, long) => {
        expect(written((w) => w.varint(int))).toBe(new KafkajsEncoder().writeVarInt(int).buffer.toString('hex'));
        expect(written((w) => w.varlong(long))).toBe(new KafkajsEncoder().writeVarLong(Long.fromString(long.toString())).buffer.toString('hex'));
        expect(reader(written((w) => w.varlong(long))).varlong()).toBe(long);
      }),
      FUZZ_PARAMS(300),
    );
  });

  it('rejects a varint over 5 bytes or 32 bits, and a varlong over 10 bytes or 64 bits', () => {
    expect(failure(() => reader('ffffffffff01').uvarint()).kind).toBe('malformed');
    expect(failure(() => reader('ffffffff1f').uvarint()).kind).toBe('malformed');
    expect(failure(() => reader('ffffffffffffffffff02').uvarlong()).kind).toBe('malformed');
    expect(failure(() => reader('ffffffffffffffffffff01').uvarlong()).kind).toBe('malformed');
    expect(failure(() => reader('ff').uvarint()).kind).toBe('malformed');
  });
});

describe('fixed-size integers and floats', () => {
  it('writes big-endian and reads back every width', () => {
    // Act
    const hex = written((w) => {
      w.int8(-2);
      w.int16(-2);
      w.uint16(65535);
      w.int32(-2);
      w.uint32(4294967295);
      w.int64(-2n);
      w.float64(1.5);
      w.bool(true);
    });
    const r = reader(hex);

    // Assess
    expect(hex).toBe('fe' + 'fffe' + 'ffff' + 'fffffffe' + 'ffffffff' + 'fffffffffffffffe' + '3ff8000000000000' + '01');
    expect([r.int8(), r.int16(), r.uint16(), r.int32(), r.uint32(), r.int64(), r.float64(), r.bool()]).toEqual([
      -2, -2, 65535, -2, 4294967295, -2n, 1.5, true,
    ]);
    expect(r.remaining).toBe(0);
  });

  it('keeps int64 exact beyond 2^53 (63-bit producer ids) and takes safe-integer numbers too', () => {
    // Prepare
    const producerId = 0x7edcba9876543211n;

    // Act
    const hex = written((w) => {
      w.int64(producerId);
      w.int64(42);
    });
    const r = reader(hex);

    // Assess
    expect(r.int64()).toBe(producerId);
    expect(r.int64()).toBe(42n);
  });

  it('reads any non-zero byte as true, like Kafka', () => {
    expect(reader('02').bool()).toBe(true);
    expect(reader('00').bool()).toBe(false);
  });

  it.each<[string, (w: Writer) => void]>([
    ['int8 128', (w) => w.int8(128)],
    ['int16 1.5', (w) => w.int16(1.5)],
    ['int32 2^31', (w) => w.int32(2 ** 31)],
    ['uint16 -1', (w) => w.uint16(-1)],
    ['uint32 2^32', (w) => w.uint32(2 ** 32)],
    ['int64 from an unsafe number', (w) => w.int64(2 ** 60)],
    ['int64 2^63', (w) => w.int64(2n ** 63n)],
    ['uuid "nope"', (w) => w.uuid('nope')],
    ['bool 1', (w) => w.bool(1 as unknown as boolean)],
  ])('refuses to write %s', (_name, write) => {
    expect(failure(() => write(new Writer())).kind).toBe('invalid_value');
  });
});

describe('strings, bytes and uuids', () => {
  it('writes strings with int16 or compact lengths, in UTF-8 bytes', () => {
    expect(written((w) => w.string('é', false))).toBe('0002c3a9');
    expect(written((w) => w.string('é', true))).toBe('03c3a9');
    expect(written((w) => w.string('', true))).toBe('01');
    expect(written((w) => w.string(null, false))).toBe('ffff');
    expect(written((w) => w.string(null, true))).toBe('00');
    expect(reader('0002c3a9').string(false, false)).toBe('é');
    expect(reader('03c3a9').string(true, false)).toBe('é');
    expect(reader('00').string(true, true)).toBeNull();
  });

  it('writes bytes with int32 or compact lengths, null as -1 or 0', () => {
    expect(written((w) => w.bytes(Buffer.from([1, 2]), false))).toBe('000000020102');
    expect(written((w) => w.bytes(Buffer.from([1, 2]), true))).toBe('030102');
    expect(written((w) => w.bytes(null, false))).toBe('ffffffff');
    expect(reader('ffffffff').bytes(false, true)).toBeNull();
    expect(reader('030102').bytes(true, false)).toEqual(Buffer.from([1, 2]));
  });

  it('rejects a string longer than an int16 length can say', () => {
    expect(failure(() => new Writer().string('x'.repeat(32768), false)).kind).toBe('invalid_value');
  });

  it('rejects null in a non-nullable field, negative lengths and lengths past the end', () => {
    expect(failure(() => reader('ffff').string(false, false)).kind).toBe('malformed');
    expect(failure(() => reader('00').string(true, false)).kind).toBe('malformed');
    expect(failure(() => reader('fffe').string(false, true)).kind).toBe('malformed');
    expect(failure(() => reader('7fffffff00').bytes(false, true)).kind).toBe('malformed');
    expect(failure(() => reader('0005616263').string(false, false)).kind).toBe('malformed');
  });

  it('reads and writes uuids as lowercase 8-4-4-4-12 hex', () => {
    const hex = '5f0c7a1e2b3d4c5e8f90a1b2c3d4e5f6';
    expect(reader(hex).uuid()).toBe('5f0c7a1e-2b3d-4c5e-8f90-a1b2c3d4e5f6');
    expect(written((w) => w.uuid('5F0C7A1E-2B3D-4C5E-8F90-A1B2C3D4E5F6'))).toBe(hex);
  });

  it('reads bytes as views of the input, without copying', () => {
    // Prepare
    const input = Buffer.from('03aabb', 'hex');

    // Act
    const view = new Reader(input).bytes(true, false) as Buffer;

    // Assess
    expect(view.buffer).toBe(input.buffer);
  });
});

describe('arrays and the writer', () => {
  it('rejects an array count that cannot fit the bytes left, before reading elements', () => {
    // Prepare: 2^31-1 int32 elements announced, 10 bytes left
    const r = reader('7fffffff' + '00'.repeat(10));

    // Act
    const error = failure(() => r.arrayLength(false, false, 4));

    // Assess
    expect(error.kind).toBe('malformed');
    expect(error.message).toMatch(/2147483647/);
  });

  it('counts elements of zero minimum size as one byte each', () => {
    expect(failure(() => reader('00000005' + '00'.repeat(4)).arrayLength(false, false, 0)).kind).toBe('malformed');
    expect(reader('00000004' + '00'.repeat(4)).arrayLength(false, false, 0)).toBe(4);
  });

  it('writes small (copied) and large (referenced) blobs in order, after the size prefix', () => {
    // Prepare
    const small = Buffer.alloc(100, 7);
    const large = Buffer.alloc(100_000, 9);
    const writer = new Writer(8);

    // Act
    writer.int16(1);
    writer.bytes(small, false);
    writer.bytes(large, true);
    writer.int8(2);
    const out = writer.finish(true);

    // Assess
    const r = new Reader(out);
    expect(r.int32()).toBe(out.length - 4);
    expect(r.int16()).toBe(1);
    expect(r.bytes(false, false)?.equals(small)).toBe(true);
    expect(r.bytes(true, false)?.equals(large)).toBe(true);
    expect(r.int8()).toBe(2);
    expect(r.remaining).toBe(0);
  });
});
