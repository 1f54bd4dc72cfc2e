/** Test helpers: an in-process local cluster on the run's shared storage, and unique names. */
import { randomBytes } from 'node:crypto';
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

export const uniqueName = (prefix = 't'): string => `${prefix}-${randomBytes(5).toString('hex')}`;
