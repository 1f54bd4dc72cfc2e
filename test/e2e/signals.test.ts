/**
 * Ctrl-C as a terminal delivers it: SIGINT to the whole foreground process group (npx
 * and floe alike), not to one PID. Long-running commands shut down cleanly on it and on
 * SIGTERM, and a second Ctrl-C forces the exit, as Kafka's console tools do.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { GroupsAdmin } from '../../packages/client/src/consumer/groups-api.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { sleep } from '../../packages/protocol/src/async.js';
import { uniqueName } from '../helpers/cluster.js';
import { FLOE_BIN, startDev, type DevProcess } from '../helpers/processes.js';
import { readPartition, values } from '../helpers/log.js';

const ROOT = new URL('../..', import.meta.url).pathname;
let dataDir: string;
let dev: DevProcess;
let http: FloeHttpClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'floe-signals-'));
  dev = await startDev(dataDir, ['--housekeeping-interval-ms', '0']);
  http = new FloeHttpClient(dev.bootstrap);
});
afterAll(async () => {
  await dev.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  stdout: string[];
  stderr: () => string;
  /** resolves once every process of the group has closed its output: the exit status of the one spawned */
  closed: Promise<number | string | null>;
  ctrlC(signal?: NodeJS.Signals): void;
}

/** Starts a command in a process group of its own, as a shell starts a foreground job. */
function run(command: string, args: string[], options: { stdin?: 'pipe' } = {}): Running {
  const child = spawn(command, args, { cwd: ROOT, detached: true, stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  let stderr = '';
  createInterface({ input: child.stdout! }).on('line', (line) => stdout.push(line));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const closed = new Promise<number | string | null>((resolve) => child.once('close', (code, signal) => resolve(code ?? signal)));
  return { child, stdout, stderr: () => stderr, closed, ctrlC: (signal = 'SIGINT') => process.kill(-(child.pid as number), signal) };
}

async function until(what: string, ok: () => boolean, timeoutMs = 30_000): Promise<void> {
  for (const started = Date.now(); !ok(); await sleep(50)) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
  }
}

async function topicWithRecords(count: number): Promise<string> {
  const topic = uniqueName('sig');
  await Admin.fromClient(http).createTopic(topic, 2);
  const produced = run(process.execPath, [FLOE_BIN, '--bootstrap', dev.bootstrap, 'produce', topic], { stdin: 'pipe' });
  produced.child.stdin!.end(Array.from({ length: count }, (_, i) => `r${i}`).join('\n'));
  expect(await produced.closed).toBe(0);
  return topic;
}

describe('Ctrl-C', () => {
  it.each([
    ['node bin/floe.mjs', process.execPath, [FLOE_BIN]],
    ['npx floe', 'npx', ['--no-install', 'floe']],
  ])('on `%s consume --group` commits and leaves the group at once', async (_name, command, prefix) => {
    // Prepare
    const topic = await topicWithRecords(6);
    const group = uniqueName('sig-g');
    const consumer = run(command, [...prefix, '--bootstrap', dev.bootstrap, 'consume', topic, '--group', group, '--from-beginning',
      '--consumer-property', 'session.timeout.ms=45000']);
    await until('six records', () => consumer.stdout.length === 6);

    // Act
    consumer.ctrlC();
    await consumer.closed;
    const afterwards = await new GroupsAdmin({ http }).describeGroup(group); // at once: no waiting out the 45 s session

    // Assess
    expect(consumer.stderr()).toContain(`Processed a total of 6 messages; left group ${group}.`);
    expect(afterwards.state).toBe('Empty');
    expect(afterwards.partitions.map((p) => p.lag)).toEqual([0, 0]);
  });

  it('on `floe produce` reading a terminal or pipe sends what was read, then exits 0', async () => {
    // Prepare: a long linger keeps the records in the producer until it closes
    const topic = uniqueName('sig');
    await Admin.fromClient(http).createTopic(topic, 1);
    const producer = run(process.execPath, [FLOE_BIN, '--bootstrap', dev.bootstrap, 'produce', topic, '--linger-ms', '600000'], { stdin: 'pipe' });
    producer.child.stdin!.write('one\ntwo\nthree\n'); // and the input stays open, as a terminal's does
    await sleep(1500);

    // Act
    producer.ctrlC();
    const status = await producer.closed;

    // Assess
    expect(status).toBe(0);
    expect(values(await readPartition(http, topic, 0))).toEqual(['one', 'two', 'three']);
  });

  it('twice forces the exit of a shutdown that hangs', async () => {
    // Prepare: a consumer whose cluster stops answering, so its clean leave hangs
    const dir = mkdtempSync(join(tmpdir(), 'floe-signals-hang-'));
    const own = await startDev(dir, ['--housekeeping-interval-ms', '0']);
    const topic = uniqueName('sig');
    await Admin.fromClient(new FloeHttpClient(own.bootstrap)).createTopic(topic, 1);
    const consumer = run(process.execPath, [FLOE_BIN, '--bootstrap', own.bootstrap, 'consume', topic, '--group', uniqueName('sig-g')]);
    await sleep(3000); // joined and polling
    process.kill(-(own.child.pid as number), 'SIGSTOP');

    try {
      // Act
      consumer.ctrlC();
      await sleep(1500);
      const stillRunning = consumer.child.exitCode === null;
      const forcedAt = Date.now();
      consumer.ctrlC();
      const status = await consumer.closed;

      // Assess
      expect(stillRunning).toBe(true);
      expect(status).toBe(130);
      expect(Date.now() - forcedAt).toBeLessThan(1000);
      expect(consumer.stderr()).toContain('Ctrl-C again to force');
    } finally {
      process.kill(-(own.child.pid as number), 'SIGCONT');
      await own.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('stops `floe dev` cleanly on %s to its process group', async (signal) => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'floe-signals-dev-'));
    const other = await startDev(dir, ['--housekeeping-interval-ms', '0']);

    // Act
    const status = await other.stop(signal);

    // Assess
    expect(status).toBe(0);
    expect(other.stderr()).toContain('shutting down');
    rmSync(dir, { recursive: true, force: true });
  });
});
