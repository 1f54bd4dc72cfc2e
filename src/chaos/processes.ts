/** Handler and consumer-member processes for chaos runs: spawn, follow their JSON lines, kill, pause. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { EnvFaultPlan } from '../faults/env-faults.js';
import type { MemberOptions } from './member.js';

const FLOE_BIN = fileURLToPath(new URL('../../bin/floe.mjs', import.meta.url));
const MEMBER = fileURLToPath(new URL('./member.ts', import.meta.url));
const TSX = createRequire(import.meta.url).resolve('tsx');
/** floe.mjs re-executes itself without this flag; passing it keeps one process, so signals reach the server itself */

/** Every child still running: killed when this process exits, so an interrupted run leaves no orphans. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface Proc {
  child: ChildProcess;
  exited: Promise<void>;
  alive(): boolean;
  signal(signal: NodeJS.Signals): void;
}

export function follow(child: ChildProcess, onLine: (event: Record<string, unknown>) => void): Proc {
  let done = false;
  running.add(child);
  child.once('exit', () => running.delete(child));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      done = true;
      resolve();
    }),
  );
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      onLine(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not one of ours (a log line): ignore
    }
  });
  return {
    child,
    exited,
    alive: () => !done,
    signal: (signal) => {
      if (!done) child.kill(signal);
    },
  };
}

export interface HandlerProc extends Proc {
  url: Promise<string>;
}

export function spawnHandler(
  storage: { dynamoEndpoint: string; s3Endpoint: string },
  faults: EnvFaultPlan | undefined,
  onLine: (event: Record<string, unknown>) => void,
  crashPoint?: string,
  /** More `floe serve` options (e.g. authorization). */
  serveArgs: readonly string[] = [],
): HandlerProc {
  const args = [FLOE_BIN, 'serve', '--json', '--port', '0', '--dynamodb-endpoint', storage.dynamoEndpoint, '--s3-endpoint', storage.s3Endpoint, ...serveArgs];
  if (crashPoint) args.push('--crash-point', crashPoint);
  const env = { ...process.env, ...(faults ? { FLOE_FAULTS: JSON.stringify(faults) } : {}) };
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'], env });
  let ready: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve, reject) => {
    ready = resolve;
    child.once('exit', () => reject(new Error('handler process exited before it was ready')));
  });
  url.catch(() => undefined);
  const proc = follow(child, (event) => {
    if (typeof event.bootstrap === 'string') ready(event.bootstrap);
    else onLine(event);
  });
  return { ...proc, url };
}

export function spawnMember(options: MemberOptions, onLine: (event: Record<string, unknown>) => void): Proc {
  const child = spawn(process.execPath, ['--import', TSX, MEMBER, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'ignore'], env: process.env });
  return follow(child, onLine);
}
