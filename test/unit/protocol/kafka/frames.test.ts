import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MAX_FRAME_BYTES, FrameSplitter, KafkaProtocolError } from '../../../../packages/protocol/src/kafka/index.js';
import { FUZZ_PARAMS } from './fuzz-params.js';

const framed = (payload: Buffer) => {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
};

// Three frames: empty, one byte, 300 bytes; every byte position is a possible cut.
const PAYLOADS = [Buffer.alloc(0), Buffer.from([0xab]), Buffer.from(Array.from({ length: 300 }, (_, i) => i % 251))];
const STREAM = Buffer.concat(PAYLOADS.map(framed));
const EXPECTED = PAYLOADS.map((p) => p.toString('hex'));

/** The frames of the chunks, as hex (cheap to compare thousands of times). */
function splitAll(chunks: Buffer[], max?: number): string[] {
  const splitter = new FrameSplitter(max);
  const frames = chunks.flatMap((chunk) => splitter.push(chunk));
  expect(splitter.pendingBytes).toBe(0);
  return frames.map((frame) => frame.toString('hex'));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('FrameSplitter', () => {
  it('yields the frames of a stream cut at any one point', () => {
    for (let cut = 0; cut <= STREAM.length; cut++) {
      // Act
      const frames = splitAll([STREAM.subarray(0, cut), STREAM.subarray(cut)]);

      // Assess
      expect(frames).toEqual(EXPECTED);
    }
  });

  it('yields the frames of a stream cut at any two points', () => {
    for (let first = 0; first <= STREAM.length; first += 5) {
      for (let second = first; second <= STREAM.length; second += 11) {
        const frames = splitAll([STREAM.subarray(0, first), STREAM.subarray(first, second), STREAM.subarray(second)]);
        expect(frames).toEqual(EXPECTED);
      }
    }
  });

  it('yields the frames of a stream fed one byte at a time', () => {
    // Act
    const frames = splitAll([...STREAM].map((byte) => Buffer.from([byte])));

    // Assess
    expect(frames).toEqual(EXPECTED);
  });

  it('yields the frames of any random chunking', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: STREAM.length }), { maxLength: 12 }), (cuts) => {
        const points = [0, ...[...cuts].sort((a, b) => a - b), STREAM.length];
        const chunks = points.slice(1).map((end, i) => STREAM.subarray(points[i], end));
        expect(splitAll(chunks)).toEqual(EXPECTED);
      }),
      FUZZ_PARAMS(200),
    );
  });

  it('holds an incomplete frame until its last byte arrives', () => {
    // Prepare
    const splitter = new FrameSplitter();
    const frame = framed(Buffer.from('hello'));

    // Act
    const before = splitter.push(frame.subarray(0, 8));
    const after = splitter.push(frame.subarray(8));

    // Assess
    expect(before).toEqual([]);
    expect(after).toEqual([Buffer.from('hello')]);
  });

  it('returns a frame within one chunk as a view, without copying', () => {
    // Prepare
    const chunk = framed(Buffer.from('hello'));

    // Act
    const [frame] = new FrameSplitter().push(chunk);

    // Assess
    expect(frame?.buffer).toBe(chunk.buffer);
  });

  it('rejects a frame over the maximum as soon as its size is known, without allocating for it', () => {
    // Prepare: a size prefix announcing the maximum + 1, and a few bytes of it
    const splitter = new FrameSplitter(1000);
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(1001);
    const allocations: number[] = [];
    for (const name of ['alloc', 'allocUnsafe', 'allocUnsafeSlow'] as const) {
      const original = Buffer[name].bind(Buffer);
      vi.spyOn(Buffer, name).mockImplementation(((size: number, ...rest: unknown[]) => {
        allocations.push(size);
        return (original as (...a: unknown[]) => Buffer)(size, ...rest);
      }) as never);
    }

    // Act
    let error: unknown;
    try {
      splitter.push(Buffer.concat([prefix.subarray(0, 2)]));
      splitter.push(Buffer.concat([prefix.subarray(2), Buffer.from('abc')]));
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(KafkaProtocolError);
    expect(error).toMatchObject({ kind: 'frame_too_large', errorCode: 10 });
    expect(Math.max(0, ...allocations)).toBeLessThan(64);
    expect(() => splitter.push(Buffer.from('more'))).toThrow(KafkaProtocolError);
  });

  it('accepts a frame of exactly the maximum', () => {
    expect(splitAll([framed(Buffer.alloc(1000))], 1000)).toEqual(['00'.repeat(1000)]);
  });

  it('rejects a negative size', () => {
    expect(() => new FrameSplitter().push(Buffer.from('ffffffff', 'hex'))).toThrow(expect.objectContaining({ kind: 'frame_too_large' }));
  });

  it('buffers no more than it was given for a frame announced at the default maximum', () => {
    // Prepare: 100 MiB announced, 1 KiB sent
    const splitter = new FrameSplitter();
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(DEFAULT_MAX_FRAME_BYTES);

    // Act
    const frames = splitter.push(Buffer.concat([prefix, Buffer.alloc(1024)]));

    // Assess
    expect(frames).toEqual([]);
    expect(splitter.pendingBytes).toBe(4 + 1024);
  });
});
