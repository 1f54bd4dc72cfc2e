/**
 * The gateway's only door into src/log. Everything the Kafka handlers need from the log -
 * produce, fetch, list offsets, producer ids, topics - goes through this class, in the
 * gateway's own types, so a change of the log's signatures is a change of this one file.
 */
import { type ErrorCode, FloeError } from '@floe/protocol';
import { deleteRecords } from '../log/delete-records.js';
import { topicDefaultsOf } from '../log/deps.js';
import { fetchRecords, type FetchDeps } from '../log/fetch.js';
import { LIMITS, TOPIC_CONFIG_DEFAULTS, type TopicConfig } from '../log/limits.js';
import { EARLIEST, LATEST, listOffset, MAX_TIMESTAMP } from '../log/list-offsets.js';
import { produce, type ProduceDeps } from '../log/produce.js';
import { initProducerId } from '../log/producer-ids.js';
import { addPartitions, createTopic, deleteTopic, getTopic, isValidTopicName, listTopics, overridesOf, readHeads, TopicCache, updateTopicConfigs, validatePartitionCount, validateTopicConfigs, validateTopicName, type Topic } from '../log/topics.js';
import { TOPIC_CONFIG_DOCS } from '../log/topic-config-docs.js';
import { checkFixedTopicConfig, isFixedTopicConfig, kafkaConfigText, TOPIC_CONFIG_KINDS, TOPIC_CONFIG_NAMES, unknownTopicConfig, type ConfigKind } from '../log/topic-configs.js';

export type { ConfigKind, Topic, TopicConfig };
export { checkFixedTopicConfig, isFixedTopicConfig, kafkaConfigText, overridesOf, TOPIC_CONFIG_DOCS, TOPIC_CONFIG_KINDS, TOPIC_CONFIG_NAMES, unknownTopicConfig };

export interface PortProducePartition {
  partition: number;
  /** One RecordBatch v2, exactly as the client sent it. */
  records: Buffer;
}

export interface PortProduceResult {
  topic: string;
  partition: number;
  errorCode: ErrorCode;
  errorMessage?: string;
  /** the records that made the batch be refused (INVALID_TIMESTAMP), by index in the batch */
  recordErrors?: Array<{ batchIndex: number; message: string }>;
  baseOffset: number;
  logAppendTime: number;
  logStartOffset: number;
}

export interface PortFetchPartition {
  topic: string;
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
}

export interface PortFetchResult {
  topic: string;
  partition: number;
  errorCode: ErrorCode;
  errorMessage?: string;
  highWatermark: number;
  logStartOffset: number;
  /** Whole batches with their offsets patched; empty when there is nothing to read. */
  records: Buffer;
}

export interface PartitionHeadView {
  nextOffset: number;
  logStartOffset: number;
}

export type OffsetSpec = 'earliest' | 'latest' | 'max-timestamp' | number;

export interface PortListOffsetResult {
  errorCode: ErrorCode;
  errorMessage?: string;
  offset: number;
  timestamp: number;
}

/** Kafka's topic name rule, as the log enforces it. */
export const isTopicName = (name: unknown): name is string => isValidTopicName(name);

export const TOPIC_DEFAULTS: Readonly<TopicConfig> = TOPIC_CONFIG_DEFAULTS;

/** The log's limits the gateway honours on its side of the wire. */
export const LOG_LIMITS = {
  maxProduceRequestBytes: LIMITS.maxProduceRequestBytes,
  maxFetchResponseBytes: LIMITS.maxFetchResponseBytes,
  maxPartitionsPerRequest: LIMITS.maxPartitionsPerRequest,
  maxPartitionsPerTopic: LIMITS.maxPartitionsPerTopic,
} as const;

export class LogPort {
  readonly topicCache: TopicCache;
  private readonly deps: ProduceDeps & FetchDeps;

  constructor(deps: ProduceDeps & FetchDeps) {
    this.topicCache = new TopicCache(deps);
    this.deps = { ...deps, topicGone: (topic) => this.topicCache.forget(topic) };
  }

  /** What a config not set on a topic created now has, and a config taken back to its default returns to. */
  get topicDefaults(): TopicConfig {
    return topicDefaultsOf(this.deps);
  }

  /** The topic by name, from a cache of a few seconds (stale entries are safe: appends are conditional on the head). */
  topic(name: string): Promise<Topic | undefined> {
    return this.topicCache.get(name);
  }

  /** The topic read now, bypassing the cache. */
  async freshTopic(name: string): Promise<Topic | undefined> {
    // No topic has an invalid name; a long one is not a key DynamoDB takes (a storage error, which clients retry).
    return isValidTopicName(name) ? getTopic(this.deps, name) : undefined;
  }

  listTopics(): Promise<Topic[]> {
    return listTopics(this.deps);
  }

  createTopic(name: string, partitions: number, configs: Record<string, string>): Promise<Topic> {
    return createTopic(this.deps, name, partitions, configs);
  }

  /** Throws the FloeError createTopic would throw for these arguments, creating nothing (validateOnly). */
  async validateTopic(name: string, partitions: number, configs: Record<string, string>): Promise<void> {
    validateTopicName(name);
    validatePartitionCount(partitions);
    validateTopicConfigs(configs);
    if (await getTopic(this.deps, name)) throw new FloeError('TOPIC_ALREADY_EXISTS', `topic "${name}" already exists`);
  }

