/** `floe dev` and `floe console` as child processes: ready at their JSON line (--json) or at the end of their banner. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { FLOE_BIN } from './processes.js';

export interface FloeProcess {
  /** the JSON line (--json), else {} */
  ready: Record<string, string>;
  /** stdout up to readiness */
  banner: string;
  child: ChildProcess;
  /** stderr so far */
  stderr(): string;
  /** SIGINT, as Ctrl-C; resolves with the exit code */
  stop(): Promise<number | null>;
}

export async function spawnFloe(args: string[], timeoutMs = 60_000): Promise<FloeProcess> {
  const child = spawn(process.execPath, [FLOE_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines: string[] = [];
  const ready = await new Promise<Record<string, string>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`floe ${args[0]} not ready within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    const reader = createInterface({ input: child.stdout! });
    reader.on('line', (line) => {
      lines.push(line);
      const json = line.startsWith('{');
      if (!json && !line.startsWith('Press Ctrl-C')) return;
      clearTimeout(timer);
      reader.removeAllListeners('line');
      resolve(json ? (JSON.parse(line) as Record<string, string>) : {});
    });
    child.once('exit', (code) => reject(new Error(`floe ${args[0]} exited with ${code}: ${stderr}`)));
  });
  return {
    ready,
    banner: lines.join('\n'),
    child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}

/** Runs one floe CLI command against a cluster. */
export function floeCli(bootstrap: string, args: string[], input?: string | Buffer) {
  return spawnSync(process.execPath, [FLOE_BIN, '--bootstrap', bootstrap, ...args], { input, encoding: 'utf8', timeout: 60_000 });
}
