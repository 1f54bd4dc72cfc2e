/**
 * Bad input on every route: the documented 4xx status and Kafka-style code,
 * and nothing changes (the partition's offsets and the topic list stay as they were).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/log/limits.js';
import { encodeProduceRequest, PRODUCE_CONTENT_TYPE } from '../../packages/protocol/src/http/produce-request.js';
import { useTestCluster, uniqueName } from '../helpers/cluster.js';
import { batchOf, produceValues, readPartition, values } from '../helpers/log.js';

const env = useTestCluster();
let topic: string;
let urls: Record<'produce' | 'fetch' | 'admin' | 'groups', string>;

interface Case {
  name: string;
  fn: 'produce' | 'fetch' | 'admin' | 'groups';
  method: string;
  path: string;
  body?: Buffer | string | (() => Buffer | string);
  type?: string;
  status: number;
  code: string;
}

const produceBody = (partition: number, records: Buffer, acks = -1, name = () => topic, timeoutMs = 1000) =>
  encodeProduceRequest({ acks, timeoutMs, topics: [{ topic: name(), partitions: [{ partition, records }] }] });

const corrupted = (): Buffer => {
  const batch = batchOf(['payload']);
  const last = batch.length - 1;
  batch.writeUInt8(batch.readUInt8(last) ^ 0xff, last); // inside the CRC-covered bytes
  return batch;
};

/** `count` partitions spread over topics of 4,096 (a topic's most), as one JSON body. */
const manyPartitions = (count: number, part: (p: number) => object) =>
  JSON.stringify({
    topics: Array.from({ length: Math.ceil(count / 4096) }, (_, t) => ({
      topic: `${topic}-${t}`,
      partitions: Array.from({ length: Math.min(4096, count - t * 4096) }, (_, p) => ({ partition: p, ...part(p) })),
    })),
  });

