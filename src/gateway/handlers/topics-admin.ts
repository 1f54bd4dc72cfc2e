/**
 * CreateTopics (19), DeleteTopics (20), CreatePartitions (37), DescribeConfigs (32) over the log's
 * topics. Replication factors are accepted and ignored (-1, Kafka's "the default", or any positive
 * one; 0 or below -1 is INVALID_REPLICATION_FACTOR, as Kafka answers): durability is S3's and
 * DynamoDB's (every partition reports one replica, the advertised node). A name given twice in one
 * request is INVALID_REQUEST for each, and neither is created, as Kafka does. Topic configs are Floe's (topic-configs.ts);
 * anything else is INVALID_CONFIG. ACLs as Kafka's: Create on the cluster or the topic (and
 * DescribeConfigs to see the new topic's configs), Delete, Alter to add partitions, DescribeConfigs
 * on a topic (or the cluster, for a broker); each denied resource is answered in place.
 */
import { FloeError, mapConcurrent } from '@floe/protocol';
import type { CreatePartitionsRequest, CreateTopicsRequest, DeleteTopicsRequest, DescribeConfigsRequest, KafkaStruct, MessageBody } from '@floe/protocol/kafka';
import type { Access } from '../../auth/index.js';
import type { GatewayContext, Handler } from '../context.js';
import { check, denial } from '../denials.js';
import { KafkaCode, toKafkaError } from '../kafka-codes.js';
import { GATEWAY_LIMITS } from '../limits.js';
import { isTopicName, type Topic } from '../log-port.js';
import { collisionKey } from '../../log/topics.js';
import { brokerConfigEntries, checkBrokerName, type BrokerConfigEntry } from './broker-configs.js';
import { configEntries, configsCheck, RESOURCE_BROKER, RESOURCE_TOPIC } from './topic-configs.js';
import { dict } from '../../storage/user-keyed.js';

const NULL_UUID = '00000000-0000-0000-0000-000000000000';

export const createTopics: Handler = async (gw, raw, { access: accessOf }) => {
  const body = raw as MessageBody<typeof CreateTopicsRequest>;
  const validateOnly = body.validateOnly ?? false;
  const access = await accessOf();
  const named = new Map<string, number>();
  for (const t of body.topics ?? []) named.set(t.name ?? '', (named.get(t.name ?? '') ?? 0) + 1);
  // Two names of one request that collide up to '.' and '_' (created in parallel, neither sees the other): the later is refused, as in Kafka.
  const firstByCollision = new Map<string, string>();
  for (const t of body.topics ?? []) if (!firstByCollision.has(collisionKey(t.name ?? ''))) firstByCollision.set(collisionKey(t.name ?? ''), t.name ?? '');
  const topics = await mapConcurrent(
    body.topics ?? [],
    GATEWAY_LIMITS.lookupsInFlight,
    async (t): Promise<KafkaStruct> => {
      const name = t.name ?? '';
      // Without DescribeConfigs the topic is created but its configs are not shown (Kafka's answer).
      const configsDenied = check(access, 'topic', name, 'DescribeConfigs');
      const answer = (errorCode: number, errorMessage: string | null, topic?: Topic): KafkaStruct => ({
        name,
        topicId: topic?.topicId ?? NULL_UUID,
        errorCode,
        errorMessage,
        topicConfigErrorCode: topic && configsDenied ? configsDenied.code : 0,
        numPartitions: topic?.partitions ?? -1,
        replicationFactor: topic ? 1 : -1,
        configs: topic && !configsDenied ? configEntries(topic).map((c) => ({ name: c.name, value: c.value, readOnly: false, configSource: c.configSource, isSensitive: false })) : null,
      });
      if (!access.mayCreateTopic(name)) {
        const refused = denial(access, 'topic', name, 'Create');
        return answer(refused.code, refused.message);
      }
      if ((named.get(name) ?? 0) > 1) return answer(KafkaCode.INVALID_REQUEST, `topic "${name}" appears more than once in the request`);
      const first = firstByCollision.get(collisionKey(name));
      if (first !== name) return answer(KafkaCode.INVALID_TOPIC_EXCEPTION, `topic "${name}" collides with "${first}" in the same request ('.' and '_' count as the same character)`);
      if ((t.assignments ?? []).length > 0) return answer(KafkaCode.INVALID_REPLICA_ASSIGNMENT, 'manual replica assignment is not supported');
      const replicationFactor = t.replicationFactor ?? -1;
      if (replicationFactor === 0 || replicationFactor < -1) {
        return answer(KafkaCode.INVALID_REPLICATION_FACTOR, `replication factor must be positive, or -1 for the default (got ${replicationFactor})`);
      }
      const partitions = (t.numPartitions ?? -1) === -1 ? gw.settings.defaultPartitions : (t.numPartitions as number);
      const configs = dict<string>(); // a config named __proto__ is a key here, refused as unknown (decision 41)
      for (const c of t.configs ?? []) if (c.name && c.value !== null && c.value !== undefined) configs[c.name] = c.value;
      try {
        if (validateOnly) {
          await gw.deps.log.validateTopic(name, partitions, configs);
          return answer(KafkaCode.NONE, null);
        }
        return answer(KafkaCode.NONE, null, await gw.deps.log.createTopic(name, partitions, configs));
      } catch (error) {
        const e = toKafkaError(error);
        return answer(e.code, e.message);
      }
    },
  );
  return { throttleTimeMs: 0, topics };
};

