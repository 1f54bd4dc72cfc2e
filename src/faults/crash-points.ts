/**
 * Crash points for fault tests: the produce path kills its own process at a
 * named point (SIGKILL, so nothing is flushed or cleaned up), as a Lambda
 * instance dying mid-request would. Only the local cluster installs them.
 */
import type { HousekeepingDeps } from '../housekeeping/housekeeping.js';
import type { ProduceDeps } from '../log/produce.js';

export const CRASH_POINTS = ['after-segment-put', 'after-commit'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

export function isCrashPoint(value: unknown): value is CrashPoint {
  return (CRASH_POINTS as readonly unknown[]).includes(value);
}

const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};

export function installCrashPoint(deps: ProduceDeps, point: CrashPoint): void {
  if (point === 'after-segment-put') deps.afterSegmentWrite = die;
  else deps.afterCommit = die;
}

/** Points of a housekeeping pass where `floe housekeeping run --crash-point` kills itself. */
export const HOUSEKEEPING_CRASH_POINTS = [
  'after-merged-object-put',
  'after-chunk-rewrite',
  'after-log-start-advance',
  'before-object-delete',
  'after-span-migration-write',
  'after-compacted-object-put',
  'after-compacted-chunk-rewrite',
] as const;
export type HousekeepingCrashPoint = (typeof HOUSEKEEPING_CRASH_POINTS)[number];

export function installHousekeepingCrashPoint(deps: HousekeepingDeps, point: HousekeepingCrashPoint): void {
  const hooks = (deps.hooks ??= {});
  if (point === 'after-merged-object-put') hooks.afterMergedObjectPut = die;
  else if (point === 'after-chunk-rewrite') hooks.afterChunkRewrite = die;
  else if (point === 'after-log-start-advance') hooks.afterLogStartAdvance = die;
  else if (point === 'after-span-migration-write') hooks.afterSpanMigrationWrite = die;
  else if (point === 'after-compacted-object-put') hooks.afterCompactedObjectPut = die;
  else if (point === 'after-compacted-chunk-rewrite') hooks.afterCompactedChunkRewrite = die;
  else hooks.beforeObjectDelete = die;
}
