/**
 * Topics: one item per topic (pk "topic", sk name) holding its id, partition
 * count and configs, and one head item per partition keyed by the topic id, so
 * a deleted and re-created topic never sees the old topic's data.
 */
import { FloeError } from '@floe/protocol';
import { newTopicId } from '../storage/keys.js';
import { nowOf, topicDefaultsOf, type LogDeps } from './deps.js';
import { compacts, LIMITS, TOPIC_CONFIG_DEFAULTS, type TopicConfig, type TopicConfigName } from './limits.js';
import { isFixedTopicConfig, isTopicConfigName, TOPIC_CONFIG_NAMES, unknownTopicConfig, validateTopicConfigs } from './topic-configs.js';

export { validateTopicConfigs };
import { emptyHead, type PartitionHead } from './partition-head.js';
import {
  createTopicItem,
  deleteHeads,
  deleteTopicItem,
  getHeads,
  getTopicItem,
  getTopicItems,
  putHeads,
  putMissingHeads,
  rememberTopicItem,
  setTopicConfigs,
  setTopicPartitions,
  topicItems,
} from './store.js';

export interface Topic {
  name: string;
  topicId: string;
  partitions: number;
  configs: TopicConfig;
  /**
   * The configs set on the topic, at creation or by an alter (Kafka's topic overrides); the others
   * are the defaults of its creation. Undefined for a topic item written before they were recorded.
   */
  overrides?: TopicConfigName[];
  /** how many times its configs were altered (undefined: never); an alter writes only over the version it read */
  configVersion?: number;
  createdAt: number;
  /** partitions per stripe item, fixed at creation (decision 52); absent: one head item per partition */
  stripeWidth?: number;
}

export interface PartitionDescription {
  partition: number;
  logStartOffset: number;
  highWatermark: number;
  /** batch bytes written to the partition since it was created (not lowered by retention) */
  bytes: number;
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;

export const isValidTopicName = (name: unknown): name is string =>
  typeof name === 'string' && name.length > 0 && name.length <= LIMITS.maxTopicNameLength && name !== '.' && name !== '..' && TOPIC_NAME.test(name);

export function validateTopicName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new FloeError('INVALID_TOPIC_EXCEPTION', 'topic name must be a non-empty string');
  }
  if (name.length > LIMITS.maxTopicNameLength) {
    throw new FloeError('INVALID_TOPIC_EXCEPTION', `topic name longer than ${LIMITS.maxTopicNameLength} characters`);
  }
  if (name === '.' || name === '..') throw new FloeError('INVALID_TOPIC_EXCEPTION', `topic name cannot be "${name}"`);
  if (!TOPIC_NAME.test(name)) {
    throw new FloeError('INVALID_TOPIC_EXCEPTION', `topic name "${name}" may contain only ASCII letters, digits, '.', '_' and '-'`);
  }
  return name;
}

export function validatePartitionCount(count: unknown): number {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > LIMITS.maxPartitionsPerTopic) {
    throw new FloeError('INVALID_PARTITIONS', `partition count must be an integer from 1 to ${LIMITS.maxPartitionsPerTopic}`);
  }
  return count;
}

/** A topic as stored; a config its item predates (stored before the config existed) takes the deployment's default, as a Kafka topic follows its broker's. */
function toTopic(item: Record<string, unknown>, defaults: TopicConfig): Topic {
  const stored = item.configs as Partial<TopicConfig>;
  return {
    name: item.sk as string,
    topicId: item.topicId as string,
    partitions: item.partitions as number,
    configs: { ...defaults, ...stored },
    ...(Array.isArray(item.overrides)
      ? { overrides: (item.overrides as unknown[]).filter((n): n is TopicConfigName => typeof n === 'string' && isTopicConfigName(n)) }
      : // Written before overrides were recorded: overridesOf's guess, over the configs the item holds (a default filled in is none).
        { overrides: TOPIC_CONFIG_NAMES.filter((name) => Object.hasOwn(stored ?? {}, name) && stored[name] !== TOPIC_CONFIG_DEFAULTS[name]) }),
    ...(typeof item.cv === 'number' ? { configVersion: item.cv } : {}),
    createdAt: item.createdAt as number,
    ...(typeof item.sw === 'number' ? { stripeWidth: item.sw } : {}),
  };
}

