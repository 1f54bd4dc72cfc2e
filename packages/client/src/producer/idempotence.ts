/**
 * The idempotent producer's identity and per-partition sequence numbers.
 * A batch gets its sequence when first drained and keeps it across retries, so
 * the server turns a retry of a committed batch into its original offset.
 * When a batch fails after an attempt whose outcome is unknown, the partition's
 * next sequence is unknown too: the identity is abandoned and a fresh producer id
 * starts every partition again at sequence 0 (Kafka bumps the epoch, KIP-360).
 */
import type { ProducerState } from './batch.js';

export interface ProducerIdentity {
  producerId: bigint;
  producerEpoch: number;
}

const SEQUENCE_MODULUS = 2 ** 31;

export class IdempotenceManager {
  private identity: ProducerIdentity | undefined;
  private generation = 0;
  private sequences = new Map<string, number>();
  private allocating: Promise<void> | undefined;

  constructor(private readonly allocate: () => Promise<ProducerIdentity>) {}

  get ready(): boolean {
    return this.identity !== undefined;
  }

  get producerId(): bigint | undefined {
    return this.identity?.producerId;
  }

  /** Allocates a producer id unless one is held; concurrent callers share one request. */
  ensure(): Promise<void> {
    if (this.identity) return Promise.resolve();
    this.allocating ??= this.allocate()
      .then((identity) => {
        this.identity = identity;
        this.sequences = new Map();
        this.generation++;
      })
      .finally(() => {
        this.allocating = undefined;
      });
    return this.allocating;
  }

  /** Numbers a batch of `count` records for a partition; call only when ready. */
  assign(topic: string, partition: number, count: number): ProducerState {
    const identity = this.identity;
    if (!identity) throw new Error('no producer id yet');
    const key = `${partition}\u0000${topic}`;
    const baseSequence = this.sequences.get(key) ?? 0;
    this.sequences.set(key, (baseSequence + count) % SEQUENCE_MODULUS);
    return { ...identity, baseSequence, generation: this.generation };
  }

  /** The generation a batch numbered now would get (the current identity's, or the next one's while none is held). */
  get generationNow(): number {
    return this.identity ? this.generation : this.generation + 1;
  }

  isCurrent(state: ProducerState | undefined): boolean {
    return state !== undefined && state.generation === this.generation && this.identity !== undefined;
  }

  /** A batch was rejected without being written: its numbers go to the partition's next batch. */
  giveBack(topic: string, partition: number, state: ProducerState, count: number): void {
    if (!this.isCurrent(state)) return;
    const key = `${partition}\u0000${topic}`;
    if (this.sequences.get(key) === (state.baseSequence + count) % SEQUENCE_MODULUS) this.sequences.set(key, state.baseSequence);
  }

  /** The outcome of some batch is unknown: stop using this identity. */
  reset(): void {
    this.identity = undefined;
  }
}
