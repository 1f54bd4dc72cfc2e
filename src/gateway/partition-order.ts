/**
 * Per-connection order of writes: a task runs after every earlier task that shares a key
 * (a topic-partition) with it, and concurrently with tasks on other keys. Kafka applies a
 * connection's Produce requests for one partition in arrival order; a leaderless log only
 * does so if the second request is not sent to DynamoDB before the first one committed.
 */
export class PartitionOrder {
  private readonly tails = new Map<string, Promise<void>>();

  /** Keys with a task queued or running. */
  get busyKeys(): number {
    return this.tails.size;
  }

  run<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    const unique = [...new Set(keys)];
    const before = unique.map((key) => this.tails.get(key)).filter((tail): tail is Promise<void> => tail !== undefined);
    const result = (before.length === 0 ? Promise.resolve() : Promise.all(before)).then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    for (const key of unique) this.tails.set(key, tail);
    void tail.then(() => {
      for (const key of unique) if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
