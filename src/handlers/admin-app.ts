/** Routes of the admin function (the bootstrap URL): topics, metadata, offsets, ACLs. */
import { FloeError, mapConcurrent } from '@floe/protocol';
import { denied } from '../auth/index.js';
import { deleteRecords, HIGH_WATERMARK } from '../log/delete-records.js';
import { LIMITS } from '../log/limits.js';
import {
  addPartitions,
  createTopic,
  deleteTopic,
  describePartitions,
  getTopic,
  listTopics,
  overridesOf,
  requireTopic,
  updateTopicConfigs,
  validateTopicName,
  type Topic,
} from '../log/topics.js';
import { aclRoutes } from './acl-routes.js';
import { bootstrapRoute } from './bootstrap.js';
import type { HandlerDeps } from './deps.js';
import { accessOf, json, parseJsonBody, partitionsJson, router, type FunctionUrlHandler } from './http.js';
import { REQUEST_LIMITS } from './limits.js';
import { offsetsRoutes } from './offsets-routes.js';
import { array, integer, object, partitionCount, queryParams } from './validate.js';

/** `overrides`: the configs set on the topic, as Kafka's DescribeConfigs tells them from the defaults. */
const topicJson = (t: Topic) => ({ name: t.name, topicId: t.topicId, partitions: t.partitions, configs: t.configs, overrides: overridesOf(t) });

