/** Thin layers over an ObjectStore: retrying, instrumented (request and byte counts), cached (LRU of ranges). */
import { LRUCache } from 'lru-cache';
import { withRetry } from '@floe/protocol';
import type { ObjectInfo, ObjectStore } from './object-store.js';

export function isRetriableStorageError(error: unknown): boolean {
  const e = error as { $retryable?: unknown; $metadata?: { httpStatusCode?: number }; name?: string; code?: string };
  if (e?.$retryable) return true;
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429;
  return ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'TimeoutError'].includes(e?.code ?? e?.name ?? '');
}

export class RetryingObjectStore implements ObjectStore {
  constructor(
    private readonly inner: ObjectStore,
    private readonly retries = 3,
  ) {}

  private retry<T>(fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, {
      retries: this.retries,
      initialBackoffMs: 25,
      maxBackoffMs: 1000,
      isRetriable: isRetriableStorageError,
    });
  }

  put(key: string, body: Uint8Array): Promise<void> {
    return this.retry(() => this.inner.put(key, body));
  }
  getRange(key: string, start: number, end: number): Promise<Buffer> {
    return this.retry(() => this.inner.getRange(key, start, end));
  }
  delete(key: string): Promise<void> {
    return this.retry(() => this.inner.delete(key));
  }
  list(prefix: string, startAfter?: string): AsyncIterable<ObjectInfo> {
    return this.inner.list(prefix, startAfter);
  }
}

export interface ObjectStoreStats {
  puts: number;
  gets: number;
  deletes: number;
  lists: number;
  bytesPut: number;
  bytesGot: number;
}

export const emptyObjectStoreStats = (): ObjectStoreStats => ({
  puts: 0,
  gets: 0,
  deletes: 0,
  lists: 0,
  bytesPut: 0,
  bytesGot: 0,
});

/** Counts the requests that reach the layer below: the numbers S3 bills. */
export class InstrumentedObjectStore implements ObjectStore {
  readonly stats: ObjectStoreStats = emptyObjectStoreStats();
  constructor(private readonly inner: ObjectStore) {}

  async put(key: string, body: Uint8Array): Promise<void> {
    this.stats.puts++;
    await this.inner.put(key, body);
    this.stats.bytesPut += body.byteLength;
  }
  async getRange(key: string, start: number, end: number): Promise<Buffer> {
    this.stats.gets++;
    const bytes = await this.inner.getRange(key, start, end);
    this.stats.bytesGot += bytes.length;
    return bytes;
  }
  async delete(key: string): Promise<void> {
    this.stats.deletes++;
    await this.inner.delete(key);
  }
  async *list(prefix: string, startAfter?: string): AsyncIterable<ObjectInfo> {
    this.stats.lists++;
    yield* this.inner.list(prefix, startAfter);
  }
}

/**
 * Floe's page cache: ranges of immutable segment objects kept in the warm
 * instance. A read is served from a cached range that contains it; otherwise the
 * range is read below and cached. Objects just written are cached too, so a
 * consumer tailing a producer on the same instance reads without a GET.
 */
export class CachedObjectStore implements ObjectStore {
  private readonly cache: LRUCache<string, Buffer>;
  /** key -> cached [start, end) ranges of that object */
  private readonly ranges = new Map<string, Array<[number, number]>>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly inner: ObjectStore,
    maxBytes: number,
    private readonly cacheWrites = true,
  ) {
    this.cache = new LRUCache<string, Buffer>({
      maxSize: Math.max(1, maxBytes),
      sizeCalculation: (value) => Math.max(1, value.length),
      dispose: (_value, cacheKey) => this.forget(cacheKey),
    });
  }

  private forget(cacheKey: string): void {
    const [key, start, end] = splitCacheKey(cacheKey);
    const list = this.ranges.get(key);
    if (!list) return;
    const kept = list.filter(([s, e]) => s !== start || e !== end);
    if (kept.length === 0) this.ranges.delete(key);
    else this.ranges.set(key, kept);
  }

  private remember(key: string, start: number, bytes: Buffer): void {
    const end = start + bytes.length;
    const cacheKey = `${key}\u0000${start}\u0000${end}`;
    if (this.cache.has(cacheKey)) return;
    this.cache.set(cacheKey, bytes);
    if (!this.cache.has(cacheKey)) return; // larger than the whole cache
    const list = this.ranges.get(key) ?? [];
    list.push([start, end]);
    this.ranges.set(key, list);
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    await this.inner.put(key, body);
    if (this.cacheWrites) this.remember(key, 0, Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  }

  async getRange(key: string, start: number, end: number): Promise<Buffer> {
    for (const [s, e] of this.ranges.get(key) ?? []) {
      if (s <= start && end <= e) {
        const bytes = this.cache.get(`${key}\u0000${s}\u0000${e}`);
        if (bytes) {
          this.hits++;
          return bytes.subarray(start - s, end - s);
        }
      }
    }
    this.misses++;
    const bytes = await this.inner.getRange(key, start, end);
    this.remember(key, start, bytes);
    return bytes;
  }

  async delete(key: string): Promise<void> {
    for (const [s, e] of this.ranges.get(key) ?? []) this.cache.delete(`${key}\u0000${s}\u0000${e}`);
    this.ranges.delete(key);
    await this.inner.delete(key);
  }

  list(prefix: string, startAfter?: string): AsyncIterable<ObjectInfo> {
    return this.inner.list(prefix, startAfter);
  }
}

function splitCacheKey(cacheKey: string): [string, number, number] {
  const [key = '', start = '0', end = '0'] = cacheKey.split('\u0000');
  return [key, Number(start), Number(end)];
}
