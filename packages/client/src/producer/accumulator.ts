/**
 * The record accumulator: per partition, a queue of batches that send() appends to.
 * The sender drains the head batch of each ready partition (full, linger.ms expired,
 * backoff over, or a flush/close/full buffer forcing it) into requests of at most
 * max.request.size. A partition may have up to `maxInFlightPerPartition` batches
 * outstanding (one request each): with idempotence up to max.in.flight (≤ 5), as Kafka's
 * producer, since sequence numbers let the server put them in order; without it one, since
 * a leaderless write path could otherwise commit them out of order (decision 28). Batches
 * keep their creation order in the queue, retried ones included; the sender decides which
 * may follow the ones in flight (`mayFollow`). A partition that built a backlog sends it as
 * one larger batch (up to the request's room and the topic's max.message.bytes) instead of
 * one batch.size per round trip (see docs/configuration.md, "Batching and ordering").
 * Whatever order the answers come in, a partition's batches are delivered to their records
 * (callbacks, handles) in creation order, as Kafka's producer guarantees for its callbacks.
 */
import { BATCH_HEADER_SIZE } from '@floe/protocol';
import { ProducerBatch } from './batch.js';
import type { PendingRecord } from './pending-record.js';

export interface AccumulatorOptions {
  batchSize: number;
  lingerMs: number;
  deliveryTimeoutMs: number;
  maxRequestSize: number;
  /** batches of one partition in flight at once (default 1) */
  maxInFlightPerPartition?: number;
}

interface PartitionQueue {
  topic: string;
  partition: number;
  /** unsent and retried batches, in creation order */
  batches: ProducerBatch[];
  /** batches sent and not yet answered, in the order they were sent */
  inFlight: ProducerBatch[];
  /** every batch whose records were not yet told the outcome (queued, in flight, or completed behind an earlier one), in creation order */
  undelivered: ProducerBatch[];
  nextOrder: number;
  /** batches sent for a first time so far */
  firstSends: number;
  /** the last batch drained was at least half of its capacity: the next one's buffer is allocated whole */
  filling: boolean;
}

/** Produce request framing (src/wire/produce-request.ts): version, acks, timeout, topic count. */
export const REQUEST_HEADER_BYTES = 12;
export const topicEntryBytes = (topic: string): number => 2 + Buffer.byteLength(topic, 'utf8') + 4;
export const PARTITION_ENTRY_BYTES = 8;

export class RecordAccumulator {
  /** topic -> queues by partition */
  private readonly queues = new Map<string, PartitionQueue[]>();
  private readonly order: PartitionQueue[] = [];
  private drainFrom = 0;

  constructor(
    private readonly options: AccumulatorOptions,
    /** the topic's max.message.bytes when known: no coalesced batch grows past it */
    private readonly maxMessageBytes: (topic: string) => number | undefined = () => undefined,
    /** whether `batch` may be sent while `inFlight` (of its partition) are outstanding */
    private readonly mayFollow: (batch: ProducerBatch, inFlight: readonly ProducerBatch[]) => boolean = () => true,
  ) {}

  /** Largest batch a record may open for this topic: batch.size, capped by what fits one request and the topic's max.message.bytes. */
  capacityFor(topic: string): number {
    const room = this.options.maxRequestSize - REQUEST_HEADER_BYTES - topicEntryBytes(topic) - PARTITION_ENTRY_BYTES;
    return Math.min(this.options.batchSize, room, this.maxMessageBytes(topic) ?? Infinity);
  }

  append(record: PendingRecord, partition: number, now: number): ProducerBatch {
    const queue = this.queue(record.topic, partition);
    const last = queue.batches[queue.batches.length - 1];
    // A batch that was sent or numbered keeps its encoded bytes: never add records to it.
    if (last && last.attempts === 0 && last.encoded === undefined && last.mergeable && last.tryAppend(record)) return last;
    // A partition that filled its last batch (or sent it at least half full) will likely fill this
    // one: its buffer is allocated whole, at most twice what the last one held.
    const busy = last !== undefined ? last.sizeBytes + record.size > last.capacity : queue.filling;
    const batch = new ProducerBatch(record.topic, partition, now, now + this.options.deliveryTimeoutMs, this.capacityFor(record.topic), busy);
    batch.order = queue.nextOrder++;
    batch.tryAppend(record);
    queue.batches.push(batch);
    queue.undelivered.push(batch);
    return batch;
  }

  /** Whether every batch of a partition has been sent: some in flight, none queued (the sticky partitioner then moves on). */
  sentAll(topic: string, partition: number): boolean {
    const queue = this.queues.get(topic)?.[partition];
    return queue !== undefined && queue.inFlight.length > 0 && queue.batches.length === 0;
  }

  /** Bytes queued or in flight for a partition (the sticky partitioner's load signal). */
  load(topic: string, partition: number): number {
    const queue = this.queues.get(topic)?.[partition];
    if (!queue) return 0;
    let bytes = 0;
    for (const b of queue.inFlight) bytes += b.sizeBytes;
    for (const b of queue.batches) bytes += b.sizeBytes;
    return bytes;
  }

