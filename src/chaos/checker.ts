/**
 * The Jepsen-style checker: a pure function of what the chaos run recorded
 * (producers' acknowledgements, consumers' deliveries and assignments, observed
 * committed offsets) and a final full read of every partition. It knows nothing
 * about processes or HTTP, so it can be fed hand-made histories in tests.
 *
 * Record ids are `<producer>/<key>/<n>`: n counts the records of one key sent by
 * one producer, so the per-key order is checkable from the log alone.
 */

export interface AckedRecord {
  topic: string;
  partition: number;
  /** null when the server acknowledged without an offset (a retry of a batch it no longer locates) */
  offset: number | null;
  id: string;
}

export interface PartitionLog {
  topic: string;
  partition: number;
  logStartOffset: number;
  highWatermark: number;
  /** records in the order the final read returned them */
  records: Array<{ offset: number; id: string }>;
  /** the partition could not be read past `records` (e.g. CORRUPT_MESSAGE): reported, not thrown */
  error?: string;
}

export interface Delivery {
  member: string;
  generation: number;
  topic: string;
  partition: number;
  offset: number;
  id: string;
}

export interface CommitObservation {
  topic: string;
  partition: number;
  offset: number;
  /** when it was observed (ms); observations are checked in this order */
  at: number;
}

export interface History {
  acks: AckedRecord[];
  logs: PartitionLog[];
  deliveries: Delivery[];
  commits: CommitObservation[];
  /** idempotent producers: any id twice in a log is a violation */
  idempotent: boolean;
}

export type ViolationKind = 'lost' | 'duplicate' | 'gap' | 'moved' | 'key-order' | 'divergent' | 'double-owner' | 'commit-backwards' | 'undelivered' | 'unreadable';

export interface Violation {
  kind: ViolationKind;
  topic: string;
  partition: number;
  detail: string;
}

export interface CheckResult {
  ok: boolean;
  violations: Violation[];
  counts: { acked: number; logged: number; delivered: number; lost: number; duplicated: number; violationsByKind: Partial<Record<ViolationKind, number>> };
}

const tpKey = (topic: string, partition: number) => `${topic}/${partition}`;

/** Splits `<producer>/<key>/<n>`; ids in another form are not key-order checked. */
export function parseRecordId(id: string): { stream: string; n: number } | undefined {
  const cut = id.lastIndexOf('/');
  const n = Number(id.slice(cut + 1));
  return cut > 0 && Number.isInteger(n) ? { stream: id.slice(0, cut), n } : undefined;
}

