/**
 * The CLI's consumer-group commands as a user runs them: `floe consume --group`
 * (Ctrl-C commits and leaves at once), `floe groups list | describe |
 * reset-offsets | delete-offsets | delete` (kafka-consumer-groups' shape), against a cluster in this process.
 */
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { GroupsAdmin } from '../../packages/client/src/consumer/index.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import type { LocalCluster } from '../../src/local/cluster.js';
import { startTestCluster, uniqueName } from '../helpers/cluster.js';
import { FLOE_BIN } from '../helpers/processes.js';
import { keyedSequence, produceKeyed } from '../fixtures/consumer-data.js';

const run = promisify(execFile);
let cluster: LocalCluster;
let http: FloeHttpClient;
let groups: GroupsAdmin;

beforeAll(async () => {
  cluster = await startTestCluster();
  http = new FloeHttpClient(cluster.url);
  groups = new GroupsAdmin({ http });
});
afterAll(() => cluster.close());

/** Runs `floe ARGS`; resolves with stdout, stderr and the exit code (never rejects). */
async function floe(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [FLOE_BIN, '--bootstrap', cluster.url, ...args], { timeout: 60_000 });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

describe('floe consume --group and floe groups', () => {
  it('consumes as a group member, leaves cleanly on Ctrl-C, and the group can be listed, described, reset and deleted', async () => {
    // Prepare
    const topic = uniqueName('cli');
    const group = uniqueName('cli-g');
    await Admin.fromClient(http).createTopic(topic, 2);
    await produceKeyed(http, topic, keyedSequence(6, 20));
    const consume = spawn(
      process.execPath,
      [FLOE_BIN, '--bootstrap', cluster.url, 'consume', topic, '--group', group, '--from-beginning', '--json',
        '--consumer-property', 'session.timeout.ms=30000', '--consumer-property', 'heartbeat.interval.ms=300'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => consume.once('exit', (code) => resolve(code)));
    const lines: string[] = [];
    let stderr = '';
    consume.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${lines.length} records; stderr: ${stderr}`)), 30_000);
      createInterface({ input: consume.stdout }).on('line', (line) => {
        lines.push(line);
        if (lines.length === 20) {
          clearTimeout(timer);
          resolve();
        }
      });
    });

    // Act
    const [whileRunning, refused, deleteRefused] = await Promise.all([
      floe(['groups', 'describe', group]),
      floe(['groups', 'reset-offsets', group, '--topic', topic, '--to-earliest', '--execute']),
      floe(['groups', 'delete', group]),
    ]);
    consume.kill('SIGINT');
    const exitCode = await exited;
    const afterExit = await groups.describeGroup(group); // at once: no waiting for the 30 s session
    const [listed, dryRun] = await Promise.all([floe(['groups', 'list']), floe(['groups', 'reset-offsets', group, '--topic', topic, '--to-earliest'])]);
    const afterDryRun = await groups.describeGroup(group);
    const executed = await floe(['groups', 'reset-offsets', group, '--topic', `${topic}:1`, '--to-offset', '2', '--execute']);
    const described = await floe(['groups', 'describe', group]);
    const offsetsDeleted = await floe(['groups', 'delete-offsets', group, '--topic', `${topic}:1`]);
    const afterOffsetsDeleted = await groups.listGroupOffsets(group);
    const deleted = await floe(['groups', 'delete', group]);
    const listedAfterDelete = await floe(['groups', 'list']);

    // Assess
    const records = lines.map((l) => JSON.parse(l) as { topic: string; partition: number; offset: number; key: string; value: string });
    expect(new Set(records.map((r) => `${r.partition}:${r.offset}`)).size).toBe(20);
    expect(whileRunning.stdout).toMatch(/state (Stable|Reconciling)/);
    expect(whileRunning.stdout).toContain('1 member(s)');
    expect(whileRunning.stdout).toMatch(/GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG\s+CONSUMER-ID\s+CLIENT-ID/);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('NON_EMPTY_GROUP');
    expect(exitCode).toBe(0);
    expect(afterExit.state).toBe('Empty');
    expect(afterExit.partitions.map((p) => p.lag)).toEqual([0, 0]);
    expect(listed.stdout.split('\n')).toContain(group);
    expect(dryRun.stdout).toMatch(new RegExp(`${group}\\s+${topic}\\s+0\\s+0`));
    expect(dryRun.stderr).toContain('Dry run');
    expect(afterDryRun.partitions.map((p) => p.committedOffset)).toEqual(afterExit.partitions.map((p) => p.committedOffset));
    expect(executed.code).toBe(0);
    expect(executed.stdout).toMatch(new RegExp(`${topic}\\s+1\\s+2`));
    const row = described.stdout.split('\n').find((l) => l.includes(` ${topic} `) && /\s1\s+2\s/.test(l));
    const end = afterExit.partitions[1]?.logEndOffset as number;
    expect(row?.split(/\s+/).slice(0, 6)).toEqual([group, topic, '1', '2', String(end), String(end - 2)]);
    expect(described.stdout).toContain('No active members.');
    expect(offsetsDeleted.code).toBe(0);
    expect(offsetsDeleted.stdout).toMatch(new RegExp(`${topic}\\s+1\\s+Successful`));
    expect(afterOffsetsDeleted.map((o) => o.partition)).toEqual([0]);
    expect(deleteRefused.code).toBe(1);
    expect(deleteRefused.stderr).toContain('NON_EMPTY_GROUP');
    expect(deleted).toMatchObject({ code: 0, stdout: `Deleted consumer group '${group}'.\n` });
    expect(listedAfterDelete.stdout.split('\n')).not.toContain(group);
  });
});
