/** Routes of the fetch function: POST/GET /v1/fetch, POST/GET /v1/offsets, GET /v1/bootstrap. Read-only. */
import { encodeFetchResponse, FETCH_CONTENT_TYPE, type FetchRequest, type FetchTopicResult, FloeError, readFetchedRecords } from '@floe/protocol';
import { fetchRecords, validateFetchRequest } from '../log/fetch.js';
import { LIMITS } from '../log/limits.js';
import { bootstrapRoute } from './bootstrap.js';
import type { HandlerDeps } from './deps.js';
import { accessOf, binary, parseJsonBody, partitionsJson, router, type FunctionUrlHandler, type HttpRequest, type PartitionOutcome, type Route } from './http.js';
import { parseEncoding, type Encoding } from './json-records.js';
import { offsetsRoutes } from './offsets-routes.js';
import { deniedPartition, forAllowedTopics } from './topic-access.js';
import { array, integer, knownFields, object, optional, queryParams, string } from './validate.js';

/** Kafka consumer defaults (fetch.min.bytes 1, fetch.max.wait.ms 500, max.partition.fetch.bytes 1 MiB). */
const DEFAULTS = { maxWaitMs: 500, minBytes: 1, partitionMaxBytes: 1024 * 1024 } as const;

function parseFetchJson(body: Record<string, unknown>): FetchRequest {
  // A misspelt limit (`maxWait`) would fall back to its default without a word.
  knownFields(body, 'the body', ['maxWaitMs', 'minBytes', 'maxBytes', 'encoding', 'topics']);
  return {
    maxWaitMs: optional(body.maxWaitMs, DEFAULTS.maxWaitMs, (v) => integer(v, 'maxWaitMs', { min: 0 })),
    minBytes: optional(body.minBytes, DEFAULTS.minBytes, (v) => integer(v, 'minBytes', { min: 0 })),
    maxBytes: optional(body.maxBytes, LIMITS.maxFetchResponseBytes, (v) => integer(v, 'maxBytes', { min: 1, code: 'INVALID_FETCH_SIZE' })),
    topics: array(body.topics, 'topics', LIMITS.maxPartitionsPerRequest).map((t, i) => {
      const topic = object(t, `topics[${i}]`, ['topic', 'partitions']);
      return {
        topic: string(topic.topic, `topics[${i}].topic`),
        partitions: array(topic.partitions, `topics[${i}].partitions`, LIMITS.maxPartitionsPerRequest).map((p, j) => {
          const part = object(p, `topics[${i}].partitions[${j}]`, ['partition', 'fetchOffset', 'partitionMaxBytes']);
          const what = `topics[${i}].partitions[${j}]`;
          return {
            partition: integer(part.partition, `${what}.partition`),
            fetchOffset: integer(part.fetchOffset, `${what}.fetchOffset`, { min: 0, code: 'OFFSET_OUT_OF_RANGE' }),
            partitionMaxBytes: optional(part.partitionMaxBytes, DEFAULTS.partitionMaxBytes, (v) =>
              integer(v, `${what}.partitionMaxBytes`, { min: 1, code: 'INVALID_FETCH_SIZE' }),
            ),
          };
        }),
      };
    }),
  };
}

const FETCH_QUERY = ['topic', 'partition', 'offset', 'maxBytes', 'maxWaitMs', 'minBytes', 'encoding'] as const;

function parseFetchQuery(query: URLSearchParams): { request: FetchRequest; encoding: Encoding } {
  const q = queryParams(query, 'GET /v1/fetch', FETCH_QUERY);
  if (!q.topic) throw new FloeError('INVALID_REQUEST', 'query parameter "topic" is required');
  const request = parseFetchJson({
    maxWaitMs: q.maxWaitMs ?? 0,
    minBytes: q.minBytes ?? 0,
    maxBytes: q.maxBytes,
    topics: [{ topic: q.topic, partitions: [{ partition: q.partition ?? 0, fetchOffset: q.offset ?? 0, partitionMaxBytes: q.maxBytes }] }],
  });
  return { request, encoding: parseEncoding(q.encoding) };
}

const text = (b: Buffer | null, encoding: Encoding): string | null => (b === null ? null : b.toString(encoding));

