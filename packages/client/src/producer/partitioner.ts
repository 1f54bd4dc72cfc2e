/**
 * Choosing a partition, as Kafka's producer does:
 * - an explicit partition on the record wins (checked by the producer);
 * - a key goes to toPositive(murmur2(key)) % partitionCount, so a key lands where a Java client puts it;
 * - a null key sticks to one partition until batch.size bytes went there, then switches
 *   (Kafka 3.3's uniform sticky partitioner), preferring the least loaded partitions (KIP-794);
 *   it also switches once the batch it was filling has been sent (Kafka 2.4's rule, KIP-480).
 *   KIP-794 dropped that rule because it fed slow brokers bigger batches; Floe's partitions have
 *   no broker, and without it a sparse producer's in-flight batches all queue on one partition
 *   head, each committing only after the one before (decision 42).
 */
import { partitionForKey } from '@floe/protocol';

export interface PartitionerContext {
  topic: string;
  /** serialized key (null for a null key) */
  key: Buffer | null;
  /** serialized value */
  value: Buffer | null;
  partitionCount: number;
}

/** A custom partitioner (partitioner.class): return a partition in [0, partitionCount). */
export interface Partitioner {
  partition(context: PartitionerContext): number;
}

/** Bytes waiting or in flight for a partition: the sticky switch prefers the emptiest. */
export type PartitionLoad = (topic: string, partition: number) => number;

/** Whether every batch of a partition has been sent (some in flight, none open to more records). */
export type PartitionSent = (topic: string, partition: number) => boolean;

interface Sticky {
  partition: number;
  bytes: number;
}

export class BuiltInPartitioner implements Partitioner {
  private readonly sticky = new Map<string, Sticky>();

  constructor(
    private readonly batchSize: number,
    private readonly load: PartitionLoad = () => 0,
    private readonly random: () => number = Math.random,
    private readonly sent: PartitionSent = () => false,
  ) {}

  partition({ topic, key, partitionCount }: PartitionerContext): number {
    if (key !== null) return partitionForKey(key, partitionCount);
    let current = this.sticky.get(topic);
    const moveOn = current !== undefined && current.bytes > 0 && this.sent(topic, current.partition);
    if (!current || current.partition >= partitionCount || moveOn) {
      current = { partition: this.pick(topic, partitionCount, moveOn && current ? current.partition : -1), bytes: 0 };
      this.sticky.set(topic, current);
    }
    return current.partition;
  }

  /** Counts a null-key record's bytes against the sticky partition; switches once a batch worth went there. */
  onAppend(topic: string, partition: number, bytes: number, partitionCount: number): void {
    const current = this.sticky.get(topic);
    if (!current || current.partition !== partition) return;
    current.bytes += bytes;
    if (current.bytes >= Math.max(1, this.batchSize)) {
      this.sticky.set(topic, { partition: this.pick(topic, partitionCount, partition), bytes: 0 });
    }
  }

  /** A random partition among the least loaded ones, other than `exclude` when there is a choice. */
  private pick(topic: string, count: number, exclude: number): number {
    if (count <= 1) return 0;
    let best = Infinity;
    let candidates: number[] = [];
    for (let p = 0; p < count; p++) {
      if (p === exclude) continue;
      const load = this.load(topic, p);
      if (load < best) {
        best = load;
        candidates = [p];
      } else if (load === best) candidates.push(p);
    }
    return candidates[Math.floor(this.random() * candidates.length)] ?? 0;
  }
}
