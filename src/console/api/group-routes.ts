/** Consumer groups: the paged list, one group with members, lag and its lag history, and offset resets (dry run, then execute). */
import { FloeError } from '@floe/client';
import type { GatewayResetTo } from '../gateway.js';
import { assignmentSummary } from '../partition-ranges.js';
import type { GroupDetail, GroupRow, ResetAnswer, ResetTarget } from '../shared/api-types.js';
import type { ApiContext } from './context.js';
import { filteredPage } from './filtered-page.js';
import { pageRequest, slicePage } from './pagination.js';
import { bodyInt, bodyString, objectBody } from './params.js';
import { readRoute, writeRoute, type ApiRoute } from './router.js';

const TARGETS: readonly ResetTarget[] = ['earliest', 'latest', 'datetime', 'offset'];

function resetTo(body: Record<string, unknown>): GatewayResetTo {
  const to = body.to;
  if (typeof to !== 'string' || !(TARGETS as readonly string[]).includes(to)) throw new FloeError('INVALID_REQUEST', `"to" must be one of ${TARGETS.join(', ')}`);
  if (to === 'earliest' || to === 'latest') return to;
  if (to === 'offset') return { offset: bodyInt(body, 'offset', { min: 0, max: Number.MAX_SAFE_INTEGER }) as number };
  const datetime = bodyString(body, 'datetime') as string;
  if (Number.isNaN(Date.parse(datetime))) throw new FloeError('INVALID_REQUEST', `"datetime" must be an ISO-8601 time, got "${datetime}"`);
  return { datetime };
}

function partitionsOf(value: unknown): number[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length === 0 || !value.every((p) => Number.isInteger(p) && p >= 0)) {
    throw new FloeError('INVALID_REQUEST', '"partitions" must be a non-empty list of partition numbers');
  }
  return value as number[];
}

export function groupRoutes(ctx: ApiContext): ApiRoute[] {
  return [
    readRoute('/api/groups', async (request) => {
      const page = await filteredPage(request.query, () => ctx.gateway.listGroups(), (g) => g.groupId);
      const items = page.items.map((g): GroupRow => ({ ...g, lag: ctx.sampler.lagOf(g.groupId) ?? null }));
      return { body: { ...page, items } };
    }),
    readRoute('/api/groups/:id', async (request) => {
      const groupId = request.params.id as string;
      ctx.sampler.touch(groupId);
      const page = pageRequest(request.query, 100);
      const d = await ctx.gateway.describeGroup(groupId);
      const detail: GroupDetail = {
        groupId: d.groupId,
        state: d.state,
        groupEpoch: d.groupEpoch,
        assignor: d.assignor,
        members: d.members.map((m) => ({
          memberId: m.memberId,
          instanceId: m.instanceId ?? null,
          clientId: m.clientId,
          memberEpoch: m.memberEpoch,
          assignment: assignmentSummary(m.assignment),
          partitionCount: m.assignment.length,
          lastHeartbeatAt: m.lastHeartbeatAt,
        })),
        totalLag: d.partitions.reduce((sum, p) => sum + (p.lag ?? 0), 0),
        partitionPage: slicePage(d.partitions, page),
        lagSeries: ctx.sampler.lagSeries(groupId),
      };
      return { body: detail };
    }),
    writeRoute('/api/groups/:id/offsets/reset', async (request) => {
      const groupId = request.params.id as string;
      const body = objectBody(request.body, ['topic', 'partitions', 'to', 'datetime', 'offset', 'dryRun']);
      const topic = bodyString(body, 'topic', { maxLength: 249 }) as string;
      if (typeof body.dryRun !== 'boolean') throw new FloeError('INVALID_REQUEST', '"dryRun" must be true or false (a dry run first, then execute)');
      const results = await ctx.gateway.resetOffsets(groupId, topic, resetTo(body), { partitions: partitionsOf(body.partitions), dryRun: body.dryRun });
      const answer: ResetAnswer = { groupId, dryRun: body.dryRun, partitions: results };
      return { body: answer };
    }),
  ];
}
