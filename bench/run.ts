/**
 * The benchmark suite: `npm run bench` runs everything, `npm run bench -- <name>` one benchmark.
 * Results are JSON lines on stdout, also written to bench/results/latest.jsonl.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printResult, type BenchResult, type BenchSink } from './lib/report.js';

type Bench = (sink: BenchSink) => Promise<void>;

const BENCHES: Record<string, () => Promise<Bench>> = {
  log: async () => (await import('./log.js')).runLogBench,
  codec: async () => (await import('./codec.js')).runCodecBench,
  producer: async () => (await import('./producer.js')).runProducerBench,
  latency: async () => (await import('./latency.js')).runLatencyBench,
  scaling: async () => (await import('./scaling.js')).runScalingBench,
  stripes: async () => (await import('./stripes.js')).runStripesBench,
  cost: async () => (await import('./cost.js')).runCostBench,
  memory: async () => (await import('./memory.js')).runMemoryBench,
  merge: async () => (await import('./merge.js')).runMergeBench,
  sweep: async () => (await import('./sweep.js')).runSweepBench,
  compaction: async () => (await import('./compaction.js')).runCompactionBench,
  cli: async () => (await import('./cli-startup.js')).runCliStartupBench,
  gateway: async () => (await import('./gateway.js')).runGatewayBench,
  authorization: async () => (await import('./authorization.js')).runAuthorizationBench,
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((name) => !(name in BENCHES));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}\n`);
  process.exit(2);
}

const results: BenchResult[] = [];
const suiteStarted = Date.now();
const sink: BenchSink = (result) => {
  results.push(result);
  printResult(result);
};
for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHES)) {
  const started = Date.now();
  process.stderr.write(`bench ${name}...\n`);
  await (await BENCHES[name]!())(sink);
  process.stderr.write(`bench ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}latest.jsonl`, results.map((r) => JSON.stringify(r)).join('\n') + '\n');
// The markdown report with charts (bench/results/report.md), from this run's results.
const { writeReport } = await import('./lib/charts.js');
await writeReport(dir, results, `npm run bench${wanted.length > 0 ? ` -- ${wanted.join(' ')}` : ''}`, (Date.now() - suiteStarted) / 1000);
process.stderr.write(`wrote ${dir}latest.jsonl and ${dir}report.md in ${((Date.now() - suiteStarted) / 1000).toFixed(1)} s\n`);
