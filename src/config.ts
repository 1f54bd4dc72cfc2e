/**
 * Runtime configuration of a Floe handler process, read from the environment.
 * The local cluster, LocalStack and AWS differ only in these values, never in code.
 */
import { TOPIC_CONFIG_DEFAULTS } from './log/limits.js';

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
  region: 'AWS_REGION',
  s3Endpoint: 'AWS_ENDPOINT_URL_S3',
  dynamoEndpoint: 'AWS_ENDPOINT_URL_DYNAMODB',
  endpoint: 'AWS_ENDPOINT_URL',
} as const;

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
  urls: { produce?: string; fetch?: string; admin?: string; groups?: string };
}

type Env = Record<string, string | undefined>;

function required(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`missing environment variable ${name}`);
  return value;
}

export function configFromEnv(env: Env = process.env): FloeConfig {
  return {
    bucket: required(env, ENV.bucket),
    logTable: required(env, ENV.logTable),
    groupsTable: required(env, ENV.groupsTable),
    region: env[ENV.region],
    s3Endpoint: env[ENV.s3Endpoint] ?? env[ENV.endpoint],
    dynamoEndpoint: env[ENV.dynamoEndpoint] ?? env[ENV.endpoint],
    s3ForcePathStyle: env[ENV.s3ForcePathStyle] === 'true',
    cacheBytes: Number(env[ENV.cacheBytes] ?? 64 * 1024 * 1024),
    defaultRetentionMs: Number(env[ENV.defaultRetentionMs] ?? TOPIC_CONFIG_DEFAULTS['retention.ms']),
    urls: {
      produce: env[ENV.produceUrl],
      fetch: env[ENV.fetchUrl],
      admin: env[ENV.adminUrl],
      groups: env[ENV.groupsUrl],
    },
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
  };
  if (config.region) env[ENV.region] = config.region;
  if (config.s3Endpoint) env[ENV.s3Endpoint] = config.s3Endpoint;
  if (config.dynamoEndpoint) env[ENV.dynamoEndpoint] = config.dynamoEndpoint;
  for (const [name, url] of Object.entries(config.urls)) {
    const key = ENV[`${name}Url` as 'produceUrl'];
    if (url) env[key] = url;
  }
  return env;
}
