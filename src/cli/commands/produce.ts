/** floe produce TOPIC: one record per stdin line (like kafka-console-producer), sent through the SDK's Producer. */
import { createInterface } from 'node:readline';
import { Option, type Command } from 'commander';
import { type Acks, Admin, Producer, producerConfigFromProperties } from '@floe/client';
import { COMPRESSION_CODECS, type CompressionType, FloeError } from '@floe/protocol';
import { ProgressLine } from './produce-progress.js';
import { onShutdownSignals, type Shutdown } from '../signals.js';

interface ProduceOptions {
  keySeparator?: string;
  partition?: number;
  compression?: CompressionType;
  acks?: string;
  producerProperty: Record<string, string>;
  lingerMs?: number;
  batchSize?: number;
  quiet?: boolean;
}

const nonNegative = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new FloeError('INVALID_REQUEST', `not a non-negative integer: ${value}`);
  return n;
};

const collectProperty = (value: string, previous: Record<string, string>): Record<string, string> => {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new FloeError('INVALID_CONFIG', `--producer-property takes name=value, got ${value}`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
};

export function registerProduce(program: Command): void {
  program
    .command('produce <topic>')
    .description('produce one record per line of standard input')
    .option('--key-separator <sep>', 'split each line into key and value at the first separator (parse.key)')
    .option('--partition <p>', 'write every record to this partition', nonNegative)
    .addOption(new Option('--compression <type>', 'compression.type (default none)').choices([...COMPRESSION_CODECS]))
    .addOption(new Option('--acks <acks>', 'acks: 0, 1 or all (default all)').choices(['0', '1', 'all', '-1']))
    .option('--linger-ms <ms>', 'linger.ms (default 5)', nonNegative)
    .option('--batch-size <bytes>', 'batch.size (default 16384)', nonNegative)
    .option('--producer-property <name=value>', 'any Kafka producer property, e.g. max.request.size=2097152; repeatable', collectProperty, {})
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

async function produce(topic: string, options: ProduceOptions, command: Command, shutdown: Shutdown): Promise<void> {
  const bootstrap = command.optsWithGlobals().bootstrap as string;
  const [meta] = await new Admin({ bootstrap }).metadata([topic]);
  if (!meta || meta.errorCode !== 'NONE') throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `unknown topic "${topic}"`);
  const acks: Acks | undefined = options.acks === undefined || options.acks === 'all' ? options.acks : (Number(options.acks) as Acks);
  // The dedicated flags win over --producer-property.
  const flags = { compressionType: options.compression, acks, lingerMs: options.lingerMs, batchSize: options.batchSize };
  const producer = new Producer<string, string>({
    ...producerConfigFromProperties(options.producerProperty),
    ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)),
    bootstrap,
    keySerializer: 'string',
    valueSerializer: 'string',
  });
  const progress = new ProgressLine({ enabled: !options.quiet && process.stdout.isTTY === true && process.stderr.isTTY === true });
  let sent = 0;
  let failed = 0;
  let firstError: Error | undefined;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity, signal: shutdown.signal })) {
    let key: string | null = null;
    let value = line;
    if (options.keySeparator !== undefined) {
      const at = line.indexOf(options.keySeparator);
      if (at >= 0) {
        key = line.slice(0, at);
        value = line.slice(at + options.keySeparator.length);
      }
    }
    const bytes = Buffer.byteLength(value) + (key === null ? 0 : Buffer.byteLength(key));
    producer.send({ topic, key, value, partition: options.partition }, (_metadata, error) => {
      if (!error) return progress.acknowledged(bytes);
      failed++;
      firstError ??= error;
    });
    sent++;
    // Reading stdin is faster than the network: wait while the buffer is full.
    if (producer.blocked) await producer.whenUnblocked();
  }
  await producer.close();
  progress.finish();
  if (sent === 0) process.stderr.write('no input: nothing produced\n');
  if (firstError) {
    const code = firstError instanceof FloeError ? firstError.code : 'UNKNOWN_SERVER_ERROR';
    throw new FloeError(code, `${failed} of ${sent} records failed; the first: ${firstError.message}`);
  }
}
