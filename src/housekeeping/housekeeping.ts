/**
 * Housekeeping, one invocation: for every partition (one lease each, skipped when another
 * invocation holds it; a striped topic's: one lease per stripe, retention only) repair an over-full head, prune idle producer state, add offset spans to
 * old locations (once), apply retention, compact (cleanup.policy=compact) and merge small objects; then clean up deleted topics; then mark every live reference and
 * sweep the shards of segment keys (one lease each). Several invocations share the work; a
 * crashed one's leases expire and the next holder redoes its unit (every step is idempotent).
 * Returns a summary of what it did (the Lambda handler logs it and publishes it as metrics).
 */
import { logKeys, SEGMENT_SHARDS } from '../storage/keys.js';
import type { ObjectStore } from '../storage/object-store.js';
import { readHead } from '../log/append.js';
import { cleanDeletedTopics } from './deleted-topics.js';
import { nowOf, type LogDeps } from '../log/deps.js';
import { demoteIdleProducers, pruneDemotedProducers, pruneProducers, repairSpill } from './head-upkeep.js';
import { iterateChunks, iterateLiveBatches, type IndexChunk } from '../log/index-chunks.js';
import { acquireLease, keepAlive, LeaseGuard, newHolderId, releaseLease, type Lease } from '../leases/leases.js';
import { compacts, deletes, LIMITS } from '../log/limits.js';
import { compactPartition, type CompactionHooks } from './compaction.js';
import type { CompactionState } from './compaction-plan.js';
import { migrateSpans, SPANS_MIGRATED, type SpanMigrationHooks } from './span-migration.js';
import { executeMerge, planMerge, type MergeHooks } from './merge.js';
import { advanceLogStart, deleteChunksBelow, retentionCut } from './retention.js';
import { loadMarkCache, saveMarkCache } from './mark-cache.js';
import { markReferences, sweepShard, type SweepHooks } from './sweep.js';
import { listTopics, type Topic } from '../log/topics.js';
import { stripesOf } from '../log/stripe-head.js';
import { retainStripe } from './stripe-retention.js';

/**
 * How soon after its PUT a merged or compacted object must be referenced, else the rewrite is left
 * to the sweep: half the grace, so a write delayed in flight after its last check has the other half.
 */
const rewriteWindowOf = (settings: { graceMs: number }): number => settings.graceMs / 2;

export interface HousekeepingSettings {
  leaseMs: number;
  graceMs: number;
  mergeTargetBytes: number;
  mergeMaxBytesPerPass: number;
  producerIdExpirationMs: number;
  concurrency: number;
  /** bytes of batches one partition's compaction pass may read */
  compactMaxBytesPerPass: number;
  /** keys one compaction round may index */
  compactMaxKeys: number;
}

export const DEFAULT_HOUSEKEEPING_SETTINGS: HousekeepingSettings = {
  leaseMs: LIMITS.leaseDurationMs,
  graceMs: LIMITS.gcGraceMs,
  mergeTargetBytes: LIMITS.mergeTargetBytes,
  mergeMaxBytesPerPass: LIMITS.mergeMaxBytesPerPass,
  producerIdExpirationMs: LIMITS.producerIdExpirationMs,
  concurrency: LIMITS.housekeepingConcurrency,
  compactMaxBytesPerPass: LIMITS.compactMaxBytesPerPass,
  compactMaxKeys: LIMITS.compactMaxKeys,
};

export type HousekeepingHooks = MergeHooks &
  SweepHooks &
  CompactionHooks &
  SpanMigrationHooks & {
    afterLogStartAdvance?: (topicId: string, partition: number) => Promise<void> | void;
  };

export interface HousekeepingDeps extends LogDeps {
  store: ObjectStore;
  /** crash points for fault tests (src/local/crash-points.ts) */
  hooks?: HousekeepingHooks;
}

export interface HousekeepingOptions {
  settings?: Partial<HousekeepingSettings>;
  holder?: string;
  /** Stop starting new work after this time (Date.now() ms); the sweep gets the last 40% of the budget. */
  deadline?: number;
  /** Only these topics' partitions (the sweep and deleted-topic cleanup still see every topic). */
  topics?: string[];
  /** Run the object sweep and deleted-topic cleanup (default true). */
  sweep?: boolean;
}

