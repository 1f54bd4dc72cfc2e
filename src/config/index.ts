/**
 * Runtime configuration of a Floe server process (handlers, housekeeping, the local
 * cluster), read from the environment in this one module. The local cluster, LocalStack
 * and AWS differ only in these values, never in code. Every value is checked when read:
 * a bad one is INVALID_CONFIG naming the variable, never a NaN further down.
 */
import { FloeError } from '@floe/protocol';
import { LIMITS, TOPIC_CONFIG_DEFAULTS, type TopicConfig } from '../log/limits.js';
import { parseTopicConfig } from '../log/topic-configs.js';

export const ENV = {
  bucket: 'FLOE_BUCKET',
  logTable: 'FLOE_LOG_TABLE',
  groupsTable: 'FLOE_GROUPS_TABLE',
  produceUrl: 'FLOE_PRODUCE_URL',
  fetchUrl: 'FLOE_FETCH_URL',
  adminUrl: 'FLOE_ADMIN_URL',
  groupsUrl: 'FLOE_GROUPS_URL',
  s3ForcePathStyle: 'FLOE_S3_FORCE_PATH_STYLE',
  cacheBytes: 'FLOE_CACHE_BYTES',
  defaultRetentionMs: 'FLOE_DEFAULT_RETENTION_MS',
  defaultTimestampBeforeMaxMs: 'FLOE_DEFAULT_MESSAGE_TIMESTAMP_BEFORE_MAX_MS',
  defaultTimestampAfterMaxMs: 'FLOE_DEFAULT_MESSAGE_TIMESTAMP_AFTER_MAX_MS',
  authorization: 'FLOE_AUTHORIZATION',
  aclTable: 'FLOE_ACL_TABLE',
  aclCacheMs: 'FLOE_ACL_CACHE_MS',
  aclSuperUsers: 'FLOE_ACL_SUPER_USERS',
  stripedTopicsAbove: 'FLOE_STRIPED_TOPICS_ABOVE',
  region: 'AWS_REGION',
  s3Endpoint: 'AWS_ENDPOINT_URL_S3',
  dynamoEndpoint: 'AWS_ENDPOINT_URL_DYNAMODB',
  endpoint: 'AWS_ENDPOINT_URL',
} as const;

/** Housekeeping settings a deployment may change (docs/housekeeping.md). */
export const HOUSEKEEPING_ENV = {
  leaseMs: 'FLOE_LEASE_MS',
  graceMs: 'FLOE_GC_GRACE_MS',
  mergeTargetBytes: 'FLOE_MERGE_TARGET_BYTES',
  producerIdExpirationMs: 'FLOE_PRODUCER_ID_EXPIRATION_MS',
  compactMaxBytesPerPass: 'FLOE_COMPACT_MAX_BYTES_PER_PASS',
} as const;

export type HousekeepingEnvSettings = Partial<Record<keyof typeof HOUSEKEEPING_ENV, number>>;

export interface FloeConfig {
  bucket: string;
  logTable: string;
  groupsTable: string;
  region: string | undefined;
  s3Endpoint: string | undefined;
  dynamoEndpoint: string | undefined;
  s3ForcePathStyle: boolean;
  /** Bytes of object ranges kept in the warm instance's LRU cache. */
  cacheBytes: number;
  /** retention.ms of topics created without one (Kafka's default: 7 days). */
  defaultRetentionMs: number;
  /** message.timestamp.before.max.ms of topics without one (Kafka's broker log.message.timestamp.before.max.ms; default: no bound). */
  defaultTimestampBeforeMaxMs: number;
  /** message.timestamp.after.max.ms of topics without one (Kafka's broker log.message.timestamp.after.max.ms; default: 1 hour). */
  defaultTimestampAfterMaxMs: number;
  /** Kafka's producer.id.expiration.ms: produce and housekeeping must agree on it (FLOE_PRODUCER_ID_EXPIRATION_MS). */
  producerIdExpirationMs: number;
  /** 'none': every caller the front door admits may do everything; 'acl': ACL rules decide (docs/security.md). */
  authorization: 'none' | 'acl';
  /** The ACL rules table (required with 'acl'). */
  aclTable: string | undefined;
  /** How long an instance decides with the rules it read; undefined: src/auth's default (10 s). */
  aclCacheMs: number | undefined;
  /** Principals no rule restricts (Kafka's super.users), comma-separated in the environment. */
  aclSuperUsers: string[];
  urls: { produce?: string; fetch?: string; admin?: string; groups?: string };
  /**
   * Topics created with more partitions than this keep their heads in stripes (decisions 52, 53);
   * undefined (the default): every topic has one head per partition. Being built: for trials only.
   */
  stripedTopicsAbove?: number;
}

