/** The message browser's page of records, and producing a test record from the form. */
import { FloeError } from '@floe/client';
import { BROWSE_LIMITS, browseMessages } from '../browse.js';
import { parseProduceRequest } from '../produce-input.js';
import type { BrowseMode, ProduceAnswer } from '../shared/api-types.js';
import type { ApiContext } from './context.js';
import { intParam, objectBody, oneOf } from './params.js';
import { readRoute, writeRoute, type ApiRoute } from './router.js';

const MODES: readonly BrowseMode[] = ['offset', 'timestamp', 'latest'];

/** Epoch milliseconds or an ISO-8601 time. */
function timestampParam(raw: string | null): number {
  if (raw === null || raw === '') throw new FloeError('INVALID_REQUEST', 'query parameter "timestamp" is required with mode=timestamp');
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isSafeInteger(ms)) throw new FloeError('INVALID_REQUEST', `query parameter "timestamp" must be epoch milliseconds or an ISO-8601 time, got "${raw}"`);
  return ms;
}

export function messageRoutes(ctx: ApiContext): ApiRoute[] {
  return [
    readRoute('/api/topics/:name/messages', async (request) => {
      const q = request.query;
      const mode = oneOf(q, 'mode', MODES, 'offset');
      const key = q.get('key');
      const page = await browseMessages(ctx.gateway, {
        topic: request.params.name as string,
        partition: intParam(q, 'partition', { min: 0, max: 4095, default: 0 }),
        mode,
        offset: mode === 'offset' ? intParam(q, 'offset', { min: 0, max: Number.MAX_SAFE_INTEGER, default: 0 }) : undefined,
        timestamp: mode === 'timestamp' ? timestampParam(q.get('timestamp')) : undefined,
        limit: intParam(q, 'limit', { min: 1, max: BROWSE_LIMITS.maxPageSize, default: 20 }),
        key: key === null || key === '' ? undefined : key,
      });
      return { body: page };
    }),
    writeRoute('/api/topics/:name/records', async (request) => {
      const topic = request.params.name as string;
      const written = await ctx.gateway.produce(topic, parseProduceRequest(objectBody(request.body, ['partition', 'key', 'keyFormat', 'value', 'valueFormat', 'headers'])));
      const answer: ProduceAnswer = { topic, ...written };
      return { status: 201, body: answer };
    }),
  ];
}