export interface HousekeepingSummary {
  holder: string;
  durationMs: number;
  partitionsProcessed: number;
  /** partitions whose lease another invocation held */
  partitionsBusy: number;
  partitionsFailed: number;
  leaseTakeovers: number;
  spillsRepaired: number;
  producersExpired: number;
  /** inline producer states idle past producerInlineIdleMs, moved to their own items */
  producersDemoted: number;
  logStartAdvances: number;
  indexChunksDeleted: number;
  /** striped topics' stripes (decision 52) housekept, busy (another invocation held the lease), failed */
  stripesProcessed: number;
  stripesBusy: number;
  stripesFailed: number;
  /** stripe chunks retention let go (every partition's log start past its batches there) */
  stripeChunksDeleted: number;
  /** source objects whose batches were moved into merged objects */
  objectsMerged: number;
  mergedObjectsWritten: number;
  bytesMerged: number;
  chunksRewritten: number;
  mergeConflicts: number;
  /** items (heads, chunks) given the offset spans of locations written before decision 32 */
  spanMigrations: number;
  /** compaction rounds that reached their end */
  compactionRounds: number;
  /** index chunks compaction rewrote */
  compactedChunksRewritten: number;
  compactedObjectsWritten: number;
  /** records compaction removed (superseded, keyless, tombstones past their horizon) */
  recordsCompactedAway: number;
  tombstonesRemoved: number;
  compactionBytesRead: number;
  compactionBytesWritten: number;
  compactionConflicts: number;
  deletedTopicsCleaned: number;
  sweepShards: number;
  /** partition heads and index chunks the sweep's mark read */
  markHeadsRead: number;
  markChunksRead: number;
  /** partitions the mark read in full: no cached entry young enough (decision 36) */
  markPartitionsReadInFull: number;
  objectsScanned: number;
  candidatesMarked: number;
  objectsReclaimed: number;
  bytesReclaimed: number;
  errors: string[];
}

const emptySummary = (holder: string): HousekeepingSummary => ({
  holder,
  durationMs: 0,
  partitionsProcessed: 0,
  partitionsBusy: 0,
  partitionsFailed: 0,
  leaseTakeovers: 0,
  spillsRepaired: 0,
  producersExpired: 0,
  producersDemoted: 0,
  logStartAdvances: 0,
  indexChunksDeleted: 0,
  stripesProcessed: 0,
  stripesBusy: 0,
  stripesFailed: 0,
  stripeChunksDeleted: 0,
  objectsMerged: 0,
  mergedObjectsWritten: 0,
  bytesMerged: 0,
  chunksRewritten: 0,
  mergeConflicts: 0,
  spanMigrations: 0,
  compactionRounds: 0,
  compactedChunksRewritten: 0,
  compactedObjectsWritten: 0,
  recordsCompactedAway: 0,
  tombstonesRemoved: 0,
  compactionBytesRead: 0,
  compactionBytesWritten: 0,
  compactionConflicts: 0,
  deletedTopicsCleaned: 0,
  sweepShards: 0,
  markHeadsRead: 0,
  markChunksRead: 0,
  markPartitionsReadInFull: 0,
  objectsScanned: 0,
  candidatesMarked: 0,
  objectsReclaimed: 0,
  bytesReclaimed: 0,
  errors: [],
});

/** The merge cursor kept on the partition lease: below it every batch is in a final run. */
const MERGE_CURSOR = 'mergedTo';
/** Compaction state kept on the partition lease (compaction-plan.ts); a round's end of -1: none in progress. */
const CLEANED_TO = 'cleanedTo';
const ROUND_END = 'compactEnd';
const ROUND_AT = 'compactAt';

const compactionStateOf = (state: Record<string, unknown>): CompactionState => {
  const end = Number(state[ROUND_END] ?? -1);
  return { cleanedTo: Number(state[CLEANED_TO] ?? 0), ...(end >= 0 ? { round: { end, at: Number(state[ROUND_AT] ?? 0) } } : {}) };
};
const compactionStateItem = (state: CompactionState): Record<string, unknown> => ({
  [CLEANED_TO]: state.cleanedTo,
  [ROUND_END]: state.round?.end ?? -1,
  [ROUND_AT]: state.round?.at ?? -1,
});

async function forEachLimited<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await task(items[next++] as T);
    }),
  );
}

