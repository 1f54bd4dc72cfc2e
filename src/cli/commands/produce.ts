/**
 * floe produce TOPIC: one record per line of standard input (like kafka-console-producer),
 * or one record per --value-file (its raw bytes), sent through the SDK's Producer. Keys and
 * values are text, base64 or hex (--key-format, --value-format); bytes are never changed.
 */
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { type Acks, Admin, Producer, producerConfigFromProperties } from '@floe/client';
import { COMPRESSION_CODECS, type CompressionType, FloeError } from '@floe/protocol';
import { byteLines } from '../byte-lines.js';
import { produceDisplay, ProgressLine } from './produce-progress.js';
import { decodeField, RECORD_FORMATS, type RecordFormat } from '../record-format.js';
import { integerArg } from '../integer-arg.js';
import { onShutdownSignals, type Shutdown } from '../signals.js';
import { topicMetadata } from '../topic-metadata.js';

interface ProduceOptions {
  keySeparator?: string;
  keyFormat: RecordFormat;
  valueFormat: RecordFormat;
  valueFile?: string[];
  key?: string;
  partition?: number;
  compression?: CompressionType;
  acks?: string;
  producerProperty?: Record<string, string>;
  lingerMs?: number;
  batchSize?: number;
  quiet?: boolean;
}

interface Input {
  key: Buffer | null;
  value: Buffer;
}

const nonNegative = integerArg(0);

/** An empty separator would split every line at its start: every record an empty key. */
const keySeparator = (value: string): string => {
  if (value === '') throw new InvalidArgumentError('the separator cannot be empty');
  return value;
};

