/** How many generated inputs each fuzz property gets: FUZZ_RUNS (long mode: 10000), 500 in `npm test`. */
export const FUZZ_RUNS = Math.max(1, Number(process.env.FUZZ_RUNS ?? 500) || 500);
/** Seed from FUZZ_SEED so a failure replays; fast-check prints the seed and path of a failure too. */
export const FUZZ_SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
export const fuzzParams = (runs = FUZZ_RUNS) => ({ numRuns: runs, ...(FUZZ_SEED === undefined ? {} : { seed: FUZZ_SEED }) });
/** Long runs need more than vitest's default timeout: ~10 ms per input is generous. */
export const fuzzTimeout = (properties: number) => 60_000 + FUZZ_RUNS * properties * 10;
