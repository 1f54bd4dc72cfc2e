/**
 * Bad input to the admin commands (`floe topics`, `floe groups reset-offsets`, `floe acls add`,
 * `floe housekeeping run`) against `floe dev` with the compiled CLI, as an operator found it:
 * each case once exited 0 or changed something before failing. Now each is refused with one
 * error line, exits non-zero, and the cluster is as it was.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { GroupsAdmin } from '../../packages/client/src/consumer/index.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { uniqueName } from '../helpers/cluster.js';
import { produceValues } from '../helpers/log.js';
import { runFloe, startDev, type DevProcess } from '../helpers/processes.js';

let dataDir: string;
let dev: DevProcess;
let admin: Admin;
let groups: GroupsAdmin;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'floe-admin-input-'));
  dev = await startDev(dataDir, ['--housekeeping-interval-ms', '0', '--no-console']);
  const http = new FloeHttpClient(dev.bootstrap);
  admin = Admin.fromClient(http);
  groups = new GroupsAdmin({ http });
});
afterAll(async () => {
  await dev.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const floe = (...args: string[]) => runFloe(['--bootstrap', dev.bootstrap, ...args]);

/** A topic of `partitions` partitions with 3 records in partition 0, and a group committed at offset 2 there. */
async function committedGroup(partitions = 1): Promise<{ topic: string; group: string }> {
  const topic = uniqueName('in');
  const group = uniqueName('in-g');
  await admin.createTopic(topic, partitions);
  await produceValues(new FloeHttpClient(dev.bootstrap), topic, 0, ['a', 'b', 'c']);
  await groups.resetOffsets(group, topic, { offset: 2 });
  return { topic, group };
}

const committed = async (group: string) =>
  Object.fromEntries((await groups.describeGroup(group)).partitions.map((p) => [`${p.topic}:${p.partition}`, p.committedOffset]));

describe('floe groups reset-offsets', () => {
  it('refuses a --to-datetime that is not a full date-time, instead of reading "2030" as 2030 ms and resetting to 0', async () => {
    // Prepare
    const { topic, group } = await committedGroup();

    // Act
    const runs = await Promise.all(['2030', '1', '2030-01-01', '2024-02-30T00:00:00Z'].map((t) => floe('groups', 'reset-offsets', group, '--topic', topic, '--to-datetime', t, '--execute')));
    const future = await floe('groups', 'reset-offsets', group, '--topic', topic, '--to-datetime', '2999-01-01T00:00:00', '--execute');

    // Assess
    for (const run of runs) {
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/^error: INVALID_REQUEST: --to-datetime takes yyyy-MM-ddTHH:mm:SS\[\.sss\] .*\n$/);
    }
    expect(future.status, future.stderr).toBe(0);
    expect(await committed(group)).toEqual({ [`${topic}:0`]: 3 });
  });

  it('plans every topic before writing any: an unknown one among them changes nothing', async () => {
    // Prepare
    const { topic, group } = await committedGroup();

    // Act
    const run = await floe('groups', 'reset-offsets', group, '--topic', topic, '--topic', uniqueName('nope'), '--to-earliest', '--execute');

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^error: UNKNOWN_TOPIC_OR_PARTITION: .*\n$/);
    expect(await committed(group)).toEqual({ [`${topic}:0`]: 2 });
  });

  it('refuses overlapping --topic options and partition lists that are not decimal', async () => {
    // Prepare
    const { topic, group } = await committedGroup(2);
    const before = await committed(group);

    // Act
    const runs = await Promise.all(
      [[topic, `${topic}:0`], [`${topic}:0,0`], [`${topic}:`], [`${topic}:0:9`], [`${topic}:0x1`]].map((specs) =>
        floe('groups', 'reset-offsets', group, ...specs.flatMap((s) => ['--topic', s]), '--to-earliest', '--execute'),
      ),
    );

    // Assess
    for (const run of runs) {
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/^error: INVALID_REQUEST: --topic .*\n$/);
    }
    expect(await committed(group)).toEqual(before);
  });
});

