/**
 * The record-batch compression codecs, framed exactly as Kafka's Java client frames them
 * (the records section after the 61-byte batch header is compressed as one unit).
 *
 *   gzip    RFC 1952 gzip members (zlib).
 *   snappy  xerial snappy-java stream framing:
 *             82 53 4e 41 50 50 59 00   magic "\x82SNAPPY\0"
 *             int32 1                    version
 *             int32 1                    minimum compatible version
 *             then blocks of: int32 compressed length, raw snappy block (<= 32 KiB of input each)
 *           all int32 big-endian. Decoding also accepts one raw snappy block (some non-Java clients).
 *   lz4     LZ4 frame format (magic 04 22 4d 18) with independent blocks, as KafkaLZ4BlockOutputStream
 *           writes (lz4-napi picks a 64 KiB-4 MiB block size; Kafka's reader accepts all four).
 *   zstd    standard zstd frames.
 *
 * Decompression is bounded: output larger than `maxOutputBytes` is refused before it is
 * allocated where the format declares sizes (snappy, lz4 block maxima, zstd content size),
 * and while inflating otherwise, so a hostile batch cannot exhaust memory.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { FloeError, type ErrorCode } from '../errors.js';
import type { CompressionType } from './batch-header.js';
import { nativeBackend, portableBackend, type CodecBackend } from './codec-backends.js';

let forced: CodecBackend | undefined;
const backend = (): CodecBackend => forced ?? nativeBackend();

/** Tests force the pure-JS codecs (what runs on Lambda) with 'portable'. */
export function useCodecBackend(kind: 'native' | 'portable'): void {
  forced = kind === 'native' ? undefined : portableBackend;
}

/** Default ceiling on one decompressed records section (Kafka has none; Lambda memory does). */
export const MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;
const XERIAL_BLOCK_SIZE = 32 * 1024;

export function compress(type: CompressionType, data: Buffer): Buffer {
  switch (type) {
    case 'none':
      return data;
    case 'gzip':
      return gzipSync(data);
    case 'snappy':
      return xerialCompress(data);
    case 'lz4':
      return backend().lz4CompressFrame(data);
    case 'zstd': {
      const zstdCompress = backend().zstdCompress;
      if (!zstdCompress) throw new FloeError('UNSUPPORTED_COMPRESSION_TYPE', 'no zstd compressor in this runtime (install zstd-napi, or run Node >= 22.15)');
      return zstdCompress(data);
    }
    default:
      throw unsupported(type);
  }
}

/**
 * Decompresses a records section, refusing output past `maxOutputBytes` (before it is
 * allocated where the format tells, while inflating otherwise) with `tooLargeCode`:
 * CORRUPT_MESSAGE for readers, MESSAGE_TOO_LARGE when a produce is refused.
 */
