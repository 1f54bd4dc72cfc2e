/**
 * The README's tour, run as a new user would: `floe dev` in one process, then
 * the CLI creates a topic, produces lines with keys and consumes them back.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLOE_BIN } from '../helpers/processes.js';
import { createInterface } from 'node:readline';

let dev: ReturnType<typeof spawn>;
let bootstrap: string;
let dataDir: string;

const floe = (args: string[], input?: string) =>
  spawnSync(process.execPath, [FLOE_BIN, '--bootstrap', bootstrap, ...args], { input, encoding: 'utf8', timeout: 60_000 });

async function startDev(): Promise<void> {
  dev = spawn(process.execPath, [FLOE_BIN, 'dev', '--port', '0', '--data-dir', dataDir, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: dev.stdout! }).once('line', resolve);
    dev.once('exit', (code) => reject(new Error(`floe dev exited with ${code}`)));
  });
  bootstrap = (JSON.parse(line) as { bootstrap: string }).bootstrap;
}

async function stopDev(): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => dev.once('exit', (code) => resolve(code)));
  dev.kill('SIGINT');
  return exited;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'floe-tour-'));
  await startDev();
});
afterAll(async () => {
  if (dev.exitCode === null) await stopDev();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the README tour', () => {
  it('creates a topic, produces keyed lines and consumes them back; data survives a restart', async () => {
    // Act
    const created = floe(['topics', 'create', 'tour', '--partitions', '3']);
    const produced = floe(['produce', 'tour', '--key-separator', ':'], 'user1:login\nuser2:login\nuser1:click\nuser1:logout\n');
    const listed = floe(['topics', 'list']);
    const listedJson = floe(['topics', 'list', '--json']);
    const consumed = floe(['consume', 'tour', '--from-beginning', '--max-messages', '4', '--timeout-ms', '5000', '--json']);
    const exitCode = await stopDev();
    await startDev();
    const afterRestart = floe(['consume', 'tour', '--from-beginning', '--max-messages', '4', '--timeout-ms', '5000']);
    const bad = floe(['topics', 'create', 'bad name']);

    // Assess
    expect(created.status).toBe(0);
    expect(produced.status).toBe(0);
    expect(listed.stdout.split('\n')).toContain('tour');
    expect(JSON.parse(listedJson.stdout)).toEqual([expect.objectContaining({ name: 'tour', partitions: 3 })]);
    const records = consumed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { key: string; value: string; partition: number; offset: number });
    expect(records).toHaveLength(4);
    const user1 = records.filter((r) => r.key === 'user1');
    expect(new Set(user1.map((r) => r.partition)).size).toBe(1); // same key, same partition
    expect(user1.map((r) => r.value)).toEqual(['login', 'click', 'logout']); // in order
    expect(exitCode).toBe(0); // Ctrl-C shuts down cleanly
    expect(afterRestart.stdout.trim().split('\n').sort()).toEqual(['click', 'login', 'login', 'logout']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('INVALID_TOPIC_EXCEPTION');
  });
});
