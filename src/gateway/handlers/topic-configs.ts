/**
 * Topic configs over the Kafka protocol: the entries DescribeConfigs and CreateTopics list, and
 * AlterConfigs (33: the given configs replace all, the rest go back to their defaults) and
 * IncrementalAlterConfigs (44: SET, DELETE = back to the default, APPEND and SUBTRACT for list
 * configs, i.e. cleanup.policy). Only topics are alterable; validation is the log's (INVALID_CONFIG).
 * Altering needs AlterConfigs on the topic (a broker: on the cluster), as in Kafka.
 */
import { CLUSTER_RESOURCE_NAME, FloeError, mapConcurrent } from '@floe/protocol';
import type { Access } from '../../auth/index.js';
import type { AlterConfigsRequest, IncrementalAlterConfigsRequest, KafkaStruct, MessageBody } from '@floe/protocol/kafka';
import type { Handler } from '../context.js';
import { check } from '../denials.js';
import { KafkaCode, toKafkaError, type KafkaError } from '../kafka-codes.js';
import { GATEWAY_LIMITS } from '../limits.js';
import { checkFixedTopicConfig, isFixedTopicConfig, isTopicName, kafkaConfigText, overridesOf, TOPIC_CONFIG_DOCS, TOPIC_CONFIG_KINDS, TOPIC_CONFIG_NAMES, TOPIC_DEFAULTS, unknownTopicConfig, type ConfigKind, type Topic, type TopicConfig } from '../log-port.js';
import { dict } from '../../storage/user-keyed.js';

export const RESOURCE_TOPIC = 2;
export const RESOURCE_BROKER = 4;

/** Configs of a topic need the operation on the topic; a broker's, on the cluster (Kafka's rule). Other types are refused later. */
export function configsCheck(access: Access, resourceType: number | undefined, name: string, operation: 'DescribeConfigs' | 'AlterConfigs'): KafkaError | undefined {
  if (resourceType === RESOURCE_TOPIC) return check(access, 'topic', name, operation);
  if (resourceType === RESOURCE_BROKER) return check(access, 'cluster', CLUSTER_RESOURCE_NAME, operation);
  return undefined;
}

/** Kafka's ConfigType enum (DescribeConfigs v3+). */
export const CONFIG_TYPES: Record<ConfigKind, number> = { string: 2, int: 3, long: 5, double: 6, list: 7 };

/** DescribeConfigs config sources (Kafka's ConfigSource enum). */
export const SOURCE_DYNAMIC_TOPIC = 1;
export const SOURCE_STATIC_BROKER = 4;
export const SOURCE_DEFAULT = 5;

/**
 * The broker config Kafka lists under each topic config as its default (LogConfig's synonyms).
 * Floe has no brokers: its defaults are answered under these names, as what stands in for them.
 */
export const BROKER_SYNONYMS: Readonly<Record<keyof TopicConfig, string>> = {
  'retention.ms': 'log.retention.ms',
  'retention.bytes': 'log.retention.bytes',
  'max.message.bytes': 'message.max.bytes',
  'cleanup.policy': 'log.cleanup.policy',
  'min.cleanable.dirty.ratio': 'log.cleaner.min.cleanable.ratio',
  'min.compaction.lag.ms': 'log.cleaner.min.compaction.lag.ms',
  'max.compaction.lag.ms': 'log.cleaner.max.compaction.lag.ms',
  'delete.retention.ms': 'log.cleaner.delete.retention.ms',
  'segment.ms': 'log.roll.ms',
  'segment.bytes': 'log.segment.bytes',
  'message.timestamp.type': 'log.message.timestamp.type',
  'message.timestamp.before.max.ms': 'log.message.timestamp.before.max.ms',
  'message.timestamp.after.max.ms': 'log.message.timestamp.after.max.ms',
  'min.insync.replicas': 'min.insync.replicas',
};

/** A type, not an interface: it goes into a response body as it is. */
export type ConfigSynonym = {
  name: string;
  value: string;
  source: number;
};

export interface ConfigEntry {
  name: keyof TopicConfig;
  value: string;
  /** Kafka's isDefault (v0): the source is DEFAULT_CONFIG */
  isDefault: boolean;
  configSource: number;
  configType: number;
  /** Where the value comes from, most specific first (the first is the value itself), as Kafka lists them. */
  synonyms: ConfigSynonym[];
  documentation: string;
}

