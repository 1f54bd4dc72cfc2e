/**
 * Consumer configuration: every Kafka consumer setting Floe supports as one
 * camelCase option with Kafka's default (docs/configuration.md, "Consumer",
 * lists each with its Kafka name and every documented difference).
 */
import { FloeError, GROUP_LIMITS } from '@floe/protocol';
import { normalizeBootstrap } from '../bootstrap-url.js';
import { MAX_TIMER_MS, propertyBoolean, propertyInteger } from '../properties.js';
import type { FloeHttpClient, RequestSigner } from '../http-client.js';
import { DESERIALIZER_CLASSES, toDeserializer, type Deserializer, type DeserializerOption } from './deserializers.js';

export type OffsetResetPolicy = 'earliest' | 'latest' | 'none';

export interface ConsumerLogger {
  warn(message: string, context?: Record<string, unknown>): void;
}

export interface ConsumerConfig<K = Buffer | null, V = Buffer | null> {
  /** bootstrap.servers: the bootstrap URL (the admin Function URL, or the local cluster's URL) */
  bootstrap: string;
  /** group.id: needed for subscribe() and for commits */
  groupId?: string;
  /** group.instance.id: static membership */
  groupInstanceId?: string;
  /** client.id */
  clientId?: string;
  /** key.deserializer: a function, or 'bytes', 'string', 'json' as the Producer's serializers (default: the raw Buffer) */
  keyDeserializer?: DeserializerOption<K>;
  /** value.deserializer: as keyDeserializer */
  valueDeserializer?: DeserializerOption<V>;
  /** auto.offset.reset: where to start without a committed offset (default latest) */
  autoOffsetReset?: OffsetResetPolicy;
  /** enable.auto.commit (default true) */
  enableAutoCommit?: boolean;
  /** auto.commit.interval.ms (default 5000) */
  autoCommitIntervalMs?: number;
  /** fetch.min.bytes (default 1) */
  fetchMinBytes?: number;
  /** fetch.max.wait.ms (default 500; the server caps its wait at 1000) */
  fetchMaxWaitMs?: number;
  /**
   * Floe only (default true): after several empty fetches in a row, wait on the client instead of
   * the server — fetches with no server wait, the gap between them growing from fetch.max.wait.ms
   * to fetchIdleMaxIntervalMs — because a waiting Lambda is billed by the millisecond and a
   * sleeping client is free. The first record after an idle spell then arrives up to
   * fetchIdleMaxIntervalMs later; the consumer returns to server-side waiting as soon as records
   * flow, or at once after seek() or resume().
   */
  fetchIdleBackoff?: boolean;
  /** Floe only (default 1000): the longest gap between an idle consumer's fetches (see fetchIdleBackoff). */
  fetchIdleMaxIntervalMs?: number;
  /** max.partition.fetch.bytes (default 1 MiB) */
  maxPartitionFetchBytes?: number;
  /** fetch.max.bytes (default 50 MiB; the server caps one response at 4 MiB) */
  fetchMaxBytes?: number;
  /** max.poll.records (default 500) */
  maxPollRecords?: number;
  /** session.timeout.ms (default 45000) */
  sessionTimeoutMs?: number;
  /** heartbeat.interval.ms (default 3000; at most a third of session.timeout.ms) */
  heartbeatIntervalMs?: number;
  /** max.poll.interval.ms (default 300000) */
  maxPollIntervalMs?: number;
  /** partition.assignment.strategy: sticky (default), range, roundrobin, or Kafka's class names */
  partitionAssignmentStrategy?: string | string[];
  /** request.timeout.ms (default 30000) */
  requestTimeoutMs?: number;
  /** retry.backoff.ms (default 100) */
  retryBackoffMs?: number;
  /** default.api.timeout.ms: bound of commitSync, committed, position, close (default 60000) */
  defaultApiTimeoutMs?: number;
  /** metadata.max.age.ms: how often a pattern subscription looks for new topics (default 300000) */
  metadataMaxAgeMs?: number;
  /** signs requests (SigV4) when the Function URLs use AWS_IAM auth */
  sign?: RequestSigner;
  /** share one transport between clients */
  http?: FloeHttpClient;
  /** where the consumer reports problems it recovers from (default: nowhere) */
  logger?: ConsumerLogger;
}

