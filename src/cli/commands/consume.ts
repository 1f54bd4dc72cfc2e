/** floe consume TOPIC: print records (like kafka-console-consumer). Without --group it reads partitions directly. */
import type { Command } from 'commander';
import { Admin } from '../../client/admin.js';
import { FloeHttpClient } from '../../client/http-client.js';
import { fetchRaw } from '../../client/log-client.js';
import { FloeError } from '../../errors.js';
import { decodeRecordBatches } from '../../log/record-batch.js';

interface ConsumeOptions {
  fromBeginning?: boolean;
  maxMessages?: number;
  timeoutMs?: number;
  partition?: number;
  offset?: number;
  json?: boolean;
}

const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new FloeError('INVALID_REQUEST', `not an integer: ${v}`);
  return n;
};

export function registerConsume(program: Command): void {
  program
    .command('consume <topic>')
    .description('print records of a topic')
    .option('--from-beginning', 'start at the earliest offset instead of the end')
    .option('--max-messages <n>', 'exit after this many records', int)
    .option('--timeout-ms <ms>', 'exit when no record arrived for this long', int)
    .option('--partition <p>', 'read only this partition', int)
    .option('--offset <o>', 'start offset (with --partition)', int)
    .option('--json', 'print one JSON object per record: topic, partition, offset, key, value, timestamp, headers')
    .action(async (topic: string, options: ConsumeOptions, command: Command) => {
      if (options.offset !== undefined && options.partition === undefined) {
        throw new FloeError('INVALID_REQUEST', '--offset needs --partition');
      }
      const http = new FloeHttpClient(command.optsWithGlobals().bootstrap as string);
      const admin = Admin.fromClient(http);
      const [meta] = await admin.metadata([topic]);
      if (!meta || meta.errorCode !== 'NONE') throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `unknown topic "${topic}"`);
      const partitions = options.partition !== undefined ? [options.partition] : Array.from({ length: meta.partitions }, (_, p) => p);
      const positions = new Map<number, number>();
      if (options.offset !== undefined && options.partition !== undefined) positions.set(options.partition, options.offset);
      else {
        const starts = await admin.listOffsets(topic, partitions, options.fromBeginning ? 'earliest' : 'latest');
        for (const s of starts) {
          if (s.errorCode !== 'NONE') throw new FloeError(s.errorCode, s.errorMessage ?? 'cannot list offsets');
          positions.set(s.partition, s.offset);
        }
      }
      let stop = false;
      process.once('SIGINT', () => (stop = true));
      let printed = 0;
      let lastRecordAt = Date.now();
      while (!stop) {
        const [result] = await fetchRaw(http, {
          maxWaitMs: 500,
          minBytes: 1,
          maxBytes: 4 * 1024 * 1024,
          topics: [{ topic, partitions: partitions.map((p) => ({ partition: p, fetchOffset: positions.get(p) ?? 0, partitionMaxBytes: 1024 * 1024 })) }],
        });
        for (const p of result?.partitions ?? []) {
          if (p.errorCode !== 'NONE') throw new FloeError(p.errorCode, p.errorMessage ?? `partition ${p.partition} failed`);
          for (const batch of decodeRecordBatches(p.records)) {
            for (const r of batch.records) {
              if (r.offset < (positions.get(p.partition) ?? 0)) continue;
              positions.set(p.partition, r.offset + 1);
              lastRecordAt = Date.now();
              const line = options.json
                ? JSON.stringify({
                    topic,
                    partition: p.partition,
                    offset: r.offset,
                    key: r.key?.toString('utf8') ?? null,
                    value: r.value?.toString('utf8') ?? null,
                    timestamp: r.timestamp,
                    headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value?.toString('utf8') ?? null])),
                  })
                : (r.value?.toString('utf8') ?? 'null');
              process.stdout.write(`${line}\n`);
              if (options.maxMessages !== undefined && ++printed >= options.maxMessages) return;
            }
          }
        }
        if (options.timeoutMs !== undefined && Date.now() - lastRecordAt >= options.timeoutMs) break;
      }
    });
}
