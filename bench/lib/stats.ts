/** Latency statistics for the benchmarks: pure functions, unit-tested in test/unit/bench/stats.test.ts. */

/**
 * The q-quantile (0 ≤ q ≤ 1) of `samples` by the nearest-rank method: the smallest
 * sample such that at least q of all samples are ≤ it. No interpolation, so a
 * reported p99 is always a latency that was actually observed.
 */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  mean: number;
  max: number;
}

export function summarize(samples: readonly number[], digits = 2): LatencySummary {
  const f = 10 ** digits;
  const r = (x: number) => Math.round(x * f) / f;
  if (samples.length === 0) return { count: 0, p50: Number.NaN, p99: Number.NaN, p999: Number.NaN, mean: Number.NaN, max: Number.NaN };
  let sum = 0;
  let max = -Infinity;
  for (const x of samples) {
    sum += x;
    if (x > max) max = x;
  }
  return {
    count: samples.length,
    p50: r(quantile(samples, 0.5)),
    p99: r(quantile(samples, 0.99)),
    p999: r(quantile(samples, 0.999)),
    mean: r(sum / samples.length),
    max: r(max),
  };
}

/**
 * How many samples a quantile needs to be more than one observation: p999 from
 * fewer than 1,000 samples is just the maximum. Benches report this next to p999.
 */
export const samplesBeyondQuantile = (count: number, q: number): number => Math.floor(count * (1 - q));

export const median = (xs: readonly number[]): number => quantile(xs, 0.5);
