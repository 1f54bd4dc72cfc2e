/** What a housekeeping process keeps: clients and an uncached, retrying, instrumented object store. */
import { createAwsClients, type AwsClients } from '../aws/clients.js';
import type { FloeConfig } from '../config/index.js';
import type { HousekeepingDeps } from '../housekeeping/housekeeping.js';
import { InstrumentedObjectStore, RetryingObjectStore } from '../storage/layers.js';
import { S3ObjectStore } from '../storage/object-store.js';

export interface HousekeepingProcessDeps extends HousekeepingDeps {
  clients: AwsClients;
  /** requests that reached S3 */
  s3: InstrumentedObjectStore;
}

export function createHousekeepingDeps(config: FloeConfig, clients: AwsClients = createAwsClients(config)): HousekeepingProcessDeps {
  const s3 = new InstrumentedObjectStore(new S3ObjectStore(clients.s3, config.bucket));
  // No range cache: housekeeping reads each small object once, to rewrite it.
  return { dynamo: clients.dynamo, logTable: config.logTable, store: new RetryingObjectStore(s3), clients, s3 };
}