/** The config names given in a configs input (already validated), in the configs' order. */
function namesOf(input: unknown, more: Iterable<string> = []): TopicConfigName[] {
  const given = new Set([...(input && typeof input === 'object' ? Object.keys(input) : []), ...more]);
  return TOPIC_CONFIG_NAMES.filter((name) => given.has(name));
}

/**
 * The topic's overrides. A topic item written before they were recorded has the best guess: the
 * configs whose value is not Kafka's default (what DescribeConfigs reported for every topic before).
 */
export const overridesOf = (topic: Topic): TopicConfigName[] =>
  topic.overrides ?? TOPIC_CONFIG_NAMES.filter((name) => topic.configs[name] !== TOPIC_CONFIG_DEFAULTS[name]);

/** Kafka's rule: '.' and '_' are alike in metric names, so two names equal up to them cannot both exist. */
/** Kafka's rule: two topic names that differ only in '.' against '_' collide (their metrics names would). */
export const collisionKey = (name: string): string => name.replaceAll('.', '_');

/** Separators up to which the colliding names are asked for by key (2^6 - 1 = 63 keys, one batch read); past it the topic list is read. */
const MAX_KEYED_SEPARATORS = 6;

/** Every other name that collides with `name`: each '.' or '_' either way. */
function collidingNames(name: string): string[] {
  let names = [''];
  for (const c of name) names = c === '.' || c === '_' ? names.flatMap((n) => [`${n}.`, `${n}_`]) : names.map((n) => n + c);
  return names.filter((n) => n !== name);
}

async function refuseCollision(deps: LogDeps, name: string): Promise<void> {
  // Only a name with '.' or '_' can collide with another, so the others cost no read. Best effort,
  // as a check before the write: two such creates racing each other can both pass.
  const separators = name.match(/[._]/g)?.length ?? 0;
  if (separators === 0) return;
  const others =
    separators <= MAX_KEYED_SEPARATORS
      ? (await getTopicItems(deps, collidingNames(name))).map((item) => item.sk as string)
      : await collidingListed(deps, name);
  const other = others.sort()[0];
  if (other !== undefined) throw new FloeError('INVALID_TOPIC_EXCEPTION', `topic "${name}" collides with existing topic "${other}" ('.' and '_' count as the same character)`);
}

async function collidingListed(deps: LogDeps, name: string): Promise<string[]> {
  const found: string[] = [];
  for await (const item of topicItems(deps)) {
    const other = item.sk as string;
    if (other !== name && collisionKey(other) === collisionKey(name)) found.push(other);
  }
  return found;
}

export async function createTopic(deps: LogDeps, nameInput: unknown, partitionsInput: unknown, configsInput?: unknown): Promise<Topic> {
  const name = validateTopicName(nameInput);
  const partitions = validatePartitionCount(partitionsInput);
  const configs = validateTopicConfigs(configsInput, topicDefaultsOf(deps));
  if (await getTopic(deps, name)) throw new FloeError('TOPIC_ALREADY_EXISTS', `topic "${name}" already exists`);
  await refuseCollision(deps, name);
  const topicId = newTopicId();
  // A compacted topic keeps one head per partition: compaction rewrites a partition's chunks, which a stripe's chunks share with others.
  const stripeWidth = deps.stripes && partitions > deps.stripes.above && !compacts(configs) ? deps.stripes.width : undefined;
  const topic: Topic = { name, topicId, partitions, configs, overrides: namesOf(configsInput), createdAt: nowOf(deps), ...(stripeWidth === undefined ? {} : { stripeWidth }) };
  // Heads first, then the topic item that makes them reachable: a crash in between leaves only unreachable items.
  await putHeads(deps, topic, 0, partitions, emptyHead);
  const item = { topicId, partitions, configs, overrides: topic.overrides, createdAt: topic.createdAt, ...(stripeWidth === undefined ? {} : { sw: stripeWidth }) };
  if (!(await createTopicItem(deps, name, item))) {
    // Our own write, retried by the client after its answer was lost: the topic is ours.
    if ((await getTopic(deps, name))?.topicId === topicId) return topic;
    // Another create of the name came first: this id is reachable from nothing, and no registry of
    // housekeeping's knows it, so its heads would stay forever.
    await deleteHeads(deps, topic, partitions);
    throw new FloeError('TOPIC_ALREADY_EXISTS', `topic "${name}" already exists`);
  }
  return topic;
}

