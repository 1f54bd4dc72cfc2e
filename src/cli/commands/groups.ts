/** floe groups list | describe | reset-offsets | delete-offsets | delete (like kafka-consumer-groups.sh). */
import type { Command } from 'commander';
import { GroupsAdmin, type GroupDescription, type ResetTo } from '@floe/client';
import { FloeError } from '@floe/protocol';
import { integerArg } from '../integer-arg.js';

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

/**
 * Kafka's --to-datetime: yyyy-MM-ddTHH:mm:SS[.sss] with an optional zone (Z, +hh, +hhmm, +hh:mm),
 * UTC when none is given, as Kafka reads it. Date.parse also takes "2030" or "1", which the
 * server reads as epoch milliseconds: the CLI sends the time it checked, as an ISO string.
 */
const KAFKA_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** +hh and +hhmm as +hh:mm, which Date.parse takes; none is UTC. */
const zoneOf = (zone = 'Z'): string => (zone === 'Z' ? zone : `${zone.slice(0, 3)}:${zone.slice(3).replace(':', '') || '00'}`);

export function kafkaDatetime(value: string): string {
  const m = KAFKA_DATETIME.exec(value);
  const [year, month, day, hour, minute, second] = (m?.slice(1, 7) ?? []).map(Number) as number[];
  // Date.UTC rolls 2024-02-30 over to March 1: the fields must read back unchanged.
  const exists = m !== null && Number(year) >= 1970 && new Date(Date.UTC(year as number, (month as number) - 1, day, hour, minute, second)).toISOString().slice(0, 19) === value.slice(0, 19);
  const time = exists ? Date.parse(`${value.slice(0, 19)}${m[7] ?? ''}${zoneOf(m[8])}`) : Number.NaN;
  if (!(time >= 0)) {
    throw new FloeError('INVALID_REQUEST', `--to-datetime takes yyyy-MM-ddTHH:mm:SS[.sss] with an optional zone (Z, +hh:mm), from 1970 on; got "${value}"`);
  }
  return new Date(time).toISOString();
}

function resetTarget(options: { toEarliest?: boolean; toLatest?: boolean; toDatetime?: string; toOffset?: number }): ResetTo {
  const chosen = [options.toEarliest, options.toLatest, options.toDatetime !== undefined, options.toOffset !== undefined].filter(Boolean).length;
  if (chosen !== 1) throw new FloeError('INVALID_REQUEST', 'give exactly one of --to-earliest, --to-latest, --to-datetime, --to-offset');
  if (options.toEarliest) return 'earliest';
  if (options.toLatest) return 'latest';
  if (options.toDatetime !== undefined) return { datetime: kafkaDatetime(options.toDatetime) };
  return { offset: options.toOffset as number };
}

type TopicSpec = { topic: string; partitions?: number[] };

/** "topic" or "topic:0,2" (kafka-consumer-groups' --topic syntax): decimal partitions, each once. */
export function topicSpec(value: string, previous: TopicSpec[] = []): TopicSpec[] {
  const colon = value.indexOf(':');
  const topic = colon < 0 ? value : value.slice(0, colon);
  const list = colon < 0 ? undefined : value.slice(colon + 1).split(',');
  // "e1:" and "e1:0:9" are refused: Number('') is 0, and a second ':' was once ignored.
  if (!topic || list?.some((p) => !/^\d+$/.test(p) || !Number.isSafeInteger(Number(p)))) {
    throw new FloeError('INVALID_REQUEST', `--topic takes TOPIC or TOPIC:P,P... (decimal partitions), got "${value}"`);
  }
  const partitions = list?.map(Number);
  // The same partition named twice (e1 and e1:3, or e1:3,3) would be planned and written twice.
  const named = previous.filter((s) => s.topic === topic);
  const overlaps = named.some((s) => s.partitions === undefined || partitions === undefined || s.partitions.some((p) => partitions.includes(p)));
  if (overlaps || (partitions && new Set(partitions).size !== partitions.length)) {
    throw new FloeError('INVALID_REQUEST', `--topic ${value}: a partition of ${topic} is named twice`);
  }
  return [...previous, { topic, partitions }];
}

/** Writes each topic's reset; a failure part way says which topics were already reset. */
async function executeAll(admin: GroupsAdmin, group: string, specs: TopicSpec[], to: ResetTo) {
  const results = [];
  const done: string[] = [];
  for (const t of specs) {
    try {
      results.push(...(await admin.resetOffsets(group, t.topic, to, { partitions: t.partitions, dryRun: false })));
    } catch (error) {
      if (!(error instanceof FloeError) || done.length === 0) throw error;
      throw new FloeError(error.code, `${error.message} (offsets of ${done.join(', ')} were already reset; ${t.topic} and after were not)`);
    }
    done.push(t.partitions ? `${t.topic}:${t.partitions.join(',')}` : t.topic);
  }
  return results;
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
    .option('--to-datetime <iso>', 'reset to the first offset at or after this time: yyyy-MM-ddTHH:mm:SS[.sss], UTC unless a zone is given (e.g. 2024-01-31T10:00:00Z)')
    .option('--to-offset <n>', 'reset to this offset (clamped to the log)', integerArg(0))
    .option('--dry-run', 'only show the new offsets (the default)')
    .option('--execute', 'write the new offsets')
    .option('--json', 'print JSON')
    .action(
      async (
        group: string,
        options: { topic: TopicSpec[]; toEarliest?: boolean; toLatest?: boolean; toDatetime?: string; toOffset?: number; dryRun?: boolean; execute?: boolean; json?: boolean },
        command: Command,
      ) => {
        if (options.dryRun && options.execute) throw new FloeError('INVALID_REQUEST', '--dry-run and --execute exclude each other');
        const to = resetTarget(options);
        const admin = adminOf(command);
        const dryRun = !options.execute;
        // Every topic is planned (a dry run) before any is written, as Kafka checks them all first:
        // an unknown topic or partition then changes nothing.
        const plans = [];
        for (const t of options.topic) plans.push(await admin.resetOffsets(group, t.topic, to, { partitions: t.partitions, dryRun: true }));
        const results = dryRun ? plans.flat() : await executeAll(admin, group, options.topic, to);
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
    .action(async (group: string, options: { topic: TopicSpec[]; json?: boolean }, command: Command) => {
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
