/**
 * Responses of one connection leave in the order their requests arrived, whatever order the
 * handlers finish in: Kafka clients match responses to requests by position as much as by
 * correlation id (the Java client insists on it).
 */
export type Settle = (bytes: Buffer | null) => void;

export class ResponseQueue {
  private readonly slots: Array<{ settled: boolean; bytes: Buffer | null }> = [];

  constructor(private readonly write: (bytes: Buffer) => void) {}

  /** Requests whose place in line is not yet written. */
  get pending(): number {
    return this.slots.length;
  }

  /** The next place in line. Settle it with the response, or with null when the request gets none (acks=0). */
  reserve(): Settle {
    const slot = { settled: false, bytes: null as Buffer | null };
    this.slots.push(slot);
    return (bytes) => {
      if (slot.settled) return;
      slot.settled = true;
      slot.bytes = bytes;
      this.flush();
    };
  }

  private flush(): void {
    while (this.slots[0]?.settled) {
      const slot = this.slots.shift() as { bytes: Buffer | null };
      if (slot.bytes !== null) this.write(slot.bytes);
    }
  }
}
