/**
 * An idempotent producer for chaos runs, built on produceRaw so that every retry
 * is visible: one producer id, one sequence per partition, at most one batch in
 * flight per partition, and a failed or unanswered batch resent byte for byte
 * (same sequence) until the server answers it. Each record's value is its id
 * `<producer>/<key>/<n>`; every acknowledged record goes to the ack log.
 */
import { allocateProducerId, FloeHttpClient, produceRaw } from '@floe/client';
import { encodeRecordBatch, ERROR_CODES } from '@floe/protocol';
import type { AckedRecord } from './checker.js';
import { sleep } from '@floe/protocol';

export interface ChaosProducerOptions {
  name: string;
  topics: Array<{ topic: string; partitions: number }>;
  keysPerPartition: number;
  /** bytes appended to each value after its id and a space (soak: to move realistic volumes) */
  valuePadding?: number;
  /** records per batch are 1..this (default 5) */
  maxBatchRecords?: number;
  random: () => number;
  onAck: (ack: AckedRecord) => void;
  onAnomaly: (message: string) => void;
}

interface Pending {
  topic: string;
  partition: number;
  ids: string[];
  batch: Buffer;
  attempts: number;
}


export class ChaosProducer {
  private producer: { producerId: bigint; producerEpoch: number } | undefined;
  private readonly sequences = new Map<string, number>();
  private readonly counters = new Map<string, number>();
  private readonly pending = new Map<string, Pending>();
  stats = { requests: 0, failedRequests: 0, retriedBatches: 0, acked: 0, reinits: 0 };

  constructor(
    private readonly http: FloeHttpClient,
    private readonly options: ChaosProducerOptions,
  ) {}

  get inFlight(): number {
    return this.pending.size;
  }

  /** One request: resends every pending batch and adds new batches for a few idle partitions. */
  async round(addNew: boolean): Promise<void> {
    const { producerId, producerEpoch } = await this.ensureId();
    const { random, topics, keysPerPartition, name } = this.options;
    if (addNew) {
      for (const { topic, partitions } of topics) {
        for (let p = 0; p < partitions; p++) {
          const tp = `${topic}/${p}`;
          if (this.pending.has(tp) || random() < 0.5) continue;
          const count = 1 + Math.floor(random() * (this.options.maxBatchRecords ?? 5));
          const ids = Array.from({ length: count }, () => {
            const key = `${topic}.${p}.k${Math.floor(random() * keysPerPartition)}`;
            const n = this.counters.get(key) ?? 0;
            this.counters.set(key, n + 1);
            return `${name}/${key}/${n}`;
          });
          const batch = encodeRecordBatch({
            records: ids.map((id) => ({ key: Buffer.from(id.split('/')[1] ?? ''), value: this.valueOf(id) })),
            producerId,
            producerEpoch,
            baseSequence: this.sequences.get(tp) ?? 0,
          });
          this.pending.set(tp, { topic, partition: p, ids, batch, attempts: 0 });
        }
      }
    }
    const batches = [...this.pending.values()];
    if (batches.length === 0) return;
    const byTopic = new Map<string, Array<{ partition: number; records: Buffer }>>();
    for (const b of batches) {
      b.attempts++;
      if (b.attempts > 1) this.stats.retriedBatches++;
      byTopic.set(b.topic, [...(byTopic.get(b.topic) ?? []), { partition: b.partition, records: b.batch }]);
    }
    this.stats.requests++;
    let results;
    try {
      results = await produceRaw(this.http, { acks: -1, timeoutMs: 10_000, topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) }, 10_000);
    } catch {
      this.stats.failedRequests++;
      await sleep(50 + random() * 150);
      return; // everything stays pending and is resent as is
    }
    for (const t of results) {
      for (const r of t.partitions) {
        const tp = `${t.topic}/${r.partition}`;
        const b = this.pending.get(tp);
        if (!b) continue;
        if (r.errorCode === 'NONE' || r.errorCode === 'DUPLICATE_SEQUENCE_NUMBER') {
          b.ids.forEach((id, i) => this.options.onAck({ topic: b.topic, partition: b.partition, offset: r.errorCode === 'NONE' ? r.baseOffset + i : null, id }));
          this.stats.acked += b.ids.length;
          this.sequences.set(tp, (this.sequences.get(tp) ?? 0) + b.ids.length);
          this.pending.delete(tp);
        } else if (!ERROR_CODES[r.errorCode].retriable) {
          // a fatal answer to a resent batch means the server lost track of this producer: report it, start over
          this.options.onAnomaly(`${name} ${tp}: ${r.errorCode} ${r.errorMessage ?? ''} after ${b.attempts} attempts`);
          this.reset();
          return;
        }
      }
    }
  }

  /** Resends until nothing is pending (or the deadline passes). */
  async drain(deadline: number): Promise<void> {
    while (this.pending.size > 0 && Date.now() < deadline) await this.round(false);
  }

  private valueOf(id: string): Buffer {
    const pad = this.options.valuePadding ?? 0;
    return pad > 0 ? Buffer.concat([Buffer.from(`${id} `), Buffer.alloc(pad, 0x61)]) : Buffer.from(id);
  }

  private reset(): void {
    this.producer = undefined;
    this.pending.clear();
    this.sequences.clear();
    this.stats.reinits++;
  }

  private async ensureId(): Promise<{ producerId: bigint; producerEpoch: number }> {
    while (!this.producer) {
      try {
        this.producer = await allocateProducerId(this.http);
      } catch {
        await sleep(100);
      }
    }
    return this.producer;
  }
}
