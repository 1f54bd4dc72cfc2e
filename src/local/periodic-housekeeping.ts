/** `floe dev` runs housekeeping on a timer, one pass at a time, as the CDK stack's schedule does in AWS. */
import { housekeepingSettingsFromEnv, type FloeConfig } from '../config/index.js';
import { createHousekeepingDeps } from '../handlers/housekeeping-deps.js';
import { runHousekeeping, type HousekeepingSummary } from '../housekeeping/housekeeping.js';

export interface PeriodicHousekeeping {
  stop(): Promise<void>;
}

const didSomething = (s: HousekeepingSummary): boolean =>
  s.errors.length > 0 || s.logStartAdvances + s.mergedObjectsWritten + s.objectsReclaimed + s.producersExpired + s.deletedTopicsCleaned > 0;

export function startPeriodicHousekeeping(
  config: FloeConfig,
  intervalMs: number,
  report: (summary: HousekeepingSummary) => void = (s) => {
    if (didSomething(s)) process.stderr.write(`housekeeping: ${JSON.stringify(s)}\n`);
  },
): PeriodicHousekeeping {
  const deps = createHousekeepingDeps(config);
  const settings = housekeepingSettingsFromEnv();
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return; // the previous pass is still going
    running = runHousekeeping(deps, { settings })
      .then(report, (error: unknown) => {
        process.stderr.write(`housekeeping failed: ${String((error as Error)?.message ?? error)}\n`);
      })
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
      deps.clients.s3.destroy();
      deps.clients.dynamo.destroy();
    },
  };
}
