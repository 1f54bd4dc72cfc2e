/** floe groups list | describe | reset-offsets | delete-offsets | delete (like kafka-consumer-groups.sh). */
import type { Command } from 'commander';
import { GroupsAdmin, type GroupDescription, type ResetTo } from '@floe/client';
import { FloeError } from '@floe/protocol';

const adminOf = (command: Command): GroupsAdmin => new GroupsAdmin({ bootstrap: command.optsWithGlobals().bootstrap as string });

/** Left-aligned columns, two spaces apart, like kafka-consumer-groups. */
export function table(header: string[], rows: Array<Array<string | number | null | undefined>>): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd()).join('\n');
}

function describeText(d: GroupDescription): string {
  const owner = new Map(d.members.flatMap((m) => m.assignment.map((p) => [`${p.topic}:${p.partition}`, m])));
  const offsets = table(
    ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'CLIENT-ID'],
    d.partitions.map((p) => {
      const m = owner.get(`${p.topic}:${p.partition}`);
      return [d.groupId, p.topic, p.partition, p.committedOffset, p.logEndOffset, p.lag, m?.memberId ?? p.owner, m?.clientId];
    }),
  );
  const members = table(
    ['CONSUMER-ID', 'INSTANCE-ID', 'CLIENT-ID', 'EPOCH', '#PARTITIONS', 'ASSIGNMENT'],
    d.members.map((m) => [m.memberId, m.instanceId, m.clientId || undefined, m.memberEpoch, m.assignment.length, m.assignment.map((p) => `${p.topic}:${p.partition}`).join(',')]),
  );
  const head = `Consumer group '${d.groupId}': state ${d.state}, epoch ${d.groupEpoch}, assignor ${d.assignor ?? '-'}, ${d.members.length} member(s)`;
  return `${head}\n\n${offsets}\n\n${d.members.length > 0 ? members : 'No active members.'}\n`;
}

function resetTarget(options: { toEarliest?: boolean; toLatest?: boolean; toDatetime?: string; toOffset?: number }): ResetTo {
  const chosen = [options.toEarliest, options.toLatest, options.toDatetime !== undefined, options.toOffset !== undefined].filter(Boolean).length;
  if (chosen !== 1) throw new FloeError('INVALID_REQUEST', 'give exactly one of --to-earliest, --to-latest, --to-datetime, --to-offset');
  if (options.toEarliest) return 'earliest';
  if (options.toLatest) return 'latest';
  if (options.toDatetime !== undefined) {
    if (Number.isNaN(Date.parse(options.toDatetime))) throw new FloeError('INVALID_REQUEST', `--to-datetime needs an ISO-8601 time, got ${options.toDatetime}`);
    return { datetime: options.toDatetime };
  }
  return { offset: options.toOffset as number };
}

/** "topic" or "topic:0,2" (kafka-consumer-groups' --topic syntax). */
function topicSpec(value: string, previous: Array<{ topic: string; partitions?: number[] }> = []) {
  const [topic, list] = value.split(':');
  const partitions = list === undefined ? undefined : list.split(',').map((p) => Number(p));
  if (!topic || partitions?.some((p) => !Number.isInteger(p) || p < 0)) throw new FloeError('INVALID_REQUEST', `--topic takes TOPIC or TOPIC:P,P..., got ${value}`);
  return [...previous, { topic, partitions }];
}

