/** Test helpers: an in-process local cluster on the run's shared storage, and unique names. */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { startCluster, type ClusterOptions, type LocalCluster } from '../../src/local/cluster.js';

export function sharedStorage(): { dynamoEndpoint: string; s3Endpoint: string } {
  const dynamoEndpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  const s3Endpoint = process.env.AWS_ENDPOINT_URL_S3;
  if (!dynamoEndpoint || !s3Endpoint) throw new Error('storage endpoints missing: run tests through vitest (globalSetup)');
  return { dynamoEndpoint, s3Endpoint };
}

/** A cluster whose handlers run in this process against the run's storage. */
export function startTestCluster(options: Omit<ClusterOptions, 'storage'> = {}): Promise<LocalCluster> {
  return startCluster({ ...options, storage: sharedStorage() });
}

/** What a test file gets from useTestCluster: the cluster and an HTTP client and Admin on it. */
export interface TestClusterContext {
  readonly cluster: LocalCluster;
  readonly http: FloeHttpClient;
  readonly admin: Admin;
}

/**
 * The set-up most test files share: a cluster started before the file's tests (before the file's
 * own beforeAll hooks, which run after this one) and closed after them. Read the fields inside
 * hooks and tests, not at module level: they exist once the cluster is up.
 */
export function useTestCluster(options: Omit<ClusterOptions, 'storage'> = {}): TestClusterContext {
  let started: TestClusterContext | undefined;
  beforeAll(async () => {
    const cluster = await startTestCluster(options);
    const http = new FloeHttpClient(cluster.url);
    started = { cluster, http, admin: Admin.fromClient(http) };
  });
  afterAll(() => started?.cluster.close());
  const get = (): TestClusterContext => {
    if (!started) throw new Error('useTestCluster: the cluster is read before its beforeAll ran');
    return started;
  };
  return {
    get cluster() {
      return get().cluster;
    },
    get http() {
      return get().http;
    },
    get admin() {
      return get().admin;
    },
  };
}

export const uniqueName = (prefix = 't'): string => `${prefix}-${randomBytes(5).toString('hex')}`;
