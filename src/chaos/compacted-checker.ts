/**
 * The invariant of the chaos run's compacted mode (issue 16): for every key, the last acknowledged
 * value is readable at its offset; nothing acknowledged at or after the compaction horizon (the
 * first offset compaction may not touch) is missing; and whatever is readable is exactly what was
 * acknowledged at that offset (compaction never moves, alters or invents a record).
 */
export interface KeyedAck {
  offset: number;
  key: string;
  /** null: a tombstone */
  value: string | null;
}

export function checkCompacted(acked: readonly KeyedAck[], read: readonly KeyedAck[], horizon: number): string[] {
  const violations: string[] = [];
  const byOffset = new Map(acked.map((a) => [a.offset, a]));
  const readAt = new Map(read.map((r) => [r.offset, r]));
  let previous = -1;
  for (const r of read) {
    if (r.offset <= previous) violations.push(`offset ${r.offset} read after ${previous}: not strictly increasing`);
    previous = r.offset;
    const a = byOffset.get(r.offset);
    // records that were never acknowledged (lost answers) may be readable; acknowledged ones must match
    if (a && (a.key !== r.key || a.value !== r.value)) violations.push(`offset ${r.offset} holds ${r.key}=${r.value}, acknowledged ${a.key}=${a.value}`);
  }
  const last = new Map<string, KeyedAck>();
  for (const a of acked) if ((last.get(a.key)?.offset ?? -1) < a.offset) last.set(a.key, a);
  for (const a of last.values()) {
    // a key whose last record is a tombstone may be gone altogether (delete.retention.ms passed)
    if (a.value !== null && !readAt.has(a.offset)) violations.push(`key ${a.key}: its last acknowledged value (offset ${a.offset}) is not readable`);
  }
  for (const a of acked) if (a.offset >= horizon && !readAt.has(a.offset)) violations.push(`offset ${a.offset} (${a.key}) at or after the compaction horizon ${horizon} is missing`);
  return violations;
}