export async function getTopic(deps: LogDeps, name: string): Promise<Topic | undefined> {
  const item = await getTopicItem(deps, name);
  return item ? toTopic(item, topicDefaultsOf(deps)) : undefined;
}

export async function requireTopic(deps: LogDeps, name: unknown): Promise<Topic> {
  const valid = validateTopicName(name);
  const topic = await getTopic(deps, valid);
  if (!topic) throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `unknown topic "${valid}"`);
  return topic;
}

export async function listTopics(deps: LogDeps): Promise<Topic[]> {
  const topics: Topic[] = [];
  const defaults = topicDefaultsOf(deps);
  for await (const item of topicItems(deps)) topics.push(toTopic(item, defaults));
  return topics;
}

export const readHeads = (deps: LogDeps, topic: Topic, partitions: number[]): Promise<Map<number, PartitionHead>> => getHeads(deps, topic, partitions);

export async function describePartitions(deps: LogDeps, topic: Topic): Promise<PartitionDescription[]> {
  const all = Array.from({ length: topic.partitions }, (_, p) => p);
  const heads = await readHeads(deps, topic, all);
  return all.map((partition) => {
    const head = heads.get(partition);
    return { partition, logStartOffset: head?.logStartOffset ?? 0, highWatermark: head?.nextOffset ?? 0, bytes: head?.bytes ?? 0 };
  });
}

export async function addPartitions(deps: LogDeps, nameInput: unknown, countInput: unknown): Promise<Topic> {
  const topic = await requireTopic(deps, nameInput);
  const count = validatePartitionCount(countInput);
  if (count <= topic.partitions) {
    throw new FloeError('INVALID_PARTITIONS', `topic "${topic.name}" has ${topic.partitions} partitions; the new count must be larger`);
  }
  // Housekeeping learns the new count before any head exists: should the topic be deleted before the
  // count is written (a delete records only the count it reads), it still finds and removes these heads.
  await rememberTopicItem(deps, topic.topicId, topic.name, count);
  await putMissingHeads(deps, topic, topic.partitions, count, emptyHead);
  if (!(await setTopicPartitions(deps, topic.name, topic.topicId, topic.partitions, count))) {
    const current = await getTopic(deps, topic.name);
    if (current?.topicId !== topic.topicId) throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `unknown topic "${topic.name}"`);
    // Our own write, retried by the client after its answer was lost (or an add to the same count): done.
    if (current.partitions === count) return current;
    throw new FloeError('REBALANCE_IN_PROGRESS', `topic "${topic.name}" changed concurrently; retry`, { retriable: true });
  }
  return { ...topic, partitions: count };
}

export interface ConfigUpdateOptions {
  /** the configs not given go back to their defaults (Kafka's AlterConfigs) instead of staying */
  replace?: boolean;
  /** check only, change nothing */
  validateOnly?: boolean;
  /** configs to take back to their defaults, overrides no more (Kafka's IncrementalAlterConfigs DELETE) */
  reset?: string[];
}

/** Alters lost to concurrent alters of the same topic before one gives up (retriable). */
const CONFIG_WRITE_ATTEMPTS = 8;

/**
 * Sets the given configs of a topic (the others stay, or go back to their defaults with `replace`); each set one is an override, even at its default value.
 * `configsInput` may be a function of the topic as read (IncrementalAlterConfigs' APPEND and SUBTRACT): it is computed again after a lost race, so it applies to what the winner wrote.
 */
