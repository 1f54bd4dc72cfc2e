/**
 * kafka-consumer-groups --reset-offsets: earliest, latest, to a time, or to an
 * offset (clamped to the log's range, as Kafka does). Refused with
 * NON_EMPTY_GROUP while the group has a live member; each write is conditional
 * on the partition's claim staying as read, so a member that joins meanwhile
 * either sees the reset offset after its claim or makes the reset fail.
 */
import { type ErrorCode, FloeError, partitionKey, type ResetRequest, type ResetResult, type ResetSpec } from '@floe/protocol';
import { EARLIEST, LATEST, listOffset } from '../log/list-offsets.js';
import { nowOf, type GroupsDeps } from './deps.js';
import { liveKafkaMembers } from './kafka-members.js';
import { isDead } from './model.js';
import { readMembership, readOffsets, writeUnowned } from './store.js';
import { ensureTarget, liveMembers } from './target.js';

async function newOffset(deps: GroupsDeps, topic: string, partition: number, spec: ResetSpec): Promise<number> {
  const check = (r: { errorCode: ErrorCode; errorMessage?: string; offset: number }) => {
    if (r.errorCode !== 'NONE') throw new FloeError(r.errorCode, r.errorMessage ?? `cannot list offsets of ${topic}/${partition}`);
    return r.offset;
  };
  switch (spec.to) {
    case 'earliest':
      return check(await listOffset(deps, topic, partition, EARLIEST));
    case 'latest':
      return check(await listOffset(deps, topic, partition, LATEST));
    case 'datetime': {
      // No record at or after that time: the end of the log, as kafka-consumer-groups does.
      const at = check(await listOffset(deps, topic, partition, spec.timestamp));
      return at >= 0 ? at : check(await listOffset(deps, topic, partition, LATEST));
    }
    case 'offset': {
      const start = check(await listOffset(deps, topic, partition, EARLIEST));
      const end = check(await listOffset(deps, topic, partition, LATEST));
      return Math.min(Math.max(spec.offset, start), end);
    }
  }
}

export async function resetOffsets(deps: GroupsDeps, groupId: string, request: ResetRequest): Promise<ResetResult[]> {
  const topic = await deps.resolveTopic(request.topic);
  if (!topic) throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `unknown topic "${request.topic}"`);
  if (request.partitions?.length === 0) throw new FloeError('INVALID_REQUEST', 'partitions is empty; omit it to reset every partition of the topic');
  const partitions = request.partitions ?? Array.from({ length: topic.partitions }, (_, p) => p);
  const seen = new Set<number>();
  for (const p of partitions) {
    if (!Number.isInteger(p) || p < 0 || p >= topic.partitions) throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `unknown partition ${request.topic}/${p}`);
    if (seen.has(p)) throw new FloeError('INVALID_REQUEST', `partition ${p} appears twice`);
    seen.add(p);
  }
  const now = nowOf(deps);
  const state = await readMembership(deps, groupId);
  const live = liveMembers(state, now).length + (await liveKafkaMembers(deps, groupId, now));
  if (live > 0) {
    throw new FloeError('NON_EMPTY_GROUP', `group "${groupId}" has ${live} live member(s); stop its consumers before resetting offsets`);
  }
  const targets = await Promise.all(partitions.map((p) => newOffset(deps, topic.name, p, request.spec)));
  const claims = await readOffsets(deps, groupId, partitions.map((p) => partitionKey(topic.name, p)));
  const plan = partitions.map((partition, i) => {
    const seen = claims.get(partitionKey(topic.name, partition));
    return { partition, seen, previousOffset: seen?.offset ?? -1, newOffset: targets[i] as number };
  });
  if (request.dryRun) return plan.map((p) => ({ topic: topic.name, partition: p.partition, previousOffset: p.previousOffset, newOffset: p.newOffset, errorCode: 'NONE' }));
  if (!state.group) await ensureTarget(deps, groupId, state, now);
  return Promise.all(
    plan.map(async (p): Promise<ResetResult> => {
      const result = { topic: topic.name, partition: p.partition, previousOffset: p.previousOffset, newOffset: p.newOffset };
      const free = p.seen?.owner === undefined || isDead(state.members.get(p.seen.owner), now);
      if (free && (await writeUnowned(deps, groupId, partitionKey(topic.name, p.partition), { offset: p.newOffset }, p.seen, now))) {
        return { ...result, errorCode: 'NONE' };
      }
      return { ...result, errorCode: 'NON_EMPTY_GROUP', errorMessage: `a member claimed ${topic.name}/${p.partition} during the reset` };
    }),
  );
}
