/**
 * Routes of the groups function: consumer-group heartbeat (join/leave), offset
 * commit/fetch/reset/delete, describe, list and delete. Bodies are JSON; docs/consumer-groups.md
 * documents every route, body and error.
 */
import { type AssignorName, FloeError, GROUP_LIMITS, type HeartbeatRequest, isValidGroupId, JOIN_EPOCH, type ResetSpec, type TopicPartition } from '@floe/protocol';
import { commitOffsets, deleteGroup, deleteOffsets, describeGroup, fetchOffsets, heartbeat, listGroups, requireSubscriptionWithinLimit, resetOffsets, assignorName } from '../groups/index.js';
import { LIMITS } from '../log/limits.js';
import { validateTopicName } from '../log/topics.js';
import { parseOffsetSpec } from './offsets-routes.js';
import { bootstrapRoute } from './bootstrap.js';
import type { HandlerDeps } from './deps.js';
import { accessOf, json, parseJsonBody, partitionsJson, router, type FunctionUrlHandler, type HttpRequest, type Route } from './http.js';
import { forAllowedPartitions } from './topic-access.js';
import { array, integer, knownFields, object, optional, partitionCount, string, type Json } from './validate.js';

function groupIdOf(request: HttpRequest): string {
  const groupId = request.params.group;
  if (!isValidGroupId(groupId)) {
    throw new FloeError('INVALID_GROUP_ID', `group id must be 1-${GROUP_LIMITS.maxGroupIdLength} characters of [a-zA-Z0-9._:-]`);
  }
  return groupId;
}

const optionalString = (value: unknown, what: string, max: number): string | undefined =>
  optional<string | undefined>(value, undefined, (v) => {
    const s = string(v, what);
    if (s.length === 0 || s.length > max) throw new FloeError('INVALID_REQUEST', `${what} must be 1-${max} characters`);
    return s;
  });

function partitionList(value: unknown, what: string): TopicPartition[] {
  return array(value, what, LIMITS.maxPartitionsPerRequest).map((p, i) => {
    // `epoch` too: a client may hand back the assignment it was given (its entries carry their claim epoch); it is not read.
    const item = object(p, `${what}[${i}]`, ['topic', 'partition', 'epoch']);
    if (item.epoch !== undefined) integer(item.epoch, `${what}[${i}].epoch`, { min: 0 });
    return { topic: validateTopicName(item.topic), partition: integer(item.partition, `${what}[${i}].partition`, { min: 0 }) };
  });
}

const HEARTBEAT_FIELDS = ['memberId', 'memberEpoch', 'instanceId', 'clientId', 'joinId', 'sessionTimeoutMs', 'rebalanceTimeoutMs', 'heartbeatIntervalMs', 'subscribedTopics', 'assignors', 'ownedPartitions'] as const;

