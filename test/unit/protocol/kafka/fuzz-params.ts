/** fast-check run counts: KAFKA_FUZZ_RUNS overrides them all (long runs); FUZZ_SEED replays a failure. */
const override = Number(process.env.KAFKA_FUZZ_RUNS ?? '') || undefined;
const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

export const FUZZ_PARAMS = (runs: number) => ({ numRuns: override ?? runs, ...(seed === undefined ? {} : { seed }) });