export type ResolvedConsumerConfig<K, V> = Required<
  Omit<ConsumerConfig<K, V>, 'groupId' | 'groupInstanceId' | 'sign' | 'http' | 'partitionAssignmentStrategy' | 'keyDeserializer' | 'valueDeserializer'>
> &
  Pick<ConsumerConfig<K, V>, 'groupId' | 'groupInstanceId' | 'sign' | 'http'> & {
    partitionAssignmentStrategy: string[];
    keyDeserializer: Deserializer<K>;
    valueDeserializer: Deserializer<V>;
  };

export const CONSUMER_DEFAULTS = {
  clientId: 'floe-consumer',
  autoOffsetReset: 'latest',
  enableAutoCommit: true,
  autoCommitIntervalMs: 5000,
  fetchMinBytes: 1,
  fetchMaxWaitMs: 500,
  fetchIdleBackoff: true,
  fetchIdleMaxIntervalMs: 1000,
  maxPartitionFetchBytes: 1024 * 1024,
  fetchMaxBytes: 50 * 1024 * 1024,
  maxPollRecords: 500,
  sessionTimeoutMs: 45_000,
  heartbeatIntervalMs: 3000,
  maxPollIntervalMs: 300_000,
  partitionAssignmentStrategy: ['sticky'],
  requestTimeoutMs: 30_000,
  retryBackoffMs: 100,
  defaultApiTimeoutMs: 60_000,
  metadataMaxAgeMs: 300_000,
} as const;

/** Kafka property names accepted by `consumerConfigFromProperties` (and `floe consume --consumer-property`). */
export const CONSUMER_PROPERTY_NAMES: Record<string, keyof ConsumerConfig> = {
  'bootstrap.servers': 'bootstrap',
  'group.id': 'groupId',
  'group.instance.id': 'groupInstanceId',
  'client.id': 'clientId',
  'key.deserializer': 'keyDeserializer',
  'value.deserializer': 'valueDeserializer',
  'auto.offset.reset': 'autoOffsetReset',
  'enable.auto.commit': 'enableAutoCommit',
  'auto.commit.interval.ms': 'autoCommitIntervalMs',
  'fetch.min.bytes': 'fetchMinBytes',
  'fetch.max.wait.ms': 'fetchMaxWaitMs',
  'max.partition.fetch.bytes': 'maxPartitionFetchBytes',
  'fetch.max.bytes': 'fetchMaxBytes',
  'max.poll.records': 'maxPollRecords',
  'session.timeout.ms': 'sessionTimeoutMs',
  'heartbeat.interval.ms': 'heartbeatIntervalMs',
  'max.poll.interval.ms': 'maxPollIntervalMs',
  'partition.assignment.strategy': 'partitionAssignmentStrategy',
  'request.timeout.ms': 'requestTimeoutMs',
  'retry.backoff.ms': 'retryBackoffMs',
  'default.api.timeout.ms': 'defaultApiTimeoutMs',
  'metadata.max.age.ms': 'metadataMaxAgeMs',
};

const NUMERIC = new Set<keyof ConsumerConfig>([
  'autoCommitIntervalMs',
  'fetchMinBytes',
  'fetchMaxWaitMs',
  'fetchIdleMaxIntervalMs',
  'maxPartitionFetchBytes',
  'fetchMaxBytes',
  'maxPollRecords',
  'sessionTimeoutMs',
  'heartbeatIntervalMs',
  'maxPollIntervalMs',
  'requestTimeoutMs',
  'retryBackoffMs',
  'defaultApiTimeoutMs',
  'metadataMaxAgeMs',
]);

/** The Kafka name of an option, for errors about values given by that name. */
const KAFKA_NAME = new Map(Object.entries(CONSUMER_PROPERTY_NAMES).map(([kafka, option]) => [option as string, kafka]));

const named = (option: string): string => (KAFKA_NAME.has(option) ? `${option} (${KAFKA_NAME.get(option)})` : option);