export type Env = Record<string, string | undefined>;

const invalid = (name: string, raw: string, expected: string): FloeError =>
  new FloeError('INVALID_CONFIG', `environment variable ${name} must be ${expected}, got "${raw}"`);

export function requiredEnv(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new FloeError('INVALID_CONFIG', `missing environment variable ${name}`);
  return value;
}

/** An integer variable: unset or empty gives `fallback`; anything else must be a safe integer in [`min`, `max`]. */
export function envInteger(env: Env, name: string, fallback: number, min?: number, max?: number): number;
export function envInteger(env: Env, name: string, fallback: undefined, min?: number, max?: number): number | undefined;
export function envInteger(env: Env, name: string, fallback: number | undefined, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = /^-?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value)) throw invalid(name, raw, 'an integer');
  if (value < min || value > max) throw invalid(name, raw, max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`);
  return value;
}

export function envBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw invalid(name, raw, 'true or false');
}

/** Housekeeping settings given in the environment (only those set; the rest keep their defaults). */
export function housekeepingSettingsFromEnv(env: Env = process.env): HousekeepingEnvSettings {
  const out: HousekeepingEnvSettings = {};
  for (const [field, name] of Object.entries(HOUSEKEEPING_ENV) as Array<[keyof typeof HOUSEKEEPING_ENV, string]>) {
    const value = envInteger(env, name, undefined, 1);
    if (value !== undefined) out[field] = value;
  }
  return out;
}

/**
 * A timestamp bound's deployment default, read as the topic config is (Kafka's range, from 0;
 * 9223372036854775807, Kafka's Long.MAX, for no bound): unset or empty gives Kafka's default.
 */
function envTimestampBound(env: Env, name: string, config: 'message.timestamp.before.max.ms' | 'message.timestamp.after.max.ms'): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return TOPIC_CONFIG_DEFAULTS[config];
  try {
    return parseTopicConfig(config, raw.trim());
  } catch {
    throw invalid(name, raw, 'an integer >= 0 (9223372036854775807 for no bound)');
  }
}

/** The topic configs a deployment sets for topics created without them (and for topics stored before a config existed). */
export const deploymentTopicDefaults = (config: Pick<FloeConfig, 'defaultRetentionMs' | 'defaultTimestampBeforeMaxMs' | 'defaultTimestampAfterMaxMs'>): Partial<TopicConfig> => ({
  'retention.ms': config.defaultRetentionMs,
  'message.timestamp.before.max.ms': config.defaultTimestampBeforeMaxMs,
  'message.timestamp.after.max.ms': config.defaultTimestampAfterMaxMs,
});

/** FLOE_STRIPED_TOPICS_ABOVE: a partition count, or unset (no striped topics). */
export const stripedTopicsAboveFromEnv = (env: Env = process.env): number | undefined =>
  envInteger(env, ENV.stripedTopicsAbove, undefined, 1, LIMITS.maxPartitionsPerTopic);

/** The log's stripe setting (LogDeps.stripes) for a deployment's config: on only where it names a count. */
export const logStripesOf = (config: Pick<FloeConfig, 'stripedTopicsAbove'>): { stripes?: { width: number; above: number } } =>
  config.stripedTopicsAbove === undefined ? {} : { stripes: { width: LIMITS.stripeWidth, above: config.stripedTopicsAbove } };

/** The one variable both produce and housekeeping read: they must agree on when a producer's state expires. */
export const producerIdExpirationFromEnv = (env: Env = process.env): number =>
  envInteger(env, HOUSEKEEPING_ENV.producerIdExpirationMs, LIMITS.producerIdExpirationMs, 1);

/** The warm instance's range cache when FLOE_CACHE_BYTES is not set. */
export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

export function configFromEnv(env: Env = process.env): FloeConfig {
  return {
    bucket: requiredEnv(env, ENV.bucket),
    logTable: requiredEnv(env, ENV.logTable),
    groupsTable: requiredEnv(env, ENV.groupsTable),
    region: env[ENV.region],
    s3Endpoint: env[ENV.s3Endpoint] ?? env[ENV.endpoint],
    dynamoEndpoint: env[ENV.dynamoEndpoint] ?? env[ENV.endpoint],
    s3ForcePathStyle: envBoolean(env, ENV.s3ForcePathStyle, false),
    cacheBytes: envInteger(env, ENV.cacheBytes, DEFAULT_CACHE_BYTES, 0),
    // -1 keeps records for ever, as in Kafka.
    defaultRetentionMs: envInteger(env, ENV.defaultRetentionMs, TOPIC_CONFIG_DEFAULTS['retention.ms'], -1),
    defaultTimestampBeforeMaxMs: envTimestampBound(env, ENV.defaultTimestampBeforeMaxMs, 'message.timestamp.before.max.ms'),
    defaultTimestampAfterMaxMs: envTimestampBound(env, ENV.defaultTimestampAfterMaxMs, 'message.timestamp.after.max.ms'),
    producerIdExpirationMs: producerIdExpirationFromEnv(env),
    ...authorizationFromEnv(env),
    ...optional('stripedTopicsAbove', stripedTopicsAboveFromEnv(env)),
    urls: {
      produce: env[ENV.produceUrl],
      fetch: env[ENV.fetchUrl],
      admin: env[ENV.adminUrl],
      groups: env[ENV.groupsUrl],
    },
  };
}

const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

const AUTHORIZATION_MODES = ['none', 'acl'] as const;

/** FLOE_ACL_CACHE_MS's range (src/auth's AUTH_LIMITS holds the same; a test keeps them equal). */
export const ACL_CACHE_MS_RANGE = { min: 1000, max: 300_000 } as const;

/** The authorization settings: the mode, the rules table it needs, the cache time, super users. */
function authorizationFromEnv(env: Env): Pick<FloeConfig, 'authorization' | 'aclTable' | 'aclCacheMs' | 'aclSuperUsers'> {
  const raw = env[ENV.authorization] || 'none';
  const authorization = AUTHORIZATION_MODES.find((mode) => mode === raw);
  if (!authorization) throw invalid(ENV.authorization, raw, 'none or acl');
  const aclTable = env[ENV.aclTable] || undefined;
  if (authorization === 'acl' && !aclTable) throw new FloeError('INVALID_CONFIG', `${ENV.authorization}=acl needs ${ENV.aclTable}`);
  return {
    authorization,
    aclTable,
    aclCacheMs: envInteger(env, ENV.aclCacheMs, undefined, ACL_CACHE_MS_RANGE.min, ACL_CACHE_MS_RANGE.max),
    aclSuperUsers: (env[ENV.aclSuperUsers] ?? '').split(',').map((p) => p.trim()).filter(Boolean),
  };
}

export function configToEnv(config: FloeConfig): Record<string, string> {
  const env: Record<string, string> = {
    [ENV.bucket]: config.bucket,
    [ENV.logTable]: config.logTable,
    [ENV.groupsTable]: config.groupsTable,
    [ENV.s3ForcePathStyle]: String(config.s3ForcePathStyle),
    [ENV.cacheBytes]: String(config.cacheBytes),
    [ENV.defaultRetentionMs]: String(config.defaultRetentionMs),
    [ENV.defaultTimestampBeforeMaxMs]: String(config.defaultTimestampBeforeMaxMs),
    [ENV.defaultTimestampAfterMaxMs]: String(config.defaultTimestampAfterMaxMs),
    [HOUSEKEEPING_ENV.producerIdExpirationMs]: String(config.producerIdExpirationMs),
  };
  env[ENV.authorization] = config.authorization;
  if (config.aclTable) env[ENV.aclTable] = config.aclTable;
  if (config.aclCacheMs !== undefined) env[ENV.aclCacheMs] = String(config.aclCacheMs);
  if (config.aclSuperUsers.length > 0) env[ENV.aclSuperUsers] = config.aclSuperUsers.join(',');
  if (config.stripedTopicsAbove !== undefined) env[ENV.stripedTopicsAbove] = String(config.stripedTopicsAbove);
  if (config.region) env[ENV.region] = config.region;
  if (config.s3Endpoint) env[ENV.s3Endpoint] = config.s3Endpoint;
  if (config.dynamoEndpoint) env[ENV.dynamoEndpoint] = config.dynamoEndpoint;
  for (const [name, url] of Object.entries(config.urls)) {
    const key = ENV[`${name}Url` as 'produceUrl'];
    if (url) env[key] = url;
  }
  return env;
}