export function parseHeartbeat(body: Json): HeartbeatRequest {
  // A misspelt setting (`sessionTimeout`) would join with the default without a word.
  knownFields(body, 'the body', HEARTBEAT_FIELDS);
  const sessionTimeoutMs = optional<number | undefined>(body.sessionTimeoutMs, undefined, (v) =>
    integer(v, 'sessionTimeoutMs', { min: GROUP_LIMITS.minSessionTimeoutMs, max: GROUP_LIMITS.maxSessionTimeoutMs, code: 'INVALID_SESSION_TIMEOUT' }),
  );
  const heartbeatIntervalMs = optional<number | undefined>(body.heartbeatIntervalMs, undefined, (v) => integer(v, 'heartbeatIntervalMs', { min: 1 }));
  const session = sessionTimeoutMs ?? GROUP_LIMITS.defaultSessionTimeoutMs;
  if (heartbeatIntervalMs !== undefined && heartbeatIntervalMs * 3 > session) {
    throw new FloeError('INVALID_REQUEST', `heartbeatIntervalMs ${heartbeatIntervalMs} must be at most a third of sessionTimeoutMs ${session}`);
  }
  const assignors = optional<AssignorName[] | undefined>(body.assignors, undefined, (v) =>
    array(v, 'assignors', 10).map((a, i) => {
      const name = assignorName(string(a, `assignors[${i}]`));
      if (!name) throw new FloeError('INVALID_REQUEST', `unknown assignor "${String(a)}"; supported: sticky, range, roundrobin`);
      return name;
    }),
  );
  const memberEpoch = integer(body.memberEpoch, 'memberEpoch', { min: -2 });
  // As Kafka: a member that joins with no subscription (a misspelt field) would sit in the group with nothing assigned, for ever.
  if (memberEpoch === JOIN_EPOCH && (body.subscribedTopics === undefined || body.subscribedTopics === null)) {
    throw new FloeError('INVALID_REQUEST', 'subscribedTopics is required to join (memberEpoch 0)');
  }
  return {
    memberEpoch,
    memberId: optionalString(body.memberId, 'memberId', 64),
    instanceId: optionalString(body.instanceId, 'instanceId', GROUP_LIMITS.maxInstanceIdLength),
    joinId: optionalString(body.joinId, 'joinId', 64),
    clientId: optional<string | undefined>(body.clientId, undefined, (v) => {
      // Refused, not cut: a cut id would be shown by describe as if the client had sent it. Empty is Kafka's default client.id.
      const s = string(v, 'clientId');
      if (s.length > GROUP_LIMITS.maxClientIdLength) throw new FloeError('INVALID_REQUEST', `clientId must be at most ${GROUP_LIMITS.maxClientIdLength} characters, got ${s.length}`);
      return s;
    }),
    sessionTimeoutMs,
    heartbeatIntervalMs,
    rebalanceTimeoutMs: optional<number | undefined>(body.rebalanceTimeoutMs, undefined, (v) => integer(v, 'rebalanceTimeoutMs', { min: 0, max: GROUP_LIMITS.maxRebalanceTimeoutMs })),
    subscribedTopics: optional<string[] | undefined>(body.subscribedTopics, undefined, (v) => {
      const topics = array(v, 'subscribedTopics', GROUP_LIMITS.maxSubscribedTopics).map((t) => validateTopicName(t));
      requireSubscriptionWithinLimit(topics);
      return topics;
    }),
    assignors,
    ownedPartitions: optional<TopicPartition[] | undefined>(body.ownedPartitions, undefined, (v) => partitionList(v, 'ownedPartitions')),
  };
}

/** Per-partition results grouped per topic, like Kafka's responses. */
function byTopic<T extends TopicPartition>(results: T[]): Array<{ topic: string; partitions: Array<Omit<T, 'topic'>> }> {
  const topics = new Map<string, Array<Omit<T, 'topic'>>>();
  for (const { topic, ...rest } of results) {
    const list = topics.get(topic) ?? [];
    list.push(rest);
    topics.set(topic, list);
  }
  return [...topics].map(([topic, partitions]) => ({ topic, partitions }));
}

function parseResetSpec(body: Json): ResetSpec {
  const to = string(body.to, 'to');
  switch (to) {
    case 'earliest':
    case 'latest':
      return { to };
    case 'datetime': {
      const timestamp = parseOffsetSpec(body.datetime, 'datetime');
      if (timestamp < 0) throw new FloeError('INVALID_REQUEST', 'datetime must be an ISO-8601 time or epoch milliseconds');
      return { to, timestamp };
    }
    case 'offset':
      return { to, offset: integer(body.offset, 'offset', { min: 0 }) };
    default:
      throw new FloeError('INVALID_REQUEST', `"to" must be one of earliest, latest, datetime, offset; got "${to}"`);
  }
}

