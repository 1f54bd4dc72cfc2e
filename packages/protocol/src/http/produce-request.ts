/**
 * Binary produce request body (Content-Type: application/vnd.floe.produce.v1), modelled on Kafka's ProduceRequest:
 *
 *   int16  version          = 1
 *   int16  acks             0, 1 or -1 (all)
 *   int32  timeoutMs
 *   int32  topicCount
 *   topicCount x
 *     int16  nameLength, name (UTF-8)
 *     int32  partitionCount
 *     partitionCount x
 *       int32  partition
 *       int32  recordsLength
 *       bytes  records         exactly one RecordBatch v2
 * All integers big-endian. The body must end exactly after the last partition.
 */
import { FloeError } from '../errors.js';
import type { ProduceRequest } from '../api/produce.js';
import { WireReader, WireWriter } from './wire-reader.js';

export const PRODUCE_CONTENT_TYPE = 'application/vnd.floe.produce.v1';
export const PRODUCE_WIRE_VERSION = 1;

export function encodeProduceRequest(request: ProduceRequest): Buffer {
  const w = new WireWriter().int16(PRODUCE_WIRE_VERSION).int16(request.acks).int32(request.timeoutMs).int32(request.topics.length);
  for (const t of request.topics) {
    w.string(t.topic).int32(t.partitions.length);
    for (const p of t.partitions) w.int32(p.partition).int32(p.records.length).raw(p.records);
  }
  return w.finish();
}

export function decodeProduceRequest(body: Buffer): ProduceRequest {
  const r = new WireReader(body, 'produce request');
  const version = r.int16();
  if (version !== PRODUCE_WIRE_VERSION) throw new FloeError('UNSUPPORTED_VERSION', `produce request version ${version}; this server speaks ${PRODUCE_WIRE_VERSION}`);
  const acks = r.int16();
  const timeoutMs = r.int32();
  const topics = [];
  for (let t = r.count(6); t > 0; t--) {
    const topic = r.string();
    const partitions = [];
    for (let p = r.count(8); p > 0; p--) {
      const partition = r.int32();
      const length = r.int32();
      partitions.push({ partition, records: r.bytes(length) });
    }
    topics.push({ topic, partitions });
  }
  r.end();
  return { acks, timeoutMs, topics };
}
