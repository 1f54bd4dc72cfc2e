/**
 * floe consume TOPIC: print records (like kafka-console-consumer). Without
 * --group it reads the partitions directly (assign); with --group it joins the
 * consumer group, commits as it goes, and on Ctrl-C commits and leaves cleanly.
 * Keys and values print as text, base64 or hex, never changed: text values are
 * written as their bytes; in JSON, bytes that are not UTF-8 need base64 or hex.
 */
import { Option, type Command } from 'commander';
import { Admin, Consumer, consumerConfigFromProperties, type ConsumerRecord, FloeHttpClient, type TopicPartition } from '@floe/client';
import { FloeError } from '@floe/protocol';
import { encodeField, RECORD_FORMATS, type RecordFormat } from '../record-format.js';
import { onShutdownSignals, type Shutdown } from '../signals.js';

interface ConsumeOptions {
  group?: string;
  fromBeginning?: boolean;
  maxMessages?: number;
  timeoutMs?: number;
  partition?: number;
  offset?: number;
  json?: boolean;
  keyFormat: RecordFormat;
  valueFormat: RecordFormat;
  consumerProperty: Record<string, string>;
}

const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new FloeError('INVALID_REQUEST', `not an integer: ${v}`);
  return n;
};

const collectProperty = (value: string, previous: Record<string, string>): Record<string, string> => {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new FloeError('INVALID_CONFIG', `--consumer-property takes name=value, got ${value}`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
};

/** One output line: the value alone (its bytes as stored, for text), or a JSON object. */
function format(r: ConsumerRecord<Buffer | null, Buffer | null>, options: ConsumeOptions): Buffer {
  const where = `${r.topic}/${r.partition} offset ${r.offset}`;
  const field = (b: Buffer | null, format: RecordFormat, what: string) => (b === null ? null : encodeField(b, format, `the ${what} at ${where}`));
  if (!options.json) {
    const value = r.value === null ? Buffer.from('null') : options.valueFormat === 'text' ? r.value : Buffer.from(r.value.toString(options.valueFormat));
    return Buffer.concat([value, NEWLINE]);
  }
  const line = JSON.stringify({
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    key: field(r.key, options.keyFormat, 'key'),
    value: field(r.value, options.valueFormat, 'value'),
    timestamp: r.timestamp,
    headers: Object.fromEntries(r.headers.map((h) => [h.key, field(h.value, options.valueFormat, `header ${h.key}`)])),
  });
  return Buffer.from(`${line}\n`);
}

const NEWLINE = Buffer.from('\n');

const formatOption = (flags: string, what: string) =>
  new Option(flags, `${what}: text (the default: UTF-8 in JSON, the stored bytes otherwise), base64 or hex`).choices([...RECORD_FORMATS]).default('text');

export function registerConsume(program: Command): void {
  program
    .command('consume <topic>')
    .description('print records of a topic')
    .option('--group <id>', 'join this consumer group: partitions are shared with its other members and offsets committed')
    .option('--from-beginning', 'start at the earliest offset instead of the end (with --group: when the group has no committed offset)')
    .option('--max-messages <n>', 'exit after this many records', int)
    .option('--timeout-ms <ms>', 'exit when no record arrived for this long', int)
    .option('--partition <p>', 'read only this partition (not with --group)', int)
    .option('--offset <o>', 'start offset (with --partition)', int)
    .option('--json', 'print one JSON object per record: topic, partition, offset, key, value, timestamp, headers')
    .addOption(formatOption('--key-format <format>', 'how keys are printed (with --json)'))
    .addOption(formatOption('--value-format <format>', 'how values (and header values) are printed'))
    .option('--consumer-property <name=value>', 'a Kafka consumer setting, e.g. session.timeout.ms=10000; repeatable', collectProperty, {})
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
  const properties = consumerConfigFromProperties(options.consumerProperty);
  const group = options.group ?? properties.groupId;
  if (options.offset !== undefined && options.partition === undefined) throw new FloeError('INVALID_REQUEST', '--offset needs --partition');
  if (group !== undefined && options.partition !== undefined) throw new FloeError('INVALID_REQUEST', '--partition cannot be used with a group');
  const bootstrap = command.optsWithGlobals().bootstrap as string;
  const http = new FloeHttpClient(bootstrap);
  const [meta] = await Admin.fromClient(http).metadata([topic]);
  if (!meta || meta.errorCode !== 'NONE') throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `unknown topic "${topic}"`);

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
    if (options.offset !== undefined) consumer.seek(partitions[0] as TopicPartition, options.offset);
    else if (options.fromBeginning) consumer.seekToBeginning(partitions);
    else consumer.seekToEnd(partitions);
  }

  let stop = false;
  let printed = 0;
  let lastRecordAt = Date.now();
  try {
    while (!stop && !shutdown.requested) {
      const records = await consumer.poll(500);
      for (const [i, r] of records.entries()) {
        let line: Buffer;
        try {
          line = format(r, options);
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
}
