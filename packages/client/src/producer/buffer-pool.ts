/**
 * buffer.memory: bytes of records waiting in the accumulator or in flight.
 * A send that does not fit waits (first come, first served) until acknowledged
 * batches free enough, for at most max.block.ms, then fails with BUFFER_EXHAUSTED.
 */
import { FloeError } from '@floe/protocol';

interface Waiter {
  bytes: number;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class BufferPool {
  private free: number;
  private readonly waiters: Waiter[] = [];

  constructor(readonly totalBytes: number) {
    this.free = totalBytes;
  }

  get availableBytes(): number {
    return this.free;
  }

  /** Sends waiting for memory: the sender then ships batches without waiting for linger.ms. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Takes `bytes` now if they are free and nobody waits ahead; otherwise returns false. */
  tryReserve(bytes: number): boolean {
    if (this.waiters.length > 0 || bytes > this.free) return false;
    this.free -= bytes;
    return true;
  }

  reserve(bytes: number, timeoutMs: number): Promise<void> {
    if (this.tryReserve(bytes)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        bytes,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(
            new FloeError(
              'BUFFER_EXHAUSTED',
              `failed to allocate ${bytes} bytes within max.block.ms (${timeoutMs} ms): buffer.memory (${this.totalBytes} bytes) is full of unacknowledged records`,
            ),
          );
          this.grant(); // the next waiter may fit now
        }, Math.max(0, timeoutMs)),
      };
      this.waiters.push(waiter);
    });
  }

  release(bytes: number): void {
    this.free = Math.min(this.totalBytes, this.free + bytes);
    this.grant();
  }

  /** Fails every waiting send (forced close). */
  abort(error: Error): void {
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }

  private grant(): void {
    while (this.waiters.length > 0) {
      const head = this.waiters[0] as Waiter;
      if (head.bytes > this.free) return;
      this.waiters.shift();
      this.free -= head.bytes;
      clearTimeout(head.timer);
      head.resolve();
    }
  }
}
