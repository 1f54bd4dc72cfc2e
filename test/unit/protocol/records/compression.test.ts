import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { compressFrameSync } from 'lz4-napi';
import { compressSync as snappyRaw, uncompressSync as snappyRawUncompress } from 'snappy';
import { describe, expect, it } from 'vitest';
import { Compressor as ZstdCompressor } from 'zstd-napi';
import { FloeError } from '../../../../packages/protocol/src/errors.js';
import { COMPRESSION_CODECS, type CompressionType } from '../../../../packages/protocol/src/records/batch-header.js';
import { compress, decompress } from '../../../../packages/protocol/src/records/compression.js';

const require = createRequire(import.meta.url);
const kafkajsGzip = require('kafkajs/src/protocol/message/compression/gzip.js') as {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
};

const CODECS = COMPRESSION_CODECS.filter((c) => c !== 'none');

function errorOf(fn: () => unknown): FloeError | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof FloeError) return error;
    throw error;
  }
  return undefined;
}

/** Compressible but not trivial: repeated JSON-ish lines with varying numbers. */
function textLike(size: number): Buffer {
  const lines: string[] = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const line = `{"id":${i},"user":"u${i % 97}","amount":${(i * 7919) % 10007}}\n`;
    lines.push(line);
    length += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, size);
}

describe.each(CODECS)('%s', (codec) => {
  it('round-trips empty, small, incompressible and large compressible inputs', () => {
    // Prepare
    const inputs = [Buffer.alloc(0), Buffer.from('x'), randomBytes(70_000), textLike(3 * 1024 * 1024)];

    // Act
    const outputs = inputs.map((input) => decompress(codec, compress(codec, input)));

    // Assess
    outputs.forEach((output, i) => expect(output.equals(inputs[i] as Buffer)).toBe(true));
  });

  it('actually compresses compressible data', () => {
    // Prepare
    const input = textLike(256 * 1024);

    // Act
    const compressed = compress(codec, input);

    // Assess
    expect(compressed.length).toBeLessThan(input.length / 2);
  });

  it('round-trips arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        // Prepare
        const input = Buffer.from(bytes);

        // Act
        const output = decompress(codec, compress(codec, input));

        // Assess
        expect(output.equals(input)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses truncated data with CORRUPT_MESSAGE', () => {
    // Prepare
    const compressed = compress(codec, textLike(100_000));
    const cuts = [1, 5, 10, compressed.length >> 1, compressed.length - 1];

    // Act
    const codes = cuts.map((cut) => errorOf(() => decompress(codec, compressed.subarray(0, cut)))?.code);

    // Assess
    expect(codes).toEqual(cuts.map(() => 'CORRUPT_MESSAGE'));
  });

  it('refuses output beyond the limit with CORRUPT_MESSAGE', () => {
    // Prepare: 8 MiB of zeros compresses to almost nothing
    const bomb = compress(codec, Buffer.alloc(8 * 1024 * 1024));

    // Act
    const error = errorOf(() => decompress(codec, bomb, 1024 * 1024));

    // Assess
    expect(error?.code).toBe('CORRUPT_MESSAGE');
    expect(error?.message).toMatch(/more than 1048576 bytes/);
  });

  it('only ever throws FloeError on random or mutated input', () => {
    // Prepare
    const valid = compress(codec, textLike(4096));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
          fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }).map(
            (edits) => {
              const copy = Buffer.from(valid);
              for (const [at, xor] of edits) copy[at] = (copy[at] as number) ^ xor;
              return copy;
            },
          ),
        ),
        (input) => {
          // Act
          let output: Buffer | undefined;
          const error = errorOf(() => {
            output = decompress(codec, input, 1024 * 1024);
          });

          // Assess
          if (error) expect(error.code).toBe('CORRUPT_MESSAGE');
          else expect(output!.length).toBeLessThanOrEqual(1024 * 1024);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('gzip', () => {
  it('reads what kafkajs writes and kafkajs reads what Floe writes', async () => {
    // Prepare
    const input = textLike(50_000);

    // Act
    const fromKafkajs = decompress('gzip', await kafkajsGzip.compress({ buffer: input }));
    const byKafkajs = await kafkajsGzip.decompress(compress('gzip', input));

    // Assess
    expect(fromKafkajs.equals(input)).toBe(true);
    expect(byKafkajs.equals(input)).toBe(true);
  });

  it('reads concatenated gzip members as one stream', () => {
    // Prepare
    const a = textLike(1000);
    const b = randomBytes(1000);

    // Act
    const output = decompress('gzip', Buffer.concat([gzipSync(a), gzipSync(b)]));

    // Assess
    expect(output.equals(Buffer.concat([a, b]))).toBe(true);
  });
});

describe('snappy', () => {
  it('writes xerial snappy-java framing: magic, version 1, compatible 1, blocks of at most 32 KiB input', () => {
    // Prepare
    const input = randomBytes(100 * 1024);

    // Act
    const framed = compress('snappy', input);

    // Assess
    expect(framed.subarray(0, 8).equals(Buffer.from('\x82SNAPPY\x00', 'latin1'))).toBe(true);
    expect([framed.readInt32BE(8), framed.readInt32BE(12)]).toEqual([1, 1]);
    const blocks: Buffer[] = [];
    for (let pos = 16; pos < framed.length; ) {
      const length = framed.readInt32BE(pos);
      blocks.push(snappyRawUncompress(framed.subarray(pos + 4, pos + 4 + length), { asBuffer: true }) as Buffer);
      pos += 4 + length;
    }
    expect(blocks.map((b) => b.length)).toEqual([32768, 32768, 32768, 4096]);
    expect(Buffer.concat(blocks).equals(input)).toBe(true);
  });

  it('reads a raw (unframed) snappy block too', () => {
    // Prepare
    const input = textLike(20_000);

    // Act
    const output = decompress('snappy', snappyRaw(input));

    // Assess
    expect(output.equals(input)).toBe(true);
  });

  it('refuses a block whose declared length is impossible, before allocating it', () => {
    // Prepare: varint 2^31 - 1 followed by two bytes
    const hostile = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x07, 0x00, 0x00]);

    // Act
    const error = errorOf(() => decompress('snappy', hostile));

    // Assess
    expect(error?.code).toBe('CORRUPT_MESSAGE');
  });

  it('refuses a framed block length that overruns the stream', () => {
    // Prepare
    const framed = compress('snappy', textLike(1000));
    framed.writeInt32BE(framed.length, 16);

    // Act
    const error = errorOf(() => decompress('snappy', framed));

    // Assess
    expect(error?.code).toBe('CORRUPT_MESSAGE');
  });
});