/** Rotates a list by a random amount so concurrent invocations start on different units. */
function shuffled<T>(items: T[]): T[] {
  const at = Math.floor(Math.random() * Math.max(1, items.length));
  return [...items.slice(at), ...items.slice(0, at)];
}

/** One partition under its lease: head upkeep, retention, merging. */
export async function housekeepPartition(
  deps: HousekeepingDeps,
  guard: LeaseGuard,
  topic: Topic,
  partition: number,
  settings: HousekeepingSettings,
  summary: HousekeepingSummary,
  deadline = Number.POSITIVE_INFINITY,
): Promise<Record<string, unknown>> {
  const { lease } = guard;
  const { topicId } = topic;
  let head = await readHead(deps, topic, partition);
  if (!head) return {};
  if (await repairSpill(deps, topicId, partition, head)) {
    summary.spillsRepaired++;
    head = (await readHead(deps, topic, partition)) ?? head;
  }
  summary.producersExpired += await pruneProducers(deps, guard, topicId, partition, head, nowOf(deps), settings.producerIdExpirationMs);
  summary.producersExpired += await pruneDemotedProducers(deps, guard, topicId, partition, nowOf(deps), settings.producerIdExpirationMs);
  summary.producersDemoted += await demoteIdleProducers(deps, guard, topicId, partition, head, nowOf(deps), LIMITS.producerInlineIdleMs, settings.producerIdExpirationMs);

  const leaseState: Record<string, unknown> = {};
  if (lease.state[SPANS_MIGRATED] !== 1) {
    const migrated = await migrateSpans(deps, guard, topicId, partition, head, deps.hooks);
    summary.spanMigrations += migrated.written;
    if (migrated.complete) leaseState[SPANS_MIGRATED] = 1;
  }

  // compact-only topics keep every key's latest record however old (Kafka: retention applies to "delete" only)
  const cut = deletes(topic.configs) ? await retentionCut(iterateLiveBatches(deps, topic, partition, head), head.logStartOffset, topic.configs, nowOf(deps)) : head.logStartOffset;
  let logStart = head.logStartOffset;
  if (cut > logStart && (await advanceLogStart(guard, topic, partition, cut))) {
    summary.logStartAdvances++;
    logStart = cut;
    await deps.hooks?.afterLogStartAdvance?.(topicId, partition);
  }
  summary.indexChunksDeleted += await deleteChunksBelow(deps, guard, topicId, partition, logStart);

  if (compacts(topic.configs)) {
    const compacted = await compactPartition(deps, guard, topicId, partition, head, logStart, topic.configs, compactionStateOf(lease.state), {
      targetBytes: settings.mergeTargetBytes,
      maxBytesPerPass: settings.compactMaxBytesPerPass,
      maxKeys: settings.compactMaxKeys,
      rewriteWindowMs: rewriteWindowOf(settings),
      deadline,
    }, deps.hooks);
    summary.compactionRounds += compacted.outcome.rounds;
    summary.compactedChunksRewritten += compacted.outcome.chunksRewritten;
    summary.compactedObjectsWritten += compacted.outcome.objectsWritten;
    summary.recordsCompactedAway += compacted.outcome.recordsRemoved;
    summary.tombstonesRemoved += compacted.outcome.tombstonesRemoved;
    summary.compactionBytesRead += compacted.outcome.bytesRead;
    summary.compactionBytesWritten += compacted.outcome.bytesWritten;
    summary.compactionConflicts += compacted.outcome.conflicts;
    Object.assign(leaseState, compactionStateItem(compacted.state));
  } else if (Number(lease.state[ROUND_END] ?? -1) >= 0) {
    leaseState[ROUND_END] = -1; // no longer compacted: a later round starts afresh
  }

  // Merge the chunks between the cursor and the head's recent locations.
  const from = Math.max(logStart, Number(lease.state[MERGE_CURSOR] ?? 0));
  const chunks: IndexChunk[] = [];
  if (from < head.recentBase) {
    for await (const chunk of iterateChunks(deps, topicId, partition, from, head.recentBase - 1)) {
      if (chunk.base >= logStart) chunks.push(chunk);
    }
  }
  const plan = planMerge(chunks, { targetBytes: settings.mergeTargetBytes, maxBytesPerPass: settings.mergeMaxBytesPerPass });
  const merged = await executeMerge(deps, guard, topicId, partition, chunks, plan, { rewriteWindowMs: rewriteWindowOf(settings) }, deps.hooks);
  summary.objectsMerged += merged.objectsMerged;
  summary.mergedObjectsWritten += merged.mergedObjectsWritten;
  summary.bytesMerged += merged.bytesMerged;
  summary.chunksRewritten += merged.chunksRewritten;
  summary.mergeConflicts += merged.conflicts;
  const cursor = Math.min(plan.cursor, merged.failedFrom ?? Number.POSITIVE_INFINITY);
  return chunks.length > 0 ? { ...leaseState, [MERGE_CURSOR]: Math.max(cursor, from) } : leaseState;
}

