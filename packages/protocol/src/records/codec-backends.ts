/**
 * The byte-level codecs behind compression.ts: native addons where installed
 * (fast; a developer machine, the SDK), pure JavaScript otherwise (the Lambda
 * bundle, where the addons' linux-arm64 binaries are absent). Both produce and
 * accept the same formats: raw snappy blocks, LZ4 frames, zstd frames.
 */
import * as zlib from 'node:zlib';
import * as fzstd from 'fzstd';
import * as lz4js from 'lz4js';
import * as snappyjs from 'snappyjs';
import { optionalRequire } from './native.js';

export interface CodecBackend {
  snappyCompress(block: Buffer): Buffer;
  snappyUncompress(block: Buffer): Buffer;
  lz4CompressFrame(data: Buffer): Buffer;
  lz4DecompressFrame(data: Buffer): Buffer;
  /** undefined where no zstd compressor exists (Node 20 without the addon) */
  zstdCompress: ((data: Buffer) => Buffer) | undefined;
  /** output bounded by `max`: `onTooLarge` is thrown past it */
  zstdDecompress(data: Buffer, max: number, onTooLarge: () => Error): Buffer;
}

interface SnappyAddon {
  compressSync(input: Buffer): Buffer;
  uncompressSync(input: Buffer, options: { asBuffer: true }): Buffer;
}
interface Lz4Addon {
  compressFrameSync(input: Buffer): Buffer;
  decompressFrameSync(input: Buffer): Buffer;
}
interface ZstdAddon {
  compress(input: Buffer): Buffer;
}
interface ZstdBinding {
  DCtx: new () => {
    reset(directive: number): void;
    decompress(out: Buffer, input: Buffer): number;
    decompressStream(out: Buffer, input: Buffer): [number, number, number];
  };
  ResetDirective: { sessionOnly: number };
  getFrameContentSize(frame: Buffer): number | null;
  findFrameCompressedSize(frame: Buffer): number;
}
type ZlibWithZstd = typeof zlib & {
  zstdCompressSync?: (data: Buffer) => Buffer;
  zstdDecompressSync?: (data: Buffer, options: { maxOutputLength: number }) => Buffer;
};

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const zlibZstd = zlib as ZlibWithZstd;

// --- portable ---------------------------------------------------------------

function portableZstdDecompress(data: Buffer, max: number, onTooLarge: () => Error): Buffer {
  if (zlibZstd.zstdDecompressSync) {
    try {
      return zlibZstd.zstdDecompressSync(data, { maxOutputLength: max });
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw onTooLarge();
      throw error;
    }
  }
  // Streamed so a hostile frame is stopped at `max` bytes rather than allocated whole.
  const chunks: Uint8Array[] = [];
  let total = 0;
  const stream = new fzstd.Decompress((chunk) => {
    total += chunk.length;
    if (total > max) throw onTooLarge();
    chunks.push(chunk);
  });
  stream.push(data, true);
  return Buffer.concat(chunks, total);
}

export const portableBackend: CodecBackend = {
  snappyCompress: (block) => asBuffer(snappyjs.compress(block)),
  snappyUncompress: (block) => asBuffer(snappyjs.uncompress(block)),
  lz4CompressFrame: (data) => asBuffer(lz4js.compress(data)),
  lz4DecompressFrame: (data) => asBuffer(lz4js.decompress(data)),
  zstdCompress: zlibZstd.zstdCompressSync ? (data) => zlibZstd.zstdCompressSync!(data) : undefined,
  zstdDecompress: portableZstdDecompress,
};

// --- native -----------------------------------------------------------------

const ZSTD_CHUNK = 128 * 1024;

function nativeZstdDecompress(binding: ZstdBinding): CodecBackend['zstdDecompress'] {
  let context: InstanceType<ZstdBinding['DCtx']> | undefined;
  const declaredSize = (data: Buffer): number | null => {
    let total = 0;
    let frame = data;
    while (frame.length > 0) {
      const size = binding.getFrameContentSize(frame);
      if (size === null) return null;
      total += size;
      frame = frame.subarray(binding.findFrameCompressedSize(frame));
    }
    return total;
  };
  return (data, max, onTooLarge) => {
    const dctx = (context ??= new binding.DCtx());
    dctx.reset(binding.ResetDirective.sessionOnly);
    const declared = declaredSize(data);
    if (declared !== null) {
      if (declared > max) throw onTooLarge();
      const out = Buffer.allocUnsafe(declared);
      const written = dctx.decompress(out, data);
      if (written !== declared) throw new Error('zstd frame shorter than its declared content size');
      return out;
    }
    // No declared size (streamed frames, as zstd-jni writes): inflate in chunks up to the limit.
    const chunks: Buffer[] = [];
    let total = 0;
    let input = data;
    let frameOpen = false;
    while (input.length > 0) {
      const chunk = Buffer.allocUnsafe(Math.min(ZSTD_CHUNK, max - total + 1));
      const [remaining, produced, consumed] = dctx.decompressStream(chunk, input);
      if (produced === 0 && consumed === 0) throw new Error('zstd stream makes no progress');
      total += produced;
      if (total > max) throw onTooLarge();
      if (produced > 0) chunks.push(chunk.subarray(0, produced));
      input = input.subarray(consumed);
      frameOpen = remaining !== 0;
    }
    // Frames may end after the input does: drain what the context still holds.
    while (frameOpen) {
      const chunk = Buffer.allocUnsafe(Math.min(ZSTD_CHUNK, max - total + 1));
      const [remaining, produced] = dctx.decompressStream(chunk, input);
      if (produced === 0) throw new Error('zstd frame truncated');
      total += produced;
      if (total > max) throw onTooLarge();
      chunks.push(chunk.subarray(0, produced));
      frameOpen = remaining !== 0;
    }
    return Buffer.concat(chunks, total);
  };
}

/** Each codec from its addon when that loads, else from the portable backend. */
function loadNativeBackend(): CodecBackend {
  const snappy = optionalRequire<SnappyAddon>('snappy');
  const lz4 = optionalRequire<Lz4Addon>('lz4-napi');
  const zstd = optionalRequire<ZstdAddon>('zstd-napi');
  const zstdBinding = optionalRequire<ZstdBinding>('zstd-napi/binding.js');
  return {
    snappyCompress: snappy ? (block) => snappy.compressSync(block) : portableBackend.snappyCompress,
    snappyUncompress: snappy ? (block) => snappy.uncompressSync(block, { asBuffer: true }) : portableBackend.snappyUncompress,
    lz4CompressFrame: lz4 ? (data) => lz4.compressFrameSync(data) : portableBackend.lz4CompressFrame,
    lz4DecompressFrame: lz4 ? (data) => lz4.decompressFrameSync(data) : portableBackend.lz4DecompressFrame,
    zstdCompress: zstd ? (data) => zstd.compress(data) : portableBackend.zstdCompress,
    zstdDecompress: zstdBinding ? nativeZstdDecompress(zstdBinding) : portableBackend.zstdDecompress,
  };
}

let native: CodecBackend | undefined;
/** The native backend, loaded on first use: the addons cost start-up time a CLI call or an uncompressed producer never needs. */
export const nativeBackend = (): CodecBackend => (native ??= loadNativeBackend());
