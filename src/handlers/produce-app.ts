/** Routes of the produce function: POST /v1/produce (binary or JSON), POST /v1/producer-ids, GET /v1/bootstrap. */
import { decodeProduceRequest, FloeError, PRODUCE_CONTENT_TYPE, type ProduceRequest } from '@floe/protocol';
import { LIMITS } from '../log/limits.js';
import { produce, validateProduceRequest } from '../log/produce.js';
import { initProducerId } from '../log/producer-ids.js';
import { bootstrapRoute } from './bootstrap.js';
import type { HandlerDeps } from './deps.js';
import { accessOf, contentType, json, parseJsonBody, partitionsJson, router, type FunctionUrlHandler, type HttpRequest } from './http.js';
import { jsonRecordsToRequest, recordTopics, type JsonRecordRef } from './json-records.js';
import { deniedPartition, forAllowedTopics } from './topic-access.js';
import { array, base64, integer, knownFields, object, string } from './validate.js';

const BINARY_TYPES = new Set([PRODUCE_CONTENT_TYPE, 'application/octet-stream']);

/** JSON body in Kafka's shape: topics -> partitions -> base64 RecordBatch. */
function kafkaShapedRequest(body: Record<string, unknown>): ProduceRequest {
  knownFields(body, 'the body', ['acks', 'timeoutMs', 'topics']);
  const topics = array(body.topics, 'topics').map((t, i) => {
    const topic = object(t, `topics[${i}]`, ['topic', 'partitions']);
    return {
      topic: string(topic.topic, `topics[${i}].topic`),
      partitions: array(topic.partitions, `topics[${i}].partitions`).map((p, j) => {
        const part = object(p, `topics[${i}].partitions[${j}]`, ['partition', 'records']);
        return {
          partition: integer(part.partition, `topics[${i}].partitions[${j}].partition`),
          records: base64(part.records, `topics[${i}].partitions[${j}].records`),
        };
      }),
    };
  });
  return { acks: integer(body.acks ?? -1, 'acks'), timeoutMs: integer(body.timeoutMs ?? 30_000, 'timeoutMs', { min: 0 }), topics };
}

function producerIdOf(value: unknown): bigint {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,19}$/.test(text) || BigInt(text) >= 2n ** 63n) {
    throw new FloeError('INVALID_REQUEST', 'producerId must be a non-negative int64, as a decimal string');
  }
  return BigInt(text);
}

export function produceApp(deps: HandlerDeps): FunctionUrlHandler {
  const handleProduce = async (request: HttpRequest) => {
    const access = await accessOf(deps.auth, request);
    const type = contentType(request);
    let produceRequest: ProduceRequest;
    let refs: JsonRecordRef[] | undefined;
    if (BINARY_TYPES.has(type)) {
      produceRequest = decodeProduceRequest(request.body);
    } else {
      const body = object(parseJsonBody(request), 'body');
      // Both forms in one body: whichever was read, the other's batches would be dropped without a word.
      if (body.records !== undefined && body.topics !== undefined) {
        throw new FloeError('INVALID_REQUEST', 'a JSON produce body carries "records" or "topics", not both');
      }
      if (body.records !== undefined) {
        // The curl form resolves its topics to pick partitions: a topic it may not write fails the request first.
        for (const topic of recordTopics(body)) access.require('topic', topic, 'Write');
        ({ request: produceRequest, refs } = await jsonRecordsToRequest(body, deps.resolveTopic));
      } else produceRequest = kafkaShapedRequest(body);
    }
    validateProduceRequest(produceRequest, request.body.length);
    const topics = await forAllowedTopics(
      access,
      'Write',
      produceRequest.topics,
      (allowed) => produce(deps, { ...produceRequest, topics: allowed }),
      (t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => ({ partition: p.partition, ...deniedPartition(access, t.topic, 'Write'), baseOffset: -1, logAppendTime: -1, logStartOffset: -1 })),
      }),
    );
    const body: Record<string, unknown> = { topics };
    if (refs) {
      body.records = refs.map((ref) => {
        const p = topics.find((t) => t.topic === ref.topic)?.partitions.find((x) => x.partition === ref.partition);
        return p?.errorCode === 'NONE'
          ? { topic: ref.topic, partition: ref.partition, offset: p.baseOffset + ref.index }
          : { topic: ref.topic, partition: ref.partition, error: p?.errorCode ?? 'UNKNOWN_SERVER_ERROR' };
      });
    }
    return partitionsJson(body, topics.flatMap((t) => t.partitions));
  };

  return router([
    { method: 'POST', path: '/v1/produce', maxBodyBytes: LIMITS.maxProduceRequestBytes, handle: handleProduce },
    {
      method: 'POST',
      path: '/v1/producer-ids',
      maxBodyBytes: 1024,
      handle: async (request) => {
        // Kafka's InitProducerId: {} issues a new id; { producerId, producerEpoch } bumps that id's epoch.
        const access = await accessOf(deps.auth, request);
        if (!access.mayInitProducerId()) access.requireCluster('IdempotentWrite');
        // A misspelt producerId would issue a new id instead of bumping the epoch.
        const body = request.body.length === 0 ? {} : object(parseJsonBody(request), 'body', ['producerId', 'producerEpoch']);
        const current =
          body.producerId === undefined
            ? undefined
            : { producerId: producerIdOf(body.producerId), producerEpoch: integer(body.producerEpoch, 'producerEpoch', { min: 0, max: 32767 }) };
        const issued = await initProducerId(deps, current);
        // int64 ids exceed JSON's exact integers: the id travels as a decimal string.
        return json(200, { producerId: issued.producerId.toString(), producerEpoch: issued.producerEpoch });
      },
    },
    bootstrapRoute(deps),
  ]);
}
