/**
 * CLI start-up: how long a `floe` command takes from exec to exit, as a multiple of a bare
 * `node -e 0` measured side by side (interleaved runs, medians). Commands: `floe --version`
 * (no command module loaded), `floe topics list` against a running local cluster (loads the
 * SDK and makes one HTTP round trip), and `floe topics --help`.
 * Run alone: npm run bench -- cli
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startCluster } from '../src/local/cluster.js';
import { quantile } from './lib/stats.js';
import { round, type BenchSink } from './lib/report.js';

const FLOE_BIN = fileURLToPath(new URL('../bin/floe.mjs', import.meta.url));
const RUNS = 15;

/** Milliseconds from spawn to exit (asynchronous: the cluster answering `topics list` runs in this process). */
function timeOnce(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) resolve(ms);
      else reject(new Error(`${args.join(' ')} exited with ${code}: ${stderr}`));
    });
  });
}

export async function runCliStartupBench(sink: BenchSink): Promise<void> {
  const cluster = await startCluster({ port: 0 });
  try {
    const commands: Record<string, string[]> = {
      'floe --version': [FLOE_BIN, '--version'],
      'floe topics --help': [FLOE_BIN, 'topics', '--help'],
      'floe topics list': [FLOE_BIN, '--bootstrap', cluster.url, 'topics', 'list'],
    };
    const bare = ['-e', '0'];
    const samples: Record<string, number[]> = { bare: [] };
    for (const name of Object.keys(commands)) samples[name] = [];
    await timeOnce(bare); // warm the file cache for both sides
    for (const args of Object.values(commands)) await timeOnce(args);
    for (let i = 0; i < RUNS; i++) {
      // Interleaved, so machine noise falls on both sides alike.
      samples.bare!.push(await timeOnce(bare));
      for (const [name, args] of Object.entries(commands)) samples[name]!.push(await timeOnce(args));
    }
    const bareMedian = quantile(samples.bare!, 0.5);
    for (const name of Object.keys(commands)) {
      const median = quantile(samples[name]!, 0.5);
      sink({
        name: 'cli.startup',
        params: { command: name, runs: RUNS },
        value: round(median, 1),
        unit: 'ms',
        comparison: { name: 'node -e 0', value: round(bareMedian, 1), unit: 'ms' },
        ratio: round(median / bareMedian, 2),
        p90Ms: round(quantile(samples[name]!, 0.9), 1),
      });
    }
  } finally {
    await cluster.close();
  }
}
