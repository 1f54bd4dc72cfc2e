/**
 * Splits a TCP byte stream into Kafka frames. Wire format: int32 size, then `size` bytes.
 * Chunks may cut a frame (or its size prefix) anywhere. A size beyond `maxFrameBytes` (or
 * negative) is rejected as soon as its 4 bytes are in, before any byte of the frame is buffered
 * for it; memory is only ever allocated for bytes actually received. After such an error the
 * stream cannot be resynchronised: the splitter keeps failing, and the connection should close.
 */
import { KafkaErrorCode, KafkaProtocolError } from './errors.js';

/** Kafka's default socket.request.max.bytes (100 MiB). */
export const DEFAULT_MAX_FRAME_BYTES = 104_857_600;

export class FrameSplitter {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failure: KafkaProtocolError | undefined;

  /** May change between frames (a server allows bigger frames once a client has authenticated). */
  constructor(public maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** Bytes held for a frame not yet complete. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Adds a chunk; returns the frames it completed (without their size prefix), in order. */
  push(chunk: Buffer): Buffer[] {
    if (this.failure) throw this.failure;
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Buffer[] = [];
    while (this.buffered >= 4) {
      const size = this.peek(4).readInt32BE(0);
      if (size < 0 || size > this.maxFrameBytes) {
        this.failure = new KafkaProtocolError(
          'frame_too_large',
          KafkaErrorCode.MESSAGE_TOO_LARGE,
          `frame of ${size} bytes exceeds the maximum of ${this.maxFrameBytes}`,
        );
        throw this.failure;
      }
      if (this.buffered < 4 + size) break;
      this.take(4);
      frames.push(this.take(size));
    }
    return frames;
  }

  /** The first `n` buffered bytes without consuming them (n is small: the size prefix). */
  private peek(n: number): Buffer {
    const first = this.chunks[0] as Buffer;
    if (first.length >= n) return first;
    return Buffer.concat(this.chunks, n);
  }

  /** Consumes `n` buffered bytes: a view when they lie in one chunk, else one copy of exactly n. */
  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    this.buffered -= n;
    const first = this.chunks[0] as Buffer;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    let used = 0;
    while (filled < n) {
      const chunk = this.chunks[used] as Buffer;
      const part = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, part);
      filled += part;
      if (part === chunk.length) used++;
      else this.chunks[used] = chunk.subarray(part);
    }
    this.chunks.splice(0, used);
    return out;
  }
}