  /**
   * Takes the head batch of ready, unmuted partitions until the request would exceed
   * max.request.size, starting where the last drain stopped so no partition starves.
   * `prepare` returns a batch's bytes, encoding it if needed (or fails it and returns undefined).
   */
  drain(now: number, force: boolean, prepare: (batch: ProducerBatch) => Buffer | undefined): ProducerBatch[] {
    const out: ProducerBatch[] = [];
    const topics = new Set<string>();
    let size = REQUEST_HEADER_BYTES;
    const n = this.order.length;
    for (let i = 0; i < n; i++) {
      const index = (this.drainFrom + i) % n;
      const queue = this.order[index] as PartitionQueue;
      const head = queue.batches[0];
      if (!head || !this.canSend(queue, head) || !this.isReady(queue, head, now, force)) continue;
      const entry = PARTITION_ENTRY_BYTES + (topics.has(queue.topic) ? 0 : topicEntryBytes(queue.topic));
      const room = this.options.maxRequestSize - size - entry;
      // A backlog larger than the room left starts the next request instead of going out cut short.
      if (out.length > 0 && this.backlog(queue) > room) {
        this.drainFrom = index;
        return out;
      }
      this.coalesce(queue, head, Math.min(room, this.maxMessageBytes(queue.topic) ?? Infinity));
      const encoded = prepare(head);
      if (!encoded) {
        queue.batches.shift();
        continue;
      }
      const extra = entry + encoded.length;
      if (out.length > 0 && size + extra > this.options.maxRequestSize) {
        this.drainFrom = index;
        return out;
      }
      size += extra;
      topics.add(queue.topic);
      queue.batches.shift();
      queue.filling = head.sizeBytes * 2 >= head.capacity;
      if (head.sendIndex < 0) head.sendIndex = queue.firstSends++;
      queue.inFlight.push(head);
      out.push(head);
    }
    this.drainFrom = n === 0 ? 0 : (this.drainFrom + 1) % n;
    return out;
  }

  /** Milliseconds until some unmuted partition's head becomes ready (0: now), or undefined. */
  readyDelay(now: number, force: boolean): number | undefined {
    let delay: number | undefined;
    for (const queue of this.order) {
      const head = queue.batches[0];
      if (!head || !this.canSend(queue, head)) continue;
      const at = this.isReady(queue, head, now, force) ? now : Math.max(head.retryAt, head.attempts > 0 ? 0 : head.createdAt + this.options.lingerMs);
      delay = Math.min(delay ?? Infinity, Math.max(0, at - now));
    }
    return delay;
  }

  /** Milliseconds until the earliest queued batch expires (delivery.timeout.ms), or undefined. */
  expiryDelay(now: number): number | undefined {
    let deadline = Infinity;
    for (const queue of this.order) for (const b of queue.batches) deadline = Math.min(deadline, b.deadline);
    return deadline === Infinity ? undefined : Math.max(0, deadline - now);
  }

  /** Removes and returns queued (not in-flight) batches past their delivery deadline. */
  takeExpired(now: number): ProducerBatch[] {
    const expired: ProducerBatch[] = [];
    for (const queue of this.order) {
      if (queue.batches.length === 0) continue;
      queue.batches = queue.batches.filter((b) => {
        if (b.deadline > now) return true;
        expired.push(b);
        return false;
      });
    }
    return expired;
  }

  /**
   * A batch is done (succeeded or failed): it no longer counts as in flight, and it is delivered to its
   * records with every completed batch behind it, unless an earlier batch of its partition is still unresolved.
   */
  completed(batch: ProducerBatch): void {
    const queue = this.queues.get(batch.topic)?.[batch.partition];
    if (!queue) return;
    const sent = queue.inFlight.indexOf(batch);
    if (sent >= 0) queue.inFlight.splice(sent, 1);
    const undelivered = queue.undelivered;
    while (undelivered.length > 0 && (undelivered[0] as ProducerBatch).completed) (undelivered.shift() as ProducerBatch).deliver();
  }

  /** Splits a batch the server found too large: the halves take its place in the delivery order. */
  split(batch: ProducerBatch): [ProducerBatch, ProducerBatch] {
    const halves = batch.split();
    const queue = this.queue(batch.topic, batch.partition);
    const at = queue.undelivered.indexOf(batch);
    if (at >= 0) queue.undelivered.splice(at, 1, ...halves);
    return halves;
  }

  /** The partition's batches sent before `batch` that are still unanswered or waiting for a retry. */
  unresolvedBefore(batch: ProducerBatch): ProducerBatch[] {
    const queue = this.queues.get(batch.topic)?.[batch.partition];
    if (!queue) return [];
    return [...queue.inFlight, ...queue.batches].filter((b) => b !== batch && b.order < batch.order && b.attempts > 0);
  }

  /** The other batches of the partition of `batch`, in flight or queued. */
  othersOf(batch: ProducerBatch): ProducerBatch[] {
    const queue = this.queues.get(batch.topic)?.[batch.partition];
    return queue ? [...queue.inFlight, ...queue.batches].filter((b) => b !== batch) : [];
  }

