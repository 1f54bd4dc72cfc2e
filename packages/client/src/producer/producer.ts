/**
 * The Producer (Kafka's KafkaProducer, in TypeScript idiom).
 *
 *   const producer = new Producer({ bootstrap, keySerializer: 'string', valueSerializer: 'json' });
 *   const meta = await producer.send({ topic: 'orders', key: 'o-1', value: { total: 3 } });
 *   producer.send({ topic: 'orders', value: { total: 4 } }, (meta, err) => ...);
 *   await producer.close();
 *
 * send() serializes, picks the partition and appends to the partition's open batch,
 * synchronously when the topic's metadata is known and buffer.memory has room; only
 * then does it wait (for metadata or memory, at most max.block.ms). The network is
 * the background sender's business (sender.ts).
 */
import { BATCH_HEADER_SIZE, estimateRecordSize, FloeError, type RecordHeader } from '@floe/protocol';
import { Admin } from '../admin.js';
import { FloeHttpClient } from '../http-client.js';
import { allocateProducerId, produceRaw } from '../log-client.js';
import { signerFor } from '../sigv4.js';
import { PARTITION_ENTRY_BYTES, RecordAccumulator, REQUEST_HEADER_BYTES, topicEntryBytes } from './accumulator.js';
import { BufferPool } from './buffer-pool.js';
import { toFloeError } from './classify.js';
import { resolveProducerConfig, type ProducerConfig, type ResolvedProducerConfig } from './config.js';
import { IdempotenceManager } from './idempotence.js';
import { PendingRecord, type RecordMetadata, type SendCallback } from './pending-record.js';

export type { SendCallback };
import { TopicMetadata } from './metadata.js';
import { BuiltInPartitioner, type Partitioner } from './partitioner.js';
import { Sender, type ProducerMetrics } from './sender.js';
import { toSerializer } from './serializers.js';

export type ProducerHeaders = Record<string, string | Uint8Array | null | undefined> | RecordHeader[] | Map<string, string | Uint8Array | null>;

export interface ProducerRecord<K = Buffer | null, V = Buffer | null> {
  topic: string;
  /** absent or null: a null key (sticky partitioning) */
  key?: K | null;
  /** null: a tombstone */
  value: V | null;
  /** explicit partition: overrides the partitioner */
  partition?: number;
  /** CreateTime in ms (default: now) */
  timestamp?: number | Date;
  /** an array keeps repeated header keys, as Kafka allows */
  headers?: ProducerHeaders;
}


export interface CloseOptions {
  /** Wait at most this long for unsent and unacknowledged records, then fail them (default: no limit). */
  timeoutMs?: number;
}

export class Producer<K = Buffer | null, V = Buffer | null> {
  readonly config: ResolvedProducerConfig;
  private readonly http: FloeHttpClient;
  private readonly metadata: TopicMetadata;
  private readonly pool: BufferPool;
  private readonly accumulator: RecordAccumulator;
  private readonly sender: Sender;
  private readonly builtIn: BuiltInPartitioner;
  private readonly custom: Partitioner | undefined;
  private readonly serializeKey: (topic: string, key: K | null | undefined) => Buffer | null;
  private readonly serializeValue: (topic: string, value: V | null | undefined) => Buffer | null;
  /** sends waiting for metadata or memory; later sends queue behind them to keep send order */
  private blockedSends = 0;
  private blockedChain: Promise<void> = Promise.resolve();
  private closed = false;
  private aborted = false;
  private closing: Promise<void> | undefined;

  constructor(config: ProducerConfig<K, V>) {
    this.config = resolveProducerConfig(config as ProducerConfig<unknown, unknown>);
    const c = this.config;
    this.serializeKey = toSerializer(config.keySerializer);
    this.serializeValue = toSerializer(config.valueSerializer);
    this.http = new FloeHttpClient(c.bootstrap, { requestTimeoutMs: c.requestTimeoutMs, sign: signerFor(config.sign, config.aws) });
    this.metadata = new TopicMetadata(Admin.fromClient(this.http), c.metadataMaxAgeMs, c.retryBackoffMs, c.retryBackoffMaxMs);
    this.pool = new BufferPool(c.bufferMemory);
    // With idempotence, up to max.in.flight batches per partition (decision 28); without, one.
    this.accumulator = new RecordAccumulator(
      { ...c, maxInFlightPerPartition: c.enableIdempotence ? c.maxInFlightRequestsPerConnection : 1 },
      (topic) => this.metadata.maxMessageBytes(topic),
      (batch, inFlight) => this.sender.mayFollow(batch, inFlight),
    );
    this.builtIn = new BuiltInPartitioner(
      c.batchSize,
      (topic, partition) => this.accumulator.load(topic, partition),
      Math.random,
      (topic, partition) => this.accumulator.sentAll(topic, partition),
    );
    this.custom = config.partitioner === undefined || config.partitioner === 'default' ? undefined : config.partitioner;
    this.sender = new Sender({
      config: c,
      accumulator: this.accumulator,
      pool: this.pool,
      metadata: this.metadata,
      idempotence: c.enableIdempotence ? new IdempotenceManager(() => allocateProducerId(this.http)) : undefined,
      produce: (request, timeoutMs) => produceRaw(this.http, request, timeoutMs),
    });
  }