/** Kafka-style `name=value` properties to config options (unknown names are an error, not silently ignored). */
export function consumerConfigFromProperties(properties: Record<string, string>): Partial<ConsumerConfig> {
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(properties)) {
    const option = Object.hasOwn(CONSUMER_PROPERTY_NAMES, name) ? CONSUMER_PROPERTY_NAMES[name] : undefined; // not Object.prototype's "constructor"
    if (!option) throw new FloeError('INVALID_CONFIG', `unknown consumer property "${name}"`);
    if (NUMERIC.has(option)) out[option] = propertyInteger(name, raw);
    else if (option === 'enableAutoCommit') out[option] = propertyBoolean(name, raw);
    else if (option === 'partitionAssignmentStrategy') out[option] = raw.split(',').map((s) => s.trim());
    else if (option === 'keyDeserializer' || option === 'valueDeserializer') out[option] = (Object.hasOwn(DESERIALIZER_CLASSES, raw) ? DESERIALIZER_CLASSES[raw] : undefined) ?? raw;
    else out[option] = raw;
  }
  return out as Partial<ConsumerConfig>;
}

function positiveInteger(config: Record<string, unknown>, name: string, min = 1): void {
  const value = config[name];
  if (!Number.isSafeInteger(value) || (value as number) < min) {
    throw new FloeError('INVALID_CONFIG', `${named(name)} must be an integer >= ${min}, got ${String(value)}`);
  }
  if (name.endsWith('Ms') && (value as number) > MAX_TIMER_MS) {
    throw new FloeError('INVALID_CONFIG', `${named(name)} must be at most ${MAX_TIMER_MS} (a timer's longest delay), got ${String(value)}`);
  }
}

export function resolveConsumerConfig<K, V>(config: ConsumerConfig<K, V>): ResolvedConsumerConfig<K, V> {
  const bootstrap = normalizeBootstrap(config.bootstrap);
  const strategy = config.partitionAssignmentStrategy ?? CONSUMER_DEFAULTS.partitionAssignmentStrategy;
  const resolved = {
    ...CONSUMER_DEFAULTS,
    logger: { warn: () => {} },
    ...Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)),
    partitionAssignmentStrategy: typeof strategy === 'string' ? [strategy] : [...strategy],
    keyDeserializer: toDeserializer(config.keyDeserializer, 'keyDeserializer'),
    valueDeserializer: toDeserializer(config.valueDeserializer, 'valueDeserializer'),
    bootstrap,
  } as unknown as ResolvedConsumerConfig<K, V>;
  const record = resolved as unknown as Record<string, unknown>;
  for (const name of NUMERIC) positiveInteger(record, name, name === 'fetchMinBytes' || name === 'fetchMaxWaitMs' ? 0 : 1);
  const { minSessionTimeoutMs: low, maxSessionTimeoutMs: high } = GROUP_LIMITS;
  if (resolved.sessionTimeoutMs < low || resolved.sessionTimeoutMs > high) {
    // the server's range, said here rather than as the heartbeat interval's relation to it
    throw new FloeError('INVALID_CONFIG', `sessionTimeoutMs (session.timeout.ms) must be between ${low} and ${high}, got ${resolved.sessionTimeoutMs}`);
  }
  // The server's limit, said at construction rather than as a refused join later (maxPollIntervalMs is bounded as a time option above).
  const clientId: unknown = resolved.clientId;
  if (typeof clientId !== 'string' || clientId.length > GROUP_LIMITS.maxClientIdLength) {
    throw new FloeError('INVALID_CONFIG', `clientId (client.id) must be a string of at most ${GROUP_LIMITS.maxClientIdLength} characters, got ${typeof clientId === 'string' ? `${clientId.length} characters` : String(clientId)}`);
  }
  if (!['earliest', 'latest', 'none'].includes(resolved.autoOffsetReset)) {
    throw new FloeError('INVALID_CONFIG', `autoOffsetReset must be earliest, latest or none, got ${String(resolved.autoOffsetReset)}`);
  }
  if (resolved.heartbeatIntervalMs * 3 > resolved.sessionTimeoutMs) {
    throw new FloeError(
      'INVALID_CONFIG',
      `heartbeatIntervalMs (${resolved.heartbeatIntervalMs}) must be at most a third of sessionTimeoutMs (${resolved.sessionTimeoutMs}), so that two lost heartbeats do not end the session`,
    );
  }
  for (const name of ['groupId', 'groupInstanceId'] as const) {
    const value: unknown = resolved[name];
    if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
      throw new FloeError('INVALID_CONFIG', `${name} must be a non-empty string, got ${JSON.stringify(value)}`);
    }
  }
  if (resolved.groupInstanceId !== undefined && resolved.groupId === undefined) {
    throw new FloeError('INVALID_CONFIG', 'groupInstanceId needs a groupId');
  }
  return resolved;
}
