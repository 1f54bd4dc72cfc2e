/**
 * A chaos producer built on the SDK's Producer with idempotence and five batches in flight per
 * partition (decision 28): the records of one key go to one partition (explicit), numbered
 * `<producer>/<key>/<n>` in send order; every acknowledged record goes to the ack log. Retries,
 * reordering and renumbering happen inside the SDK, so the run checks what an application gets.
 * A send that fails for good is an anomaly (with unlimited retries it should not happen).
 */
import { Producer, type RecordMetadata } from '@floe/client';
import type { AckedRecord } from './checker.js';

export interface ChaosSdkProducerOptions {
  name: string;
  bootstrap: string;
  topics: Array<{ topic: string; partitions: number }>;
  keysPerPartition: number;
  /** records per round are 1..this (default 40) */
  maxRoundRecords?: number;
  maxInFlight?: number;
  random: () => number;
  onAck: (ack: AckedRecord) => void;
  onAnomaly: (message: string) => void;
}

/** Sends not yet settled, beyond which a round waits (keeps the run's memory and backlog bounded). */
const MAX_OUTSTANDING = 2000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ChaosSdkProducer {
  private readonly producer: Producer<string, string>;
  private readonly counters = new Map<string, number>();
  private readonly outstanding = new Set<Promise<void>>();
  private failed = 0;

  constructor(private readonly options: ChaosSdkProducerOptions) {
    this.producer = new Producer<string, string>({
      bootstrap: options.bootstrap,
      keySerializer: 'string',
      valueSerializer: 'string',
      enableIdempotence: true,
      maxInFlightRequestsPerConnection: options.maxInFlight ?? 5,
      // Small batches: many requests, several per partition in flight, for the faults to reorder.
      lingerMs: 2,
      batchSize: 512,
      requestTimeoutMs: 10_000,
      retryBackoffMs: 50,
      retryBackoffMaxMs: 500,
      deliveryTimeoutMs: 300_000,
    });
  }

  get inFlight(): number {
    return this.outstanding.size;
  }

  get stats(): { requests: number; failedRequests: number; retriedBatches: number; reinits: number } {
    const m = this.producer.metrics();
    return { requests: m.requests, failedRequests: this.failed, retriedBatches: m.retries, reinits: 0 };
  }

  /** Sends a burst of numbered records to random keys, then yields briefly. */
  async round(addNew: boolean): Promise<void> {
    if (!addNew) return;
    const { random, topics, keysPerPartition, name } = this.options;
    const count = 1 + Math.floor(random() * (this.options.maxRoundRecords ?? 40));
    for (let i = 0; i < count; i++) {
      const t = topics[Math.floor(random() * topics.length)]!;
      const partition = Math.floor(random() * t.partitions);
      const key = `${t.topic}.${partition}.k${Math.floor(random() * keysPerPartition)}`;
      const n = this.counters.get(key) ?? 0;
      this.counters.set(key, n + 1);
      const id = `${name}/${key}/${n}`;
      const sent: Promise<void> = this.producer.send({ topic: t.topic, partition, key, value: id }).then(
        (meta: RecordMetadata) => this.options.onAck({ topic: t.topic, partition: meta.partition, offset: meta.offset >= 0 ? meta.offset : null, id }),
        (error: unknown) => {
          this.failed++;
          this.options.onAnomaly(`${name} ${id}: send failed: ${String((error as Error)?.message ?? error)}`);
        },
      );
      const tracked = sent.finally(() => this.outstanding.delete(tracked));
      this.outstanding.add(tracked);
      if (this.producer.blocked) await this.producer.whenUnblocked();
    }
    while (this.outstanding.size > MAX_OUTSTANDING) await Promise.race(this.outstanding);
    await sleep(10 + random() * 40);
  }

  /** Waits for every send to settle (or the deadline), then closes the producer. */
  async drain(deadline: number): Promise<void> {
    const left = Math.max(0, deadline - Date.now());
    await Promise.race([this.producer.flush(), sleep(left)]);
    await this.producer.close({ timeoutMs: Math.max(0, deadline - Date.now()) });
    await Promise.allSettled([...this.outstanding]);
  }
}
