/**
 * The background sender: wakes when a batch may have become ready, drains ready
 * batches into multi-partition produce requests (up to max.request.size) while fewer
 * than max.in.flight requests are outstanding, and settles each batch from its
 * partition's answer: success, retry with backoff until delivery.timeout.ms, or failure.
 * send() never runs any of this; it only appends and pokes the sender.
 */
import { backoffDelay, FloeError, type ProduceRequest, type ProduceTopicResult } from '@floe/protocol';
import type { RecordAccumulator } from './accumulator.js';
import type { ProducerBatch, ProducerState } from './batch.js';
import type { BufferPool } from './buffer-pool.js';
import { ALREADY_WRITTEN, isAmbiguous, toFloeError } from './classify.js';
import type { ResolvedProducerConfig } from './config.js';
import type { IdempotenceManager } from './idempotence.js';
import type { TopicMetadata } from './metadata.js';

export interface SenderDeps {
  config: ResolvedProducerConfig;
  accumulator: RecordAccumulator;
  pool: BufferPool;
  metadata: Pick<TopicMetadata, 'refresh'>;
  /** present when enable.idempotence is on */
  idempotence?: IdempotenceManager;
  produce: (request: ProduceRequest, timeoutMs: number) => Promise<ProduceTopicResult[]>;
}

export interface ProducerMetrics {
  /** produce requests sent */
  requests: number;
  /** batch attempts sent (a retried batch counts once per attempt) */
  batches: number;
  /** records acknowledged */
  records: number;
  /** encoded batch bytes sent */
  bytes: number;
  retries: number;
  /** batches that failed for good */
  failedBatches: number;
}

/** The server did not write the batch under these sequence numbers (decision 28): resend it, renumbered if need be. */
const SEQUENCE_REJECTIONS = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'INVALID_PRODUCER_EPOCH', 'UNKNOWN_PRODUCER_ID', 'PRODUCER_FENCED']);
/** A batch renumbered this many times under fresh producer ids, and rejected again, fails. */
const MAX_RESEQUENCES = 3;

export class Sender {
  readonly metrics: ProducerMetrics = { requests: 0, batches: 0, records: 0, bytes: 0, retries: 0, failedBatches: 0 };
  /** > 0 while flush() or close() waits: every batch is ready regardless of linger.ms */
  forcing = 0;
  private inFlight = 0;
  private readonly requests = new Set<Promise<void>>();
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private allocating = false;
  private allocationAttempts = 0;
  private allocationRetryAt = 0;

  constructor(private readonly deps: SenderDeps) {}

