/** Benchmark results: one JSON object per line on stdout, also appended to bench/results/latest.jsonl by the runner. */

export interface BenchResult {
  /** Benchmark name, e.g. "produce.handler". */
  name: string;
  /** Parameters that identify the run (sizes, counts). */
  params?: Record<string, unknown>;
  value: number;
  unit: string;
  /** The side-by-side comparison measured in the same run (raw floor or a peer library). */
  comparison?: { name: string; value: number; unit: string };
  /** ours / comparison (higher is better for throughputs). */
  ratio?: number;
  /** Any further measured numbers: requests per GiB, cache hits, RSS... */
  [extra: string]: unknown;
}

export type BenchSink = (result: BenchResult) => void;

export const printResult: BenchSink = (result) => {
  process.stdout.write(`${JSON.stringify(result)}\n`);
};

export const round = (value: number, digits = 3): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** Requests per GiB moved, from a request count and a byte count. */
export const perGiB = (requests: number, bytes: number): number => (bytes === 0 ? 0 : round((requests * GiB) / bytes, 1));