/**
 * A config's synonyms: the topic's override when set; the server default under the broker's name
 * (STATIC_BROKER_CONFIG) where it is not Kafka's - the topic's own value when it is not set, else
 * the one a DELETE would take it back to (`defaults`) -; last Kafka's default (DEFAULT_CONFIG).
 */
function synonymsOf(name: keyof TopicConfig, configs: TopicConfig, overridden: boolean, defaults: TopicConfig): ConfigSynonym[] {
  const broker = BROKER_SYNONYMS[name];
  const serverDefault = overridden ? defaults[name] : configs[name];
  return [
    ...(overridden ? [{ name, value: kafkaConfigText(configs[name]), source: SOURCE_DYNAMIC_TOPIC }] : []),
    ...(serverDefault !== TOPIC_DEFAULTS[name] ? [{ name: broker, value: kafkaConfigText(serverDefault), source: SOURCE_STATIC_BROKER }] : []),
    { name: broker, value: kafkaConfigText(TOPIC_DEFAULTS[name]), source: SOURCE_DEFAULT },
  ];
}

/**
 * A topic's configs as Kafka describes them: one set on the topic is DYNAMIC_TOPIC_CONFIG even at
 * its default value (Kafka keeps the override); one not set is DEFAULT_CONFIG, or
 * STATIC_BROKER_CONFIG when the server's default differed from Kafka's at the topic's creation
 * (FLOE_DEFAULT_RETENTION_MS, as a broker's log.retention.ms). `defaults` are the server's now.
 */
export function configEntries(topic: Topic | undefined, defaults: TopicConfig = TOPIC_DEFAULTS): ConfigEntry[] {
  const configs = topic?.configs ?? defaults;
  const overrides = new Set(topic ? overridesOf(topic) : []);
  return TOPIC_CONFIG_NAMES.map((name) => {
    const configSource = overrides.has(name) ? SOURCE_DYNAMIC_TOPIC : configs[name] === TOPIC_DEFAULTS[name] ? SOURCE_DEFAULT : SOURCE_STATIC_BROKER;
    return {
      name,
      value: kafkaConfigText(configs[name]),
      isDefault: configSource === SOURCE_DEFAULT,
      configSource,
      configType: CONFIG_TYPES[TOPIC_CONFIG_KINDS[name]],
      synonyms: synonymsOf(name, configs, overrides.has(name), defaults),
      documentation: TOPIC_CONFIG_DOCS[name],
    };
  });
}

const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;

const listOf = (value: string): string[] => value.split(',').map((s) => s.trim()).filter((s) => s !== '');

/** What an alter asks for: configs to set, and configs to take back to their defaults. */
interface Changes {
  set: Record<string, unknown>;
  reset: string[];
}

/** The configs an IncrementalAlterConfigs resource asks for, applied to the topic's current ones. */
function incrementalChanges(topic: Topic, configs: KafkaStruct[]): Changes {
  const changes: Record<string, unknown> = {};
  const reset: string[] = [];
  const fixed = new Set<string>();
  for (const c of configs) {
    const name = String(c.name ?? '');
    if (Object.hasOwn(changes, name) || reset.includes(name)) throw new FloeError('INVALID_REQUEST', `config ${name} appears twice`);
    if (isFixedTopicConfig(name)) {
      // Its one value: SET to it or DELETE changes nothing; another value is refused with the reason.
      if (fixed.has(name)) throw new FloeError('INVALID_REQUEST', `config ${name} appears twice`);
      fixed.add(name);
      if (c.configOperation === SET) checkFixedTopicConfig(name, c.value);
      else if (c.configOperation !== DELETE) throw new FloeError('INVALID_CONFIG', `${name} is not a list: APPEND and SUBTRACT apply to list configs only`);
      continue;
    }
    if (!(TOPIC_CONFIG_NAMES as string[]).includes(name)) throw unknownTopicConfig(name);
    const key = name as keyof TopicConfig;
    const value = c.value as string | null | undefined;
    const op = c.configOperation as number;
    if (op === DELETE) {
      reset.push(name);
      continue;
    }
    if (value === null || value === undefined) throw new FloeError('INVALID_REQUEST', `null value for ${name}`);
    if (op === SET) changes[name] = value;
    else if (op === APPEND || op === SUBTRACT) {
      if (TOPIC_CONFIG_KINDS[key] !== 'list') throw new FloeError('INVALID_CONFIG', `${name} is not a list: APPEND and SUBTRACT apply to list configs only`);
      const current = listOf(String(topic.configs[key]));
      const given = listOf(value);
      const next = op === APPEND ? [...current, ...given.filter((v) => !current.includes(v))] : current.filter((v) => !given.includes(v));
      changes[name] = next.join(',');
    } else throw new FloeError('INVALID_REQUEST', `unknown config operation ${op} for ${name}`);
  }
  return { set: changes, reset };
}