export function groupsRoutes(deps: HandlerDeps): Route[] {
  const maxBodyBytes = LIMITS.maxJsonBodyBytes;
  return [
    {
      method: 'POST',
      path: '/v1/groups/:group/heartbeat',
      maxBodyBytes,
      handle: async (request) => {
        const groupId = groupIdOf(request);
        const access = await accessOf(deps.auth, request);
        access.require('group', groupId, 'Read');
        const beat = parseHeartbeat(object(parseJsonBody(request), 'body'));
        // A subscription names the topics the member will be assigned: it must be able to read them.
        for (const topic of beat.subscribedTopics ?? []) access.require('topic', topic, 'Read');
        return json(200, await heartbeat(deps, groupId, beat));
      },
    },
    {
      method: 'POST',
      path: '/v1/groups/:group/offsets/commit',
      maxBodyBytes,
      handle: async (request) => {
        const groupId = groupIdOf(request);
        const access = await accessOf(deps.auth, request);
        access.require('group', groupId, 'Read');
        const body = object(parseJsonBody(request), 'body', ['memberId', 'memberEpoch', 'topics']);
        const partitions = array(body.topics, 'topics', LIMITS.maxPartitionsPerRequest).flatMap((t, i) => {
          const topic = object(t, `topics[${i}]`, ['topic', 'partitions']);
          const name = validateTopicName(topic.topic);
          return array(topic.partitions, `topics[${i}].partitions`, LIMITS.maxPartitionsPerRequest).map((p, j) => {
            const what = `topics[${i}].partitions[${j}]`;
            const part = object(p, what, ['partition', 'offset', 'metadata', 'epoch']);
            return {
              topic: name,
              partition: integer(part.partition, `${what}.partition`, { min: 0 }),
              offset: integer(part.offset, `${what}.offset`, { min: 0 }),
              metadata: optional<string | undefined>(part.metadata, undefined, (v) => string(v, `${what}.metadata`)),
              epoch: optional<number | undefined>(part.epoch, undefined, (v) => integer(v, `${what}.epoch`, { min: 0 })),
            };
          });
        });
        if (partitions.length === 0) throw new FloeError('INVALID_REQUEST', 'commit names no partition');
        partitionCount(partitions.length, 'commit');
        const memberId = optionalString(body.memberId, 'memberId', 64);
        const memberEpoch = optional<number | undefined>(body.memberEpoch, undefined, (v) => integer(v, 'memberEpoch'));
        // Partitions of topics the caller may not read are refused one by one; the others are committed.
        const results = await forAllowedPartitions(access, 'Read', partitions, (allowed) => commitOffsets(deps, groupId, { memberId, memberEpoch, partitions: allowed }));
        return partitionsJson({ topics: byTopic(results) }, results);
      },
    },
    {
      method: 'POST',
      path: '/v1/groups/:group/offsets/fetch',
      maxBodyBytes,
      handle: async (request) => {
        const groupId = groupIdOf(request);
        const access = await accessOf(deps.auth, request);
        access.require('group', groupId, 'Describe');
        const body = request.body.length === 0 ? {} : object(parseJsonBody(request), 'body', ['topics']);
        let partitions: TopicPartition[] | undefined;
        if (body.topics !== undefined && body.topics !== null) {
          partitions = [];
          for (const [i, t] of array(body.topics, 'topics', LIMITS.maxPartitionsPerRequest).entries()) {
            const topic = object(t, `topics[${i}]`, ['topic', 'partitions']);
            const name = validateTopicName(topic.topic);
            access.require('topic', name, 'Describe');
            const listed = optional<number[] | undefined>(topic.partitions, undefined, (v) =>
              array(v, `topics[${i}].partitions`, LIMITS.maxPartitionsPerRequest).map((p, j) => integer(p, `topics[${i}].partitions[${j}]`, { min: 0 })),
            );
            const count = listed ? listed.length : ((await deps.resolveTopic(name))?.partitions ?? 0);
            partitionCount(partitions.length + count, 'offset fetch');
            for (const partition of listed ?? Array.from({ length: count }, (_, p) => p)) partitions.push({ topic: name, partition });
          }
        }
        // Every committed offset: only those of topics the caller may Describe (as Kafka's OffsetFetch).
        const found = (await fetchOffsets(deps, groupId, partitions)).filter((o) => access.allows('topic', o.topic, 'Describe'));
        return json(200, { groupId, topics: byTopic(found) });
      },
    },
    {
      method: 'POST',
      path: '/v1/groups/:group/offsets/reset',
      maxBodyBytes,
      handle: async (request) => {
        const groupId = groupIdOf(request);
        const access = await accessOf(deps.auth, request);
        access.require('group', groupId, 'Read');
        // A misspelt dryRun would reset for real.
        const body = object(parseJsonBody(request), 'body', ['topic', 'partitions', 'to', 'datetime', 'offset', 'dryRun']);
        const topic = validateTopicName(body.topic);
        access.require('topic', topic, 'Read');
        const results = await resetOffsets(deps, groupId, {
          topic,
          partitions: optional<number[] | undefined>(body.partitions, undefined, (v) =>
            array(v, 'partitions', LIMITS.maxPartitionsPerTopic).map((p, i) => integer(p, `partitions[${i}]`, { min: 0 })),
          ),
          spec: parseResetSpec(body),
          dryRun: optional(body.dryRun, false, (v) => {
            if (typeof v !== 'boolean') throw new FloeError('INVALID_REQUEST', 'dryRun must be a boolean');
            return v;
          }),
        });
        return partitionsJson({ groupId, dryRun: body.dryRun === true, topics: byTopic(results) }, results);
      },
    },
    {
      method: 'POST',
      path: '/v1/groups/:group/offsets/delete',
      maxBodyBytes,
      handle: async (request) => {
        const groupId = groupIdOf(request);
        const access = await accessOf(deps.auth, request);
        access.require('group', groupId, 'Delete');
        const body = object(parseJsonBody(request), 'body', ['topics']);
        const partitions: TopicPartition[] = [];
        const seen = new Set<string>();
        for (const [i, t] of array(body.topics, 'topics', LIMITS.maxPartitionsPerRequest).entries()) {
          // A misspelt "partitions" would delete the offsets of every partition of the topic.
          const item = object(t, `topics[${i}]`, ['topic', 'partitions']);
          const name = validateTopicName(item.topic);
          const listed = optional<number[] | undefined>(item.partitions, undefined, (v) =>
            array(v, `topics[${i}].partitions`, LIMITS.maxPartitionsPerRequest).map((p, j) => integer(p, `topics[${i}].partitions[${j}]`, { min: 0 })),
          );
          // A topic it may not read is not looked up (its existence is not told): its partitions are refused below.
          const readable = access.allows('topic', name, 'Read');
          if (!readable && !listed) access.require('topic', name, 'Read');
          const topic = readable ? await deps.resolveTopic(name) : undefined;
          if (readable && !topic) throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `unknown topic "${name}"`);
          const count = topic?.partitions ?? Infinity;
          const beyond = listed?.find((p) => p >= count);
          if (beyond !== undefined) throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${name}" has no partition ${beyond}`);
          for (const partition of listed ?? Array.from({ length: topic?.partitions ?? 0 }, (_, p) => p)) {
            if (seen.has(`${name}:${partition}`)) throw new FloeError('INVALID_REQUEST', `${name}/${partition} appears twice`);
            seen.add(`${name}:${partition}`);
            partitions.push({ topic: name, partition });
          }
          partitionCount(partitions.length, 'offset delete');
        }
        if (partitions.length === 0) throw new FloeError('INVALID_REQUEST', 'offset delete names no partition');
        // Partitions of topics the caller may not read are refused one by one (Kafka's OffsetDelete).
        const results = await forAllowedPartitions(access, 'Read', partitions, (allowed) => deleteOffsets(deps, groupId, allowed));
        return partitionsJson({ groupId, topics: byTopic(results) }, results);
      },
    },
    {
      method: 'GET',
      path: '/v1/groups',
      handle: async (request) => {
        const access = await accessOf(deps.auth, request);
        return json(200, { groups: (await listGroups(deps)).filter((g) => access.allows('group', g.groupId, 'Describe')) });
      },
    },
    {
      method: 'GET',
      path: '/v1/groups/:group',
      handle: async (request) => {
        const groupId = groupIdOf(request);
        const access = await accessOf(deps.auth, request);
        access.require('group', groupId, 'Describe');
        const description = await describeGroup(deps, groupId);
        // Only topics the caller may Describe, everywhere a topic is named (offsets and lag, as OffsetFetch; subscriptions, assignments).
        const visible = (topic: string): boolean => access.allows('topic', topic, 'Describe');
        const members = description.members.map((m) => ({
          ...m,
          subscribedTopics: m.subscribedTopics.filter(visible),
          assignment: m.assignment.filter((p) => visible(p.topic)),
          targetAssignment: m.targetAssignment.filter((p) => visible(p.topic)),
        }));
        return json(200, { ...description, members, partitions: description.partitions.filter((p) => visible(p.topic)) });
      },
    },
    {
      method: 'DELETE',
      path: '/v1/groups/:group',
      handle: async (request) => {
        const groupId = groupIdOf(request);
        (await accessOf(deps.auth, request)).require('group', groupId, 'Delete');
        await deleteGroup(deps, groupId);
        return json(200, { deleted: groupId });
      },
    },
  ];
}

export function groupsApp(deps: HandlerDeps): FunctionUrlHandler {
  return router([bootstrapRoute(deps), ...groupsRoutes(deps)]);
}
