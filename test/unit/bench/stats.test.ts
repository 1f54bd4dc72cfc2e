import { describe, expect, it } from 'vitest';
import { quantile, samplesBeyondQuantile, summarize } from '../../../bench/lib/stats.js';
import { impliedLambdaMemoryMB } from '../../../bench/memory.js';

describe('bench percentile math', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => 100 - i); // unsorted on purpose

  it('uses the nearest rank: a reported quantile is an observed sample', () => {
    expect(quantile(oneToHundred, 0.5)).toBe(50);
    expect(quantile(oneToHundred, 0.99)).toBe(99);
    expect(quantile(oneToHundred, 0.999)).toBe(100);
    expect(quantile(oneToHundred, 0)).toBe(1);
    expect(quantile(oneToHundred, 1)).toBe(100);
    expect(quantile([3.5, 1.25], 0.5)).toBe(1.25);
  });

  it('does not mutate its input and rejects nonsense', () => {
    const xs = [3, 1, 2];
    quantile(xs, 0.5);
    expect(xs).toEqual([3, 1, 2]);
    expect(Number.isNaN(quantile([], 0.5))).toBe(true);
    expect(() => quantile(xs, 1.5)).toThrow(RangeError);
  });

  it('p999 of 10,000 samples sees the 10 slowest; of 100 samples it is the maximum', () => {
    const xs = Array.from({ length: 10_000 }, (_, i) => i + 1);
    expect(quantile(xs, 0.999)).toBe(9990);
    expect(samplesBeyondQuantile(10_000, 0.999)).toBe(10);
    expect(samplesBeyondQuantile(100, 0.999)).toBe(0);
  });

  it('summarizes', () => {
    expect(summarize(oneToHundred)).toEqual({ count: 100, p50: 50, p99: 99, p999: 100, mean: 50.5, max: 100 });
    expect(summarize([]).count).toBe(0);
  });

  it('derives the Lambda memory setting from peak RSS with headroom, in 64 MB steps', () => {
    const MiB = 1024 * 1024;
    expect(impliedLambdaMemoryMB(200 * MiB)).toBe(320); // 300 → 320
    expect(impliedLambdaMemoryMB(256 * MiB)).toBe(384);
    expect(impliedLambdaMemoryMB(10 * MiB)).toBe(128); // Lambda's minimum
  });
});