  /**
   * Queues a record; the promise (and the callback, if given) settles when it is acknowledged
   * (acks 1/all), handed to the network (acks 0), or has failed for good. Records sent to one
   * partition settle in send order, whichever of their batches the server answers first.
   */
  send(record: ProducerRecord<K, V>, callback?: SendCallback | null): Promise<RecordMetadata> {
    const pending = new PendingRecord(typeof record?.topic === 'string' ? record.topic : '');
    // null is no callback, as in Kafka's send(record, null).
    if (typeof callback === 'function') pending.callback = callback;
    try {
      if (callback !== undefined && callback !== null && typeof callback !== 'function') throw new FloeError('INVALID_REQUEST', `a send callback must be a function, got ${typeof callback}`);
      if (record === null || typeof record !== 'object') throw new FloeError('INVALID_RECORD', `send() takes a record object, got ${record === null ? 'null' : typeof record}`);
      if (this.closed) throw new FloeError('INVALID_REQUEST', 'cannot send: the producer is closed');
      const now = Date.now();
      this.prepare(record, pending, now);
      if (this.blockedSends > 0 || !this.tryAppendNow(pending, now)) this.appendWhenPossible(pending);
    } catch (error) {
      pending.fail(toFloeError(error)); // the promise and the callback hear the same error
    }
    return pending;
  }

  /** Sends everything queued so far without waiting for linger.ms; resolves when all of it has completed. */
  async flush(): Promise<void> {
    await this.blockedChain;
    const pending = this.accumulator.pending().map((b) => b.done);
    if (pending.length === 0) return;
    this.sender.forcing++;
    this.sender.wakeup();
    try {
      await Promise.all(pending);
    } finally {
      this.sender.forcing--;
    }
  }

  /** Flushes and stops. With a timeout, records still incomplete when it ends fail with REQUEST_TIMED_OUT. */
  close(options: CloseOptions = {}): Promise<void> {
    this.closing ??= this.shutdown(options.timeoutMs ?? Infinity);
    return this.closing;
  }

  /** Partition count of a topic (waits for metadata up to max.block.ms). */
  partitionsFor(topic: string): Promise<number> {
    return this.metadata.partitions(topic, Date.now() + this.config.maxBlockMs);
  }

  /** Counters of requests, batches, records, bytes and retries since creation. */
  metrics(): ProducerMetrics {
    return { ...this.sender.metrics };
  }

  /** True while some send() waits for metadata or buffer memory: a fast loop should `await whenUnblocked()`. */
  get blocked(): boolean {
    return this.blockedSends > 0;
  }

  /** Resolves once the sends waiting now have been appended (or failed). */
  whenUnblocked(): Promise<void> {
    return this.blockedChain;
  }