export function checkHistory(history: History): CheckResult {
  const violations: Violation[] = [];
  const report = (kind: ViolationKind, topic: string, partition: number, detail: string) => violations.push({ kind, topic, partition, detail });
  const logs = new Map(history.logs.map((l) => [tpKey(l.topic, l.partition), l]));
  /** per partition: offset -> id, and id -> offsets */
  const byOffset = new Map<string, Map<number, string>>();
  const byId = new Map<string, Map<string, number[]>>();
  let duplicated = 0;

  for (const log of history.logs) {
    const { topic, partition } = log;
    const offsets = new Map<number, string>();
    const ids = new Map<string, number[]>();
    let expected = log.logStartOffset;
    for (const r of log.records) {
      if (r.offset !== expected) report('gap', topic, partition, `expected offset ${expected}, read ${r.offset}`);
      expected = r.offset + 1;
      offsets.set(r.offset, r.id);
      ids.set(r.id, [...(ids.get(r.id) ?? []), r.offset]);
    }
    if (log.error !== undefined) report('unreadable', topic, partition, `read up to ${expected} of ${log.highWatermark}: ${log.error}`);
    else if (expected !== log.highWatermark) report('gap', topic, partition, `read up to ${expected}, high watermark ${log.highWatermark}`);
    if (history.idempotent) {
      for (const [id, at] of ids) {
        if (at.length > 1) {
          duplicated += at.length - 1;
          report('duplicate', topic, partition, `${id} at offsets ${at.join(', ')}`);
        }
      }
    }
    // per key (and producer), the record counter must grow with the offset
    const lastN = new Map<string, { n: number; offset: number }>();
    for (const r of log.records) {
      const parsed = parseRecordId(r.id);
      if (!parsed) continue;
      const prev = lastN.get(parsed.stream);
      if (prev && parsed.n <= prev.n) report('key-order', topic, partition, `${r.id} at ${r.offset} after ${parsed.stream}/${prev.n} at ${prev.offset}`);
      if (!prev || parsed.n > prev.n) lastN.set(parsed.stream, { n: parsed.n, offset: r.offset });
    }
    byOffset.set(tpKey(topic, partition), offsets);
    byId.set(tpKey(topic, partition), ids);
  }

  let lost = 0;
  for (const ack of history.acks) {
    const key = tpKey(ack.topic, ack.partition);
    const log = logs.get(key);
    const at = byId.get(key)?.get(ack.id);
    if (!at) {
      // below the log start it may have been removed by retention, which is not a loss
      if (log && ack.offset !== null && ack.offset < log.logStartOffset) continue;
      lost++;
      report('lost', ack.topic, ack.partition, `${ack.id} acknowledged at offset ${ack.offset ?? '?'} is not in the log`);
    } else if (ack.offset !== null && !at.includes(ack.offset)) {
      report('moved', ack.topic, ack.partition, `${ack.id} acknowledged at offset ${ack.offset}, found at ${at.join(', ')}`);
    }
  }

  const owners = new Map<string, Set<string>>();
  const delivered = new Map<string, Set<number>>();
  for (const d of history.deliveries) {
    const key = tpKey(d.topic, d.partition);
    const logged = byOffset.get(key)?.get(d.offset);
    if (logged !== undefined && logged !== d.id) report('divergent', d.topic, d.partition, `${d.member} read ${d.id} at ${d.offset}, the log holds ${logged}`);
    const gen = `${key}#${d.generation}`;
    const set = owners.get(gen) ?? new Set<string>();
    set.add(d.member);
    owners.set(gen, set);
    const got = delivered.get(key) ?? new Set<number>();
    got.add(d.offset);
    delivered.set(key, got);
  }
  for (const [gen, members] of owners) {
    if (members.size < 2) continue;
    const [key = '', generation] = gen.split('#');
    const cut = key.lastIndexOf('/');
    report('double-owner', key.slice(0, cut), Number(key.slice(cut + 1)), `generation ${generation} consumed by ${[...members].sort().join(', ')}`);
  }

  const lastCommit = new Map<string, CommitObservation>();
  for (const c of [...history.commits].sort((a, b) => a.at - b.at)) {
    const key = tpKey(c.topic, c.partition);
    const prev = lastCommit.get(key);
    if (prev && c.offset < prev.offset) report('commit-backwards', c.topic, c.partition, `committed ${prev.offset} at ${prev.at}, then ${c.offset} at ${c.at}`);
    if (!prev || c.offset >= prev.offset) lastCommit.set(key, c);
  }
  for (const [key, c] of lastCommit) {
    const got = delivered.get(key) ?? new Set<number>();
    const start = logs.get(key)?.logStartOffset ?? 0;
    const missing: number[] = [];
    for (let o = start; o < c.offset; o++) if (!got.has(o)) missing.push(o);
    if (missing.length > 0) {
      report('undelivered', c.topic, c.partition, `${missing.length} offsets below the committed ${c.offset} never delivered (first ${missing[0]})`);
    }
  }

  const violationsByKind: Partial<Record<ViolationKind, number>> = {};
  for (const v of violations) violationsByKind[v.kind] = (violationsByKind[v.kind] ?? 0) + 1;
  return {
    ok: violations.length === 0,
    violations,
    counts: {
      acked: history.acks.length,
      logged: history.logs.reduce((n, l) => n + l.records.length, 0),
      delivered: history.deliveries.length,
      lost,
      duplicated,
      violationsByKind,
    },
  };
}
