/**
 * `floe dev` when its disk fails: a full disk or a read-only data dir once crashed the local
 * cluster with an unhandled error. Now requests answer 503 STORAGE_UNAVAILABLE, the console
 * says what is wrong, and the cluster recovers by itself when space or permission returns.
 *
 * How the failures are made: a full disk cannot be (no tmpfs or loop mounts here), so the
 * stand-ins' writes are failed with ENOSPC at their storage layer (FLOE_LOCAL_DISK_FAULTS,
 * src/faults/disk-faults.ts). Read-only data dirs are real: chmod, with `floe dev` run as an
 * unprivileged user when the tests run as root (root writes through read-only modes).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { sleep } from '../../packages/protocol/src/async.js';
import { FLOE_BIN } from '../helpers/processes.js';

const NOBODY = 65534;
const root = process.getuid?.() === 0;
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Dev {
  child: ChildProcess;
  bootstrap?: string;
  console: () => string;
  exited: Promise<number | null>;
}

/** A fresh directory the cluster's user owns. */
function workDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'floe-disk-'));
  dirs.push(dir);
  chmodSync(dir, 0o755);
  if (root) chownSync(dir, NOBODY, NOBODY);
  return dir;
}

async function startDev(dataDir: string, env: Record<string, string> = {}): Promise<Dev> {
  const child = spawn(process.execPath, [FLOE_BIN, 'dev', '--port', '0', '--data-dir', dataDir, '--json', '--housekeeping-interval-ms', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
    ...(root ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  let text = '';
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const bootstrap = await new Promise<string | undefined>((resolve) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { bootstrap: string }).bootstrap));
    void exited.then(() => resolve(undefined));
  });
  return { child, bootstrap, console: () => text, exited };
}

const stop = async (dev: Dev) => {
  dev.child.kill('SIGINT');
  return dev.exited;
};

async function call(dev: Dev, path: string, body: unknown): Promise<{ status: number; code?: string }> {
  const response = await fetch(`${dev.bootstrap}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await response.json()) as { error?: { code: string } };
  return { status: response.status, code: answer.error?.code };
}

const produce = (dev: Dev, value: string) => call(dev, '/_fn/produce/v1/produce', { records: [{ topic: 'disk', value }] });
async function stored(dev: Dev): Promise<string[]> {
  const response = await fetch(`${dev.bootstrap}/_fn/fetch/v1/fetch?topic=disk&partition=0&offset=0`);
  return ((await response.json()) as { topics: Array<{ partitions: Array<{ records: Array<{ value: string }> }> }> }).topics[0]!.partitions[0]!.records.map((r) => r.value);
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let waited = 0; !ok(); waited += 50) {
    if (waited > 10_000) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('floe dev on a failing disk', () => {
  it.each(['s3', 'dynamodb'] as const)('answers 503 while the %s data dir is full, says so, and recovers when space returns', async (standIn) => {
    // Prepare
    const dir = workDir();
    const faults = join(dir, 'disk-faults.json');
    const dev = await startDev(join(dir, 'data'), { FLOE_LOCAL_DISK_FAULTS: faults });
    await call(dev, '/v1/topics', { name: 'disk', partitions: 1 });
    const before = await produce(dev, 'before');

    // Act: the disk fills up, then space comes back
    writeFileSync(faults, JSON.stringify({ [standIn]: 'ENOSPC' }));
    const whileFull = await produce(dev, 'while-full');
    const said = dev.console();
    rmSync(faults);
    const after = await produce(dev, 'after');
    await until('the recovery message', () => dev.console().includes('is writable again'));
    const records = await stored(dev);
    const code = await stop(dev);

    // Assess
    expect([before.status, whileFull, after.status]).toEqual([200, { status: 503, code: 'STORAGE_UNAVAILABLE' }, 200]);
    expect(said).toMatch(new RegExp(`cannot write the ${standIn === 's3' ? 'S3' : 'DynamoDB'} data dir .*ENOSPC: no space left on device`));
    expect(records).toEqual(['before', 'after']); // nothing acknowledged was lost, nothing refused was stored
    expect(code).toBe(0); // alive until asked to stop
  });

  it('answers 503 while the S3 data dir is read-only (chmod), and recovers when it is writable again', async () => {
    // Prepare
    const dir = workDir();
    const dev = await startDev(join(dir, 'data'));
    await call(dev, '/v1/topics', { name: 'disk', partitions: 1 });
    const s3 = join(dir, 'data', 's3', 'floe-local');

    // Act
    chmodSync(s3, 0o555);
    const whileReadOnly = await produce(dev, 'x');
    chmodSync(s3, 0o755);
    const after = await produce(dev, 'y');
    await until('the recovery message', () => dev.console().includes('is writable again'));
    const code = await stop(dev);

    // Assess
    expect(whileReadOnly).toEqual({ status: 503, code: 'STORAGE_UNAVAILABLE' });
    expect(dev.console()).toMatch(/cannot write the S3 data dir .*EACCES: permission denied/);
    expect(after.status).toBe(200);
    expect(code).toBe(0);
  });

  it.each([
    ['dynamodb', /^error: cannot open the DynamoDB data dir .*Permission denied; check that it is writable\n$/],
    ['s3', /^error: cannot write the S3 data dir .*EACCES: permission denied.*; fix it and start again\n$/],
  ] as const)('refuses to start on a read-only %s data dir, saying which and why', async (standIn, message) => {
    // Prepare
    const dir = workDir();
    const dataDir = join(dir, 'data');
    mkdirSync(join(dataDir, standIn), { recursive: true });
    if (root) chownSync(dataDir, NOBODY, NOBODY);
    if (root) chownSync(join(dataDir, standIn), NOBODY, NOBODY);
    chmodSync(join(dataDir, standIn), 0o555);

    // Act
    const dev = await startDev(dataDir);
    const code = await dev.exited;

    // Assess
    expect(code).toBe(1);
    expect(dev.console()).toMatch(message);
  });
});
