/** floe topics create | list | describe | delete | alter (like kafka-topics.sh) | delete-records (like kafka-delete-records.sh). */
import { InvalidArgumentError, type Command } from 'commander';
import { Admin } from '@floe/client';
import { FloeError } from '@floe/protocol';
import { LIMITS } from '../../log/limits.js';
import { kafkaConfigText } from '../../log/topic-configs.js';
import { integerArg } from '../integer-arg.js';

const adminOf = (command: Command): Admin => new Admin({ bootstrap: command.optsWithGlobals().bootstrap as string });

/** Above the server's limit, a count would fail only after alter had changed the configs. */
const partitionCount = integerArg(1, LIMITS.maxPartitionsPerTopic);

const collectConfig = (value: string, previous: Record<string, string> | undefined): Record<string, string> => {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new FloeError('INVALID_CONFIG', `--config takes name=value, got ${value}`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
};

const collectName = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

const partitionArg = integerArg(0);
const offsetArg = integerArg(-1);
/** `--offset <partition>=<offset>`, repeatable; -1 is the high watermark, as in kafka-delete-records.sh's JSON. */
const collectOffset = (value: string, previous: Array<{ partition: number; offset: number }> | undefined) => {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`takes partition=offset, got "${value}"`);
  return [...(previous ?? []), { partition: partitionArg(value.slice(0, eq)), offset: offsetArg(value.slice(eq + 1)) }];
};

export function registerTopics(program: Command): void {
  const topics = program.command('topics').description('create, list, describe, alter and delete topics');

  topics
    .command('create <name>')
    .description('create a topic')
    .option('--partitions <n>', 'number of partitions', partitionCount, 1)
    .option('--config <name=value>', 'topic config (retention.ms, cleanup.policy, ...; docs/configuration.md lists them); repeatable', collectConfig)
    .action(async (name: string, options: { partitions: number; config?: Record<string, string> }, command: Command) => {
      const topic = await adminOf(command).createTopic(name, options.partitions, options.config ?? {});
      process.stdout.write(`Created topic ${topic.name} with ${topic.partitions} partition(s).\n`);
    });

  topics
    .command('list')
    .description('list topics')
    .option('--json', 'print JSON: name, partitions and configs of each topic')
    .action(async (options: { json?: boolean }, command: Command) => {
      const list = await adminOf(command).listTopics();
      if (options.json) process.stdout.write(`${JSON.stringify(list)}\n`);
      else for (const topic of list) process.stdout.write(`${topic.name}\n`);
    });

  topics
    .command('describe <name>')
    .description('describe a topic: partitions with log start offset and high watermark')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }, command: Command) => {
      const topic = await adminOf(command).describeTopic(name);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(topic)}\n`);
        return;
      }
      // As kafka-topics.sh: only the configs set on the topic (--json has them all).
      const shown = topic.overrides ?? Object.keys(topic.configs);
      const configs = shown.map((k) => `${k}=${kafkaConfigText(topic.configs[k])}`).join(',');
      process.stdout.write(`Topic: ${topic.name}\tTopicId: ${topic.topicId}\tPartitionCount: ${topic.partitions}\tConfigs: ${configs}\n`);
      for (const p of topic.partitionDetails) {
        process.stdout.write(`\tTopic: ${topic.name}\tPartition: ${p.partition}\tLogStartOffset: ${p.logStartOffset}\tHighWatermark: ${p.highWatermark}\n`);
      }
    });

  topics
    .command('alter <name>')
    .description('add partitions or change configs')
    .option('--partitions <n>', 'new (larger) partition count', partitionCount)
    .option('--config <name=value>', 'topic config to set; repeatable', collectConfig)
    .option('--delete-config <name>', 'topic config to take back to its default (as kafka-configs --delete-config); repeatable', collectName)
    .action(async (name: string, options: { partitions?: number; config?: Record<string, string>; deleteConfig?: string[] }, command: Command) => {
      if (options.partitions === undefined && !options.config && !options.deleteConfig) {
        throw new FloeError('INVALID_REQUEST', 'nothing to alter: give --partitions, --config and/or --delete-config');
      }
      const both = options.deleteConfig?.find((n) => options.config && Object.hasOwn(options.config, n));
      if (both !== undefined) throw new FloeError('INVALID_CONFIG', `${both} is both set (--config) and deleted (--delete-config)`);
      const configs: Record<string, string | null> | undefined =
        options.config || options.deleteConfig ? { ...options.config, ...Object.fromEntries((options.deleteConfig ?? []).map((n) => [n, null])) } : undefined;
      const admin = adminOf(command);
      // Nothing is changed on bad input: the count is checked first, and the configs (which the
      // server checks whole) go before the partitions, which cannot be taken back.
      if (options.partitions !== undefined) {
        const current = (await admin.describeTopic(name)).partitions;
        if (options.partitions <= current) throw new FloeError('INVALID_PARTITIONS', `topic "${name}" has ${current} partitions; the new count must be larger`);
      }
      if (configs) await admin.alterTopicConfigs(name, configs);
      if (options.partitions !== undefined) {
        try {
          await admin.createPartitions(name, options.partitions);
        } catch (error) {
          if (!(error instanceof FloeError) || !configs) throw error;
          throw new FloeError(error.code, `${error.message} (the configs of ${name} were changed; its partitions were not)`);
        }
      }
      process.stdout.write(`Altered topic ${name}.\n`);
    });

  topics
    .command('delete-records <name>')
    .description("move partitions' log start offsets: records below go (Kafka's deleteRecords)")
    .requiredOption('--offset <partition=offset>', 'partition and its new log start offset (-1: the high watermark); repeatable', collectOffset)
    .action(async (name: string, options: { offset: Array<{ partition: number; offset: number }> }, command: Command) => {
      const results = await adminOf(command).deleteRecords(name, options.offset);
      for (const r of results) {
        process.stdout.write(`Partition: ${r.partition}\t${r.errorCode === 'NONE' ? `LowWatermark: ${r.lowWatermark}` : `Error: ${r.errorCode} ${r.errorMessage ?? ''}`}\n`);
      }
      const failed = results.find((r) => r.errorCode !== 'NONE');
      if (failed) throw new FloeError(failed.errorCode, `records of ${results.filter((r) => r.errorCode !== 'NONE').length} of ${results.length} partitions were not deleted`);
    });

  topics
    .command('delete <name>')
    .description('delete a topic')
    .action(async (name: string, _options: unknown, command: Command) => {
      await adminOf(command).deleteTopic(name);
      process.stdout.write(`Deleted topic ${name}.\n`);
    });
}
