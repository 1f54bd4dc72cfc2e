/**
 * `floe produce` typed at a terminal shows kafka-console-producer's ">" prompt and no
 * progress line where the user types (the progress line is for piped input). The terminal
 * is a real pseudo-terminal made by util-linux `script`; the test skips where it is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { sleep } from '../../packages/protocol/src/async.js';
import { uniqueName } from '../helpers/cluster.js';
import { readPartition, values } from '../helpers/log.js';
import { FLOE_BIN, startDev, type DevProcess } from '../helpers/processes.js';

const hasScript = spawnSync('script', ['--version']).status === 0;
let dataDir: string;
let dev: DevProcess | undefined;

beforeAll(async () => {
  if (!hasScript) return;
  dataDir = mkdtempSync(join(tmpdir(), 'floe-tty-'));
  dev = await startDev(dataDir, ['--housekeeping-interval-ms', '0']);
});
afterAll(async () => {
  await dev?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(!hasScript)('floe produce at a terminal', () => {
  it('prompts with ">" for each line, draws no progress line, and sends what was typed', async () => {
    // Prepare
    const http = new FloeHttpClient(dev!.bootstrap);
    const topic = uniqueName('tty');
    await Admin.fromClient(http).createTopic(topic, 1);
    const terminal = spawn('script', ['-qfec', `${process.execPath} ${FLOE_BIN} --bootstrap ${dev!.bootstrap} produce ${topic}`, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    terminal.stdout.on('data', (d: Buffer) => (screen += d.toString()));
    terminal.stderr.on('data', (d: Buffer) => (screen += d.toString()));
    const closed = new Promise<number | null>((resolve) => terminal.once('close', resolve));
    for (let waited = 0; !screen.includes('>') && waited < 30_000; waited += 100) await sleep(100);

    // Act: type two lines, then Ctrl-D
    terminal.stdin.write('hello\n');
    await sleep(300);
    terminal.stdin.write('world\n');
    await sleep(300);
    terminal.stdin.write('\x04');
    const status = await closed;

    // Assess
    expect(status).toBe(0);
    expect(screen).toBe('>hello\r\n>world\r\n>');
    expect(values(await readPartition(http, topic, 0))).toEqual(['hello', 'world']);
  });
});