  /** Puts drained batches back into their partition, in creation order (retry, or the halves of a split batch). */
  reenqueue(sent: ProducerBatch, replacements: ProducerBatch[], retryAt: number): void {
    const queue = this.queue(sent.topic, sent.partition);
    queue.inFlight = queue.inFlight.filter((b) => b !== sent);
    for (const b of replacements) {
      b.retryAt = retryAt;
      const at = queue.batches.findIndex((q) => q.order > b.order);
      if (at < 0) queue.batches.push(b);
      else queue.batches.splice(at, 0, b);
    }
  }

  /** Every batch not yet delivered to its records: queued, in flight, or completed behind an earlier one. */
  pending(): ProducerBatch[] {
    return this.order.flatMap((queue) => queue.undelivered);
  }

  /** Removes every queued batch (forced close); in-flight ones stay tracked until they return. */
  takeAllQueued(): ProducerBatch[] {
    const all: ProducerBatch[] = [];
    for (const queue of this.order) all.push(...queue.batches.splice(0));
    return all;
  }

  /** Queued batches not yet sent that carry a sequence of an abandoned producer identity. */
  unsent(): ProducerBatch[] {
    return this.order.flatMap((q) => q.batches.filter((b) => b.attempts === 0 && b.encoded !== undefined));
  }

  /** Bytes the partition could send now: its head, and what could be merged into it. */
  private backlog(queue: PartitionQueue): number {
    const head = queue.batches[0] as ProducerBatch;
    if (head.encoded || !head.mergeable || this.options.batchSize === 0) return head.encoded?.length ?? head.sizeBytes;
    let bytes = 0;
    for (const b of queue.batches) {
      if (b !== head && (b.attempts > 0 || b.encoded || !b.mergeable)) break;
      bytes += b.sizeBytes;
    }
    return bytes;
  }

  /** Merges the unsent batches queued behind an unsent head into it, up to `limit` bytes. */
  private coalesce(queue: PartitionQueue, head: ProducerBatch, limit: number): void {
    const unsent = (b: ProducerBatch) => b.attempts === 0 && b.encoded === undefined && b.mergeable;
    if (this.options.batchSize === 0 || !unsent(head)) return; // batch.size=0 turns batching off, as in Kafka
    let size = head.sizeBytes;
    let taken = 1;
    while (taken < queue.batches.length) {
      const next = queue.batches[taken] as ProducerBatch;
      if (!unsent(next) || size + next.sizeBytes - BATCH_HEADER_SIZE > limit) break;
      size += next.sizeBytes - BATCH_HEADER_SIZE;
      taken++;
    }
    if (taken === 1) return;
    const merged = queue.batches.splice(1, taken - 1);
    head.absorb(merged);
    // They follow the head in creation order: they leave the delivery order with it (it tells their records).
    const at = queue.undelivered.indexOf(head) + 1;
    if (at > 0 && merged.every((b, i) => queue.undelivered[at + i] === b)) queue.undelivered.splice(at, merged.length);
    else queue.undelivered = queue.undelivered.filter((b) => !merged.includes(b));
  }

  /**
   * A new batch of a partition is sent only within `maxInFlightPerPartition` first sends of its
   * oldest unresolved batch (in flight or waiting for a retry) - counting the ones answered since,
   * not just the unresolved - and not while one of them is being retried: the server keeps the last
   * 5 batches of a producer per partition, so a retry of any unresolved batch still finds its
   * original offsets, whichever of the later ones were written meanwhile.
   */
  private canSend(queue: PartitionQueue, head: ProducerBatch): boolean {
    const limit = this.options.maxInFlightPerPartition ?? 1;
    if (queue.inFlight.length >= limit) return false;
    if (head.attempts === 0) {
      let waiting = false;
      let oldest = queue.firstSends;
      for (const b of queue.inFlight) oldest = Math.min(oldest, b.sendIndex);
      for (const b of queue.batches) {
        if (b.attempts === 0) continue;
        waiting = true;
        oldest = Math.min(oldest, b.sendIndex);
      }
      if (queue.firstSends - oldest >= limit || waiting || queue.inFlight.some((b) => b.attempts > 1)) return false;
    }
    return queue.inFlight.length === 0 || this.mayFollow(head, queue.inFlight);
  }

  private isReady(queue: PartitionQueue, head: ProducerBatch, now: number, force: boolean): boolean {
    if (head.retryAt > now) return false;
    return force || head.attempts > 0 || queue.batches.length > 1 || head.full || now >= head.createdAt + this.options.lingerMs;
  }

  private queue(topic: string, partition: number): PartitionQueue {
    let byPartition = this.queues.get(topic);
    if (!byPartition) this.queues.set(topic, (byPartition = []));
    let queue = byPartition[partition];
    if (!queue) {
      queue = { topic, partition, batches: [], inFlight: [], undelivered: [], nextOrder: 0, firstSends: 0, filling: false };
      byPartition[partition] = queue;
      this.order.push(queue);
    }
    return queue;
  }
}
