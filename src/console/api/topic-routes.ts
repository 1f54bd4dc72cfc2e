/** Topics: the paged list, one topic with its paged partitions, create, add partitions. */
import { FloeError } from '@floe/client';
import type { PartitionRow, TopicDetail, TopicRow } from '../shared/api-types.js';
import type { ApiContext } from './context.js';
import { filteredPage } from './filtered-page.js';
import { pageRequest, slicePage } from './pagination.js';
import { bodyInt, bodyString, objectBody } from './params.js';
import { readRoute, writeRoute, type ApiRoute } from './router.js';

/** Floe's own limit (docs/http-api.md); checked here too so the form gets a clear answer. */
export const MAX_PARTITIONS = 4096;

function configsOf(value: unknown): Record<string, string | number> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new FloeError('INVALID_REQUEST', '"configs" must be an object');
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v))) throw new FloeError('INVALID_CONFIG', `config "${name}" must be a number or a numeric string`);
  }
  return value as Record<string, string | number>;
}

export function topicRoutes(ctx: ApiContext): ApiRoute[] {
  return [
    readRoute('/api/topics', async (request) => {
      const page = await filteredPage(request.query, () => ctx.gateway.listTopics(), (t) => t.name);
      const items = page.items.map((t): TopicRow => {
        const stats = ctx.sampler.topicStats(t.name);
        return { name: t.name, partitions: t.partitions, records: stats?.records ?? null, bytes: stats?.bytes ?? null };
      });
      return { body: { ...page, items } };
    }),
    writeRoute('/api/topics', async (request) => {
      const body = objectBody(request.body, ['name', 'partitions', 'configs']);
      const name = bodyString(body, 'name', { maxLength: 249 }) as string;
      const partitions = bodyInt(body, 'partitions', { min: 1, max: MAX_PARTITIONS, optional: true }) ?? 1;
      return { status: 201, body: await ctx.gateway.createTopic(name, partitions, configsOf(body.configs)) };
    }),
    readRoute('/api/topics/:name', async (request) => {
      const page = pageRequest(request.query, 100);
      const topic = await ctx.gateway.describeTopic(request.params.name as string);
      const rows = topic.partitionDetails.map(
        (p): PartitionRow => ({
          partition: p.partition,
          logStartOffset: p.logStartOffset,
          logEndOffset: p.highWatermark,
          records: p.highWatermark - p.logStartOffset,
          bytes: p.bytes ?? null,
        }),
      );
      const detail: TopicDetail = {
        name: topic.name,
        topicId: topic.topicId,
        partitions: topic.partitions,
        configs: topic.configs,
        overrides: topic.overrides ?? null,
        records: rows.reduce((sum, r) => sum + r.records, 0),
        bytes: rows.some((r) => r.bytes === null) ? null : rows.reduce((sum, r) => sum + (r.bytes ?? 0), 0),
        partitionPage: slicePage(rows, page),
      };
      return { body: detail };
    }),
    writeRoute('/api/topics/:name/partitions', async (request) => {
      const count = bodyInt(objectBody(request.body, ['count']), 'count', { min: 1, max: MAX_PARTITIONS }) as number;
      return { body: await ctx.gateway.addPartitions(request.params.name as string, count) };
    }),
  ];
}
