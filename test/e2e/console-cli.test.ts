/**
 * `floe console` and the console of `floe dev` as processes (no browser
 * needed): the UI is built on the fly when the package has no build, the
 * read-only flag reaches the server, and busy ports are handled.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnFloe } from '../helpers/console-processes.js';
import { FLOE_BIN } from '../helpers/processes.js';

let busy: Server;
let busyPort: number;
let dataDir: string;

beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
  dataDir = mkdtempSync(join(tmpdir(), 'floe-console-cli-'));
});
afterAll(async () => {
  await new Promise((resolve) => busy.close(resolve));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('floe console', () => {
  it('serves the UI and its API, read-only when asked, and stops cleanly on Ctrl-C', async () => {
    // Prepare: nothing listens on the bootstrap; pages and /api/info need no cluster
    const web = await spawnFloe(['--bootstrap', 'http://127.0.0.1:9', 'console', '--port', '0', '--read-only', '--json']);

    // Act
    const page = await fetch(web.ready.console as string);
    const html = await page.text();
    const script = await fetch(new URL('/app.js', web.ready.console));
    const info = (await (await fetch(new URL('/api/info', web.ready.console))).json()) as { readOnly: boolean; bootstrap: string };
    const write = await fetch(new URL('/api/topics', web.ready.console), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' });
    const unreachable = await fetch(new URL('/api/overview', web.ready.console));
    const exitCode = await web.stop();

    // Assess
    expect(page.status).toBe(200);
    expect(html).toContain('<script type="module" src="/app.js">');
    expect(script.status).toBe(200);
    expect(info).toEqual({ bootstrap: 'http://127.0.0.1:9', readOnly: true, signed: false, sampleIntervalMs: 5000 });
    expect(write.status).toBe(403);
    expect(unreachable.status).toBe(503);
    expect(((await unreachable.json()) as { error: { code: string } }).error.code).toBe('NETWORK_ERROR');
    expect(exitCode).toBe(0);
  }, 60_000);

  it('refuses a busy port with a clear error', () => {
    // Act
    const result = spawnSync(process.execPath, [FLOE_BIN, 'console', '--port', String(busyPort)], { encoding: 'utf8', timeout: 30_000 });

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`port ${busyPort} is in use`);
  }, 60_000);
});

describe('floe dev', () => {
  it('prints the console URL, moves the console off a busy port, and leaves it out with --no-console', async () => {
    // Act
    const dev = await spawnFloe(['dev', '--port', '0', '--console-port', String(busyPort), '--data-dir', dataDir, '--housekeeping-interval-ms', '0']);
    await dev.stop();
    const noConsole = await spawnFloe(['dev', '--port', '0', '--no-console', '--data-dir', dataDir, '--json', '--housekeeping-interval-ms', '0']);
    await noConsole.stop();

    // Assess
    expect(dev.banner).toMatch(/^ {2}console: {3}http:\/\/127\.0\.0\.1:\d+\/$/m);
    expect(dev.banner).not.toContain(`:${busyPort}/`);
    expect(dev.stderr()).toContain(`console: port ${busyPort} is in use; serving the console on http://127.0.0.1:`);
    expect(noConsole.ready.bootstrap).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(noConsole.ready).not.toHaveProperty('console');
  }, 90_000);
});
