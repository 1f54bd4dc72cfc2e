/** The consumer's view of its assigned partitions: position, pause, fetch state (Kafka's SubscriptionState). */
import { type CorruptBatch, partitionKey, type PartitionKey, type TopicPartition } from '@floe/protocol';

export interface PartitionState extends TopicPartition {
  key: PartitionKey;
  /** next offset poll() returns; undefined until initialised from the committed offset or the reset policy */
  position?: number;
  /** seekToBeginning/End asked for, applied when the position is next initialised */
  resetTo?: 'earliest' | 'latest';
  paused: boolean;
  /** being revoked: no longer fetched or returned */
  revoking: boolean;
  highWatermark?: number;
  logStartOffset?: number;
  /** stopped at a stored batch that cannot be read, until the application seeks (`reported`: poll() has thrown it) */
  corrupt?: { batch: CorruptBatch; reported: boolean };
}

export class AssignedPartitions {
  private readonly states = new Map<PartitionKey, PartitionState>();

  add(tp: TopicPartition): PartitionState {
    const key = partitionKey(tp.topic, tp.partition);
    const existing = this.states.get(key);
    if (existing) return existing;
    const state: PartitionState = { topic: tp.topic, partition: tp.partition, key, paused: false, revoking: false };
    this.states.set(key, state);
    return state;
  }

  remove(key: PartitionKey): void {
    this.states.delete(key);
  }

  get(tp: TopicPartition | PartitionKey): PartitionState | undefined {
    return this.states.get(typeof tp === 'string' ? tp : partitionKey(tp.topic, tp.partition));
  }

  has(key: PartitionKey): boolean {
    return this.states.has(key);
  }

  all(): PartitionState[] {
    return [...this.states.values()];
  }

  keys(): PartitionKey[] {
    return [...this.states.keys()];
  }

  clear(): void {
    this.states.clear();
  }

  /** Partitions a fetch may ask for now. */
  fetchable(): PartitionState[] {
    return this.all().filter((s) => !s.paused && !s.revoking && s.position !== undefined && s.corrupt === undefined);
  }

  /** Partitions whose records poll() may return. */
  returnable(key: PartitionKey): PartitionState | undefined {
    const state = this.states.get(key);
    return state && !state.paused && !state.revoking && state.position !== undefined ? state : undefined;
  }
}

export const toTopicPartition = (s: TopicPartition): TopicPartition => ({ topic: s.topic, partition: s.partition });
