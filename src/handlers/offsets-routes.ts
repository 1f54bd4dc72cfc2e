/** ListOffsets over HTTP (on the fetch and admin functions): earliest, latest or by timestamp. */
import { FloeError, mapConcurrent } from '@floe/protocol';
import { EARLIEST, LATEST, listOffset } from '../log/list-offsets.js';
import { LIMITS } from '../log/limits.js';
import type { HandlerDeps } from './deps.js';
import { accessOf, parseJsonBody, partitionsJson, type HttpRequest, type Route } from './http.js';
import { REQUEST_LIMITS } from './limits.js';
import { deniedPartition } from './topic-access.js';
import { array, integer, object, partitionCount, queryParams, string } from './validate.js';

/** An ISO-8601 date or date-time: Date.parse reads much else ("-1" is the year 2001), which is refused. */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** The time an ISO-8601 string names, NaN unless it is one and its fields exist (Date.parse rolls 2024-02-30 over to March 1). */
function isoTime(value: string): number {
  const m = ISO_8601.exec(value);
  if (!m) return Number.NaN;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((field) => Number(field ?? 0));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const valid = month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59;
  return valid ? Date.parse(value) : Number.NaN;
}

/** "earliest" | "latest" (or Kafka's -2 | -1) | epoch ms | ISO-8601 time from 1970 -> Kafka's ListOffsets timestamp spec. */
export function parseOffsetSpec(value: unknown, what: string): number {
  if (value === 'earliest' || value === EARLIEST || value === String(EARLIEST)) return EARLIEST;
  if (value === 'latest' || value === LATEST || value === String(LATEST)) return LATEST;
  if (typeof value === 'string' && !/^\d+$/.test(value)) {
    const t = isoTime(value);
    if (!(t >= 0)) throw new FloeError('INVALID_REQUEST', `${what} must be "earliest", "latest", epoch milliseconds or an ISO-8601 time from 1970 on`);
    return t;
  }
  return integer(value, what, { min: 0 });
}

export function offsetsRoutes(deps: HandlerDeps): Route[] {
  // Offsets by time read a record batch, and offsets show how much a topic holds: Read, not only Describe.
  const run = async (request: HttpRequest, items: Array<{ topic: string; partition: number; spec: number }>) => {
    partitionCount(items.length, 'offsets request');
    const named = new Set<string>();
    for (const { topic, partition } of items) {
      const id = `${partition}\u0000${topic}`;
      if (named.has(id)) throw new FloeError('INVALID_REQUEST', `offsets request names partition ${partition} of topic "${topic}" twice`);
      named.add(id);
    }
    const access = await accessOf(deps.auth, request);
    const results = await mapConcurrent(items, REQUEST_LIMITS.lookupsInFlight, async (i) =>
      access.allows('topic', i.topic, 'Read')
        ? listOffset(deps, i.topic, i.partition, i.spec)
        : { partition: i.partition, ...deniedPartition(access, i.topic, 'Read'), offset: -1, timestamp: -1 },
    );
    const topics = new Map<string, unknown[]>();
    items.forEach((item, n) => {
      const list = topics.get(item.topic) ?? [];
      list.push(results[n]);
      topics.set(item.topic, list);
    });
    return partitionsJson({ topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })) }, results);
  };
  return [
    {
      method: 'POST',
      path: '/v1/offsets',
      maxBodyBytes: LIMITS.maxJsonBodyBytes,
      handle: async (request) => {
        const body = object(parseJsonBody(request), 'body', ['topics']);
        const items = array(body.topics, 'topics').flatMap((t, i) => {
          const topic = object(t, `topics[${i}]`, ['topic', 'partitions']);
          const name = string(topic.topic, `topics[${i}].topic`);
          return array(topic.partitions, `topics[${i}].partitions`, LIMITS.maxPartitionsPerRequest).map((p, j) => {
            const part = object(p, `topics[${i}].partitions[${j}]`, ['partition', 'timestamp']);
            return {
              topic: name,
              partition: integer(part.partition, `topics[${i}].partitions[${j}].partition`),
              spec: parseOffsetSpec(part.timestamp, `topics[${i}].partitions[${j}].timestamp`),
            };
          });
        });
        return run(request, items);
      },
    },
    {
      method: 'GET',
      path: '/v1/offsets',
      handle: async (request) => {
        const q = queryParams(request.query, 'GET /v1/offsets', ['topic', 'partition', 'spec']);
        const topic = q.topic;
        if (!topic) throw new FloeError('INVALID_REQUEST', 'query parameter "topic" is required');
        const partition = integer(q.partition ?? 0, 'partition');
        const spec = parseOffsetSpec(q.spec ?? 'latest', 'spec');
        return run(request, [{ topic, partition, spec }]);
      },
    },
  ];
}