describe('lz4', () => {
  it('writes an LZ4 frame with independent blocks of a size Kafka reads (64 KiB to 4 MiB)', () => {
    // Act
    const frame = compress('lz4', textLike(200_000));

    // Assess
    expect(frame.readUInt32LE(0)).toBe(0x184d2204);
    const flg = frame[4] as number;
    expect(flg >> 6).toBe(1); // version 01
    expect(flg & 0x20).toBe(0x20); // block independence
    expect(((frame[5] as number) >> 4) & 7).toBeGreaterThanOrEqual(4); // block maximum 64 KiB (4) .. 4 MiB (7)
    expect(decompress('lz4', frame).equals(textLike(200_000))).toBe(true);
  });

  it('reads frames with content size, block and content checksums', () => {
    // Prepare
    const input = textLike(150_000);
    const frame = compressFrameSync(input, { blockChecksums: true, contentChecksum: true });

    // Act
    const output = decompress('lz4', frame);

    // Assess
    expect(output.equals(input)).toBe(true);
  });

  it('refuses a frame whose content checksum does not match', () => {
    // Prepare
    const frame = compressFrameSync(textLike(10_000), { contentChecksum: true });
    frame[frame.length - 1] = (frame[frame.length - 1] as number) ^ 0xff;

    // Act
    const error = errorOf(() => decompress('lz4', frame));

    // Assess
    expect(error?.code).toBe('CORRUPT_MESSAGE');
  });
});

describe('zstd', () => {
  it('reads frames without a declared content size (as zstd-jni streams them), several concatenated', () => {
    // Prepare
    const compressor = new ZstdCompressor();
    compressor.setParameters({ contentSizeFlag: false });
    const a = textLike(300_000);
    const b = randomBytes(200_000);
    const frames = Buffer.concat([compressor.compress(a), compressor.compress(b)]);

    // Act
    const output = decompress('zstd', frames);

    // Assess
    expect(output.equals(Buffer.concat([a, b]))).toBe(true);
  });

  it('refuses a streamed frame beyond the limit while inflating', () => {
    // Prepare
    const compressor = new ZstdCompressor();
    compressor.setParameters({ contentSizeFlag: false });
    const frame = compressor.compress(Buffer.alloc(4 * 1024 * 1024));

    // Act
    const error = errorOf(() => decompress('zstd', frame, 1024 * 1024));

    // Assess
    expect(error?.code).toBe('CORRUPT_MESSAGE');
  });

  it('refuses a truncated streamed frame', () => {
    // Prepare
    const compressor = new ZstdCompressor();
    compressor.setParameters({ contentSizeFlag: false });
    const frame = compressor.compress(textLike(100_000));

    // Act
    const error = errorOf(() => decompress('zstd', frame.subarray(0, frame.length - 3)));

    // Assess
    expect(error?.code).toBe('CORRUPT_MESSAGE');
  });
});

describe('codec selection', () => {
  it('passes data through for none', () => {
    // Prepare
    const input = randomBytes(100);

    // Act
    const out = [compress('none', input), decompress('none', input)];

    // Assess
    expect(out.every((b) => b === input)).toBe(true);
  });

  it('refuses an unknown codec with UNSUPPORTED_COMPRESSION_TYPE', () => {
    // Act
    const errors = [
      errorOf(() => compress('brotli' as CompressionType, Buffer.alloc(1))),
      errorOf(() => decompress('brotli' as CompressionType, Buffer.alloc(1))),
    ];

    // Assess
    expect(errors.map((e) => e?.code)).toEqual(['UNSUPPORTED_COMPRESSION_TYPE', 'UNSUPPORTED_COMPRESSION_TYPE']);
  });
});