  /** Runs the sender soon (after the current synchronous sends, so they share batches). */
  wakeup(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.run();
    });
  }

  /** Resolves when no request is outstanding. */
  async idle(): Promise<void> {
    while (this.requests.size > 0) await Promise.allSettled([...this.requests]);
  }

  /** Forced close: fails every queued and in-flight batch and stops. */
  abort(error: FloeError): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const batch of this.deps.accumulator.pending()) this.fail(batch, error);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private run(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const { accumulator, config, idempotence } = this.deps;
    const now = Date.now();
    for (const batch of accumulator.takeExpired(now)) {
      const last = batch.lastError ? `; last error ${batch.lastError.code}: ${batch.lastError.message}` : '';
      this.fail(
        batch,
        new FloeError(
          'REQUEST_TIMED_OUT',
          `expiring ${batch.recordCount} record(s) for ${batch.topic}-${batch.partition}: ${now - batch.createdAt} ms passed since batch creation, past delivery.timeout.ms (${config.deliveryTimeoutMs} ms)${last}`,
          { cause: batch.lastError },
        ),
      );
    }
    const force = this.forcing > 0 || this.deps.pool.waiting > 0;
    if (idempotence && !idempotence.ready) {
      if (accumulator.readyDelay(now, force) !== undefined) this.allocateProducerId(now);
    } else {
      while (this.inFlight < config.maxInFlightRequestsPerConnection) {
        const batches = accumulator.drain(now, force, (batch) => this.prepare(batch));
        if (batches.length === 0) break;
        this.dispatch(batches);
      }
    }
    this.schedule(now, force);
  }

  private schedule(now: number, force: boolean): void {
    const { accumulator, config, idempotence } = this.deps;
    const canSend = this.inFlight < config.maxInFlightRequestsPerConnection && (!idempotence || idempotence.ready);
    let delay = accumulator.expiryDelay(now);
    const ready = canSend ? accumulator.readyDelay(now, force) : undefined;
    if (ready !== undefined) delay = Math.min(delay ?? Infinity, ready);
    if (idempotence && !idempotence.ready && !this.allocating && this.allocationRetryAt > now) {
      delay = Math.min(delay ?? Infinity, this.allocationRetryAt - now);
    }
    if (delay === undefined) return;
    this.timer = setTimeout(() => this.run(), Math.max(1, delay));
  }

  private allocateProducerId(now: number): void {
    const idempotence = this.deps.idempotence;
    if (!idempotence || this.allocating || now < this.allocationRetryAt) return;
    this.allocating = true;
    idempotence
      .ensure()
      .then(
        () => {
          this.allocationAttempts = 0;
        },
        (error: unknown) => {
          const e = toFloeError(error);
          if (!e.retriable) {
            // Nothing can be sent without a producer id: fail what waits, later sends try again.
            for (const batch of this.deps.accumulator.takeAllQueued()) this.fail(batch, e);
            return;
          }
          const { retryBackoffMs, retryBackoffMaxMs } = this.deps.config;
          this.allocationRetryAt = Date.now() + backoffDelay(this.allocationAttempts++, retryBackoffMs, retryBackoffMaxMs);
        },
      )
      .finally(() => {
        this.allocating = false;
        this.wakeup();
      });
  }

  /**
   * With idempotence a partition may have up to max.in.flight batches outstanding, all of one producer
   * identity: the server orders them by sequence number. A batch of another identity (a new one after a
   * reset, or an old one still being retried) waits until the partition's batches in flight are answered,
   * since nothing could order the two identities' batches (decision 28).
   */
  mayFollow(batch: ProducerBatch, inFlight: readonly ProducerBatch[]): boolean {
    const idempotence = this.deps.idempotence;
    if (!idempotence) return false;
    const keepsBytes = batch.encoded !== undefined && !batch.needsNewSequence && (batch.attempts > 0 || idempotence.isCurrent(batch.state));
    const generation = keepsBytes ? batch.state?.generation : idempotence.generationNow;
    return inFlight.every((b) => b.state?.generation === generation);
  }

  /** The batch's bytes: encoded on first drain with its sequence; re-encoded if unsent and its identity was replaced, or renumbered. */
  private prepare(batch: ProducerBatch): Buffer | undefined {
    const { idempotence, config } = this.deps;
    let state: ProducerState | undefined;
    try {
      if (batch.encoded && !batch.needsNewSequence && (!idempotence || batch.attempts > 0 || idempotence.isCurrent(batch.state))) return batch.encoded;
      state = idempotence?.assign(batch.topic, batch.partition, batch.recordCount);
      batch.needsNewSequence = false;
      return batch.encode(config.compressionType, state);
    } catch (error) {
      if (state && idempotence) idempotence.giveBack(batch.topic, batch.partition, state, batch.recordCount);
      batch.state = undefined;
      this.fail(batch, toFloeError(error));
      return undefined;
    }
  }

  private dispatch(batches: ProducerBatch[]): void {
    const { config } = this.deps;
    const topics = new Map<string, Array<{ partition: number; records: Buffer }>>();
    for (const batch of batches) {
      batch.attempts++;
      // An OUT_OF_ORDER answer to this attempt may only mean that an earlier batch was late.
      batch.sentBehindUnresolved = this.deps.accumulator.unresolvedBefore(batch).length > 0;
      const encoded = batch.encoded as Buffer;
      this.metrics.batches++;
      this.metrics.bytes += encoded.length;
      let list = topics.get(batch.topic);
      if (!list) topics.set(batch.topic, (list = []));
      list.push({ partition: batch.partition, records: encoded });
    }
    const request: ProduceRequest = {
      acks: config.acks,
      timeoutMs: config.requestTimeoutMs,
      topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
    };
    this.metrics.requests++;
    this.inFlight++;
    const acksZero = config.acks === 0;
    const pending = this.deps
      .produce(request, config.requestTimeoutMs)
      .then(
        (results) => (acksZero ? undefined : this.onResponse(batches, results)),
        (error: unknown) => (acksZero ? undefined : batches.forEach((b) => this.retryOrFail(b, toFloeError(error)))),
      )
      .finally(() => {
        this.inFlight--;
        this.requests.delete(pending);
        this.wakeup();
      });
    this.requests.add(pending);
    // acks=0: the records count as sent once the request is on its way (offset unknown).
    if (acksZero) for (const batch of batches) this.succeed(batch, -1);
  }

  private onResponse(batches: ProducerBatch[], results: ProduceTopicResult[]): void {
    for (const batch of batches) {
      const result = results.find((t) => t.topic === batch.topic)?.partitions.find((p) => p.partition === batch.partition);
      if (!result) {
        this.retryOrFail(batch, new FloeError('UNKNOWN_SERVER_ERROR', `the produce response has no result for ${batch.topic}-${batch.partition}`));
      } else if (result.errorCode === 'NONE') {
        this.succeed(batch, result.baseOffset, result.logAppendTime);
      } else if (ALREADY_WRITTEN.has(result.errorCode)) {
        this.succeed(batch, -1);
      } else if (this.deps.idempotence && batch.state && SEQUENCE_REJECTIONS.has(result.errorCode)) {
        this.onSequenceRejection(batch, new FloeError(result.errorCode, result.errorMessage ?? result.errorCode));
      } else {
        this.retryOrFail(batch, new FloeError(result.errorCode, result.errorMessage ?? result.errorCode));
      }
    }
  }

  /**
   * The server did not write the batch: its sequence did not follow (OUT_OF_ORDER_SEQUENCE_NUMBER), or its
   * producer id or epoch is not current. As Kafka's producer does, an OUT_OF_ORDER answer to an attempt sent
   * while an earlier batch of the partition was unanswered is retried as is (that batch was late, or failed
   * and will be resent first). Otherwise the server lost track of this producer (state expired, id expired,
   * a batch before this one failed for good): the identity is replaced, and the batch renumbered under the
   * new one — safe, since it was not written — behind every earlier batch of its partition.
   */
  private onSequenceRejection(batch: ProducerBatch, error: FloeError): void {
    const { accumulator, config, idempotence } = this.deps;
    if (batch.completed || !idempotence) return;
    const now = Date.now();
    if (this.stopped || now >= batch.deadline || batch.attempts > config.retries) return this.fail(batch, error);
    if (idempotence.isCurrent(batch.state)) {
      const late = error.code === 'OUT_OF_ORDER_SEQUENCE_NUMBER' && batch.sentBehindUnresolved;
      if (!late) {
        if (batch.resequenced >= MAX_RESEQUENCES) return this.fail(batch, error);
        batch.resequenced++;
        batch.needsNewSequence = true;
        idempotence.reset();
      }
    } else {
      batch.needsNewSequence = true; // sent under an identity since replaced, and not written: renumber it
    }
    this.metrics.retries++;
    batch.lastError = error;
    accumulator.reenqueue(batch, [batch], now);
    this.wakeup();
  }

  private retryOrFail(batch: ProducerBatch, error: FloeError): void {
    this.onBatchError(batch, error).catch((unexpected: unknown) => this.fail(batch, toFloeError(unexpected)));
  }

  private async onBatchError(batch: ProducerBatch, error: FloeError): Promise<void> {
    const { accumulator, config, metadata } = this.deps;
    if (batch.completed) return;
    if (isAmbiguous(error)) batch.ambiguous = true;
    if (error.code === 'MESSAGE_TOO_LARGE' && batch.recordCount > 1 && !batch.ambiguous) {
      // The topic's max.message.bytes is below this batch: split it, as Kafka does, and send the halves.
      // Under the same identity the halves take the batch's sequence numbers, so the batches after it keep theirs.
      const parts = accumulator.split(batch);
      const idempotence = this.deps.idempotence;
      if (idempotence && batch.state && idempotence.isCurrent(batch.state)) {
        const [first, second] = parts;
        try {
          first.encode(this.deps.config.compressionType, batch.state);
          second.encode(this.deps.config.compressionType, { ...batch.state, baseSequence: (batch.state.baseSequence + first.recordCount) % 2 ** 31 });
        } catch (unexpected) {
          // The halves hold the records' handles now, so they are what fails. Their sequence
          // numbers cannot be given back in part: the identity is replaced.
          for (const part of parts) part.state = undefined;
          this.releaseSequence(batch, true);
          accumulator.completed(batch);
          for (const part of parts) this.fail(part, toFloeError(unexpected));
          return;
        }
      } else {
        this.releaseSequence(batch, false);
      }
      accumulator.reenqueue(batch, parts, 0);
      this.wakeup();
      return;
    }
    let failure = error;
    if (error.code === 'UNKNOWN_TOPIC_OR_PARTITION') {
      const count = await metadata.refresh(batch.topic).catch(() => -1);
      if (count === undefined || (count >= 0 && batch.partition >= count)) {
        failure = new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `${error.message} (still unknown after a metadata refresh)`, { retriable: false });
      }
    }
    const now = Date.now();
    if (failure.retriable && !this.stopped && batch.attempts <= config.retries && now < batch.deadline) {
      this.metrics.retries++;
      batch.lastError = failure;
      accumulator.reenqueue(batch, [batch], now + backoffDelay(batch.attempts - 1, config.retryBackoffMs, config.retryBackoffMaxMs));
      this.wakeup();
      return;
    }
    if (failure.retriable && now >= batch.deadline) {
      failure = new FloeError(
        'REQUEST_TIMED_OUT',
        `${batch.recordCount} record(s) for ${batch.topic}-${batch.partition} not acknowledged within delivery.timeout.ms (${config.deliveryTimeoutMs} ms); last error ${error.code}: ${error.message}`,
        { cause: error },
      );
    }
    this.fail(batch, failure);
  }

  private succeed(batch: ProducerBatch, baseOffset: number, logAppendTime = -1): void {
    if (batch.completed) return;
    batch.succeed(baseOffset, logAppendTime);
    this.metrics.records += batch.recordCount;
    this.deps.pool.release(batch.reservedBytes);
    this.deps.accumulator.completed(batch);
  }

  private fail(batch: ProducerBatch, error: FloeError): void {
    if (batch.completed) return;
    // Batches of the same identity sent after it stay ordered behind its sequence numbers: they must be renumbered.
    const generation = batch.state?.generation;
    const followers = generation !== undefined && this.deps.accumulator.othersOf(batch).some((b) => b.state?.generation === generation && b.order > batch.order);
    batch.fail(error);
    this.metrics.failedBatches++;
    this.deps.pool.release(batch.reservedBytes);
    this.deps.accumulator.completed(batch);
    this.releaseSequence(batch, batch.ambiguous || followers || SEQUENCE_REJECTIONS.has(error.code));
    this.wakeup();
  }

  /** A failed batch's sequence numbers: reused if it surely was not written and nothing follows them, else the identity is replaced. */
  private releaseSequence(batch: ProducerBatch, replaceIdentity: boolean): void {
    const idempotence = this.deps.idempotence;
    if (!idempotence || !batch.state) return;
    if (!replaceIdentity) idempotence.giveBack(batch.topic, batch.partition, batch.state, batch.recordCount);
    else if (idempotence.isCurrent(batch.state)) idempotence.reset();
  }
}