export function registerGroups(program: Command): void {
  const groups = program.command('groups').description('list, describe, reset the offsets of and delete consumer groups');

  groups
    .command('list')
    .description('list consumer groups')
    .option('--json', 'print JSON')
    .option('--state', 'also print each group\'s state and member count')
    .action(async (options: { json?: boolean; state?: boolean }, command: Command) => {
      const list = await adminOf(command).listGroups();
      if (options.json) process.stdout.write(`${JSON.stringify(list)}\n`);
      else if (options.state) process.stdout.write(`${table(['GROUP', 'STATE', 'MEMBERS'], list.map((g) => [g.groupId, g.state, g.members]))}\n`);
      else for (const g of list) process.stdout.write(`${g.groupId}\n`);
    });

  groups
    .command('describe <group>')
    .description('state, epoch, members with their partitions, and per partition the committed offset, log end offset and lag')
    .option('--json', 'print JSON')
    .action(async (group: string, options: { json?: boolean }, command: Command) => {
      const description = await adminOf(command).describeGroup(group);
      process.stdout.write(options.json ? `${JSON.stringify(description)}\n` : describeText(description));
    });

  groups
    .command('reset-offsets <group>')
    .description('reset committed offsets of a group with no live member (a dry run unless --execute)')
    .requiredOption('--topic <topic[:partitions]>', 'topic, or topic:0,1,2; repeatable', topicSpec)
    .option('--to-earliest', 'reset to the log start offset')
    .option('--to-latest', 'reset to the log end offset')
    .option('--to-datetime <iso>', 'reset to the first offset at or after this time (e.g. 2024-01-31T10:00:00Z)')
    .option('--to-offset <n>', 'reset to this offset (clamped to the log)', (v: string) => {
      if (!/^\d+$/.test(v)) throw new FloeError('INVALID_REQUEST', `--to-offset takes an offset, got ${v}`);
      return Number(v);
    })
    .option('--dry-run', 'only show the new offsets (the default)')
    .option('--execute', 'write the new offsets')
    .option('--json', 'print JSON')
    .action(
      async (
        group: string,
        options: { topic: Array<{ topic: string; partitions?: number[] }>; toEarliest?: boolean; toLatest?: boolean; toDatetime?: string; toOffset?: number; dryRun?: boolean; execute?: boolean; json?: boolean },
        command: Command,
      ) => {
        if (options.dryRun && options.execute) throw new FloeError('INVALID_REQUEST', '--dry-run and --execute exclude each other');
        if (options.toOffset !== undefined && (!Number.isInteger(options.toOffset) || options.toOffset < 0)) {
          throw new FloeError('INVALID_REQUEST', '--to-offset needs a non-negative integer');
        }
        const to = resetTarget(options);
        const admin = adminOf(command);
        const dryRun = !options.execute;
        const results = [];
        for (const t of options.topic) results.push(...(await admin.resetOffsets(group, t.topic, to, { partitions: t.partitions, dryRun })));
        if (options.json) process.stdout.write(`${JSON.stringify(results)}\n`);
        else process.stdout.write(`${table(['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'], results.map((r) => [group, r.topic, r.partition, r.newOffset]))}\n`);
        if (dryRun) process.stderr.write('Dry run: no offsets were changed. Add --execute to reset them.\n');
      },
    );

  groups
    .command('delete-offsets <group>')
    .description('delete committed offsets of topics no live member of the group consumes')
    .requiredOption('--topic <topic[:partitions]>', 'topic, or topic:0,1,2; repeatable', topicSpec)
    .option('--json', 'print JSON')
    .action(async (group: string, options: { topic: Array<{ topic: string; partitions?: number[] }>; json?: boolean }, command: Command) => {
      const results = await adminOf(command).api.deleteOffsets(group, options.topic);
      if (options.json) process.stdout.write(`${JSON.stringify(results)}\n`);
      else process.stdout.write(`${table(['TOPIC', 'PARTITION', 'STATUS'], results.map((r) => [r.topic, r.partition, r.errorCode === 'NONE' ? 'Successful' : `Error: ${r.errorCode}`]))}\n`);
      if (results.some((r) => r.errorCode !== 'NONE')) process.exitCode = 1;
    });

  groups
    .command('delete <group>')
    .description('delete a group with no live member, with its committed offsets')
    .action(async (group: string, _options: unknown, command: Command) => {
      await adminOf(command).deleteGroup(group);
      process.stdout.write(`Deleted consumer group '${group}'.\n`);
    });
}