  /** Serializes and checks a record into `pending`: everything that can fail before it is queued. */
  private prepare(record: ProducerRecord<K, V>, pending: PendingRecord, now: number): void {
    const topic = record.topic;
    if (typeof topic !== 'string' || topic.length === 0) throw new FloeError('INVALID_RECORD', 'a record needs a topic');
    pending.key = this.serializeKey(topic, record.key);
    pending.value = this.serializeValue(topic, record.value);
    const timestamp = record.timestamp instanceof Date ? record.timestamp.getTime() : (record.timestamp ?? now);
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
      throw new FloeError('INVALID_TIMESTAMP', `invalid timestamp ${String(record.timestamp)}: a non-negative integer (ms) or a Date`);
    }
    pending.timestamp = timestamp;
    const partition = record.partition;
    if (partition !== undefined && (typeof partition !== 'number' || !Number.isInteger(partition) || partition < 0)) {
      // Kafka's IllegalArgumentException: no partition could be this.
      throw new FloeError('INVALID_REQUEST', `a record's partition must be a non-negative integer, got ${typeof partition === 'string' ? JSON.stringify(partition) : String(partition)}`);
    }
    pending.partition = partition;
    if (record.headers !== undefined) pending.headers = toHeaders(record.headers);
    const size = estimateRecordSize(pending);
    const requestBytes = size + BATCH_HEADER_SIZE + REQUEST_HEADER_BYTES + topicEntryBytes(topic) + PARTITION_ENTRY_BYTES;
    if (requestBytes > this.config.maxRequestSize) {
      throw new FloeError(
        'MESSAGE_TOO_LARGE',
        `the record is ${size} bytes when serialized (${requestBytes} bytes as a request), larger than max.request.size (${this.config.maxRequestSize})`,
      );
    }
    if (size > this.config.bufferMemory) {
      throw new FloeError('MESSAGE_TOO_LARGE', `the record is ${size} bytes when serialized, larger than buffer.memory (${this.config.bufferMemory})`);
    }
    pending.size = size;
    pending.sentAt = now;
  }

  /** The fast path: metadata cached, memory free, nobody blocked ahead. */
  private tryAppendNow(pending: PendingRecord, now: number): boolean {
    const count = this.metadata.cached(pending.topic, now);
    if (count === undefined || (pending.partition !== undefined && pending.partition >= count)) return false;
    if (!this.pool.tryReserve(pending.size)) return false;
    try {
      this.append(pending, count, now);
    } catch (error) {
      this.pool.release(pending.size);
      throw error;
    }
    return true;
  }

  /** The slow path, in send order: wait for metadata and memory until max.block.ms after send(). */
  private appendWhenPossible(pending: PendingRecord): void {
    this.blockedSends++;
    const deadline = pending.sentAt + this.config.maxBlockMs;
    const { topic, partition } = pending;
    this.blockedChain = this.blockedChain.then(async () => {
      let reserved = false;
      try {
        let count = await this.metadata.partitions(topic, deadline);
        if (partition !== undefined && partition >= count) {
          count = (await this.metadata.refresh(topic)) ?? 0;
          if (partition >= count) {
            throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${topic}" has ${count} partitions, no partition ${partition}`, {
              retriable: false,
            });
          }
        }
        const reservation = this.pool.reserve(pending.size, deadline - Date.now());
        this.sender.wakeup(); // a waiting send makes every batch ready
        await reservation;
        reserved = true;
        if (this.aborted) throw new FloeError('REQUEST_TIMED_OUT', 'the producer was closed before the record could be queued');
        this.append(pending, count, Date.now());
      } catch (error) {
        if (reserved) this.pool.release(pending.size);
        pending.fail(toFloeError(error));
      } finally {
        this.blockedSends--;
      }
    });
  }

  private append(pending: PendingRecord, count: number, now: number): void {
    const partition = pending.partition ?? this.partition(pending, count);
    const sticky = pending.partition === undefined && !this.custom && pending.key === null;
    const batch = this.accumulator.append(pending, partition, now);
    if (sticky) this.builtIn.onAppend(pending.topic, partition, pending.size, count);
    // A new batch needs a linger timer, and a new batch behind a full one makes that one ready.
    if (batch.recordCount === 1 || batch.full || this.sender.forcing > 0) this.sender.wakeup();
  }

  private partition(pending: PendingRecord, count: number): number {
    const context = { topic: pending.topic, key: pending.key, value: pending.value, partitionCount: count };
    if (!this.custom) return this.builtIn.partition(context);
    let chosen: number;
    try {
      chosen = this.custom.partition(context);
    } catch (error) {
      // The application's own code failed: not retriable, and not the server's (toFloeError would say so).
      throw new FloeError('INVALID_REQUEST', `the partitioner threw: ${(error as Error)?.message ?? String(error)}`, { cause: error, retriable: false });
    }
    if (!Number.isInteger(chosen) || chosen < 0 || chosen >= count) {
      throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `the partitioner chose partition ${String(chosen)} of a ${count}-partition topic`, {
        retriable: false,
      });
    }
    return chosen;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const graceful = (async () => {
      await this.flush();
      await this.sender.idle();
      return true;
    })();
    const finished =
      timeoutMs === Infinity
        ? await graceful
        : await Promise.race([graceful, new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, timeoutMs))))]);
    clearTimeout(timer);
    if (!finished) {
      const error = new FloeError('REQUEST_TIMED_OUT', `the producer was closed (timeout ${timeoutMs} ms) before the record was acknowledged`);
      this.aborted = true;
      this.metadata.stop(error);
      this.pool.abort(error);
      this.sender.abort(error);
    }
    this.sender.stop();
  }
}

function toHeaders(headers: ProducerHeaders | undefined): RecordHeader[] | undefined {
  if (headers === undefined) return undefined;
  const out: RecordHeader[] = [];
  // A Map is taken as what it obviously means; another non-object (a string) is refused, not read by its indexes.
  if (headers === null || typeof headers !== 'object') throw new FloeError('INVALID_RECORD', `headers must be an object, an array of { key, value } or a Map, got ${headers === null ? 'null' : typeof headers}`);
  const entries = Array.isArray(headers) ? headers.map((h) => [h.key, h.value] as const) : headers instanceof Map ? [...headers] : Object.entries(headers);
  for (const [key, value] of entries) {
    if (value === undefined) continue;
    out.push({ key, value: value === null ? null : typeof value === 'string' ? Buffer.from(value, 'utf8') : asBuffer(value) });
  }
  return out;
}

function asBuffer(value: Uint8Array): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new FloeError('INVALID_RECORD', `header values must be strings, Buffers or null, got ${typeof value}`);
}