async function deleteByName(gw: GatewayContext, access: Access, name: string | null, topicId: string): Promise<KafkaStruct> {
  let resolved = name;
  if (resolved === null) {
    resolved = (await gw.deps.log.listTopics()).find((t) => t.topicId === topicId)?.name ?? null;
    // By id, a topic the caller may not Describe keeps its name to itself (as Kafka answers).
    const hidden = resolved === null ? undefined : check(access, 'topic', resolved, 'Describe');
    if (hidden) return { name: null, topicId, errorCode: hidden.code, errorMessage: null };
  }
  if (resolved === null) return { name, topicId, errorCode: KafkaCode.UNKNOWN_TOPIC_ID, errorMessage: 'unknown topic id' };
  const refused = check(access, 'topic', resolved, 'Delete');
  if (refused) return { name: resolved, topicId, errorCode: refused.code, errorMessage: refused.message };
  try {
    const deleted = await gw.deps.log.deleteTopic(resolved);
    return { name: resolved, topicId: deleted.topicId, errorCode: 0, errorMessage: null };
  } catch (error) {
    const e = toKafkaError(error);
    return { name: resolved, topicId, errorCode: e.code, errorMessage: e.message };
  }
}

export const deleteTopics: Handler = async (gw, raw, { apiVersion, access: accessOf }) => {
  const access = await accessOf();
  const body = raw as MessageBody<typeof DeleteTopicsRequest>;
  const targets =
    apiVersion >= 6
      ? (body.topics ?? []).map((t) => ({ name: t.name ?? null, topicId: t.topicId ?? NULL_UUID }))
      : (body.topicNames ?? []).map((name) => ({ name, topicId: NULL_UUID }));
  const responses = await mapConcurrent(targets, GATEWAY_LIMITS.lookupsInFlight, (t) => deleteByName(gw, access, t.name, t.topicId));
  return { throttleTimeMs: 0, responses };
};

