/**
 * floe consume TOPIC: print records (like kafka-console-consumer). Without
 * --group it reads the partitions directly (assign); with --group it joins the
 * consumer group, commits as it goes, and on Ctrl-C commits and leaves cleanly.
 * Keys and values print as text, base64 or hex, never changed (consume-format.ts).
 */
import { Option, type Command } from 'commander';
import { Admin, Consumer, consumerConfigFromProperties, CorruptRecordError, type ConsumerRecord, FloeHttpClient, type TopicPartition } from '@floe/client';
import { FloeError } from '@floe/protocol';
import { RECORD_FORMATS, type RecordFormat } from '../record-format.js';
import { formatRecord } from './consume-format.js';
import { integerArg } from '../integer-arg.js';
import { onShutdownSignals, type Shutdown } from '../signals.js';
import { topicMetadata } from '../topic-metadata.js';

interface ConsumeOptions {
  group?: string;
  fromBeginning?: boolean;
  maxMessages?: number;
  timeoutMs?: number;
  partition?: number;
  offset?: StartOffset;
  json?: boolean;
  keyFormat: RecordFormat;
  valueFormat: RecordFormat;
  consumerProperty?: Record<string, string>;
}

type StartOffset = number | 'earliest' | 'latest';

/** An offset, or earliest / latest as kcat takes them. */
const startOffset = (v: string): StartOffset => {
  if (v === 'earliest' || v === 'latest') return v;
  if (!/^\d+$/.test(v)) throw new FloeError('INVALID_REQUEST', `--offset takes an offset, earliest or latest; got ${v}`);
  return Number(v);
};

