/**
 * Environment of a `floe gateway` process, every name and default in one place: what the CDK
 * construct sets on the container, the listener settings (src/gateway/settings.ts) and the security
 * (src/gateway/security). (Storage variables: ENV in src/config/index.ts, as for handlers.)
 * Flags of `floe gateway` take precedence over these.
 */
export const GATEWAY_ENV = {
  /** Listener and protocol settings (src/gateway/settings.ts reads them; docs/configuration.md#kafka-gateway). */
  host: 'FLOE_GATEWAY_HOST',
  nodeId: 'FLOE_GATEWAY_NODE_ID',
  clusterId: 'FLOE_CLUSTER_ID',
  autoCreateTopics: 'FLOE_GATEWAY_AUTO_CREATE_TOPICS',
  defaultPartitions: 'FLOE_GATEWAY_DEFAULT_PARTITIONS',
  maxFrameBytes: 'FLOE_GATEWAY_MAX_FRAME_BYTES',
  maxInFlightPerConnection: 'FLOE_GATEWAY_MAX_IN_FLIGHT',
  maxConnections: 'FLOE_GATEWAY_MAX_CONNECTIONS',
  maxFetchWaitMs: 'FLOE_GATEWAY_MAX_FETCH_WAIT_MS',
  headPollIntervalMs: 'FLOE_GATEWAY_HEAD_POLL_MS',
  groupPollIntervalMs: 'FLOE_GATEWAY_GROUP_POLL_MS',
  initialRebalanceDelayMs: 'FLOE_GATEWAY_INITIAL_REBALANCE_DELAY_MS',
  drainTimeoutMs: 'FLOE_GATEWAY_DRAIN_MS',
  /** TCP port to listen on. */
  port: 'FLOE_GATEWAY_PORT',
  /** Host and port Metadata and FindCoordinator return: the load balancer's, when there is one. */
  advertisedHost: 'FLOE_GATEWAY_ADVERTISED_HOST',
  advertisedPort: 'FLOE_GATEWAY_ADVERTISED_PORT',
  /** Comma-separated SASL mechanisms (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512). Unset or empty: no SASL, User:ANONYMOUS. */
  saslMechanisms: 'FLOE_GATEWAY_SASL_MECHANISMS',
  /** Where the credentials document is: a Secrets Manager secret, a file, or the JSON itself (tests). One of them. */
  credentialsSecretId: 'FLOE_GATEWAY_CREDENTIALS_SECRET_ID',
  credentialsFile: 'FLOE_GATEWAY_CREDENTIALS_FILE',
  credentials: 'FLOE_GATEWAY_CREDENTIALS',
  /** How old the cached credentials may get before a login reloads them. Default 300. */
  credentialsRefreshSeconds: 'FLOE_GATEWAY_CREDENTIALS_REFRESH_SECONDS',
  /** TLS on the listener: PEM files, or a secret {"certificate", "privateKey", "certificateChain"?}. Neither: plaintext. */
  tlsCertFile: 'FLOE_GATEWAY_TLS_CERT_FILE',
  tlsKeyFile: 'FLOE_GATEWAY_TLS_KEY_FILE',
  tlsSecretId: 'FLOE_GATEWAY_TLS_SECRET_ID',
  /** "true" when a load balancer in front terminates TLS: allows PLAIN on a plaintext listener behind it. */
  tlsTerminatedUpstream: 'FLOE_GATEWAY_TLS_TERMINATED_UPSTREAM',
} as const;

/** The SASL mechanisms the gateway implements (the CDK construct validates its props against them). */
export const GATEWAY_SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type GatewaySaslMechanism = (typeof GATEWAY_SASL_MECHANISMS)[number];

/**
 * The default of every gateway setting, in one place (docs/configuration.md#kafka-gateway).
 * The port is the local one (floe dev serves HTTP on 9092); a deployment sets FLOE_GATEWAY_PORT
 * (the CDK construct: 9092, Kafka's port).
 */
export const GATEWAY_DEFAULTS = {
  host: '127.0.0.1',
  port: 9093,
  nodeId: 1,
  autoCreateTopics: false,
  defaultPartitions: 1,
  maxFrameBytes: 8 * 1024 * 1024,
  maxInFlightPerConnection: 64,
  maxConnections: 4096,
  maxFetchWaitMs: 30_000,
  headPollIntervalMs: 250,
  groupPollIntervalMs: 200,
  initialRebalanceDelayMs: 3000,
  drainTimeoutMs: 10_000,
  credentialsRefreshSeconds: 300,
} as const;
