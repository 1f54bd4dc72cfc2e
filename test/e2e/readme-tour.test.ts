/**
 * The README, run as a new user runs it: `floe dev` started as `npm start` starts it (the
 * compiled CLI), then every command of the tour, exactly as the README writes it, in a shell
 * (`npx floe …`, `printf … |`, `curl …`), each checked against what it must print; then the
 * SDK example (the same program the package test runs). The commands are read from README.md, so a command
 * added there without a check here fails this test. Only the address differs: the cluster
 * takes a free port (FLOE_BOOTSTRAP, and the URL in curl and the SDK example, point at it).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../packages/protocol/src/async.js';
import { startDev, type DevProcess } from '../helpers/processes.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const DEFAULT_URL = 'http://127.0.0.1:9092';
const DEFAULT_KAFKA = '127.0.0.1:9093';
let dataDir: string;
let dev: DevProcess;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'floe-readme-'));
  dev = await startDev(dataDir);
});
afterAll(async () => {
  await dev.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The shell commands of the README between two headings: comments dropped, `\` continuations joined. */
function commandsBetween(from: string, to: string): string[] {
  const section = README.slice(README.indexOf(from), README.indexOf(to));
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  return blocks.flatMap((block) =>
    block
      .replace(/\\\n\s*/g, '')
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
}

const env = () => ({ ...process.env, FLOE_BOOTSTRAP: dev.bootstrap });
const atCluster = (command: string) => command.replaceAll(DEFAULT_URL, dev.bootstrap).replaceAll(DEFAULT_KAFKA, dev.kafka as string);

function sh(command: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('sh', ['-c', atCluster(command)], { cwd: ROOT, env: env(), encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A long-running command stopped with Ctrl-C (SIGINT to its process group) once it printed `lines` lines. */
async function shUntilCtrlC(command: string, lines: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn('sh', ['-c', atCluster(command)], { cwd: ROOT, env: env(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  for (let waited = 0; stdout.split('\n').length <= lines && waited < 30_000; waited += 100) await sleep(100);
  process.kill(-(child.pid as number), 'SIGINT');
  return { status: await closed, stdout, stderr };
}

type Run = { status: number | null; stdout: string; stderr: string };
type Record_ = { partition: number; offset: number; key: string; value: string };
const jsonLines = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as Record_);

/** What each README command must do. */
const CHECKS: Record<string, (run: Run) => void> = {
  'npx floe topics create clicks --partitions 3': (r) => expect(r.stdout).toBe('Created topic clicks with 3 partition(s).\n'),
  'npx floe topics list': (r) => expect(r.stdout.split('\n')).toContain('clicks'),
  'npx floe topics describe clicks': (r) => {
    // Configs: only those set on the topic, as kafka-topics.sh prints them (none here)
    expect(r.stdout).toMatch(/^Topic: clicks\tTopicId: [0-9a-f-]{36}\tPartitionCount: 3\tConfigs: \n/);
    expect(r.stdout.match(/\tPartition: \d/g)).toHaveLength(3);
  },
  "printf 'alice:login\\nbob:login\\nalice:click\\nalice:logout\\n' | npx floe produce clicks --key-separator :": (r) => expect(r.stdout).toBe(''),
  'npx floe consume clicks --from-beginning --max-messages 4 --timeout-ms 5000': (r) =>
    expect(r.stdout.trim().split('\n').sort()).toEqual(['click', 'login', 'login', 'logout']),
  'npx floe consume clicks --from-beginning --max-messages 4 --json': (r) => {
    const records = jsonLines(r.stdout);
    const alice = records.filter((x) => x.key === 'alice');
    expect(records).toHaveLength(4);
    expect(alice.map((x) => x.value)).toEqual(['login', 'click', 'logout']); // per-key order
    expect(new Set(alice.map((x) => x.partition)).size).toBe(1); // one key, one partition
  },
  // murmur2 puts alice and bob on partition 0: offsets 0-3 are login, login, click, logout
  'npx floe consume clicks --partition 0 --offset 1 --timeout-ms 2000': (r) => expect(r.stdout).toBe('login\nclick\nlogout\n'),
  'npx floe consume clicks --group dashboards --from-beginning': (r) => {
    expect(r.stdout.trim().split('\n').sort()).toEqual(['click', 'login', 'login', 'logout']);
    expect(r.stderr).toContain('Processed a total of 4 messages; left group dashboards.');
  },
  'npx floe groups list': (r) => expect(r.stdout.split('\n')).toContain('dashboards'),
  'npx floe groups describe dashboards': (r) => {
    expect(r.stdout).toContain("Consumer group 'dashboards': state Empty");
    expect(r.stdout).toMatch(/dashboards\s+clicks\s+0\s+4\s+4\s+0/); // committed 4, end 4, lag 0
    expect(r.stdout).toContain('No active members.');
  },
  [`curl -s -XPOST ${DEFAULT_URL}/_fn/produce/v1/produce -H 'content-type: application/json' -d '{"records":[{"topic":"clicks","key":"carol","value":"hello"}]}'`]: (r) =>
    expect(JSON.parse(r.stdout)).toMatchObject({ records: [{ topic: 'clicks', partition: 2, offset: 0 }] }),
  [`curl -s '${DEFAULT_URL}/_fn/fetch/v1/fetch?topic=clicks&partition=0&offset=0'`]: (r) =>
    expect(JSON.parse(r.stdout).topics[0].partitions[0].records.map((x: Record_) => [x.key, x.value])).toEqual([
      ['alice', 'login'],
      ['bob', 'login'],
      ['alice', 'click'],
      ['alice', 'logout'],
    ]),
  [`kcat -b ${DEFAULT_KAFKA} -L`]: (r) => {
    expect(r.stdout).toContain(' 1 brokers:');
    expect(r.stdout).toContain('topic "clicks" with 3 partitions:');
  },
  [`printf 'carol:login\\ndave:login\\n' | kcat -b ${DEFAULT_KAFKA} -P -t clicks -K: -X enable.idempotence=true -X partitioner=murmur2_random`]: (r) =>
    expect(r.stdout).toBe(''),
  // Kafka's partitioner puts carol where Floe's did (partition 2, after the curl record at offset 0)
  [`kcat -b ${DEFAULT_KAFKA} -C -t clicks -o beginning -e -f '%k %s (partition %p, offset %o)\\n'`]: (r) => {
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(7);
    expect(lines).toEqual(expect.arrayContaining(['alice login (partition 0, offset 0)', 'carol hello (partition 2, offset 0)', 'carol login (partition 2, offset 1)']));
    expect(lines.some((l) => l.startsWith('dave login (partition '))).toBe(true);
  },
  [`kcat -b ${DEFAULT_KAFKA} -G kafka-dash -X auto.offset.reset=earliest clicks`]: (r) =>
    expect(r.stdout.trim().split('\n').sort()).toEqual(['click', 'hello', 'login', 'login', 'login', 'login', 'logout']),
  'npx floe groups describe kafka-dash': (r) => {
    expect(r.stdout).toContain("Consumer group 'kafka-dash': state Empty");
    expect(r.stdout).toMatch(/kafka-dash\s+clicks\s+0\s+4\s+4\s+0/); // committed on leave: lag 0
  },
};

const LONG_RUNNING: Record<string, number> = {
  'npx floe consume clicks --group dashboards --from-beginning': 4,
  [`kcat -b ${DEFAULT_KAFKA} -G kafka-dash -X auto.offset.reset=earliest clicks`]: 7,
};

describe('the README', () => {
  it('tour: every command, in order, prints what it should', async () => {
    // Prepare
    const commands = commandsBetween('## A five-minute tour', '## The SDK');
    expect(commands.filter((c) => !CHECKS[c]), 'README commands without a check here').toEqual([]);

    for (const command of commands) {
      // Act
      const run = LONG_RUNNING[command] ? await shUntilCtrlC(command, LONG_RUNNING[command]) : sh(command);

      // Assess (npx itself dies of the Ctrl-C at once, as in a terminal: what counts is what floe printed)
      if (!LONG_RUNNING[command]) expect(run.status, `${command}\n${run.stderr}`).toBe(0);
      CHECKS[command]?.(run);
    }
  }, 180_000); // some twenty CLI processes in a row, two of them held open for seconds: ~50 s alone, more on a loaded machine

  it('SDK example: is exactly the app that test/e2e/package.test.ts runs from the packed tarballs', () => {
    // Prepare: the example in the README and the fixture the package test installs and runs with plain node
    const example = README.slice(README.indexOf('## The SDK')).match(/```js\n([\s\S]*?)```/)?.[1] as string;
    const fixture = readFileSync(join(ROOT, 'test', 'e2e', 'package-fixtures', 'app.mjs'), 'utf8');

    // Assess: the same program (the fixture opens with one comment line saying what it is)
    expect(example).toBe(fixture.split('\n').slice(1).join('\n'));
  });
});