export function adminApp(deps: HandlerDeps): FunctionUrlHandler {
  return router([
    bootstrapRoute(deps),
    {
      method: 'GET',
      path: '/v1/metadata',
      handle: async (request) => {
        // A topic named twice is answered once, as Kafka's Metadata does.
        const listed = queryParams(request.query, 'GET /v1/metadata', ['topics']).topics?.split(',').filter(Boolean);
        const names = listed && [...new Set(listed)];
        if (names && names.length > REQUEST_LIMITS.maxMetadataTopics) {
          throw new FloeError('INVALID_REQUEST', `metadata asks for ${names.length} topics; the limit is ${REQUEST_LIMITS.maxMetadataTopics} (maxMetadataTopics)`);
        }
        const access = await accessOf(deps.auth, request);
        // A topic the caller may not Describe is not looked up: whether it exists is not said (as Kafka).
        const topics = names
          ? await mapConcurrent(names.map(validateTopicName), REQUEST_LIMITS.lookupsInFlight, async (name) => {
              if (!access.allows('topic', name, 'Describe')) return { name, errorCode: 'TOPIC_AUTHORIZATION_FAILED' };
              const topic = await getTopic(deps, name);
              return topic ? { ...topicJson(topic), errorCode: 'NONE' } : { name, errorCode: 'UNKNOWN_TOPIC_OR_PARTITION' };
            })
          : (await listTopics(deps)).filter((t) => access.allows('topic', t.name, 'Describe')).map((t) => ({ ...topicJson(t), errorCode: 'NONE' }));
        return json(200, { topics });
      },
    },
    {
      method: 'GET',
      path: '/v1/topics',
      handle: async (request) => {
        const access = await accessOf(deps.auth, request);
        return json(200, { topics: (await listTopics(deps)).filter((t) => access.allows('topic', t.name, 'Describe')).map(topicJson) });
      },
    },
    {
      method: 'POST',
      path: '/v1/topics',
      maxBodyBytes: LIMITS.maxJsonBodyBytes,
      handle: async (request) => {
        const access = await accessOf(deps.auth, request);
        // A misspelt "config" or "partition" would create the topic with defaults without a word.
        const body = object(parseJsonBody(request), 'body', ['name', 'partitions', 'configs']);
        const name = validateTopicName(body.name);
        if (!access.mayCreateTopic(name)) throw denied(access.identity, 'topic', name, 'Create');
        const partitions = body.partitions === undefined || body.partitions === null ? 1 : body.partitions;
        if (typeof partitions !== 'number') throw new FloeError('INVALID_PARTITIONS', 'partitions must be an integer');
        const topic = await createTopic(deps, name, partitions, body.configs);
        return json(201, topicJson(topic));
      },
    },
    {
      method: 'GET',
      path: '/v1/topics/:name',
      handle: async (request) => {
        (await accessOf(deps.auth, request)).require('topic', request.params.name ?? '', 'Describe');
        const topic = await requireTopic(deps, request.params.name);
        return json(200, { ...topicJson(topic), partitionDetails: await describePartitions(deps, topic) });
      },
    },
    {
      method: 'DELETE',
      path: '/v1/topics/:name',
      handle: async (request) => {
        (await accessOf(deps.auth, request)).require('topic', request.params.name ?? '', 'Delete');
        const topic = await deleteTopic(deps, request.params.name);
        deps.topics.invalidate(topic.name);
        return json(200, { deleted: topic.name, topicId: topic.topicId });
      },
    },
    {
      method: 'POST',
      path: '/v1/topics/:name/partitions',
      maxBodyBytes: LIMITS.maxJsonBodyBytes,
      handle: async (request) => {
        (await accessOf(deps.auth, request)).require('topic', request.params.name ?? '', 'Alter');
        const body = object(parseJsonBody(request), 'body', ['count']);
        // A JSON number, as at create: "5" is refused on both routes (addPartitions checks the range).
        if (typeof body.count !== 'number') throw new FloeError('INVALID_PARTITIONS', 'count must be an integer');
        const topic = await addPartitions(deps, request.params.name, body.count);
        deps.topics.invalidate(topic.name);
        return json(200, topicJson(topic));
      },
    },
    {
      // Kafka's DeleteRecords: each partition's log start moves to its offset (-1: the high watermark).
      method: 'POST',
      path: '/v1/topics/:name/delete-records',
      maxBodyBytes: LIMITS.maxJsonBodyBytes,
      handle: async (request) => {
        (await accessOf(deps.auth, request)).require('topic', request.params.name ?? '', 'Delete');
        const body = object(parseJsonBody(request), 'body', ['partitions']);
        const listed = array(body.partitions, 'partitions', REQUEST_LIMITS.maxPartitionsPerRequest);
        partitionCount(listed.length, 'delete-records request');
        const named = new Set<number>();
        // Everything is checked before anything is deleted: a bad entry changes no partition.
        const items = listed.map((p, i) => {
          const part = object(p, `partitions[${i}]`, ['partition', 'offset']);
          const partition = integer(part.partition, `partitions[${i}].partition`, { min: 0 });
          const offset = integer(part.offset, `partitions[${i}].offset`, { min: HIGH_WATERMARK });
          if (named.has(partition)) throw new FloeError('INVALID_REQUEST', `partitions names partition ${partition} twice`);
          named.add(partition);
          return { partition, offset };
        });
        const topic = await requireTopic(deps, request.params.name);
        const results = await mapConcurrent(items, REQUEST_LIMITS.lookupsInFlight, async ({ partition, offset }) => {
          try {
            return { partition, errorCode: 'NONE' as const, ...(await deleteRecords(deps, topic, partition, offset)) };
          } catch (error) {
            if (!(error instanceof FloeError)) throw error;
            return { partition, errorCode: error.code, errorMessage: error.message, lowWatermark: -1 };
          }
        });
        return partitionsJson({ topic: topic.name, partitions: results }, results);
      },
    },
    {
      method: 'PUT',
      path: '/v1/topics/:name/configs',
      maxBodyBytes: LIMITS.maxJsonBodyBytes,
      handle: async (request) => {
        (await accessOf(deps.auth, request)).require('topic', request.params.name ?? '', 'AlterConfigs');
        const body = object(parseJsonBody(request), 'body', ['configs']);
        // without the wrapper ({"retention.ms": 1}) nothing would change, yet the answer would be 200
        const configs = object(body.configs, 'configs');
        // null takes a config back to its default, no longer set on the topic (Kafka's
        // IncrementalAlterConfigs DELETE, kafka-configs --delete-config)
        const reset = Object.keys(configs).filter((name) => configs[name] === null);
        const set = Object.fromEntries(Object.entries(configs).filter(([, value]) => value !== null));
        const topic = await updateTopicConfigs(deps, request.params.name, set, { reset });
        deps.topics.invalidate(topic.name);
        return json(200, topicJson(topic));
      },
    },
    ...offsetsRoutes(deps),
    ...aclRoutes(deps),
  ]);
}