/** The summary's counters of one kind of leased unit: partitions, or stripes. */
type UnitCounters = Record<'processed' | 'busy' | 'failed', 'partitionsProcessed' | 'partitionsBusy' | 'partitionsFailed' | 'stripesProcessed' | 'stripesBusy' | 'stripesFailed'>;
const PARTITION_COUNTERS: UnitCounters = { processed: 'partitionsProcessed', busy: 'partitionsBusy', failed: 'partitionsFailed' };
const STRIPE_COUNTERS: UnitCounters = { processed: 'stripesProcessed', busy: 'stripesBusy', failed: 'stripesFailed' };

interface LeasedUnit {
  /** the lease's name */
  name: string;
  /** for errors: topic/partition, or topic/s<first> */
  label: string;
  /** the work, under the held lease; returns the state the lease keeps for the next holder */
  work: (guard: LeaseGuard, lease: Lease) => Promise<Record<string, unknown>>;
}

/** Runs units of work, each under its lease (skipped when another invocation holds it), `concurrency` at a time. */
async function runLeasedUnits(deps: HousekeepingDeps, units: LeasedUnit[], holder: string, settings: HousekeepingSettings, deadline: number, summary: HousekeepingSummary, counters: UnitCounters): Promise<void> {
  await forEachLimited(shuffled(units), settings.concurrency, async ({ name, label, work }) => {
    if (nowOf(deps) >= deadline) return;
    let lease: Lease | undefined;
    try {
      lease = await acquireLease(deps, name, holder, settings.leaseMs);
      if (!lease) {
        summary[counters.busy]++;
        return;
      }
      if (lease.takeover) summary.leaseTakeovers++;
      const guard = new LeaseGuard(deps, lease, settings.leaseMs);
      const stopRenewing = keepAlive([guard], settings.leaseMs);
      const state = await work(guard, lease).finally(stopRenewing);
      await releaseLease(deps, lease, state);
      summary[counters.processed]++;
    } catch (error) {
      summary[counters.failed]++;
      summary.errors.push(`${label}: ${String((error as Error)?.message ?? error)}`);
      // Every step is redone from durable state by the next holder; free the unit for it now.
      if (lease) await releaseLease(deps, lease).catch(() => false);
    }
  });
}

function housekeepPartitions(deps: HousekeepingDeps, topics: Topic[], holder: string, settings: HousekeepingSettings, deadline: number, summary: HousekeepingSummary): Promise<void> {
  const units = topics
    .filter((topic) => topic.stripeWidth === undefined)
    .flatMap((topic) =>
      Array.from({ length: topic.partitions }, (_, partition): LeasedUnit => ({
        name: logKeys.partitionLeaseName(topic.topicId, partition),
        label: `${topic.name}/${partition}`,
        work: (guard) => housekeepPartition(deps, guard, topic, partition, settings, summary, deadline),
      })),
    );
  return runLeasedUnits(deps, units, holder, settings, deadline, summary, PARTITION_COUNTERS);
}

/**
 * Striped topics (decision 52): one unit per stripe, under the stripe's lease (its partitions share
 * the item every fenced write goes to). Retention only: producer state per stripe is decision 53's,
 * compacted topics are never striped, and merging is not built for stripe chunks.
 */
function housekeepStripes(deps: HousekeepingDeps, topics: Topic[], holder: string, settings: HousekeepingSettings, deadline: number, summary: HousekeepingSummary): Promise<void> {
  const units = topics.flatMap((topic) => {
    const width = topic.stripeWidth;
    if (width === undefined) return [];
    return stripesOf(topic.partitions, width).map(({ first }): LeasedUnit => ({
      name: logKeys.stripeLeaseName(topic.topicId, first),
      label: `${topic.name}/s${first}`,
      work: async (guard) => {
        const outcome = await retainStripe(deps, guard, topic, first, nowOf(deps));
        summary.logStartAdvances += outcome.logStartAdvances;
        summary.stripeChunksDeleted += outcome.stripeChunksDeleted;
        return {};
      },
    }));
  });
  return runLeasedUnits(deps, units, holder, settings, deadline, summary, STRIPE_COUNTERS);
}

