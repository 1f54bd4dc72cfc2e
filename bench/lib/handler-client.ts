/** Starts and talks to bench/lib/handler-process.ts children. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { MeterSnapshot } from './metered-cluster.js';

const RUN_TS = fileURLToPath(new URL('../../bin/run-ts.mjs', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./handler-process.ts', import.meta.url));

export interface HandlerStats {
  snapshot: MeterSnapshot;
  rss: number;
  maxRss: number;
  heapUsed: number;
  external: number;
}

export interface HandlerProcess {
  url: string;
  pid: number;
  stats(): Promise<HandlerStats>;
  stop(): Promise<void>;
}

/** cacheBytes: the range cache of the handler process (default: the local cluster's). */
export async function startHandlerProcess(storage: { dynamoEndpoint: string; s3Endpoint: string }, cacheBytes?: number): Promise<HandlerProcess> {
  const args = [RUN_TS, SCRIPT, storage.dynamoEndpoint, storage.s3Endpoint, ...(cacheBytes === undefined ? [] : [String(cacheBytes)])];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: Interface = createInterface({ input: child.stdout! });
  const waiting: Array<(line: string) => void> = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = () => new Promise<string>((resolve) => waiting.push(resolve));
  const first = await Promise.race([
    next(),
    new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`handler process exited with ${code}`)))),
  ]);
  const { url } = JSON.parse(first) as { url: string };
  return {
    url,
    pid: child.pid!,
    async stats() {
      const line = next();
      child.stdin!.write('stats\n');
      return JSON.parse(await line) as HandlerStats;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin!.end();
        setTimeout(() => child.kill('SIGTERM'), 2000).unref();
      }),
  };
}