export async function updateTopicConfigs(
  deps: LogDeps,
  nameInput: unknown,
  configsInput: unknown | ((topic: Topic) => Record<string, unknown>),
  options: ConfigUpdateOptions = {},
): Promise<Topic> {
  // A fixed config (topic-configs.ts) is always at its one value: taking it back changes nothing.
  const reset = (options.reset ?? []).filter((name) => !isFixedTopicConfig(name));
  const unknown = reset.find((name) => !isTopicConfigName(name));
  if (unknown !== undefined) throw unknownTopicConfig(unknown);
  const defaults = topicDefaultsOf(deps);
  for (let attempt = 1; ; attempt++) {
    const topic = await requireTopic(deps, nameInput);
    const input = typeof configsInput === 'function' ? (configsInput as (topic: Topic) => Record<string, unknown>)(topic) : configsInput;
    const base = options.replace ? defaults : { ...topic.configs, ...Object.fromEntries(reset.map((name) => [name, defaults[name as TopicConfigName]])) };
    const configs = validateTopicConfigs(input, base);
    if (topic.stripeWidth !== undefined && compacts(configs)) {
      throw new FloeError('INVALID_CONFIG', `topic "${topic.name}" keeps its partitions' heads in stripes (created with more partitions than stripes.above), which are never compacted: cleanup.policy can only be "delete"; create it with cleanup.policy=compact to compact it`);
    }
    const overrides = options.replace ? namesOf(input) : namesOf(input, overridesOf(topic).filter((name) => !reset.includes(name)));
    if (options.validateOnly) return { ...topic, configs, overrides };
    // A concurrent alter wrote first: merge into what it wrote (read again), rather than write over it.
    if (await setTopicConfigs(deps, topic.name, topic.topicId, configs, overrides, topic.configVersion)) {
      return { ...topic, configs, overrides, configVersion: (topic.configVersion ?? 0) + 1 };
    }
    if (attempt === CONFIG_WRITE_ATTEMPTS) {
      throw new FloeError('REBALANCE_IN_PROGRESS', `the configs of topic "${topic.name}" kept changing concurrently; retry`, { retriable: true });
    }
  }
}

/**
 * Deletes the topic item, then the partition heads (so a handler with a stale
 * cached topic id can no longer append). Index items and segment objects are
 * left for housekeeping, which learns the topic's final partition count here:
 * its own record of the topic may predate partitions added since its last pass.
 */
export async function deleteTopic(deps: LogDeps, nameInput: unknown): Promise<Topic> {
  const topic = await requireTopic(deps, nameInput);
  await rememberTopicItem(deps, topic.topicId, topic.name, topic.partitions);
  const partitions = await deleteTopicItem(deps, topic.name, topic.topicId);
  if (partitions === undefined) {
    // Deleted meanwhile: by another delete, or by this one, retried by the client after its answer was
    // lost — then nobody else deletes the heads, and handlers that cached the topic would go on appending.
    await deleteHeads(deps, topic, topic.partitions);
    throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `unknown topic "${topic.name}"`);
  }
  // Partitions added after our read: remembered and deleted too.
  if (partitions > topic.partitions) await rememberTopicItem(deps, topic.topicId, topic.name, partitions);
  const final = Math.max(partitions, topic.partitions);
  await deleteHeads(deps, topic, final);
  return { ...topic, partitions: final };
}

/** Per-instance cache of topic metadata (name -> topic). Stale entries are safe: appends are conditional on the head existing. */
export class TopicCache {
  private readonly entries = new Map<string, { topic: Topic; at: number }>();
  constructor(
    private readonly deps: LogDeps,
    private readonly ttlMs = 5000,
  ) {}

  async get(name: string): Promise<Topic | undefined> {
    if (!isValidTopicName(name)) return undefined; // no such topic can exist; not a key DynamoDB accepts either
    const now = Date.now();
    const hit = this.entries.get(name);
    if (hit && now - hit.at < this.ttlMs) return hit.topic;
    const topic = await getTopic(this.deps, name);
    // Only topics found are kept (a miss is never answered from here): names a client made up, unknown
    // topics a gateway was asked about for days, would otherwise each stay in memory for good.
    if (topic) this.entries.set(name, { topic, at: now });
    else this.entries.delete(name);
    return topic;
  }

  /** Names held (tests). */
  get size(): number {
    return this.entries.size;
  }

  invalidate(name: string): void {
    this.entries.delete(name);
  }

  /** Forgets the topic if this id is the one cached: its heads are gone (deleted, maybe created again under the name). */
  forget(topic: Topic): void {
    if (this.entries.get(topic.name)?.topic?.topicId === topic.topicId) this.entries.delete(topic.name);
  }
}