export const createPartitions: Handler = async (gw, raw, { access: accessOf }) => {
  const body = raw as MessageBody<typeof CreatePartitionsRequest>;
  const access = await accessOf();
  const results = await mapConcurrent(
    body.topics ?? [],
    GATEWAY_LIMITS.lookupsInFlight,
    async (t) => {
      const name = t.name ?? '';
      const refused = check(access, 'topic', name, 'Alter');
      if (refused) return { name, errorCode: refused.code, errorMessage: refused.message };
      if ((t.assignments ?? []).length > 0) return { name, errorCode: KafkaCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: 'manual replica assignment is not supported' };
      try {
        if (body.validateOnly) {
          const topic = await gw.deps.log.freshTopic(name);
          if (!topic) throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `unknown topic "${name}"`);
          if ((t.count ?? 0) <= topic.partitions) throw new FloeError('INVALID_PARTITIONS', `topic "${name}" has ${topic.partitions} partitions; the new count must be larger`);
        } else {
          await gw.deps.log.addPartitions(name, t.count ?? 0);
        }
        return { name, errorCode: 0, errorMessage: null };
      } catch (error) {
        const e = toKafkaError(error);
        return { name, errorCode: e.code, errorMessage: e.message };
      }
    },
  );
  return { throttleTimeMs: 0, results };
};

export const describeConfigs: Handler = async (gw, raw, { apiVersion, access: accessOf }) => {
  const body = raw as MessageBody<typeof DescribeConfigsRequest>;
  const access = await accessOf();
  // Kafka answers either only when asked: synonyms from v1, documentation from v3.
  const withSynonyms = apiVersion >= 1 && body.includeSynonyms === true;
  const withDocumentation = apiVersion >= 3 && body.includeDocumentation === true;
  /** Entries as the request's version lists them (a broker's are read-only: set by the deployment). */
  const described = (entries: BrokerConfigEntry[], keys: string[] | null, readOnly: boolean) =>
    entries
      .filter((c) => keys === null || keys.includes(c.name))
      .map((c) => ({
        name: c.name,
        value: c.value,
        readOnly,
        isDefault: c.isDefault,
        configSource: apiVersion >= 1 ? c.configSource : -1,
        isSensitive: false,
        synonyms: withSynonyms ? c.synonyms : [],
        configType: c.configType,
        documentation: withDocumentation ? c.documentation : null,
      }));
  const results = await mapConcurrent(
    body.resources ?? [],
    GATEWAY_LIMITS.lookupsInFlight,
    async (r) => {
      const base = { resourceType: r.resourceType ?? 0, resourceName: r.resourceName ?? '' };
      const refused = configsCheck(access, r.resourceType, r.resourceName ?? '', 'DescribeConfigs');
      if (refused) return { ...base, errorCode: refused.code, errorMessage: refused.message, configs: [] };
      if (r.resourceType === RESOURCE_BROKER) {
        try {
          checkBrokerName(gw, r.resourceName ?? '');
        } catch (error) {
          const e = toKafkaError(error);
          return { ...base, errorCode: e.code, errorMessage: e.message, configs: [] };
        }
        // The empty name is the cluster's dynamic defaults in Kafka: Floe has none (its settings are static).
        const entries = r.resourceName ? brokerConfigEntries(gw) : [];
        return { ...base, errorCode: 0, errorMessage: null, configs: described(entries, r.configurationKeys ?? null, true) };
      }
      if (r.resourceType !== RESOURCE_TOPIC) return { ...base, errorCode: KafkaCode.INVALID_REQUEST, errorMessage: `resource type ${r.resourceType} is not supported`, configs: [] };
      // Kafka checks the name before looking it up (ConfigHelper's Topic.validate); no read for a name no topic can have.
      if (!isTopicName(r.resourceName)) {
        return { ...base, errorCode: KafkaCode.INVALID_TOPIC_EXCEPTION, errorMessage: `invalid topic name ${JSON.stringify(r.resourceName)}: [a-zA-Z0-9._-]{1,249}, not "." or ".."`, configs: [] };
      }
      const topic = await gw.deps.log.topic(r.resourceName);
      if (!topic) return { ...base, errorCode: KafkaCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `unknown topic "${r.resourceName}"`, configs: [] };
      return { ...base, errorCode: 0, errorMessage: null, configs: described(configEntries(topic, gw.deps.log.topicDefaults), r.configurationKeys ?? null, false) };
    },
  );
  return { throttleTimeMs: 0, results };
};
