import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../../src/console/ring-buffer.js';
import { assignmentSummary, partitionRanges } from '../../../src/console/partition-ranges.js';

describe('RingBuffer', () => {
  it('keeps the newest items, oldest first, once full', () => {
    // Prepare
    const buffer = new RingBuffer<number>(3);

    // Act
    for (let i = 1; i <= 5; i++) buffer.push(i);

    // Assess
    expect(buffer.toArray()).toEqual([3, 4, 5]);
    expect(buffer.size).toBe(3);
    expect(buffer.last()).toBe(5);
  });

  it('returns what it holds before it is full, and refuses a capacity below one', () => {
    // Prepare
    const buffer = new RingBuffer<string>(4);

    // Act
    buffer.push('a');
    buffer.push('b');

    // Assess
    expect(buffer.toArray()).toEqual(['a', 'b']);
    expect(new RingBuffer<number>(2).last()).toBeUndefined();
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});

describe('partition ranges', () => {
  it('collapses runs of partitions per topic, topics in name order', () => {
    // Act
    const ranges = partitionRanges([7, 0, 1, 2, 3, 9, 10, 3]);
    const summary = assignmentSummary([
      { topic: 'b', partition: 1 },
      { topic: 'a', partition: 0 },
      { topic: 'b', partition: 0 },
    ]);

    // Assess
    expect(ranges).toBe('0-3, 7, 9-10');
    expect(summary).toEqual(['a: 0', 'b: 0-1']);
  });
});