async function sweepObjects(
  deps: HousekeepingDeps,
  holder: string,
  settings: HousekeepingSettings,
  deadline: number,
  summary: HousekeepingSummary,
): Promise<void> {
  const held: Lease[] = [];
  for (const shard of shuffled(SEGMENT_SHARDS)) {
    const lease = await acquireLease(deps, logKeys.sweepLeaseName(shard), holder, settings.leaseMs);
    if (!lease) continue;
    if (lease.takeover) summary.leaseTakeovers++;
    held.push(lease);
  }
  if (held.length === 0) return;
  const guards = held.map((lease) => new LeaseGuard(deps, lease, settings.leaseMs));
  const stopRenewing = keepAlive(guards, settings.leaseMs);
  try {
    // The mark starts before anything is listed: objects are judged against references at least this recent.
    const markStart = nowOf(deps);
    const topics = await listTopics(deps);
    const stats = { headsRead: 0, chunksRead: 0, partitionsReadInFull: 0 };
    const previous = await loadMarkCache(deps.store);
    const { marked, cache } = await markReferences(deps, topics, {
      concurrency: settings.concurrency,
      stats,
      cache: previous.cache,
      markStart,
      maxAgeMs: settings.graceMs / 2,
    });
    summary.markHeadsRead += stats.headsRead;
    summary.markChunksRead += stats.chunksRead;
    summary.markPartitionsReadInFull += stats.partitionsReadInFull;
    await saveMarkCache(deps.store, cache, markStart, previous.keys).catch((error: unknown) => {
      summary.errors.push(`mark cache: ${String((error as Error)?.message ?? error)}`);
    });
    for (const guard of guards) {
      if (nowOf(deps) >= deadline) break;
      const shard = guard.lease.name.slice(guard.lease.name.indexOf('#') + 1);
      try {
        const outcome = await sweepShard(deps, guard, shard, marked, markStart, settings.graceMs, deps.hooks);
        summary.sweepShards++;
        summary.objectsScanned += outcome.objectsScanned;
        summary.candidatesMarked += outcome.candidatesMarked;
        summary.objectsReclaimed += outcome.objectsReclaimed;
        summary.bytesReclaimed += outcome.bytesReclaimed;
      } catch (error) {
        summary.errors.push(`sweep ${shard}: ${String((error as Error)?.message ?? error)}`);
      }
    }
  } finally {
    stopRenewing();
    await Promise.all(held.map((lease) => releaseLease(deps, lease).catch(() => false)));
  }
}

export async function runHousekeeping(deps: HousekeepingDeps, options: HousekeepingOptions = {}): Promise<HousekeepingSummary> {
  const started = nowOf(deps);
  const settings = { ...DEFAULT_HOUSEKEEPING_SETTINGS, ...options.settings };
  const holder = options.holder ?? newHolderId();
  const summary = emptySummary(holder);
  const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
  const partitionDeadline = Number.isFinite(deadline) ? started + (deadline - started) * 0.6 : deadline;

  const all = await listTopics(deps);
  const wanted = options.topics ? all.filter((t) => options.topics?.includes(t.name)) : all;
  await housekeepPartitions(deps, wanted, holder, settings, partitionDeadline, summary);
  await housekeepStripes(deps, wanted, holder, settings, partitionDeadline, summary);
  if (options.sweep !== false) {
    try {
      const cleaned = await cleanDeletedTopics(deps, all, holder, settings.leaseMs);
      summary.deletedTopicsCleaned += cleaned.deletedTopicsCleaned;
      summary.leaseTakeovers += cleaned.takeovers;
    } catch (error) {
      summary.errors.push(`deleted topics: ${String((error as Error)?.message ?? error)}`);
    }
    await sweepObjects(deps, holder, settings, deadline, summary).catch((error: unknown) => {
      summary.errors.push(`sweep: ${String((error as Error)?.message ?? error)}`);
    });
  }
  summary.durationMs = nowOf(deps) - started;
  return summary;
}
