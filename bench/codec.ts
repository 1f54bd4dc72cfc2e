/**
 * RecordBatch v2 codec throughput: Floe's encoder/decoder against kafkajs's own,
 * same records, same process, alternating runs; the median of several rounds is reported.
 *
 *   node --import tsx bench/codec.ts     prints one JSON line per (operation, value size, headers)
 *
 * Throughput counts encoded batch bytes (identical for both codecs: uncompressed v2 batches).
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { decodeRecordBatch, encodeRecordBatch, type ProducedRecord } from '../packages/protocol/src/records/record-batch.js';
import { MiB, printResult, round, type BenchSink } from './lib/report.js';

const require = createRequire(import.meta.url);

interface KafkajsMessage {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
  timestamp: number;
}
type KafkajsEncoder = { buffer: Buffer };
const kafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (record: {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
}) => KafkajsEncoder;
const { RecordBatch: kafkajsRecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch: (options: Record<string, unknown>) => Promise<KafkajsEncoder>;
};
const kafkajsBatchDecoder = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (
  decoder: unknown,
) => Promise<{ records: unknown[] }>;
const KafkajsDecoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => unknown;

export interface CodecBenchOptions {
  /** Alternating rounds per case; the median is reported. */
  rounds?: number;
  /** Minimum duration of one timed sample. */
  sampleMs?: number;
}

const RECORDS = 1000;

/** What kafkajs's produce request does per partition: one Record per message, then the batch. */
async function kafkajsEncode(messages: KafkajsMessage[]): Promise<Buffer> {
  let first = Infinity;
  let max = -Infinity;
  for (const m of messages) {
    if (m.timestamp < first) first = m.timestamp;
    if (m.timestamp > max) max = m.timestamp;
  }
  const records = messages.map((m, i) =>
    kafkajsRecord({ key: m.key, value: m.value, headers: m.headers, offsetDelta: i, timestampDelta: m.timestamp - first }),
  );
  const batch = await kafkajsRecordBatch({
    compression: 0,
    records,
    firstTimestamp: first,
    maxTimestamp: max,
    producerId: -1,
    producerEpoch: -1,
    firstSequence: -1,
    partitionLeaderEpoch: -1,
    lastOffsetDelta: records.length - 1,
  });
  return batch.buffer;
}

async function kafkajsDecode(batch: Buffer): Promise<number> {
  const decoded = await kafkajsBatchDecoder(new KafkajsDecoder(batch));
  return decoded.records.length;
}

function makeRecords(valueSize: number, withHeaders: boolean): ProducedRecord[] {
  const base = 1_700_000_000_000;
  const records: ProducedRecord[] = [];
  for (let i = 0; i < RECORDS; i++) {
    const value = Buffer.alloc(valueSize);
    for (let b = 0; b < valueSize; b++) value[b] = (i * 31 + b * 7) & 0xff;
    records.push({
      key: Buffer.from(`key-${i}`),
      value,
      timestamp: base + (i >> 4),
      headers: withHeaders
        ? [
            { key: 'trace-id', value: Buffer.from(`trace-${i.toString(16).padStart(12, '0')}`) },
            { key: 'content-type', value: Buffer.from('application/json') },
            { key: 'source', value: Buffer.from('bench') },
          ]
        : undefined,
    });
  }
  return records;
}

function toKafkajs(records: ProducedRecord[]): KafkajsMessage[] {
  return records.map((r) => ({
    key: r.key,
    value: r.value,
    timestamp: r.timestamp as number,
    headers: Object.fromEntries((r.headers ?? []).map((h) => [h.key, h.value as Buffer])),
  }));
}

/** A full GC before each sample, so neither codec pays for the garbage the other left behind. */
const collectGarbage = ((): (() => void) => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  return gc ?? (() => undefined);
})();

/** Runs `fn` repeatedly for at least `ms`; returns calls per second. */
async function sample(fn: () => unknown, ms: number): Promise<number> {
  // Collect the other codec's garbage, then run untimed until the heap settles into this one's steady state.
  collectGarbage();
  const settle = process.hrtime.bigint() + BigInt(Math.round(ms * 0.25e6));
  while (process.hrtime.bigint() < settle) await fn();
  let calls = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(ms * 1e6));
  let elapsed = 0n;
  do {
    for (let i = 0; i < 8; i++) await fn();
    calls += 8;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < budget);
  return calls / (Number(elapsed) / 1e9);
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** Alternates the two implementations round by round so drift (GC, JIT, thermal) hits both alike. */
async function compare(ours: () => unknown, theirs: () => unknown, rounds: number, ms: number): Promise<[number, number]> {
  await sample(ours, ms);
  await sample(theirs, ms);
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      a.push(await sample(ours, ms));
      b.push(await sample(theirs, ms));
    } else {
      b.push(await sample(theirs, ms));
      a.push(await sample(ours, ms));
    }
  }
  return [median(a), median(b)];
}

export async function runCodecBench(sink: BenchSink, options: CodecBenchOptions = {}): Promise<void> {
  const rounds = options.rounds ?? 7;
  const ms = options.sampleMs ?? 200;
  for (const valueSize of [100, 1024]) {
    for (const withHeaders of [false, true]) {
      const records = makeRecords(valueSize, withHeaders);
      const messages = toKafkajs(records);
      const batch = encodeRecordBatch({ records });
      const theirBatch = await kafkajsEncode(messages);
      if (!batch.equals(theirBatch)) {
        throw new Error('codec bench: Floe and kafkajs encode different bytes; the comparison would be unfair');
      }
      const mib = batch.length / MiB;
      const params = { records: RECORDS, valueBytes: valueSize, headers: withHeaders ? 3 : 0, batchBytes: batch.length };

      const [encOurs, encTheirs] = await compare(
        () => encodeRecordBatch({ records }),
        () => kafkajsEncode(messages),
        rounds,
        ms,
      );
      emit(sink, 'codec.encode', params, encOurs * mib, encTheirs * mib);

      const [decOurs, decTheirs] = await compare(
        () => decodeRecordBatch(batch),
        () => kafkajsDecode(batch),
        rounds,
        ms,
      );
      emit(sink, 'codec.decode', params, decOurs * mib, decTheirs * mib);
    }
  }
}

function emit(sink: BenchSink, name: string, params: Record<string, unknown>, ours: number, kafkajs: number): void {
  sink({
    name,
    params,
    value: round(ours, 1),
    unit: 'MiB/s',
    comparison: { name: 'kafkajs', value: round(kafkajs, 1), unit: 'MiB/s' },
    ratio: round(ours / kafkajs, 2),
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runCodecBench(printResult);
}
