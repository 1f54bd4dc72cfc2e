/**
 * Real Kafka clients that no one here wrote, for the gateway tests: kcat (librdkafka), and Debian's
 * confluent-kafka-python and kafka-python. Each is looked for once; a test that needs a missing one
 * skips with a message saying how to install it (.ci/run installs them all).
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

function works(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

export const HAS_KCAT = works('kcat', ['-V']);

/** Debian's python3 (its packages are not in a pyenv or venv python), else the first python3 on PATH. */
export const PYTHON = ['/usr/bin/python3', 'python3'].find((p) => works(p, ['-c', 'import sys'])) ?? 'python3';
export const HAS_CONFLUENT_KAFKA = works(PYTHON, ['-c', 'import confluent_kafka']);
export const HAS_KAFKA_PYTHON = works(PYTHON, ['-c', 'import kafka']);

export const MISSING = {
  kcat: 'kcat is not installed (Debian: apt-get install kcat); skipping',
  confluent: 'confluent-kafka-python is not installed (Debian: apt-get install python3-confluent-kafka); skipping',
  kafkaPython: 'kafka-python is not installed (Debian: apt-get install python3-kafka); skipping',
};

/** Prints why a suite is skipped (vitest shows only that it was). */
export function noteSkip(present: boolean, message: string): void {
  if (!present) process.stderr.write(`${message}\n`);
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs a command to its end (input on stdin); never rejects on a non-zero exit. */
export function run(command: string, args: string[], input = '', timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ stdout, stderr, code: error ? ((error as { code?: number }).code ?? -1) : 0 }),
    );
    child.stdin?.end(input);
  });
}

export const kcat = (args: string[], input?: string, timeoutMs?: number): Promise<RunResult> => run('kcat', args, input, timeoutMs);

/** A long-running client whose output lines are collected as they come. */
export class ClientProcess {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly listeners = new Set<() => void>();

  constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => this.push(this.stdout, line));
    createInterface({ input: child.stderr! }).on('line', (line) => this.push(this.stderr, line));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  }

  static start(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): ClientProcess {
    return new ClientProcess(spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env }));
  }

  private push(list: string[], line: string): void {
    list.push(line);
    for (const listener of [...this.listeners]) listener();
  }

  /** Resolves once `predicate` holds over the output so far. */
  until(predicate: () => boolean, timeoutMs = 60_000, what = 'condition'): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`timed out waiting for ${what}; stderr:\n${this.stderr.slice(-20).join('\n')}`));
      }, timeoutMs);
      const check = () => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve();
      };
      this.listeners.add(check);
    });
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

/** Waits until `check` is true, polling. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 30_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