describe('floe topics', () => {
  it('alter with a bad config adds no partitions, and a count not larger than the topic\'s changes no config', async () => {
    // Prepare
    const topic = uniqueName('alt');
    await admin.createTopic(topic, 2);

    // Act
    const badConfig = await floe('topics', 'alter', topic, '--partitions', '6', '--config', 'cleanup.policy=bogus');
    const smaller = await floe('topics', 'alter', topic, '--partitions', '2', '--config', 'retention.ms=1000');

    // Assess
    expect(badConfig.status).toBe(1);
    expect(badConfig.stderr).toMatch(/^error: INVALID_CONFIG: .*cleanup\.policy.*\n$/);
    expect(smaller.status).toBe(1);
    expect(smaller.stderr).toBe(`error: INVALID_PARTITIONS: topic "${topic}" has 2 partitions; the new count must be larger\n`);
    const after = await admin.describeTopic(topic);
    expect([after.partitions, after.configs['cleanup.policy'], after.configs['retention.ms']]).toEqual([2, 'delete', 604800000]);
  });

  it('alter applies both a good count and good configs', async () => {
    // Prepare
    const topic = uniqueName('alt');
    await admin.createTopic(topic, 1);

    // Act
    const run = await floe('topics', 'alter', topic, '--partitions', '3', '--config', 'retention.ms=1000');

    // Assess
    expect(run.status, run.stderr).toBe(0);
    const after = await admin.describeTopic(topic);
    expect([after.partitions, after.configs['retention.ms']]).toEqual([3, 1000]);
  });

  it('alter --delete-config takes a config back to its default (kafka-configs --delete-config); one both set and deleted changes nothing', async () => {
    // Prepare
    const topic = uniqueName('alt');
    await admin.createTopic(topic, 1, { 'retention.ms': 1000, 'retention.bytes': 5000 });

    // Act
    const both = await floe('topics', 'alter', topic, '--config', 'retention.ms=2000', '--delete-config', 'retention.ms');
    const between = await admin.describeTopic(topic);
    const run = await floe('topics', 'alter', topic, '--delete-config', 'retention.ms', '--config', 'segment.ms=60000');

    // Assess
    expect(both.status).toBe(1);
    expect(both.stderr).toBe('error: INVALID_CONFIG: retention.ms is both set (--config) and deleted (--delete-config)\n');
    expect(between.configs['retention.ms']).toBe(1000);
    expect(run.status, run.stderr).toBe(0);
    const after = await admin.describeTopic(topic);
    expect([after.configs['retention.ms'], after.configs['retention.bytes'], after.configs['segment.ms']]).toEqual([604800000, 5000, 60000]);
  });

  it('delete-records moves log starts and prints the low watermarks; a bad --offset deletes nothing; a partition past its high watermark fails the run', async () => {
    // Prepare: 3 records in partition 0, none in partition 1
    const topic = uniqueName('in-delrec');
    await admin.createTopic(topic, 2);
    await produceValues(new FloeHttpClient(dev.bootstrap), topic, 0, ['a', 'b', 'c']);

    // Act
    const bad = await Promise.all([['0'], ['0=x'], ['0=-2'], ['-1=0']].map((o) => floe('topics', 'delete-records', topic, ...o.flatMap((v) => ['--offset', v]))));
    const startsAfterBad = (await admin.describeTopic(topic)).partitionDetails.map((p) => p.logStartOffset);
    const good = await floe('topics', 'delete-records', topic, '--offset', '0=2', '--offset', '1=-1');
    const past = await floe('topics', 'delete-records', topic, '--offset', '0=3', '--offset', '1=5');

    // Assess
    for (const run of bad) expect(run.status).not.toBe(0);
    expect(startsAfterBad).toEqual([0, 0]);
    expect(good.status).toBe(0);
    expect(good.stdout).toBe('Partition: 0\tLowWatermark: 2\nPartition: 1\tLowWatermark: 0\n');
    expect(past.status).not.toBe(0);
    expect(past.stdout).toMatch(/^Partition: 0\tLowWatermark: 3\nPartition: 1\tError: OFFSET_OUT_OF_RANGE /);
    expect((await admin.describeTopic(topic)).partitionDetails.map((p) => p.logStartOffset)).toEqual([3, 0]);
  });

  it('create refuses a partition count that is not a decimal integer (0x4, 1e1, " 2 ") and creates nothing', async () => {
    // Prepare
    const names = ['0x4', '1e1', ' 2 ', '4097'].map(() => uniqueName('hx'));

    // Act
    const runs = await Promise.all(['0x4', '1e1', ' 2 ', '4097'].map((count, i) => floe('topics', 'create', names[i] as string, '--partitions', count)));

    // Assess
    for (const run of runs) {
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/^error: INVALID_REQUEST: option '--partitions <n>' argument '.*' is invalid\. not an integer from 1 to 4096: ".*"\n$/);
    }
    const existing = (await admin.listTopics()).map((t) => t.name);
    expect(names.filter((n) => existing.includes(n))).toEqual([]);
  });
});

describe('floe housekeeping run', () => {
  it('refuses an unknown --topic instead of a pass over nothing that exits 0', async () => {
    // Prepare
    const nope = uniqueName('nope');

    // Act
    const run = await floe('housekeeping', 'run', '--topic', nope, '--no-sweep');

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`error: UNKNOWN_TOPIC_OR_PARTITION: unknown topic "${nope}"\n`);
    expect(run.stdout).toBe('');
  });
});
