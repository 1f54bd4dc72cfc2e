/**
 * The curl-friendly JSON produce body: records with topic, optional partition,
 * key, value, headers and timestamp. The handler groups them per partition and
 * encodes one RecordBatch per partition (the fast path is the binary body).
 */
import { encodeRecordBatch, FloeError, partitionForKey, type ProducedRecord, type ProduceRequest, type RecordHeader } from '@floe/protocol';
import { LIMITS } from '../log/limits.js';
import type { Topic } from '../log/topics.js';
import { array, base64, integer, knownFields, object, optional, string, type Json } from './validate.js';

export type Encoding = 'utf8' | 'base64';

export interface JsonRecordRef {
  topic: string;
  partition: number;
  index: number;
}

function bytes(value: unknown, what: string, encoding: Encoding): Buffer | null {
  if (value === null || value === undefined) return null;
  return encoding === 'utf8' ? Buffer.from(string(value, what), 'utf8') : base64(value, what);
}

function headers(value: unknown, what: string, encoding: Encoding): RecordHeader[] {
  if (value === undefined || value === null) return [];
  return Object.entries(object(value, what)).map(([key, v]) => ({ key, value: bytes(v, `${what}.${key}`, encoding) }));
}

export function parseEncoding(value: unknown): Encoding {
  const e = optional(value, 'utf8', (v) => string(v, 'encoding'));
  if (e !== 'utf8' && e !== 'base64') throw new FloeError('INVALID_REQUEST', 'encoding must be "utf8" or "base64"');
  return e;
}

/** The topics the records name (those that name one as a string), without resolving them. */
export function recordTopics(body: Json): Set<string> {
  const records = Array.isArray(body.records) ? (body.records as unknown[]) : [];
  return new Set(records.flatMap((r) => (typeof (r as Json | null)?.topic === 'string' ? [(r as Json).topic as string] : [])));
}

const RECORD_FIELDS = ['topic', 'partition', 'key', 'value', 'headers', 'timestamp'] as const;

/** Builds a ProduceRequest from JSON records; `refs[i]` tells where record i went. */
export async function jsonRecordsToRequest(
  body: Json,
  resolveTopic: (name: string) => Promise<Topic | undefined>,
): Promise<{ request: ProduceRequest; refs: JsonRecordRef[] }> {
  knownFields(body, 'the body', ['acks', 'encoding', 'timeoutMs', 'records']);
  const encoding = parseEncoding(body.encoding);
  const acks = integer(body.acks ?? -1, 'acks');
  const timeoutMs = integer(body.timeoutMs ?? 30_000, 'timeoutMs', { min: 0 });
  const records = array(body.records, 'records', LIMITS.maxJsonRecords);
  if (records.length === 0) throw new FloeError('INVALID_REQUEST', 'records is empty');
  const groups = new Map<string, { topic: string; partition: number; records: ProducedRecord[] }>();
  const refs: JsonRecordRef[] = [];
  const roundRobin = new Map<string, number>();
  for (let i = 0; i < records.length; i++) {
    const r = object(records[i], `records[${i}]`, RECORD_FIELDS);
    const topicName = string(r.topic, `records[${i}].topic`);
    const topic = await resolveTopic(topicName);
    if (!topic) throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `unknown topic "${topicName}"`);
    const key = bytes(r.key, `records[${i}].key`, encoding);
    let partition: number;
    if (r.partition !== undefined && r.partition !== null) {
      partition = integer(r.partition, `records[${i}].partition`, { min: 0, max: topic.partitions - 1, code: 'UNKNOWN_TOPIC_OR_PARTITION' });
    } else if (key) {
      partition = partitionForKey(key, topic.partitions);
    } else {
      const next = roundRobin.get(topicName) ?? Math.floor(Math.random() * topic.partitions);
      partition = next % topic.partitions;
      roundRobin.set(topicName, next + 1);
    }
    // A value left out is a mistake more often than a tombstone, which on a compacted topic deletes the key.
    if (r.value === undefined) throw new FloeError('INVALID_REQUEST', `records[${i}].value is missing (null sends a tombstone)`);
    const record: ProducedRecord = {
      key,
      value: bytes(r.value, `records[${i}].value`, encoding),
      headers: headers(r.headers, `records[${i}].headers`, encoding),
    };
    if (r.timestamp !== undefined && r.timestamp !== null) record.timestamp = integer(r.timestamp, `records[${i}].timestamp`, { min: 0, max: LIMITS.maxJsonTimestampMs });
    const id = `${topicName}\u0000${partition}`;
    const group = groups.get(id) ?? { topic: topicName, partition, records: [] };
    refs.push({ topic: topicName, partition, index: group.records.length });
    group.records.push(record);
    groups.set(id, group);
  }
  const byTopic = new Map<string, ProduceRequest['topics'][number]>();
  for (const g of groups.values()) {
    const t = byTopic.get(g.topic) ?? { topic: g.topic, partitions: [] };
    t.partitions.push({ partition: g.partition, records: encodeRecordBatch({ records: g.records }) });
    byTopic.set(g.topic, t);
  }
  return { request: { acks, timeoutMs, topics: [...byTopic.values()] }, refs };
}
