/**
 * The pure-JS codecs that run where native addons are absent (the Lambda bundle)
 * must read and write exactly what the native ones do.
 */
import { randomBytes } from 'node:crypto';
import { crc32c as awsCrc32c } from '@aws-crypto/crc32c';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { COMPRESSION_CODECS } from '../../../../packages/protocol/src/records/batch-header.js';
import { nativeBackend, portableBackend } from '../../../../packages/protocol/src/records/codec-backends.js';
import { compress, decompress, useCodecBackend } from '../../../../packages/protocol/src/records/compression.js';
import { crc32c } from '../../../../packages/protocol/src/records/crc32c.js';
import { decodeRecordBatch, encodeRecordBatch } from '../../../../packages/protocol/src/records/record-batch.js';

afterEach(() => useCodecBackend('native'));

const sample = (): Buffer => Buffer.concat([randomBytes(2000), Buffer.alloc(50_000, 'abcdefgh'), randomBytes(100)]);
const codecs = COMPRESSION_CODECS.filter((c) => c !== 'none');

describe('portable codecs', () => {
  it.each(codecs)('%s: what the native codec writes, the portable one reads, and back', (codec) => {
    // Prepare
    const data = sample();

    // Act
    const byNative = compress(codec, data);
    useCodecBackend('portable');
    const readByPortable = decompress(codec, byNative);
    const byPortable = codec === 'zstd' && !portableBackend.zstdCompress ? byNative : compress(codec, data);
    useCodecBackend('native');
    const readByNative = decompress(codec, byPortable);

    // Assess
    expect(readByPortable.equals(data)).toBe(true);
    expect(readByNative.equals(data)).toBe(true);
  });

  it.each(codecs)('%s: a compressed record batch decodes with the portable codecs', (codec) => {
    // Prepare
    const records = Array.from({ length: 50 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.alloc(300, i) }));
    const batch = encodeRecordBatch({ records, compression: codec });

    // Act
    useCodecBackend('portable');
    const decoded = decodeRecordBatch(batch);

    // Assess
    expect(decoded.records.map((r) => r.value?.[0])).toEqual(records.map((_, i) => i));
  });

  it('refuses a zstd bomb past the output limit instead of allocating it', () => {
    // Prepare: 8 MiB of zeros compresses to a few hundred bytes
    const bomb = nativeBackend().zstdCompress!(Buffer.alloc(8 * 1024 * 1024));

    // Act
    useCodecBackend('portable');
    const attempt = () => decompress('zstd', bomb, 1024 * 1024);

    // Assess
    expect(attempt).toThrow(expect.objectContaining({ code: 'CORRUPT_MESSAGE' }));
  });

  it('computes the same CRC-32C as the native addon', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        expect(awsCrc32c(bytes) >>> 0).toBe(crc32c(bytes));
      }),
      { numRuns: 500 },
    );
  });
});
