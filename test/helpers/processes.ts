/** Spawns real `floe` processes (handler servers) on the run's shared storage, for tests about processes. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sharedStorage } from './cluster.js';

export const FLOE_BIN = fileURLToPath(new URL('../../bin/floe.mjs', import.meta.url));

/** The environment of a user's shell: no FLOE_* storage variables or endpoints (tests run with them set). */
export const USER_ENV = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^FLOE_|^AWS_ENDPOINT_URL/.test(name)));

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the floe CLI to its end as a user's shell would, with `input` on its stdin. */
export function runFloe(args: string[], input = ''): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FLOE_BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: USER_ENV });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Reads the first stdout line of a child that prints JSON when ready. */
function firstJsonLine(child: ChildProcess, timeoutMs: number): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('process did not become ready')), timeoutMs);
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as Record<string, string>);
      } catch (error) {
        reject(error);
      }
    });
    child.once('exit', (code) => reject(new Error(`process exited with ${code} before it was ready`)));
  });
}

export async function spawnServe(extraArgs: string[] = []): Promise<ServeProcess> {
  const storage = sharedStorage();
  const child = spawn(
    process.execPath,
    [FLOE_BIN, 'serve', '--json', '--port', '0', '--dynamodb-endpoint', storage.dynamoEndpoint, '--s3-endpoint', storage.s3Endpoint, ...extraArgs],
    { stdio: ['ignore', 'pipe', 'inherit'], env: process.env },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  const ready = await firstJsonLine(child, 30_000);
  return {
    url: ready.bootstrap as string,
    child,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface DevProcess {
  bootstrap: string;
  /** host:port of its Kafka-protocol gateway (undefined with --no-kafka) */
  kafka: string | undefined;
  child: ChildProcess;
  /** resolves with the exit code, or the signal's name */
  exited: Promise<number | string | null>;
  stderr(): string;
  stop(signal?: NodeJS.Signals): Promise<number | string | null>;
}

/** `floe dev` as `npm start` runs it (the compiled CLI), on a free port, in its own process group. */
export async function startDev(dataDir: string, extraArgs: string[] = []): Promise<DevProcess> {
  const child = spawn(process.execPath, [FLOE_BIN, 'dev', '--port', '0', '--data-dir', dataDir, '--json', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const ready = await firstJsonLine(child, 30_000).catch((error: Error) => {
    throw new Error(`${error.message}; stderr: ${stderr}`);
  });
  return {
    bootstrap: ready.bootstrap as string,
    kafka: ready.kafka as string | undefined,
    child,
    exited,
    stderr: () => stderr,
    async stop(signal = 'SIGINT') {
      if (child.exitCode === null && child.signalCode === null) process.kill(-(child.pid as number), signal);
      return exited;
    },
  };
}
