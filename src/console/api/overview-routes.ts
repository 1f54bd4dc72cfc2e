/** GET /api/info and GET /api/overview: the cluster at a glance, with sampled totals and rates. */
import type { Overview } from '../shared/api-types.js';
import type { ApiContext } from './context.js';
import { readRoute, type ApiRoute } from './router.js';

export function overviewRoutes(ctx: ApiContext): ApiRoute[] {
  return [
    readRoute('/api/info', async () => ({ body: ctx.info })),
    readRoute('/api/overview', async () => {
      // Topic and partition counts are read now (one call); records, bytes and rates come from the sampler.
      const topics = await ctx.gateway.listTopics();
      const totals = ctx.sampler.totals();
      const overview: Overview = {
        topics: topics.length,
        partitions: topics.reduce((sum, t) => sum + t.partitions, 0),
        records: totals?.records ?? null,
        bytes: totals?.bytes ?? null,
        groups: totals?.groups ?? null,
        sampledAt: totals?.at ?? null,
        rates: ctx.sampler.rateSeries(),
      };
      return { body: overview };
    }),
  ];
}