const collectProperty = (value: string, previous: Record<string, string> | undefined): Record<string, string> => {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new FloeError('INVALID_CONFIG', `--consumer-property takes name=value, got ${value}`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
};

const formatOption = (flags: string, what: string) =>
  new Option(flags, `${what}: text (the default: UTF-8 in JSON, the stored bytes otherwise), base64 or hex`).choices([...RECORD_FORMATS]).default('text');

/** An offset outside the log would silently print nothing (or jump): say where the log is instead. */
async function requireInLog(admin: Admin, topic: string, partition: number, offset: number): Promise<void> {
  const [[start], [end]] = await Promise.all([admin.listOffsets(topic, [partition], 'earliest'), admin.listOffsets(topic, [partition], 'latest')]);
  if (end && offset > end.offset) {
    throw new FloeError(
      'OFFSET_OUT_OF_RANGE',
      `offset ${offset} is past the end of ${topic}/${partition}: its end offset is ${end.offset} (the next record gets it); use --offset latest to wait for new records`,
    );
  }
  if (start && offset < start.offset) {
    throw new FloeError('OFFSET_OUT_OF_RANGE', `offset ${offset} is before the start of ${topic}/${partition}: its earliest offset is ${start.offset}; use --offset earliest`);
  }
}

export function registerConsume(program: Command): void {
  program
    .command('consume <topic>')
    .description('print records of a topic')
    .option('--group <id>', 'join this consumer group: partitions are shared with its other members and offsets committed')
    .option('--from-beginning', 'start at the earliest offset instead of the end (with --group: when the group has no committed offset)')
    .option('--max-messages <n>', 'exit after this many records', integerArg(1))
    .option('--timeout-ms <ms>', 'exit when no record arrived for this long', integerArg(0))
    .option('--partition <p>', 'read only this partition (not with --group)', integerArg(0))
    .option('--offset <offset>', 'where to start: an offset (with --partition), earliest or latest', startOffset)
    .option('--json', 'print one JSON object per record: topic, partition, offset, key, value, timestamp, headers, headerList')
    .addOption(formatOption('--key-format <format>', 'how keys are printed (with --json)'))
    .addOption(formatOption('--value-format <format>', 'how values (and header values) are printed'))
    .option('--consumer-property <name=value>', 'a Kafka consumer setting, e.g. session.timeout.ms=10000; repeatable', collectProperty)
    .action(async (topic: string, options: ConsumeOptions, command: Command) => {
      const shutdown = onShutdownSignals({ message: options.group ? 'committing and leaving the group' : 'stopping' });
      try {
        await consume(topic, options, command, shutdown);
      } finally {
        shutdown.dispose();
      }
    });
}

async function consume(topic: string, options: ConsumeOptions, command: Command, shutdown: Shutdown): Promise<void> {
  const properties = consumerConfigFromProperties(options.consumerProperty ?? {});
  const group = options.group ?? properties.groupId;
  if (typeof options.offset === 'number' && options.partition === undefined) {
    throw new FloeError('INVALID_REQUEST', '--offset with an offset needs --partition (earliest and latest work on every partition)');
  }
  if (group !== undefined && options.partition !== undefined) throw new FloeError('INVALID_REQUEST', '--partition cannot be used with a group');
  if (group !== undefined && options.offset !== undefined) {
    throw new FloeError('INVALID_REQUEST', '--offset cannot be used with a group: it starts at its committed offsets (see floe groups reset-offsets)');
  }
  const bootstrap = command.optsWithGlobals().bootstrap as string;
  const http = new FloeHttpClient(bootstrap);
  const admin = Admin.fromClient(http);
  const meta = await topicMetadata(admin, topic);
  if (options.partition !== undefined && options.partition >= meta.partitions) {
    throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${topic}" has ${meta.partitions} partition(s): 0 to ${meta.partitions - 1}`);
  }
  if (typeof options.offset === 'number') await requireInLog(admin, topic, options.partition as number, options.offset);

  const consumer = new Consumer({
    autoOffsetReset: options.fromBeginning ? 'earliest' : 'latest',
    enableAutoCommit: group !== undefined,
    ...properties,
    bootstrap,
    http,
    groupId: group,
    logger: { warn: (message, context) => process.stderr.write(`warning: ${message} ${context ? JSON.stringify(context) : ''}\n`) },
  });
  if (group !== undefined) consumer.subscribe([topic]);
  else {
    const partitions: TopicPartition[] = (options.partition !== undefined ? [options.partition] : Array.from({ length: meta.partitions }, (_, p) => p)).map(
      (partition) => ({ topic, partition }),
    );
    consumer.assign(partitions);
    const from = options.offset ?? (options.fromBeginning ? 'earliest' : 'latest');
    if (typeof from === 'number') consumer.seek(partitions[0] as TopicPartition, from);
    else if (from === 'earliest') consumer.seekToBeginning(partitions);
    else consumer.seekToEnd(partitions);
  }

  let stop = false;
  let printed = 0;
  let lastRecordAt = Date.now();
  let unreadable = 0;
  try {
    while (!stop && !shutdown.requested) {
      let records: Array<ConsumerRecord<Buffer | null, Buffer | null>>;
      try {
        records = await consumer.poll(500);
      } catch (error) {
        // One partition's bad batch is that partition's error: report it, keep printing the others.
        if (!(error instanceof CorruptRecordError)) throw error;
        unreadable++;
        process.stderr.write(`error: ${error.message}\n`);
        continue;
      }
      for (const [i, r] of records.entries()) {
        if (shutdown.requested) {
          // Stopped mid-batch (stdout closed, Ctrl-C): commit nothing past what was printed.
          for (const rest of records.slice(i).reverse()) consumer.seek({ topic: rest.topic, partition: rest.partition }, rest.offset);
          break;
        }
        let line: Buffer;
        try {
          line = formatRecord(r, options);
        } catch (error) {
          // Not printable as asked: commit nothing past what was printed, and say why.
          for (const rest of records.slice(i).reverse()) consumer.seek({ topic: rest.topic, partition: rest.partition }, rest.offset);
          throw error;
        }
        process.stdout.write(line);
        printed++;
        lastRecordAt = Date.now();
        if (options.maxMessages !== undefined && printed >= options.maxMessages) {
          // Commit only what was printed: rewind to the first record not shown.
          for (const rest of records.slice(i + 1).reverse()) consumer.seek({ topic: rest.topic, partition: rest.partition }, rest.offset);
          stop = true;
          break;
        }
      }
      if (options.timeoutMs !== undefined && Date.now() - lastRecordAt >= options.timeoutMs) break;
    }
  } finally {
    await consumer.close();
  }
  if (group !== undefined) process.stderr.write(`Processed a total of ${printed} messages; left group ${group}.\n`);
  if (unreadable > 0) {
    process.stderr.write(`${unreadable} partition(s) stopped at a batch that cannot be read (CORRUPT_MESSAGE)\n`);
    process.exitCode = 1;
  }
}
