/** floe produce TOPIC: one record per stdin line (like kafka-console-producer). */
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { Admin } from '../../client/admin.js';
import { FloeHttpClient } from '../../client/http-client.js';
import { produceRaw } from '../../client/log-client.js';
import { partitionForKey } from '../../client/murmur2.js';
import { FloeError } from '../../errors.js';
import { encodeRecordBatch, type ProducedRecord } from '../../log/record-batch.js';

const MAX_BATCH_BYTES = 256 * 1024;

export function registerProduce(program: Command): void {
  program
    .command('produce <topic>')
    .description('produce one record per line of standard input')
    .option('--key-separator <sep>', 'split each line into key and value at the first separator (parse.key)')
    .option('--partition <p>', 'write every record to this partition', (v) => Number(v))
    .action(async (topic: string, options: { keySeparator?: string; partition?: number }, command: Command) => {
      const http = new FloeHttpClient(command.optsWithGlobals().bootstrap as string);
      const [meta] = await Admin.fromClient(http).metadata([topic]);
      if (!meta || meta.errorCode !== 'NONE') throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `unknown topic "${topic}"`);
      const pending = new Map<number, { records: ProducedRecord[]; bytes: number }>();
      let sticky = Math.floor(Math.random() * meta.partitions);
      let sent = 0;
      const flush = async (partitions: number[]) => {
        const list = partitions.flatMap((partition) => {
          const batch = pending.get(partition);
          pending.delete(partition);
          return batch && batch.records.length > 0 ? [{ partition, records: encodeRecordBatch({ records: batch.records }) }] : [];
        });
        if (list.length === 0) return;
        const [result] = await produceRaw(http, { acks: -1, timeoutMs: 30_000, topics: [{ topic, partitions: list }] });
        for (const p of result?.partitions ?? []) {
          if (p.errorCode !== 'NONE') throw new FloeError(p.errorCode, p.errorMessage ?? `partition ${p.partition} failed`);
        }
        sent += list.length;
      };
      for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
        let key: Buffer | null = null;
        let value = line;
        if (options.keySeparator !== undefined) {
          const at = line.indexOf(options.keySeparator);
          if (at >= 0) {
            key = Buffer.from(line.slice(0, at));
            value = line.slice(at + options.keySeparator.length);
          }
        }
        const partition = options.partition ?? (key ? partitionForKey(key, meta.partitions) : sticky);
        const batch = pending.get(partition) ?? { records: [], bytes: 0 };
        batch.records.push({ key, value: Buffer.from(value) });
        batch.bytes += value.length + (key?.length ?? 0) + 16;
        pending.set(partition, batch);
        if (batch.bytes >= MAX_BATCH_BYTES) {
          await flush([partition]);
          if (!key && options.partition === undefined) sticky = (sticky + 1) % meta.partitions;
        }
      }
      await flush([...pending.keys()]);
      if (sent === 0) process.stderr.write('no input: nothing produced\n');
    });
}
