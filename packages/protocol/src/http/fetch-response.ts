/**
 * Binary fetch response body (Content-Type: application/vnd.floe.fetch.v1), modelled on Kafka's FetchResponse:
 *
 *   int16  version          = 1
 *   int32  topicCount
 *   topicCount x
 *     int16  nameLength, name (UTF-8)
 *     int32  partitionCount
 *     partitionCount x
 *       int32  partition
 *       int16  errorCode        Kafka numeric error code (0 = none)
 *       int64  highWatermark
 *       int64  logStartOffset
 *       int32  recordsLength
 *       bytes  records          concatenated RecordBatch v2, baseOffset set
 * All integers big-endian.
 */
import { errorCodeFromKafkaCode, ERROR_CODES, FloeError } from '../errors.js';
import type { FetchTopicResult } from '../api/fetch.js';
import { WireReader, WireWriter } from './wire-reader.js';

export const FETCH_CONTENT_TYPE = 'application/vnd.floe.fetch.v1';
export const FETCH_WIRE_VERSION = 1;

export function encodeFetchResponse(topics: FetchTopicResult[]): Buffer {
  const w = new WireWriter().int16(FETCH_WIRE_VERSION).int32(topics.length);
  for (const t of topics) {
    w.string(t.topic).int32(t.partitions.length);
    for (const p of t.partitions) {
      w.int32(p.partition)
        .int16(ERROR_CODES[p.errorCode].kafkaCode)
        .int64(p.highWatermark)
        .int64(p.logStartOffset)
        .int32(p.records.length)
        .raw(p.records);
    }
  }
  return w.finish();
}

export function decodeFetchResponse(body: Buffer): FetchTopicResult[] {
  const r = new WireReader(body, 'fetch response');
  const version = r.int16();
  if (version !== FETCH_WIRE_VERSION) throw new FloeError('UNSUPPORTED_VERSION', `fetch response version ${version}`);
  const topics: FetchTopicResult[] = [];
  for (let t = r.count(6); t > 0; t--) {
    const topic = r.string();
    const partitions = [];
    for (let p = r.count(26); p > 0; p--) {
      const partition = r.int32();
      const errorCode = errorCodeFromKafkaCode(r.int16());
      const highWatermark = r.int64();
      const logStartOffset = r.int64();
      const records = Buffer.from(r.bytes(r.int32()));
      partitions.push({ partition, errorCode, highWatermark, logStartOffset, records });
    }
    topics.push({ topic, partitions });
  }
  r.end();
  return topics;
}