  async deleteTopic(name: string): Promise<Topic> {
    try {
      return await deleteTopic(this.deps, name);
    } finally {
      this.topicCache.invalidate(name);
    }
  }

  /**
   * Sets topic configs: `configs` over the current ones, or over the defaults with `replace` (Kafka's
   * AlterConfigs); `reset` names configs to take back to their defaults; `validateOnly` checks without
   * writing. Values are validated as at create. `configs` as a function of the topic is computed from
   * each read, a re-read after a concurrent alter included.
   */
  async alterTopicConfigs(name: string, configs: Record<string, unknown> | ((topic: Topic) => Record<string, unknown>), options: { replace?: boolean; validateOnly?: boolean; reset?: string[] } = {}): Promise<Topic> {
    try {
      return await updateTopicConfigs(this.deps, name, configs, options);
    } finally {
      this.topicCache.invalidate(name);
    }
  }

  async addPartitions(name: string, count: number): Promise<Topic> {
    try {
      return await addPartitions(this.deps, name, count);
    } finally {
      this.topicCache.invalidate(name);
    }
  }

  /**
   * Kafka's DeleteRecords for one partition: its log start moves to `offset` (-1: the high watermark);
   * answers the low watermark after it. The topic is read afresh: a cached one may have been deleted
   * and created again, and this is no hot path.
   */
  async deleteRecords(name: string, partition: number, offset: number): Promise<{ lowWatermark: number }> {
    const topic = await this.freshTopic(name);
    if (!topic) throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `unknown topic "${name}"`);
    return deleteRecords(this.deps, topic, partition, offset);
  }

  /** Produces one request's batches: one segment object, one conditional commit per partition. */
  async produce(acks: number, timeoutMs: number, topics: Array<{ topic: string; partitions: PortProducePartition[] }>): Promise<PortProduceResult[]> {
    const results = await produce(this.deps, { acks, timeoutMs, topics });
    return results.flatMap((t) =>
      t.partitions.map((p) => ({
        topic: t.topic,
        partition: p.partition,
        errorCode: p.errorCode,
        ...(p.errorMessage === undefined ? {} : { errorMessage: p.errorMessage }),
        ...(p.recordErrors === undefined ? {} : { recordErrors: p.recordErrors }),
        baseOffset: p.baseOffset,
        logAppendTime: p.logAppendTime,
        logStartOffset: p.logStartOffset,
      })),
    );
  }

  /**
   * Reads what is there now (no waiting: the gateway holds long-polls itself), within the byte limits.
   * Answers in the order asked, whatever that order is: clients (kafkajs) may name a topic in several
   * entries of one request, interleaved with others, so the partitions are grouped by topic for the
   * log and put back in place.
   */
  async fetch(partitions: PortFetchPartition[], maxBytes: number): Promise<PortFetchResult[]> {
    const byTopic = new Map<string, number[]>();
    partitions.forEach((p, i) => byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), i]));
    const groups = [...byTopic];
    const results = await fetchRecords(this.deps, {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes,
      topics: groups.map(([topic, indexes]) => ({
        topic,
        partitions: indexes.map((i) => {
          const p = partitions[i] as PortFetchPartition;
          return { partition: p.partition, fetchOffset: p.fetchOffset, partitionMaxBytes: p.partitionMaxBytes };
        }),
      })),
    });
    const out = new Array<PortFetchResult>(partitions.length);
    results.forEach((t, g) => {
      const indexes = (groups[g] as [string, number[]])[1];
      t.partitions.forEach((p, j) => {
        out[indexes[j] as number] = {
          topic: t.topic,
          partition: p.partition,
          errorCode: p.errorCode,
          ...(p.errorMessage === undefined ? {} : { errorMessage: p.errorMessage }),
          highWatermark: p.highWatermark,
          logStartOffset: p.logStartOffset,
          records: p.records,
        };
      });
    });
    return out;
  }

  /** Heads of partitions of one topic (strongly consistent), for the long-poll watcher. */
  async heads(topic: Topic, partitions: number[]): Promise<Map<number, PartitionHeadView>> {
    const heads = await readHeads(this.deps, topic, partitions);
    const out = new Map<number, PartitionHeadView>();
    for (const [partition, head] of heads) out.set(partition, { nextOffset: head.nextOffset, logStartOffset: head.logStartOffset });
    return out;
  }

  async listOffset(topic: string, partition: number, spec: OffsetSpec): Promise<PortListOffsetResult> {
    const result = await listOffset(this.deps, topic, partition, spec === 'earliest' ? EARLIEST : spec === 'latest' ? LATEST : spec === 'max-timestamp' ? MAX_TIMESTAMP : spec);
    return {
      errorCode: result.errorCode,
      ...(result.errorMessage === undefined ? {} : { errorMessage: result.errorMessage }),
      offset: result.offset,
      timestamp: result.timestamp,
    };
  }

  /** A new random, registered producer id from the log's allocator (the one the HTTP API uses), epoch 0. */
  allocateProducerId(): Promise<{ producerId: bigint; producerEpoch: number }> {
    return initProducerId(this.deps);
  }
}
