/**
 * What a gateway process keeps for its lifetime: AWS clients (made once, by src/aws), the layered
 * object store with its page cache, the log behind its port, and the groups table - the same
 * storage configuration, read the same way, as the Lambda handlers - and the same authorizer.
 */
import { createAuthorizer, type Authorizer } from '../auth/index.js';
import { createAwsClients, type AwsClients } from '../aws/clients.js';
import { deploymentTopicDefaults, logStripesOf, type FloeConfig } from '../config/index.js';
import type { GroupsDeps } from '../groups/deps.js';
import { CachedObjectStore, InstrumentedObjectStore, RetryingObjectStore } from '../storage/layers.js';
import { S3ObjectStore, type ObjectStore } from '../storage/object-store.js';
import { LogPort } from './log-port.js';

export interface GatewayDeps {
  config: FloeConfig;
  clients: AwsClients;
  log: LogPort;
  /** src/groups' dependencies: the groups table, plus the log for topics and end offsets. */
  groups: GroupsDeps;
  /** Requests that reached S3 (below the cache and retries). */
  s3: InstrumentedObjectStore;
  /** Authorization, configured as the handlers' (FLOE_AUTHORIZATION, FLOE_ACL_*): one rules cache per process. */
  auth: Authorizer;
  now: () => number;
}

export function createGatewayDeps(config: FloeConfig, overrides: { clients?: AwsClients; store?: ObjectStore; now?: () => number } = {}): GatewayDeps {
  const clients = overrides.clients ?? createAwsClients(config);
  const s3 = new InstrumentedObjectStore(overrides.store ?? new S3ObjectStore(clients.s3, config.bucket));
  const store: ObjectStore = new CachedObjectStore(new RetryingObjectStore(s3), config.cacheBytes);
  const now = overrides.now ?? Date.now;
  const base = {
    dynamo: clients.dynamo,
    logTable: config.logTable,
    store,
    now,
    topicDefaults: deploymentTopicDefaults(config),
    producerIdExpirationMs: config.producerIdExpirationMs,
    ...logStripesOf(config),
  };
  let log: LogPort | undefined;
  const resolveTopic = (name: string) => (log as LogPort).topic(name);
  log = new LogPort({ ...base, resolveTopic });
  const auth = createAuthorizer(clients.dynamo, config, now);
  return { config, clients, log, groups: { ...base, resolveTopic, groupsTable: config.groupsTable }, s3, auth, now };
}
