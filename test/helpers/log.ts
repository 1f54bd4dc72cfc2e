/** Helpers for log tests: encode records, produce and read a whole partition back over HTTP. */
import type { ProduceTopicResult } from '@floe/protocol';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { fetchRaw, produceRaw } from '../../packages/client/src/log-client.js';
import { decodeRecordBatches, encodeRecordBatch, type DecodedRecord, type EncodeBatchOptions } from '../../packages/protocol/src/records/record-batch.js';

export const batchOf = (values: string[], options: Omit<EncodeBatchOptions, 'records'> = {}): Buffer =>
  encodeRecordBatch({ ...options, records: values.map((v) => ({ key: null, value: Buffer.from(v) })) });

export async function produceValues(
  http: FloeHttpClient,
  topic: string,
  partition: number,
  values: string[],
  options: Omit<EncodeBatchOptions, 'records'> = {},
): Promise<ProduceTopicResult['partitions'][number]> {
  const [result] = await produceRaw(http, {
    acks: -1,
    timeoutMs: 30_000,
    topics: [{ topic, partitions: [{ partition, records: batchOf(values, options) }] }],
  });
  const p = result?.partitions[0];
  if (!p) throw new Error('no partition result');
  return p;
}

/** Reads a partition from `from` to its high watermark with small fetches. */
export async function readPartition(
  http: FloeHttpClient,
  topic: string,
  partition: number,
  from = 0,
  partitionMaxBytes = 1024 * 1024,
): Promise<DecodedRecord[]> {
  const out: DecodedRecord[] = [];
  let offset = from;
  for (;;) {
    const [t] = await fetchRaw(http, {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 4 * 1024 * 1024,
      topics: [{ topic, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes }] }],
    });
    const p = t?.partitions[0];
    if (!p || p.errorCode !== 'NONE') throw new Error(`fetch failed: ${p?.errorCode} ${p?.errorMessage}`);
    let next = offset;
    for (const batch of decodeRecordBatches(p.records)) {
      for (const r of batch.records) if (r.offset >= offset) out.push(r);
      // a compacted batch may end past its last record: continue after the batch, as Kafka's consumer does
      next = Math.max(next, batch.header.baseOffset + batch.header.lastOffsetDelta + 1);
    }
    const last = out[out.length - 1];
    if (last && last.offset + 1 > offset) offset = last.offset + 1;
    offset = Math.max(offset, next);
    if (offset >= p.highWatermark) return out;
    if (p.records.length === 0) throw new Error(`no progress at offset ${offset} below high watermark ${p.highWatermark}`);
  }
}

export const values = (records: DecodedRecord[]): string[] => records.map((r) => r.value?.toString('utf8') ?? '<null>');