const cases: Case[] = [
  // produce
  { name: 'truncated binary body', fn: 'produce', method: 'POST', path: '/v1/produce', body: () => produceBody(0, batchOf(['a'])).subarray(0, 20), type: PRODUCE_CONTENT_TYPE, status: 400, code: 'INVALID_REQUEST' },
  { name: 'binary body with trailing bytes', fn: 'produce', method: 'POST', path: '/v1/produce', body: () => Buffer.concat([produceBody(0, batchOf(['a'])), Buffer.from([1])]), type: PRODUCE_CONTENT_TYPE, status: 400, code: 'INVALID_REQUEST' },
  { name: 'hostile array count', fn: 'produce', method: 'POST', path: '/v1/produce', body: () => Buffer.from([0, 1, 255, 255, 0, 0, 3, 232, 127, 255, 255, 255]), type: PRODUCE_CONTENT_TYPE, status: 400, code: 'INVALID_REQUEST' },
  { name: 'unknown wire version', fn: 'produce', method: 'POST', path: '/v1/produce', body: () => { const b = produceBody(0, batchOf(['a'])); b.writeInt16BE(9, 0); return b; }, type: PRODUCE_CONTENT_TYPE, status: 400, code: 'UNSUPPORTED_VERSION' },
  { name: 'bad CRC', fn: 'produce', method: 'POST', path: '/v1/produce', body: () => produceBody(0, corrupted()), type: PRODUCE_CONTENT_TYPE, status: 400, code: 'CORRUPT_MESSAGE' },
  { name: 'batch length field lies', fn: 'produce', method: 'POST', path: '/v1/produce', body: () => { const b = batchOf(['a']); b.writeInt32BE(5000, 8); return produceBody(0, b); }, type: PRODUCE_CONTENT_TYPE, status: 400, code: 'CORRUPT_MESSAGE' },
  { name: 'old message format (magic 1)', fn: 'produce', method: 'POST', path: '/v1/produce', body: () => { const b = batchOf(['a']); b.writeInt8(1, 16); return produceBody(0, b); }, type: PRODUCE_CONTENT_TYPE, status: 400, code: 'UNSUPPORTED_FOR_MESSAGE_FORMAT' },
  { name: 'unknown topic', fn: 'produce', method: 'POST', path: '/v1/produce', body: () => produceBody(0, batchOf(['a']), -1, () => uniqueName('nope')), type: PRODUCE_CONTENT_TYPE, status: 404, code: 'UNKNOWN_TOPIC_OR_PARTITION' },
  { name: 'partition out of range', fn: 'produce', method: 'POST', path: '/v1/produce', body: () => produceBody(7, batchOf(['a'])), type: PRODUCE_CONTENT_TYPE, status: 404, code: 'UNKNOWN_TOPIC_OR_PARTITION' },
  { name: 'negative partition', fn: 'produce', method: 'POST', path: '/v1/produce', body: () => produceBody(-1, batchOf(['a'])), type: PRODUCE_CONTENT_TYPE, status: 404, code: 'UNKNOWN_TOPIC_OR_PARTITION' },
  { name: 'invalid acks', fn: 'produce', method: 'POST', path: '/v1/produce', body: () => produceBody(0, batchOf(['a']), 2), type: PRODUCE_CONTENT_TYPE, status: 400, code: 'INVALID_REQUIRED_ACKS' },
  { name: 'binary negative timeoutMs (the JSON form refuses it too)', fn: 'produce', method: 'POST', path: '/v1/produce', body: () => produceBody(0, batchOf(['a']), -1, () => topic, -1), type: PRODUCE_CONTENT_TYPE, status: 400, code: 'INVALID_REQUEST' },
  { name: 'JSON negative timeoutMs', fn: 'produce', method: 'POST', path: '/v1/produce', body: () => JSON.stringify({ timeoutMs: -1, topics: [{ topic, partitions: [{ partition: 0, records: batchOf(['a']).toString('base64') }] }] }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'batch above max.message.bytes', fn: 'produce', method: 'POST', path: '/v1/produce', body: () => produceBody(0, batchOf(['x'.repeat(LIMITS.defaultMaxMessageBytes)])), type: PRODUCE_CONTENT_TYPE, status: 413, code: 'MESSAGE_TOO_LARGE' },
  { name: 'oversize body', fn: 'produce', method: 'POST', path: '/v1/produce', body: () => Buffer.alloc(LIMITS.maxProduceRequestBytes + 1024), type: PRODUCE_CONTENT_TYPE, status: 413, code: 'RECORD_LIST_TOO_LARGE' },
  { name: 'malformed JSON', fn: 'produce', method: 'POST', path: '/v1/produce', body: '{"records": [', type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'JSON records of the wrong type', fn: 'produce', method: 'POST', path: '/v1/produce', body: () => JSON.stringify({ records: [{ topic, value: 42 }] }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'JSON record without a value (null is a tombstone)', fn: 'produce', method: 'POST', path: '/v1/produce', body: () => JSON.stringify({ records: [{ topic, value: 'ok' }, { topic, key: 'k' }] }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'JSON record timestamp past what a Date holds', fn: 'produce', method: 'POST', path: '/v1/produce', body: () => JSON.stringify({ records: [{ topic, value: 'v', timestamp: 9007199254740991 }] }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'JSON record with a misspelt field (it would go to any partition)', fn: 'produce', method: 'POST', path: '/v1/produce', body: () => JSON.stringify({ records: [{ topic, partiton: 1, value: 'v' }] }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'JSON records body with a misspelt field (acks would be all)', fn: 'produce', method: 'POST', path: '/v1/produce', body: () => JSON.stringify({ ack: 0, records: [{ topic, value: 'v' }] }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'JSON records body with a negative timeoutMs', fn: 'produce', method: 'POST', path: '/v1/produce', body: () => JSON.stringify({ timeoutMs: -1, records: [{ topic, value: 'v' }] }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'Kafka-shaped JSON body with a misspelt field', fn: 'produce', method: 'POST', path: '/v1/produce', body: () => JSON.stringify({ timeout: 5, topics: [{ topic, partitions: [{ partition: 0, records: batchOf(['a']).toString('base64') }] }] }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'JSON partition of the wrong type', fn: 'produce', method: 'POST', path: '/v1/produce', body: () => JSON.stringify({ records: [{ topic, partition: 'zero', value: 'v' }] }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'JSON unknown topic', fn: 'produce', method: 'POST', path: '/v1/produce', body: () => JSON.stringify({ records: [{ topic: uniqueName('nope'), value: 'v' }] }), type: 'application/json', status: 404, code: 'UNKNOWN_TOPIC_OR_PARTITION' },
  { name: 'JSON invalid topic name', fn: 'produce', method: 'POST', path: '/v1/produce', body: () => JSON.stringify({ topics: [{ topic: 'bad name!', partitions: [{ partition: 0, records: batchOf(['a']).toString('base64') }] }] }), type: 'application/json', status: 404, code: 'UNKNOWN_TOPIC_OR_PARTITION' },
  { name: 'JSON body with both records and topics (one form would be dropped)', fn: 'produce', method: 'POST', path: '/v1/produce', body: () => JSON.stringify({ records: [{ topic, partition: 0, value: 'r' }], topics: [{ topic, partitions: [{ partition: 1, records: batchOf(['t']).toString('base64') }] }] }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'unsupported content type', fn: 'produce', method: 'POST', path: '/v1/produce', body: 'a=b', type: 'text/plain', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'wrong method', fn: 'produce', method: 'GET', path: '/v1/produce', status: 405, code: 'METHOD_NOT_ALLOWED' },
  { name: 'producer-ids: malformed JSON', fn: 'produce', method: 'POST', path: '/v1/producer-ids', body: '{"x":', type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'producer-ids: not a JSON object', fn: 'produce', method: 'POST', path: '/v1/producer-ids', body: '[1,2]', type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  // fetch
  { name: 'fetch: malformed JSON', fn: 'fetch', method: 'POST', path: '/v1/fetch', body: '{', type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'fetch: empty body', fn: 'fetch', method: 'POST', path: '/v1/fetch', body: '', type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'fetch: negative offset', fn: 'fetch', method: 'POST', path: '/v1/fetch', body: () => JSON.stringify({ topics: [{ topic, partitions: [{ partition: 0, fetchOffset: -5 }] }] }), type: 'application/json', status: 416, code: 'OFFSET_OUT_OF_RANGE' },
  { name: 'fetch: offset past the end', fn: 'fetch', method: 'POST', path: '/v1/fetch', body: () => JSON.stringify({ maxWaitMs: 0, topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 1_000_000 }] }] }), type: 'application/json', status: 416, code: 'OFFSET_OUT_OF_RANGE' },
  { name: 'fetch: unknown topic', fn: 'fetch', method: 'POST', path: '/v1/fetch', body: () => JSON.stringify({ maxWaitMs: 0, topics: [{ topic: uniqueName('nope'), partitions: [{ partition: 0, fetchOffset: 0 }] }] }), type: 'application/json', status: 404, code: 'UNKNOWN_TOPIC_OR_PARTITION' },
  { name: 'fetch: invalid topic name', fn: 'fetch', method: 'GET', path: '/v1/fetch?topic=..&partition=0&offset=0', status: 404, code: 'UNKNOWN_TOPIC_OR_PARTITION' },
  { name: 'fetch: partition out of range', fn: 'fetch', method: 'POST', path: '/v1/fetch', body: () => JSON.stringify({ maxWaitMs: 0, topics: [{ topic, partitions: [{ partition: 9, fetchOffset: 0 }] }] }), type: 'application/json', status: 404, code: 'UNKNOWN_TOPIC_OR_PARTITION' },
  { name: 'fetch: zero partitionMaxBytes', fn: 'fetch', method: 'POST', path: '/v1/fetch', body: () => JSON.stringify({ topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 0 }] }] }), type: 'application/json', status: 400, code: 'INVALID_FETCH_SIZE' },
  { name: 'fetch: offset of the wrong type', fn: 'fetch', method: 'POST', path: '/v1/fetch', body: () => JSON.stringify({ topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 'zero' }] }] }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'fetch: a partition named twice', fn: 'fetch', method: 'POST', path: '/v1/fetch', body: () => JSON.stringify({ maxWaitMs: 0, topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0 }] }, { topic, partitions: [{ partition: 0, fetchOffset: 1 }] }] }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'fetch: a misspelt limit (maxWait would fall back to 500 ms)', fn: 'fetch', method: 'POST', path: '/v1/fetch', body: () => JSON.stringify({ maxWait: 0, topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0 }] }] }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'fetch: a misspelt partition field (partitionMaxBytes would be 1 MiB)', fn: 'fetch', method: 'POST', path: '/v1/fetch', body: () => JSON.stringify({ maxWaitMs: 0, topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0, maxBytes: 10 }] }] }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'fetch: topics not an array', fn: 'fetch', method: 'POST', path: '/v1/fetch', body: '{"topics": 3}', type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'fetch: GET without topic', fn: 'fetch', method: 'GET', path: '/v1/fetch', status: 400, code: 'INVALID_REQUEST' },
  { name: 'fetch: GET with negative offset', fn: 'fetch', method: 'GET', path: '/v1/fetch?topic=x&offset=-1', status: 416, code: 'OFFSET_OUT_OF_RANGE' },
  { name: 'fetch: GET with a parameter given twice', fn: 'fetch', method: 'GET', path: '/v1/fetch?topic=TOPIC&partition=0&partition=1&offset=0', status: 400, code: 'INVALID_REQUEST' },
  { name: 'fetch: GET with a misspelt parameter (it would read partition 0)', fn: 'fetch', method: 'GET', path: '/v1/fetch?topic=TOPIC&partiton=1&offset=0', status: 400, code: 'INVALID_REQUEST' },
  { name: 'offsets: GET with a parameter given twice', fn: 'fetch', method: 'GET', path: '/v1/offsets?topic=TOPIC&partition=0&spec=earliest&spec=latest', status: 400, code: 'INVALID_REQUEST' },
  { name: 'metadata: topics given twice (the second list would be dropped)', fn: 'admin', method: 'GET', path: '/v1/metadata?topics=TOPIC&topics=other', status: 400, code: 'INVALID_REQUEST' },
  { name: 'offsets: bad spec', fn: 'fetch', method: 'GET', path: '/v1/offsets?topic=x&spec=yesterday', status: 400, code: 'INVALID_REQUEST' },
  { name: 'offsets: negative spec other than -1/-2 (Date.parse reads "-5" as a year)', fn: 'fetch', method: 'GET', path: '/v1/offsets?topic=TOPIC&partition=0&spec=-5', status: 400, code: 'INVALID_REQUEST' },
  { name: 'offsets: a date Date.parse reads but ISO-8601 is not', fn: 'fetch', method: 'GET', path: '/v1/offsets?topic=TOPIC&partition=0&spec=Jan%201%202020', status: 400, code: 'INVALID_REQUEST' },
  { name: 'offsets: a time before 1970', fn: 'fetch', method: 'GET', path: '/v1/offsets?topic=TOPIC&partition=0&spec=1969-12-31T23:59:59.999Z', status: 400, code: 'INVALID_REQUEST' },
  { name: 'offsets: unknown topic', fn: 'fetch', method: 'POST', path: '/v1/offsets', body: () => JSON.stringify({ topics: [{ topic: uniqueName('nope'), partitions: [{ partition: 0, timestamp: 'latest' }] }] }), type: 'application/json', status: 404, code: 'UNKNOWN_TOPIC_OR_PARTITION' },
  { name: 'offsets: a partition named twice', fn: 'fetch', method: 'POST', path: '/v1/offsets', body: () => JSON.stringify({ topics: [{ topic, partitions: [{ partition: 1, timestamp: 'earliest' }, { partition: 1, timestamp: 'latest' }] }] }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'offsets: POST with spec (the GET parameter) instead of timestamp', fn: 'fetch', method: 'POST', path: '/v1/offsets', body: () => JSON.stringify({ topics: [{ topic, partitions: [{ partition: 0, spec: 'earliest' }] }] }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'offsets: more partitions than maxPartitionsPerRequest', fn: 'fetch', method: 'POST', path: '/v1/offsets', body: () => manyPartitions(8193, () => ({ timestamp: 'earliest' })), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'metadata: more topics than maxMetadataTopics', fn: 'admin', method: 'GET', path: `/v1/metadata?topics=${Array.from({ length: 1001 }, (_, i) => `t${i}`).join(',')}`, status: 400, code: 'INVALID_REQUEST' },
  { name: 'heartbeat: clientId past maxClientIdLength (refused, not cut)', fn: 'groups', method: 'POST', path: '/v1/groups/g-limits/heartbeat', body: () => JSON.stringify({ memberEpoch: 0, subscribedTopics: [topic], clientId: 'c'.repeat(256) }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'offsets: a misspelt partition field', fn: 'fetch', method: 'POST', path: '/v1/offsets', body: () => JSON.stringify({ topics: [{ topic, partitions: [{ partition: 0, timestamp: 'latest', isolation: 1 }] }] }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'producer-ids: a misspelt producerId (a new id would be issued, not the epoch bumped)', fn: 'produce', method: 'POST', path: '/v1/producer-ids', body: '{"producerID":"1","producerEpoch":0}', type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'heartbeat: a misspelt setting (sessionTimeout would join with the default 45 s)', fn: 'groups', method: 'POST', path: '/v1/groups/g-limits/heartbeat', body: () => JSON.stringify({ memberEpoch: 0, subscribedTopics: [topic], sessionTimeout: 6000 }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'heartbeat: rebalanceTimeoutMs past int32 (max.poll.interval.ms)', fn: 'groups', method: 'POST', path: '/v1/groups/g-limits/heartbeat', body: () => JSON.stringify({ memberEpoch: 0, subscribedTopics: [topic], rebalanceTimeoutMs: 2 ** 31 }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'commit: more partitions than maxPartitionsPerRequest', fn: 'groups', method: 'POST', path: '/v1/groups/g-limits/offsets/commit', body: () => manyPartitions(4097, () => ({ offset: 0 })), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'commit: a misspelt memberId (it would commit as a standalone consumer)', fn: 'groups', method: 'POST', path: '/v1/groups/g-limits/offsets/commit', body: () => JSON.stringify({ memberID: 'm', topics: [{ topic, partitions: [{ partition: 0, offset: 1 }] }] }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'commit: a field a partition does not take', fn: 'groups', method: 'POST', path: '/v1/groups/g-limits/offsets/commit', body: () => JSON.stringify({ topics: [{ topic, partitions: [{ partition: 0, offset: 1, leaderEpoch: 3 }] }] }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'offset fetch: a misspelt topics (it would answer every offset)', fn: 'groups', method: 'POST', path: '/v1/groups/g-limits/offsets/fetch', body: () => JSON.stringify({ topic: [{ topic }] }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'offset reset: a misspelt dryRun (it would reset for real)', fn: 'groups', method: 'POST', path: '/v1/groups/g-limits/offsets/reset', body: () => JSON.stringify({ topic, to: 'earliest', dryrun: true }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'offset delete: "partition" for "partitions" (it would delete every partition\'s offset)', fn: 'groups', method: 'POST', path: '/v1/groups/g-limits/offsets/delete', body: () => JSON.stringify({ topics: [{ topic, partition: 0 }] }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'producer ids: a misspelt producerId (it would issue a new id, not bump the epoch)', fn: 'produce', method: 'POST', path: '/v1/producer-ids', body: '{"producerID":"5","producerEpoch":0}', type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'offsets: a field a partition does not take', fn: 'fetch', method: 'POST', path: '/v1/offsets', body: () => JSON.stringify({ topics: [{ topic, partitions: [{ partition: 0, timestamp: 'latest', isolationLevel: 1 }] }] }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'offsets: negative partition', fn: 'admin', method: 'GET', path: '/v1/offsets?topic=TOPIC&partition=-2', status: 404, code: 'UNKNOWN_TOPIC_OR_PARTITION' },
  // admin
  { name: 'create: invalid characters', fn: 'admin', method: 'POST', path: '/v1/topics', body: '{"name":"bad name","partitions":1}', type: 'application/json', status: 400, code: 'INVALID_TOPIC_EXCEPTION' },
  { name: 'create: name ".."', fn: 'admin', method: 'POST', path: '/v1/topics', body: '{"name":"..","partitions":1}', type: 'application/json', status: 400, code: 'INVALID_TOPIC_EXCEPTION' },
  { name: 'create: name too long', fn: 'admin', method: 'POST', path: '/v1/topics', body: JSON.stringify({ name: 'x'.repeat(250), partitions: 1 }), type: 'application/json', status: 400, code: 'INVALID_TOPIC_EXCEPTION' },
  { name: 'create: name missing', fn: 'admin', method: 'POST', path: '/v1/topics', body: '{"partitions":1}', type: 'application/json', status: 400, code: 'INVALID_TOPIC_EXCEPTION' },
  { name: 'create: zero partitions', fn: 'admin', method: 'POST', path: '/v1/topics', body: () => JSON.stringify({ name: uniqueName('z'), partitions: 0 }), type: 'application/json', status: 400, code: 'INVALID_PARTITIONS' },
  { name: 'create: too many partitions', fn: 'admin', method: 'POST', path: '/v1/topics', body: () => JSON.stringify({ name: uniqueName('z'), partitions: LIMITS.maxPartitionsPerTopic + 1 }), type: 'application/json', status: 400, code: 'INVALID_PARTITIONS' },
  { name: 'create: partitions as a string', fn: 'admin', method: 'POST', path: '/v1/topics', body: () => JSON.stringify({ name: uniqueName('z'), partitions: '3' }), type: 'application/json', status: 400, code: 'INVALID_PARTITIONS' },
  { name: 'create: unknown config', fn: 'admin', method: 'POST', path: '/v1/topics', body: () => JSON.stringify({ name: uniqueName('z'), partitions: 1, configs: { 'segment.jitter': 1 } }), type: 'application/json', status: 400, code: 'INVALID_CONFIG' },
  { name: 'create: negative retention', fn: 'admin', method: 'POST', path: '/v1/topics', body: () => JSON.stringify({ name: uniqueName('z'), partitions: 1, configs: { 'retention.ms': -7 } }), type: 'application/json', status: 400, code: 'INVALID_CONFIG' },
  { name: 'create: a misspelt field (config would be dropped: the topic made with defaults)', fn: 'admin', method: 'POST', path: '/v1/topics', body: () => JSON.stringify({ name: uniqueName('z'), partitions: 1, config: { 'retention.ms': 1000 } }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'add partitions: a misspelt field', fn: 'admin', method: 'POST', path: '/v1/topics/TOPIC/partitions', body: '{"count":5,"validateOnly":true}', type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'create: existing topic', fn: 'admin', method: 'POST', path: '/v1/topics', body: () => JSON.stringify({ name: topic, partitions: 5 }), type: 'application/json', status: 409, code: 'TOPIC_ALREADY_EXISTS' },
  { name: 'create: malformed JSON', fn: 'admin', method: 'POST', path: '/v1/topics', body: 'nope', type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'describe: unknown topic', fn: 'admin', method: 'GET', path: '/v1/topics/no-such-topic-here', status: 404, code: 'UNKNOWN_TOPIC_OR_PARTITION' },
  { name: 'delete: unknown topic', fn: 'admin', method: 'DELETE', path: '/v1/topics/no-such-topic-here', status: 404, code: 'UNKNOWN_TOPIC_OR_PARTITION' },
  { name: 'delete group: invalid id', fn: 'groups', method: 'DELETE', path: '/v1/groups/no%20spaces', status: 400, code: 'INVALID_GROUP_ID' },
  { name: 'delete group: unknown group', fn: 'groups', method: 'DELETE', path: '/v1/groups/no-such-group-here', status: 404, code: 'GROUP_ID_NOT_FOUND' },
  { name: 'add partitions: fewer', fn: 'admin', method: 'POST', path: '/v1/topics/TOPIC/partitions', body: '{"count":1}', type: 'application/json', status: 400, code: 'INVALID_PARTITIONS' },
  { name: 'add partitions: not a number', fn: 'admin', method: 'POST', path: '/v1/topics/TOPIC/partitions', body: '{"count":"many"}', type: 'application/json', status: 400, code: 'INVALID_PARTITIONS' },
  { name: 'add partitions: a numeric string (refused at create too)', fn: 'admin', method: 'POST', path: '/v1/topics/TOPIC/partitions', body: '{"count":"9"}', type: 'application/json', status: 400, code: 'INVALID_PARTITIONS' },
  { name: 'add partitions: a fraction', fn: 'admin', method: 'POST', path: '/v1/topics/TOPIC/partitions', body: '{"count":5.5}', type: 'application/json', status: 400, code: 'INVALID_PARTITIONS' },
  { name: 'configs: invalid value', fn: 'admin', method: 'PUT', path: '/v1/topics/TOPIC/configs', body: '{"configs":{"max.message.bytes":"huge"}}', type: 'application/json', status: 400, code: 'INVALID_CONFIG' },
  { name: 'configs: without the configs object', fn: 'admin', method: 'PUT', path: '/v1/topics/TOPIC/configs', body: '{"retention.ms":1234}', type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'delete records: not an object', fn: 'admin', method: 'POST', path: '/v1/topics/TOPIC/delete-records', body: '[]', type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'delete records: without partitions', fn: 'admin', method: 'POST', path: '/v1/topics/TOPIC/delete-records', body: '{}', type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'delete records: a misspelt field', fn: 'admin', method: 'POST', path: '/v1/topics/TOPIC/delete-records', body: '{"partition":[{"partition":0,"offset":1}]}', type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'delete records: a misspelt offset field', fn: 'admin', method: 'POST', path: '/v1/topics/TOPIC/delete-records', body: '{"partitions":[{"partition":0,"ofset":1}]}', type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'delete records: without an offset', fn: 'admin', method: 'POST', path: '/v1/topics/TOPIC/delete-records', body: '{"partitions":[{"partition":0}]}', type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'delete records: a fractional offset', fn: 'admin', method: 'POST', path: '/v1/topics/TOPIC/delete-records', body: '{"partitions":[{"partition":0,"offset":1.5}]}', type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'delete records: an offset below -1', fn: 'admin', method: 'POST', path: '/v1/topics/TOPIC/delete-records', body: '{"partitions":[{"partition":0,"offset":-2}]}', type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'delete records: a negative partition', fn: 'admin', method: 'POST', path: '/v1/topics/TOPIC/delete-records', body: '{"partitions":[{"partition":-1,"offset":1}]}', type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'delete records: a partition named twice', fn: 'admin', method: 'POST', path: '/v1/topics/TOPIC/delete-records', body: '{"partitions":[{"partition":0,"offset":1},{"partition":0,"offset":2}]}', type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'delete records: a good entry before a bad one', fn: 'admin', method: 'POST', path: '/v1/topics/TOPIC/delete-records', body: '{"partitions":[{"partition":0,"offset":1},{"partition":1,"offset":"x"}]}', type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'delete records: past the high watermark', fn: 'admin', method: 'POST', path: '/v1/topics/TOPIC/delete-records', body: '{"partitions":[{"partition":0,"offset":3}]}', type: 'application/json', status: 416, code: 'OFFSET_OUT_OF_RANGE' },
  { name: 'delete records: unknown partition', fn: 'admin', method: 'POST', path: '/v1/topics/TOPIC/delete-records', body: '{"partitions":[{"partition":7,"offset":0}]}', type: 'application/json', status: 404, code: 'UNKNOWN_TOPIC_OR_PARTITION' },
  { name: 'delete records: unknown topic', fn: 'admin', method: 'POST', path: '/v1/topics/no-such-topic-x/delete-records', body: '{"partitions":[{"partition":0,"offset":0}]}', type: 'application/json', status: 404, code: 'UNKNOWN_TOPIC_OR_PARTITION' },
  { name: 'delete records: too many partitions', fn: 'admin', method: 'POST', path: '/v1/topics/TOPIC/delete-records', body: () => JSON.stringify({ partitions: Array.from({ length: LIMITS.maxPartitionsPerRequest + 1 }, (_, p) => ({ partition: p, offset: 0 })) }), type: 'application/json', status: 400, code: 'INVALID_REQUEST' },
  { name: 'unknown route', fn: 'admin', method: 'GET', path: '/v2/everything', status: 404, code: 'NOT_FOUND' },
];

beforeAll(async () => {
  urls = await env.http.functionUrls();
  topic = uniqueName('bad');
  await env.admin.createTopic(topic, 2);
  await produceValues(env.http, topic, 0, ['before-0', 'before-1']);
});

describe('bad input', () => {
  it.each(cases)('$name → $status $code, nothing changes', async (c) => {
    // Prepare
    const raw = typeof c.body === 'function' ? c.body() : c.body;
    const body = typeof raw === 'string' ? raw.replaceAll('TOPIC', topic) : raw;
    // The topics this request could have made or changed: ours, and any it names (other test files create theirs meanwhile).
    const request = `${c.path.replace('TOPIC', topic)} ${typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('latin1') : ''}`;
    const named = async () => (await env.admin.listTopics()).filter((t) => t.name === topic || request.includes(t.name)).map((t) => `${t.name}:${t.partitions}`).sort();
    const topicsBefore = await named();
    const describeBefore = await env.admin.describeTopic(topic);

    // Act
    const response = await fetch(`${urls[c.fn]}${c.path.replace('TOPIC', topic)}`, {
      method: c.method,
      headers: c.type ? { 'content-type': c.type } : {},
      body: c.method === 'GET' ? undefined : body,
    });
    const answer = (await response.json()) as { error?: { code: string; message: string } };

    // Assess
    expect(response.status).toBe(c.status);
    expect(answer.error?.code).toBe(c.code);
    expect(answer.error?.message.length).toBeGreaterThan(0);
    expect(await named()).toEqual(topicsBefore);
    expect(await env.admin.describeTopic(topic)).toEqual(describeBefore);
  });

  it('metadata answers a topic named twice once, as Kafka does', async () => {
    // Act
    const response = await fetch(`${urls.admin}/v1/metadata?topics=${topic},${topic}`);
    const answer = (await response.json()) as { topics: Array<{ name: string; errorCode: string }> };

    // Assess
    expect(response.status).toBe(200);
    expect(answer.topics.map((t) => [t.name, t.errorCode])).toEqual([[topic, 'NONE']]);
  });

  it('a valid request after all the bad ones gets the next dense offset', async () => {
    // Act
    const next = await produceValues(env.http, topic, 0, ['after']);

    // Assess
    expect(next).toMatchObject({ errorCode: 'NONE', baseOffset: 2 });
    expect(values(await readPartition(env.http, topic, 0))).toEqual(['before-0', 'before-1', 'after']);
  });

  it('a request mixing a good and a bad partition writes only the good one and reports the bad one', async () => {
    // Prepare
    const mixed = encodeProduceRequest({
      acks: -1,
      timeoutMs: 1000,
      topics: [{ topic, partitions: [{ partition: 1, records: batchOf(['good']) }, { partition: 0, records: corrupted() }] }],
    });

    // Act
    const response = await fetch(`${urls.produce}/v1/produce`, { method: 'POST', headers: { 'content-type': PRODUCE_CONTENT_TYPE }, body: mixed });
    const answer = (await response.json()) as { topics: Array<{ partitions: Array<{ partition: number; errorCode: string }> }> };

    // Assess
    expect(response.status).toBe(200);
    expect(answer.topics[0]?.partitions.map((p) => [p.partition, p.errorCode])).toEqual([
      [1, 'NONE'],
      [0, 'CORRUPT_MESSAGE'],
    ]);
    expect(values(await readPartition(env.http, topic, 1))).toEqual(['good']);
    expect(values(await readPartition(env.http, topic, 0))).toEqual(['before-0', 'before-1', 'after']);
  });
});
