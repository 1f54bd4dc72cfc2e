/** A topic's config overrides (set one, reset one to the default) and delete-records (purge up to an offset). */
import { FloeError } from '@floe/client';
import type { DeleteRecordsAnswer } from '../shared/api-types.js';
import type { ApiContext } from './context.js';
import { invalid, objectBody } from './params.js';
import { writeRoute, type ApiRoute } from './router.js';
import { MAX_PARTITIONS } from './topic-routes.js';

/** { name: value | null }: a value sets the config on the topic, null takes it back to the default. */
function configChanges(value: unknown): Record<string, number | string | null> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length === 0) {
    throw invalid('"configs" must be an object naming at least one config');
  }
  for (const [name, v] of Object.entries(value)) {
    // a finite number: JSON's 1e400 parses as Infinity, which would go on to Floe as null, a reset
    if (v !== null && typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v))) {
      throw new FloeError('INVALID_CONFIG', `config "${name}" must be a number, a string or null (the default)`);
    }
  }
  return value as Record<string, number | string | null>;
}

/** [{ partition, offset }]: each partition once, offset -1 (the log end) or more. */
function deletions(value: unknown): Array<{ partition: number; offset: number }> {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_PARTITIONS) throw invalid(`"partitions" must list 1 to ${MAX_PARTITIONS} partitions`);
  const seen = new Set<number>();
  return value.map((entry: unknown, i) => {
    const { partition, offset } = objectBody(entry, ['partition', 'offset'], `partitions[${i}]`);
    if (!Number.isSafeInteger(partition) || (partition as number) < 0) throw invalid('each "partition" must be a partition number');
    if (!Number.isSafeInteger(offset) || (offset as number) < -1) throw invalid('each "offset" must be an offset, or -1 for the log end');
    if (seen.has(partition as number)) throw invalid(`partition ${partition as number} is named twice`);
    seen.add(partition as number);
    return { partition: partition as number, offset: offset as number };
  });
}

export function topicAdminRoutes(ctx: ApiContext): ApiRoute[] {
  return [
    writeRoute('/api/topics/:name/configs', async (request) => ({
      body: await ctx.gateway.alterTopicConfigs(request.params.name as string, configChanges(objectBody(request.body, ['configs']).configs)),
    })),
    writeRoute('/api/topics/:name/delete-records', async (request) => {
      const topic = request.params.name as string;
      const results = await ctx.gateway.deleteRecords(topic, deletions(objectBody(request.body, ['partitions']).partitions));
      const answer: DeleteRecordsAnswer = { topic, partitions: results };
      return { body: answer };
    }),
  ];
}