export function decompress(type: CompressionType, data: Buffer, maxOutputBytes = MAX_DECOMPRESSED_BYTES, tooLargeCode: ErrorCode = 'CORRUPT_MESSAGE'): Buffer {
  if (type === 'none') return data;
  const tooLarge = (codec: string): FloeError => new FloeError(tooLargeCode, `${codec} data decompresses to more than ${maxOutputBytes} bytes`);
  let out: Buffer;
  try {
    switch (type) {
      case 'gzip':
        out = gunzipSync(data, { maxOutputLength: maxOutputBytes });
        break;
      case 'snappy':
        out = snappyDecompress(data, maxOutputBytes, tooLarge);
        break;
      case 'lz4':
        lz4CheckBound(data, maxOutputBytes, tooLarge);
        out = backend().lz4DecompressFrame(data);
        break;
      case 'zstd':
        out = backend().zstdDecompress(data, maxOutputBytes, () => tooLarge('zstd'));
        break;
      default:
        throw unsupported(type);
    }
  } catch (error) {
    if (error instanceof FloeError) throw error;
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(type);
    throw new FloeError('CORRUPT_MESSAGE', `${type} data does not decompress: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (out.length > maxOutputBytes) throw tooLarge(type);
  return out;
}

function unsupported(type: unknown): FloeError {
  return new FloeError('UNSUPPORTED_COMPRESSION_TYPE', `unknown compression type ${String(type)}`);
}

function corrupt(message: string): FloeError {
  return new FloeError('CORRUPT_MESSAGE', message);
}

// --- snappy ---------------------------------------------------------------

function xerialCompress(data: Buffer): Buffer {
  const blocks: Buffer[] = [];
  let size = XERIAL_HEADER_SIZE;
  for (let pos = 0; pos < data.length; pos += XERIAL_BLOCK_SIZE) {
    const block = backend().snappyCompress(data.subarray(pos, pos + XERIAL_BLOCK_SIZE));
    blocks.push(block);
    size += 4 + block.length;
  }
  const out = Buffer.allocUnsafe(size);
  XERIAL_MAGIC.copy(out, 0);
  out.writeInt32BE(1, 8);
  out.writeInt32BE(1, 12);
  let pos = XERIAL_HEADER_SIZE;
  for (const block of blocks) {
    out.writeInt32BE(block.length, pos);
    out.set(block, pos + 4);
    pos += 4 + block.length;
  }
  return out;
}

function isXerial(data: Buffer): boolean {
  return data.length >= XERIAL_MAGIC.length && XERIAL_MAGIC.equals(data.subarray(0, XERIAL_MAGIC.length));
}

type TooLarge = (codec: string) => FloeError;

function snappyDecompress(data: Buffer, max: number, tooLarge: TooLarge): Buffer {
  if (!isXerial(data)) return snappyBlock(data, max, tooLarge);
  if (data.length < XERIAL_HEADER_SIZE) throw corrupt('snappy stream header truncated');
  const blocks: Buffer[] = [];
  let total = 0;
  let pos = XERIAL_HEADER_SIZE;
  while (pos < data.length) {
    if (data.length - pos < 4) throw corrupt('snappy block length truncated');
    const length = data.readInt32BE(pos);
    pos += 4;
    if (length < 0 || length > data.length - pos) throw corrupt(`snappy block of ${length} bytes overruns the stream`);
    const block = snappyBlock(data.subarray(pos, pos + length), max - total, tooLarge);
    total += block.length;
    blocks.push(block);
    pos += length;
  }
  return blocks.length === 1 ? (blocks[0] as Buffer) : Buffer.concat(blocks, total);
}

/** One raw snappy block; its declared length is checked before the library allocates it. */
function snappyBlock(block: Buffer, budget: number, tooLarge: TooLarge): Buffer {
  let declared = 0;
  let scale = 1;
  let pos = 0;
  for (;;) {
    if (pos >= block.length || pos >= 5) throw corrupt('snappy block length is not a valid varint');
    const b = block[pos++] as number;
    declared += (b & 0x7f) * scale;
    scale *= 128;
    if (b < 0x80) break;
  }
  if (declared > budget) throw tooLarge('snappy');
  // A snappy element expands at most ~21x (a 3-byte copy of 64 bytes), so larger claims are lies.
  if (declared > (block.length - pos) * 22 + 1) {
    throw corrupt(`snappy block claims ${declared} bytes from ${block.length}`);
  }
  return backend().snappyUncompress(block);
}

// --- lz4 ------------------------------------------------------------------

const LZ4_MAGIC = 0x184d2204;
const LZ4_BLOCK_MAX = [0, 0, 0, 0, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024];

/**
 * Walks the frame's block headers to bound the output before decoding (lz4-napi has no output
 * limit). Each block inflates to at most the frame's block size, and the last one is usually
 * short, so a legitimate frame may bound above `max` by up to one block: what is allocated stays
 * below `max` + 4 MiB, and the real size is checked after decoding.
 */
function lz4CheckBound(data: Buffer, max: number, tooLarge: TooLarge): void {
  let pos = 0;
  let bound = 0;
  let slack = 0;
  do {
    if (data.length - pos < 7) throw corrupt('lz4 frame header truncated');
    if (data.readUInt32LE(pos) !== LZ4_MAGIC) throw corrupt('lz4 frame magic missing');
    const flg = data[pos + 4] as number;
    const bd = data[pos + 5] as number;
    const blockMax = LZ4_BLOCK_MAX[(bd >> 4) & 7] ?? 0;
    if (blockMax === 0) throw corrupt('lz4 frame has an invalid block size');
    slack = Math.max(slack, blockMax);
    if (flg & 0x08 && data.length - pos >= 14 && Number(data.readBigUInt64LE(pos + 6)) > max) throw tooLarge('lz4');
    pos += 6 + (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0) + 1;
    const blockChecksum = flg & 0x10 ? 4 : 0;
    for (;;) {
      if (data.length - pos < 4) throw corrupt('lz4 block header truncated');
      const word = data.readUInt32LE(pos);
      pos += 4;
      if (word === 0) break;
      const size = word & 0x7fffffff;
      if (size > blockMax) throw corrupt('lz4 block larger than the frame block size');
      pos += size + blockChecksum;
      bound += blockMax;
      if (pos > data.length) throw corrupt('lz4 block truncated');
    }
    pos += flg & 0x04 ? 4 : 0;
    if (pos > data.length) throw corrupt('lz4 content checksum truncated');
  } while (pos < data.length);
  if (bound > max + slack) throw tooLarge('lz4');
}
