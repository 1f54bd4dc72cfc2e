/** The built-in partitioner's null-key stickiness (Kafka 3.3's uniform sticky partitioner, KIP-794). */
import { describe, expect, it } from 'vitest';
import { partitionForKey } from '../../../../packages/protocol/src/partitioning/murmur2.js';
import { BuiltInPartitioner } from '../../../../packages/client/src/producer/partitioner.js';

const nullKey = (topic: string, partitionCount: number) => ({ topic, key: null, value: null, partitionCount });

describe('built-in partitioner', () => {
  it('keeps null-key records on one partition until a batch worth of bytes went there, then switches', () => {
    // Prepare
    const partitioner = new BuiltInPartitioner(1000);
    const chosen: number[] = [];
    // Act: 100-byte records, 25 of them
    for (let i = 0; i < 25; i++) {
      const p = partitioner.partition(nullKey('t', 8));
      chosen.push(p);
      partitioner.onAppend('t', p, 100, 8);
    }
    // Assess: runs of exactly 10 records (1000 bytes), each run on a different partition than the one before
    const runs: Array<{ partition: number; length: number }> = [];
    for (const p of chosen) {
      const last = runs[runs.length - 1];
      if (last && last.partition === p) last.length++;
      else runs.push({ partition: p, length: 1 });
    }
    expect(runs.map((r) => r.length)).toEqual([10, 10, 5]);
  });

  it('switches to one of the least loaded partitions', () => {
    // Prepare: partitions 0-3 carry load except partition 2
    const load = (_topic: string, partition: number) => (partition === 2 ? 0 : 5000);
    const partitioner = new BuiltInPartitioner(100, load);
    // Act
    const first = partitioner.partition(nullKey('t', 4));
    partitioner.onAppend('t', first, 100, 4);
    const second = partitioner.partition(nullKey('t', 4));
    // Assess
    expect(first).toBe(2);
    expect(second).not.toBe(2); // the current one is excluded when there is a choice
  });

  it('moves on once the batch it was filling has been sent, to a partition other than that one (decision 42)', () => {
    // Prepare: partition 3's batch is in flight, nothing open there
    const sent = new Set<number>();
    const partitioner = new BuiltInPartitioner(16_384, () => 0, () => 0.99, (_topic, partition) => sent.has(partition));
    const first = partitioner.partition(nullKey('t', 4));
    partitioner.onAppend('t', first, 100, 4);

    // Act
    const whileFilling = partitioner.partition(nullKey('t', 4));
    sent.add(first);
    const afterSend = partitioner.partition(nullKey('t', 4));
    partitioner.onAppend('t', afterSend, 100, 4);
    const next = partitioner.partition(nullKey('t', 4));

    // Assess
    expect(first).toBe(3);
    expect(whileFilling).toBe(first);
    expect(afterSend).not.toBe(first);
    expect(next).toBe(afterSend); // its own batch is still open
  });

  it('keeps topics independent and re-picks when the partition count shrinks below the sticky one', () => {
    // Prepare
    const partitioner = new BuiltInPartitioner(16_384, () => 0, () => 0.99);
    // Act
    const a = partitioner.partition(nullKey('a', 10));
    const shrunk = partitioner.partition(nullKey('a', 3));
    const b = partitioner.partition(nullKey('b', 2));
    // Assess
    expect(a).toBe(9);
    expect(shrunk).toBe(2);
    expect(b).toBe(1);
  });

  it('sends keyed records by murmur2 regardless of stickiness', () => {
    // Prepare
    const partitioner = new BuiltInPartitioner(1);
    const keys = ['alpha', 'beta', 'gamma', 'delta'].map((k) => Buffer.from(k));
    // Act
    const partitions = keys.map((key) => partitioner.partition({ topic: 't', key, value: null, partitionCount: 12 }));
    // Assess
    expect(partitions).toEqual(keys.map((k) => partitionForKey(k, 12)));
  });
});