const answer = (r: KafkaStruct, error?: unknown): KafkaStruct => {
  const base = { resourceType: r.resourceType ?? 0, resourceName: r.resourceName ?? '' };
  if (error === undefined) return { ...base, errorCode: KafkaCode.NONE, errorMessage: null };
  const e = toKafkaError(error);
  return { ...base, errorCode: e.code, errorMessage: e.message };
};

type Resource = { resourceType?: number; resourceName?: string; configs?: KafkaStruct[] };

async function alterResources(
  gw: Parameters<Handler>[0],
  access: Access,
  resources: Resource[],
  validateOnly: boolean,
  changesOf: (topic: Topic, configs: KafkaStruct[]) => Changes,
  replace: boolean,
): Promise<KafkaStruct[]> {
  // A resource named twice would be applied twice (last wins): Kafka refuses every copy and applies none.
  const keyOf = (r: Resource) => `${r.resourceType ?? 0}\u0000${r.resourceName ?? ''}`;
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(keyOf(r), (counts.get(keyOf(r)) ?? 0) + 1);
  return mapConcurrent(
    resources,
    GATEWAY_LIMITS.lookupsInFlight,
    async (r) => {
      if ((counts.get(keyOf(r)) ?? 0) > 1) return answer(r as KafkaStruct, new FloeError('INVALID_REQUEST', 'each resource must appear at most once'));
      const refused = configsCheck(access, r.resourceType, r.resourceName ?? '', 'AlterConfigs');
      if (refused) return { resourceType: r.resourceType ?? 0, resourceName: r.resourceName ?? '', errorCode: refused.code, errorMessage: refused.message };
      try {
        if (r.resourceType !== RESOURCE_TOPIC) throw new FloeError('INVALID_REQUEST', `resource type ${r.resourceType} is not alterable; only topics (2) are`);
        // As Kafka's controller (validateTopicName): no name is a default resource, which topics lack; a bad one is checked before any read.
        if (!r.resourceName) throw new FloeError('INVALID_REQUEST', 'a topic resource needs a name: topics have no default resource');
        if (!isTopicName(r.resourceName)) throw new FloeError('INVALID_TOPIC_EXCEPTION', `invalid topic name ${JSON.stringify(r.resourceName)}: [a-zA-Z0-9._-]{1,249}, not "." or ".."`);
        const topic = await gw.deps.log.freshTopic(r.resourceName);
        if (!topic) throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `unknown topic "${r.resourceName}"`);
        const configs = r.configs ?? [];
        const { reset } = changesOf(topic, configs); // a bad name or operation is refused before any write
        // APPEND and SUBTRACT apply to the value the write replaces: computed again after losing a race to a concurrent alter.
        await gw.deps.log.alterTopicConfigs(topic.name, (current) => changesOf(current, configs).set, { replace, validateOnly, reset });
        return answer(r as KafkaStruct);
      } catch (error) {
        return answer(r as KafkaStruct, error);
      }
    },
  );
}

export const alterConfigs: Handler = async (gw, raw, { access }) => {
  const body = raw as MessageBody<typeof AlterConfigsRequest>;
  const given = (_topic: Topic, configs: KafkaStruct[]): Changes => {
    const out = dict<unknown>(); // a config named __proto__ is a key here, refused as unknown (decision 41)
    for (const c of configs) if (c.value !== null && c.value !== undefined) out[String(c.name)] = c.value;
    return { set: out, reset: [] };
  };
  const responses = await alterResources(gw, await access(), (body.resources ?? []) as Resource[], body.validateOnly ?? false, given, true);
  return { throttleTimeMs: 0, responses };
};

export const incrementalAlterConfigs: Handler = async (gw, raw, { access }) => {
  const body = raw as MessageBody<typeof IncrementalAlterConfigsRequest>;
  const responses = await alterResources(gw, await access(), (body.resources ?? []) as Resource[], body.validateOnly ?? false, incrementalChanges, false);
  return { throttleTimeMs: 0, responses };
};
