/** What a chaos run reports, and its printed form. */
import type { StorageFaultStats } from '../faults/storage-faults.js';
import type { CheckResult } from './checker.js';

export interface ChaosSummary {
  seed: number;
  minutes: number;
  ok: boolean;
  records: { acked: number; logged: number; delivered: number; lost: number; duplicated: number };
  violations: CheckResult['violations'];
  anomalies: string[];
  faults: Omit<StorageFaultStats, 'delayedMs' | 'overran' | 'overranMs'> & { toggles: number };
  killed: { handlers: number; members: number; crashPoints: number };
  paused: number;
  rebalances: number;
  producer: { requests: number; failedRequests: number; retriedBatches: number; reinits: number };
  caughtUp: boolean;
}

export function formatSummary(s: ChaosSummary): string {
  const lines = [
    `chaos seed ${s.seed}, ${s.minutes} min: ${s.ok ? 'OK, no violations' : `${s.violations.length} violations, ${s.anomalies.length} anomalies`}`,
    `  records: ${s.records.acked} acked, ${s.records.logged} in the log, ${s.records.delivered} delivered, ${s.records.lost} lost, ${s.records.duplicated} duplicated`,
    `  faults injected: ${s.faults.errors} errors, ${s.faults.throttles} throttles, ${s.faults.timeouts} timeouts, ${s.faults.lostResponses} lost responses (${s.faults.toggles} toggles)`,
    `  processes killed: ${s.killed.handlers} handlers, ${s.killed.members} members, ${s.killed.crashPoints} crash points hit; ${s.paused} pauses; ${s.rebalances} assignments`,
    `  producer: ${s.producer.requests} requests, ${s.producer.failedRequests} failed, ${s.producer.retriedBatches} batches resent, ${s.producer.reinits} re-inits; consumers caught up: ${s.caughtUp}`,
  ];
  for (const v of s.violations.slice(0, 20)) lines.push(`  VIOLATION ${v.kind} ${v.topic}/${v.partition}: ${v.detail}`);
  for (const a of s.anomalies.slice(0, 20)) lines.push(`  ANOMALY ${a}`);
  return lines.join('\n');
}
