/** Everything a warm handler instance keeps between invocations: clients, the layered object store, caches. */
import { createAuthorizer, type Authorizer } from '../auth/index.js';
import { createAwsClients, type AwsClients } from '../aws/clients.js';
import { deploymentTopicDefaults, logStripesOf, type FloeConfig } from '../config/index.js';
import type { FetchDeps } from '../log/fetch.js';
import type { ProduceDeps } from '../log/produce.js';
import { TopicCache, type Topic } from '../log/topics.js';
import { CachedObjectStore, InstrumentedObjectStore, RetryingObjectStore } from '../storage/layers.js';
import { S3ObjectStore, type ObjectStore } from '../storage/object-store.js';

export interface HandlerDeps extends ProduceDeps, FetchDeps {
  config: FloeConfig;
  clients: AwsClients;
  groupsTable: string;
  /** requests that reached S3 (below the cache and retries) */
  s3: InstrumentedObjectStore;
  cache: CachedObjectStore;
  topics: TopicCache;
  /** Authorization: off, or ACL rules cached in this instance (docs/security.md). */
  auth: Authorizer;
}

export function createHandlerDeps(config: FloeConfig, overrides: { clients?: AwsClients; store?: ObjectStore } = {}): HandlerDeps {
  const clients = overrides.clients ?? createAwsClients(config);
  const s3 = new InstrumentedObjectStore(overrides.store ?? new S3ObjectStore(clients.s3, config.bucket));
  const cache = new CachedObjectStore(new RetryingObjectStore(s3), config.cacheBytes);
  const base = {
    dynamo: clients.dynamo,
    logTable: config.logTable,
    store: cache as ObjectStore,
    topicDefaults: deploymentTopicDefaults(config),
    producerIdExpirationMs: config.producerIdExpirationMs,
    ...logStripesOf(config),
  };
  const topics = new TopicCache(base);
  return {
    ...base,
    config,
    clients,
    groupsTable: config.groupsTable,
    s3,
    cache,
    topics,
    resolveTopic: (name: string) => topics.get(name),
    topicGone: (topic: Topic) => topics.forget(topic),
    auth: createAuthorizer(clients.dynamo, config),
  };
}