/**
 * JSON view of a fetch answer: records decoded, keys and values as UTF-8 (or base64) strings.
 * Only records at or after the offset asked for are listed (the binary form keeps whole batches,
 * as Kafka does). A stored batch that cannot be read is that partition's CORRUPT_MESSAGE, with the
 * records before it; the other partitions are unaffected. Decompression is bounded by the
 * request's maxBytes (at least one batch is decoded, at most max.message.bytes' ceiling).
 */
export function fetchResultToJson(topics: FetchTopicResult[], encoding: Encoding, request: FetchRequest): unknown {
  let budget = Math.min(request.maxBytes, LIMITS.maxFetchResponseBytes);
  let first = true;
  return {
    topics: topics.map((t, ti) => ({
      topic: t.topic,
      partitions: t.partitions.map((p, pi) => {
        const asked = request.topics[ti]?.partitions[pi];
        const read = readFetchedRecords(p.records, asked?.fetchOffset ?? 0, {
          maxBatchBytes: LIMITS.readerMaxBatchBytes,
          maxDecodedBytes: Math.max(0, budget),
          atLeastOne: first, // as Kafka: the first non-empty partition returns a batch even past the limit
        });
        if (p.records.length > 0) first = false;
        budget -= read.decodedBytes;
        const error = p.errorCode === 'NONE' && read.corrupt ? { errorCode: 'CORRUPT_MESSAGE' as const, errorMessage: read.corrupt.message } : undefined;
        return {
          partition: p.partition,
          errorCode: error?.errorCode ?? p.errorCode,
          ...((error?.errorMessage ?? p.errorMessage) ? { errorMessage: error?.errorMessage ?? p.errorMessage } : {}),
          highWatermark: p.highWatermark,
          logStartOffset: p.logStartOffset,
          // where to fetch next: after the last batch, past a compacted batch's removed last offsets
          ...(read.nextOffset !== undefined ? { nextOffset: read.nextOffset } : {}),
          records: read.records.map((r) => {
            // every header in order: Kafka allows a key more than once, which `headers` shows once (its last value)
            const headerList = r.headers.map((h) => ({ key: h.key, value: text(h.value, encoding) }));
            return {
              offset: r.offset,
              timestamp: r.timestamp,
              key: text(r.key, encoding),
              value: text(r.value, encoding),
              headers: Object.fromEntries(headerList.map((h) => [h.key, h.value])),
              headerList,
            };
          }),
        };
      }),
    })),
  };
}

const wantsBinary = (request: HttpRequest): boolean => (request.headers.accept ?? '').includes(FETCH_CONTENT_TYPE);

export function fetchApp(deps: HandlerDeps): FunctionUrlHandler {
  const answer = async (request: HttpRequest, fetchRequest: FetchRequest, encoding: Encoding) => {
    validateFetchRequest(fetchRequest);
    const access = await accessOf(deps.auth, request);
    const topics = await forAllowedTopics(
      access,
      'Read',
      fetchRequest.topics,
      (allowed) => fetchRecords(deps, { ...fetchRequest, topics: allowed }),
      (t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => ({ partition: p.partition, ...deniedPartition(access, t.topic, 'Read'), highWatermark: -1, logStartOffset: -1, records: Buffer.alloc(0) })),
      }),
    );
    // The SDK's binary form carries per-partition codes like Kafka: always 200.
    if (wantsBinary(request)) return binary(200, FETCH_CONTENT_TYPE, encodeFetchResponse(topics));
    const body = fetchResultToJson(topics, encoding, fetchRequest) as { topics: Array<{ partitions: PartitionOutcome[] }> };
    // The JSON body's codes, not the fetch's: a batch that cannot be decoded is that partition's CORRUPT_MESSAGE.
    return partitionsJson(body, body.topics.flatMap((t) => t.partitions));
  };
  const routes: Route[] = [
    {
      method: 'POST',
      path: '/v1/fetch',
      maxBodyBytes: LIMITS.maxJsonBodyBytes,
      handle: async (request) => {
        const body = object(parseJsonBody(request), 'body');
        return answer(request, parseFetchJson(body), parseEncoding(body.encoding));
      },
    },
    {
      method: 'GET',
      path: '/v1/fetch',
      handle: async (request) => {
        const { request: fetchRequest, encoding } = parseFetchQuery(request.query);
        return answer(request, fetchRequest, encoding);
      },
    },
    ...offsetsRoutes(deps),
    bootstrapRoute(deps),
  ];
  return router(routes);
}
