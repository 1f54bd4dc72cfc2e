/**
 * Settings of a Kafka gateway process: where it listens, what it advertises, and its limits.
 * Storage (bucket, tables, endpoints) comes from the handlers' own reader, src/config/index.ts.
 * docs/configuration.md#kafka-gateway lists every one. Read through src/config/index.ts's validated
 * reader: a bad value is INVALID_CONFIG naming the variable.
 */
import { GATEWAY_DEFAULTS, GATEWAY_ENV } from '../config/gateway.js';
import { envBoolean, envInteger } from '../config/index.js';

export { GATEWAY_ENV };

export interface GatewaySettings {
  /** Address to listen on. */
  host: string;
  /** Port to listen on (0 = any free port). */
  port: number;
  /** Host and port clients are told to connect to (Metadata, FindCoordinator): a load balancer's, or this listener's. */
  advertisedHost?: string;
  advertisedPort?: number;
  /** The node id every partition's leader and every group's coordinator has. */
  nodeId: number;
  /** Cluster id in Metadata and DescribeCluster answers (default: derived from the log table name). */
  clusterId?: string;
  /** Create a topic the first time Metadata names it (Kafka's auto.create.topics.enable; off by default). */
  autoCreateTopics: boolean;
  /** Partitions of an auto-created topic (Kafka's num.partitions). */
  defaultPartitions: number;
  /** Largest request frame; a bigger size prefix closes the connection (Kafka's socket.request.max.bytes). */
  maxFrameBytes: number;
  /** Requests read from one connection and not yet answered; beyond it the connection is not read (backpressure). */
  maxInFlightPerConnection: number;
  /** Open connections; more are refused at accept. */
  maxConnections: number;
  /** Upper bound of a Fetch's max_wait_ms held in the gateway. */
  maxFetchWaitMs: number;
  /** How often waiting fetches re-read the heads of the partitions they wait on (one read per partition per interval, shared). */
  headPollIntervalMs: number;
  /** How often waiting JoinGroup/SyncGroup requests re-read their group (one Query per group per interval, shared). */
  groupPollIntervalMs: number;
  /** A rebalance of an empty group waits this long for more members (Kafka's group.initial.rebalance.delay.ms). */
  initialRebalanceDelayMs: number;
  /** On SIGTERM/SIGINT, in-flight requests get this long to finish before connections are cut. */
  drainTimeoutMs: number;
}

type Env = Record<string, string | undefined>;

const integer = (env: Env, name: string, fallback: number, min: number, max: number): number => envInteger(env, name, fallback, min, max);
const flag = envBoolean;

/** Settings from the environment, then `overrides` (command-line options) on top. */
export function gatewaySettingsFromEnv(env: Env = process.env, overrides: Partial<GatewaySettings> = {}): GatewaySettings {
  const d = GATEWAY_DEFAULTS;
  const fromEnv: GatewaySettings = {
    host: env[GATEWAY_ENV.host] || d.host,
    port: integer(env, GATEWAY_ENV.port, d.port, 0, 65535),
    nodeId: integer(env, GATEWAY_ENV.nodeId, d.nodeId, 0, 2 ** 31 - 1),
    autoCreateTopics: flag(env, GATEWAY_ENV.autoCreateTopics, d.autoCreateTopics),
    defaultPartitions: integer(env, GATEWAY_ENV.defaultPartitions, d.defaultPartitions, 1, 4096),
    maxFrameBytes: integer(env, GATEWAY_ENV.maxFrameBytes, d.maxFrameBytes, 1024, 1024 * 1024 * 1024),
    maxInFlightPerConnection: integer(env, GATEWAY_ENV.maxInFlightPerConnection, d.maxInFlightPerConnection, 1, 100_000),
    maxConnections: integer(env, GATEWAY_ENV.maxConnections, d.maxConnections, 1, 1_000_000),
    maxFetchWaitMs: integer(env, GATEWAY_ENV.maxFetchWaitMs, d.maxFetchWaitMs, 0, 300_000),
    headPollIntervalMs: integer(env, GATEWAY_ENV.headPollIntervalMs, d.headPollIntervalMs, 10, 60_000),
    groupPollIntervalMs: integer(env, GATEWAY_ENV.groupPollIntervalMs, d.groupPollIntervalMs, 10, 60_000),
    initialRebalanceDelayMs: integer(env, GATEWAY_ENV.initialRebalanceDelayMs, d.initialRebalanceDelayMs, 0, 300_000),
    drainTimeoutMs: integer(env, GATEWAY_ENV.drainTimeoutMs, d.drainTimeoutMs, 0, 600_000),
  };
  const advertisedHost = env[GATEWAY_ENV.advertisedHost];
  if (advertisedHost) fromEnv.advertisedHost = advertisedHost;
  if (env[GATEWAY_ENV.advertisedPort]) fromEnv.advertisedPort = integer(env, GATEWAY_ENV.advertisedPort, 0, 1, 65535);
  const clusterId = env[GATEWAY_ENV.clusterId];
  if (clusterId) fromEnv.clusterId = clusterId;
  const merged = { ...fromEnv };
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  return merged;
}