const collectProperty = (value: string, previous: Record<string, string> | undefined): Record<string, string> => {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new FloeError('INVALID_CONFIG', `--producer-property takes name=value, got ${value}`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
};

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

const formatOption = (flags: string, what: string) =>
  new Option(flags, `${what}: text (UTF-8, the default), base64 or hex`).choices([...RECORD_FORMATS]).default('text');

export function registerProduce(program: Command): void {
  program
    .command('produce <topic>')
    .description('produce one record per line of standard input, or one per --value-file')
    .option('--key-separator <sep>', 'split each line into key and value at the first separator (parse.key)', keySeparator)
    .addOption(formatOption('--key-format <format>', 'how keys are written'))
    .addOption(formatOption('--value-format <format>', 'how values are written'))
    .option('--value-file <path>', "one record whose value is this file's raw bytes, instead of stdin lines; repeatable", collect)
    .option('--key <key>', 'the key of the --value-file records (in --key-format)')
    .option('--partition <p>', 'write every record to this partition', nonNegative)
    .addOption(new Option('--compression <type>', 'compression.type (default none)').choices([...COMPRESSION_CODECS]))
    .addOption(new Option('--acks <acks>', 'acks: 0, 1 or all (default all)').choices(['0', '1', 'all', '-1']))
    .option('--linger-ms <ms>', 'linger.ms (default 5)', nonNegative)
    .option('--batch-size <bytes>', 'batch.size (default 16384)', nonNegative)
    .option('--producer-property <name=value>', 'any Kafka producer property, e.g. max.request.size=2097152; repeatable', collectProperty)
    .option('--quiet', 'no progress line on stderr')
    .action(async (topic: string, options: ProduceOptions, command: Command) => {
      // Ctrl-C stops reading and sends what was read before exiting.
      const shutdown = onShutdownSignals({ message: 'sending what was read' });
      try {
        await produce(topic, options, command, shutdown);
      } finally {
        shutdown.dispose();
      }
    });
}

/** Records from stdin lines: key and value split at the separator, each decoded in its format. */
async function* lineRecords(options: ProduceOptions, signal: AbortSignal, prompt: () => void): AsyncGenerator<Input> {
  const separator = options.keySeparator === undefined ? undefined : Buffer.from(options.keySeparator, 'utf8');
  let n = 0;
  prompt();
  for await (const line of byteLines(process.stdin, signal)) {
    n++;
    const at = separator ? line.indexOf(separator) : -1;
    // Kafka's console producer (parse.key) stops at such a line too, rather than send it without a key.
    if (separator && at < 0) throw new FloeError('INVALID_REQUEST', `line ${n} has no key separator "${options.keySeparator}"; nothing from it on was sent`);
    const key = at >= 0 ? line.subarray(0, at) : null;
    const value = at >= 0 ? line.subarray(at + (separator as Buffer).length) : line;
    yield {
      key: key === null ? null : decodeField(key, options.keyFormat, `line ${n}'s key`),
      value: decodeField(value, options.valueFormat, `line ${n}'s value`),
    };
    prompt();
  }
}

/** Records from --value-file: each file's bytes as they are. */
async function* fileRecords(options: ProduceOptions, signal: AbortSignal): AsyncGenerator<Input> {
  const key = options.key === undefined ? null : decodeField(Buffer.from(options.key, 'utf8'), options.keyFormat, '--key');
  for (const path of options.valueFile ?? []) {
    if (signal.aborted) return;
    const value = await readFile(path).catch((error: NodeJS.ErrnoException) => {
      throw new FloeError('INVALID_REQUEST', `cannot read --value-file ${path}: ${error.code ?? error.message}`);
    });
    yield { key, value };
  }
}

async function produce(topic: string, options: ProduceOptions, command: Command, shutdown: Shutdown): Promise<void> {
  if (options.valueFile && options.keySeparator !== undefined) throw new FloeError('INVALID_REQUEST', '--key-separator splits stdin lines; it does not go with --value-file');
  if (options.key !== undefined && !options.valueFile) throw new FloeError('INVALID_REQUEST', '--key goes with --value-file; for stdin lines use --key-separator');
  const bootstrap = command.optsWithGlobals().bootstrap as string;
  await topicMetadata(new Admin({ bootstrap }), topic);
  const acks: Acks | undefined = options.acks === undefined || options.acks === 'all' ? options.acks : (Number(options.acks) as Acks);
  // The dedicated flags win over --producer-property.
  const flags = { compressionType: options.compression, acks, lingerMs: options.lingerMs, batchSize: options.batchSize };
  const producer = new Producer<Buffer, Buffer>({
    ...producerConfigFromProperties(options.producerProperty ?? {}),
    ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)),
    bootstrap,
    keySerializer: 'bytes',
    valueSerializer: 'bytes',
  });
  const display = produceDisplay({ stdin: process.stdin.isTTY === true, stderr: process.stderr.isTTY === true }, options.quiet === true);
  const progress = new ProgressLine({ enabled: display.progress });
  const prompt = display.prompt ? () => process.stdout.write('>') : () => {};
  let sent = 0;
  let failed = 0;
  let firstError: Error | undefined;
  try {
    const records = options.valueFile ? fileRecords(options, shutdown.signal) : lineRecords(options, shutdown.signal, prompt);
    for await (const { key, value } of records) {
      const bytes = value.length + (key?.length ?? 0);
      producer.send({ topic, key, value, partition: options.partition }, (_metadata, error) => {
        if (!error) return progress.acknowledged(bytes);
        failed++;
        firstError ??= error;
      });
      sent++;
      // Reading stdin is faster than the network: wait while the buffer is full.
      if (producer.blocked) await producer.whenUnblocked();
    }
  } catch (error) {
    // Bad input stops the run; what was read before it is still sent (below), and said so.
    if (error instanceof FloeError) throw new FloeError(error.code, `${error.message} (the ${sent} record(s) before it were sent)`);
    throw error;
  } finally {
    await producer.close();
    progress.finish();
  }
  if (sent === 0) process.stderr.write('no input: nothing produced\n');
  if (firstError) {
    const code = firstError instanceof FloeError ? firstError.code : 'UNKNOWN_SERVER_ERROR';
    throw new FloeError(code, `${failed} of ${sent} records failed; the first: ${firstError.message}`);
  }
}
