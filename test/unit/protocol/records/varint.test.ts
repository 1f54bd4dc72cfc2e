import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FloeError } from '../../../../packages/protocol/src/errors.js';
import {
  readVarint,
  readVarlong,
  sizeOfVarint,
  sizeOfVarlong,
  writeVarint,
  writeVarlong,
  type Cursor,
} from '../../../../packages/protocol/src/records/varint.js';

// kafkajs's protocol encoder/decoder is an independent implementation of the same encoding.
const require = createRequire(import.meta.url);
const KafkajsEncoder = require('kafkajs/src/protocol/encoder.js') as new () => {
  writeVarInt(value: number): { buffer: Buffer };
  writeVarLong(value: number): { buffer: Buffer };
};
const KafkajsDecoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => {
  readVarInt(): number;
  readVarLong(): { toString(): string };
};

const INT32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const SAFE = fc.oneof(fc.maxSafeInteger(), INT32, fc.integer({ min: -(2 ** 20), max: 2 ** 20 }).map((n) => n * 2 ** 30));

function encodeVarint(value: number): Buffer {
  const buf = Buffer.alloc(sizeOfVarint(value));
  expect(writeVarint(buf, 0, value)).toBe(buf.length);
  return buf;
}

function encodeVarlong(value: number): Buffer {
  const buf = Buffer.alloc(sizeOfVarlong(value));
  expect(writeVarlong(buf, 0, value)).toBe(buf.length);
  return buf;
}

const whole = (buf: Buffer): Cursor => ({ pos: 0, end: buf.length });

function corruptCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FloeError);
    return (error as FloeError).code;
  }
  return undefined;
}

describe('varint (int32, zigzag)', () => {
  it('encodes the examples of the Kafka protocol guide', () => {
    // Prepare
    const cases: Array<[number, string]> = [
      [0, '00'],
      [-1, '01'],
      [1, '02'],
      [63, '7e'],
      [-64, '7f'],
      [64, '8001'],
      [300, 'd804'],
      [0x7fffffff, 'feffffff0f'],
      [-0x80000000, 'ffffffff0f'],
    ];

    // Act
    const encoded = cases.map(([value]) => encodeVarint(value).toString('hex'));

    // Assess
    expect(encoded).toEqual(cases.map(([, hex]) => hex));
  });

  it('writes the same bytes as kafkajs for any int32', () => {
    fc.assert(
      fc.property(INT32, (value) => {
        // Act
        const ours = encodeVarint(value);

        // Assess
        expect(ours.equals(new KafkajsEncoder().writeVarInt(value).buffer)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads back every int32 and advances the cursor past exactly its bytes', () => {
    fc.assert(
      fc.property(INT32, fc.uint8Array({ maxLength: 4 }), (value, trailer) => {
        // Prepare
        const buf = Buffer.concat([encodeVarint(value), trailer]);
        const cursor = whole(buf);

        // Act
        const read = readVarint(buf, cursor);

        // Assess
        expect(read).toBe(value);
        expect(cursor.pos).toBe(buf.length - trailer.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a varint cut by the end of its window', () => {
    // Prepare
    const buf = encodeVarint(300); // two bytes
    const cursor: Cursor = { pos: 0, end: 1 };

    // Act
    const code = corruptCode(() => readVarint(buf, cursor));

    // Assess
    expect(code).toBe('CORRUPT_MESSAGE');
  });

  it('refuses a varint longer than five bytes', () => {
    // Prepare
    const buf = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);

    // Act
    const code = corruptCode(() => readVarint(buf, whole(buf)));

    // Assess
    expect(code).toBe('CORRUPT_MESSAGE');
  });

  it('refuses an empty window', () => {
    // Act
    const code = corruptCode(() => readVarint(Buffer.from([0x02]), { pos: 1, end: 1 }));

    // Assess
    expect(code).toBe('CORRUPT_MESSAGE');
  });
});

describe('varlong (int64, zigzag)', () => {
  it('writes the same bytes as kafkajs for any safe integer', () => {
    fc.assert(
      fc.property(SAFE, (value) => {
        // Act
        const ours = encodeVarlong(value);

        // Assess
        expect(ours.toString('hex')).toBe(new KafkajsEncoder().writeVarLong(value).buffer.toString('hex'));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads back every safe integer, including the extremes', () => {
    fc.assert(
      fc.property(fc.oneof(SAFE, fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 31, -(2 ** 31) - 1, 2 ** 28, -(2 ** 28))), (value) => {
        // Prepare
        const buf = encodeVarlong(value);
        const cursor = whole(buf);

        // Act
        const read = readVarlong(buf, cursor);

        // Assess
        expect(read).toBe(value);
        expect(cursor.pos).toBe(buf.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads values kafkajs encodes, up to the int64 limits', () => {
    // Prepare
    const values = [0, 1, -1, 2 ** 40 + 7, -(2 ** 40) - 7, Date.UTC(2024, 0, 1)];

    for (const value of values) {
      const buf = new KafkajsEncoder().writeVarLong(value).buffer;

      // Act
      const read = readVarlong(buf, whole(buf));

      // Assess
      expect(read).toBe(Number(new KafkajsDecoder(buf).readVarLong().toString()));
    }
  });

  it('reads a 10-byte int64 maximum as the nearest number', () => {
    // Prepare: zigzag(2^63 - 1) = 2^64 - 2
    const buf = Buffer.from('feffffffffffffffff01', 'hex');

    // Act
    const read = readVarlong(buf, whole(buf));

    // Assess
    expect(read).toBe(Number(2n ** 63n - 1n));
  });

  it('refuses a varlong longer than ten bytes and one cut short', () => {
    // Prepare
    const tooLong = Buffer.alloc(11, 0x80);
    const cut = encodeVarlong(2 ** 50).subarray(0, 5);

    // Act
    const codes = [corruptCode(() => readVarlong(tooLong, whole(tooLong))), corruptCode(() => readVarlong(cut, whole(cut)))];

    // Assess
    expect(codes).toEqual(['CORRUPT_MESSAGE', 'CORRUPT_MESSAGE']);
  });

  it('never reads past the window or throws anything but FloeError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 16 }), fc.nat(16), (bytes, cut) => {
        // Prepare
        const buf = Buffer.from(bytes);
        const end = Math.min(cut, buf.length);
        for (const read of [readVarint, readVarlong]) {
          const cursor: Cursor = { pos: 0, end };

          // Act
          let value: number | undefined;
          try {
            value = read(buf, cursor);
          } catch (error) {
            // Assess
            expect(error).toBeInstanceOf(FloeError);
            continue;
          }
          expect(Number.isFinite(value)).toBe(true);
          expect(cursor.pos).toBeLessThanOrEqual(end);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
