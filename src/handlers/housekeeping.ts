/**
 * Lambda entry point of the scheduled housekeeping (no Function URL): runs one pass of
 * retention, merging, head upkeep and object collection within the invocation's time, logs
 * the summary and publishes it as metrics (Powertools, namespace "Floe").
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { configFromEnv, housekeepingSettingsFromEnv } from '../config/index.js';
import { runHousekeeping, type HousekeepingSummary } from '../housekeeping/housekeeping.js';
import { createHousekeepingDeps } from './housekeeping-deps.js';
import { logger } from './logger.js';

export const deps = createHousekeepingDeps(configFromEnv());

const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Floe', serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'floe' });

/** Time kept back from the Lambda timeout: the pass stops starting work, releases its leases and reports. */
const RESERVE_MS = 20_000;

const COUNTS: Array<keyof HousekeepingSummary> = [
  'objectsReclaimed',
  'objectsMerged',
  'mergedObjectsWritten',
  'leaseTakeovers',
  'partitionsProcessed',
  'partitionsFailed',
  'logStartAdvances',
  'stripesProcessed',
  'stripeChunksDeleted',
  'producersExpired',
  'spillsRepaired',
  'deletedTopicsCleaned',
  'spanMigrations',
  'compactionRounds',
  'compactedObjectsWritten',
  'recordsCompactedAway',
  'tombstonesRemoved',
  'compactionConflicts',
  'markChunksRead',
];
const BYTES: Array<keyof HousekeepingSummary> = ['bytesReclaimed', 'bytesMerged', 'compactionBytesRead', 'compactionBytesWritten'];

export function publishSummary(summary: HousekeepingSummary, sink: Metrics = metrics): void {
  for (const name of COUNTS) sink.addMetric(name, MetricUnit.Count, summary[name] as number);
  for (const name of BYTES) sink.addMetric(name, MetricUnit.Bytes, summary[name] as number);
  sink.addMetric('errors', MetricUnit.Count, summary.errors.length);
  sink.addMetric('durationMs', MetricUnit.Milliseconds, summary.durationMs);
  sink.publishStoredMetrics();
}

export const handler = async (_event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<HousekeepingSummary> => {
  const remaining = context?.getRemainingTimeInMillis();
  const summary = await runHousekeeping(deps, {
    settings: housekeepingSettingsFromEnv(),
    deadline: remaining === undefined ? undefined : Date.now() + Math.max(0, remaining - RESERVE_MS),
  });
  if (summary.errors.length > 0) logger.warn('housekeeping finished with errors', { summary });
  else logger.info('housekeeping finished', { summary });
  publishSummary(summary);
  return summary;
};
