/** The checker can fail: each kind of broken history is reported, and a sound one passes. */
import { describe, expect, it } from 'vitest';
import { checkHistory, type History, type ViolationKind } from '../../src/chaos/checker.js';

/** A sound history: two producers, two keys each, one partition, consumed by one member then another. */
function soundHistory(): History {
  const ids = ['a/k1/0', 'b/k2/0', 'a/k1/1', 'a/k3/0', 'b/k2/1', 'a/k1/2'];
  const records = ids.map((id, offset) => ({ offset, id }));
  return {
    idempotent: true,
    acks: records.map((r) => ({ topic: 't', partition: 0, offset: r.offset, id: r.id })),
    logs: [{ topic: 't', partition: 0, logStartOffset: 0, highWatermark: records.length, records }],
    deliveries: records.map((r) => ({ member: r.offset < 3 ? 'm1' : 'm2', generation: r.offset < 3 ? 1 : 2, topic: 't', partition: 0, offset: r.offset, id: r.id })),
    commits: [
      { topic: 't', partition: 0, offset: 3, at: 10 },
      { topic: 't', partition: 0, offset: records.length, at: 20 },
    ],
  };
}

const kinds = (h: History): ViolationKind[] => checkHistory(h).violations.map((v) => v.kind);
const log0 = (h: History) => h.logs[0]!;

describe('chaos checker', () => {
  it('accepts a sound history', () => {
    // Act
    const result = checkHistory(soundHistory());

    // Assess
    expect(result.violations).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.counts.acked).toBe(6);
  });

  it('reports an acknowledged record missing from the log as lost (and the hole it leaves as a gap)', () => {
    // Prepare
    const h = soundHistory();
    log0(h).records.splice(2, 1);

    // Act
    const result = checkHistory(h);

    // Assess
    expect(result.counts.lost).toBe(1);
    expect(kinds(h)).toContain('lost');
    expect(kinds(h)).toContain('gap');
    expect(result.ok).toBe(false);
  });

  it('reports a record written twice as a duplicate', () => {
    // Prepare
    const h = soundHistory();
    const log = log0(h);
    log.records.push({ offset: log.highWatermark, id: 'a/k1/1' });
    log.highWatermark++;

    // Act
    const result = checkHistory(h);

    // Assess
    expect(result.counts.duplicated).toBe(1);
    expect(kinds(h)).toContain('duplicate');
    expect(kinds(h)).toContain('key-order');
  });

  it('reports an offset gap and a short read', () => {
    // Prepare
    const h = soundHistory();
    const log = log0(h);
    const last = log.records[log.records.length - 1]!;
    log.records[log.records.length - 1] = { ...last, offset: last.offset + 1 };
    log.highWatermark++;
    h.acks = h.acks.filter((a) => a.id !== last.id);

    // Act
    const found = checkHistory(h).violations;

    // Assess
    expect(found.map((v) => v.kind)).toEqual(['gap']);
    expect(found[0]!.detail).toContain(`expected offset ${last.offset}`);
  });

  it('reports a partition consumed by two members in one generation', () => {
    // Prepare
    const h = soundHistory();
    h.deliveries.push({ ...h.deliveries[0]!, member: 'm2', generation: 1 });

    // Act / Assess
    expect(kinds(h)).toEqual(['double-owner']);
  });

  it('reports committed offsets that move backwards and records a consumer never got', () => {
    // Prepare
    const h = soundHistory();
    h.commits.push({ topic: 't', partition: 0, offset: 2, at: 30 });
    h.deliveries = h.deliveries.filter((d) => d.offset !== 4);

    // Act / Assess
    expect(kinds(h).sort()).toEqual(['commit-backwards', 'undelivered']);
  });

  it('reports a consumer that saw another record at an offset, and an acked offset that moved', () => {
    // Prepare
    const h = soundHistory();
    h.deliveries[1] = { ...h.deliveries[1]!, id: 'x/k9/0' };
    h.acks[0] = { ...h.acks[0]!, offset: 5 };

    // Act / Assess
    expect(kinds(h).sort()).toEqual(['divergent', 'moved']);
  });

  it('does not count records below the log start (retention) as lost', () => {
    // Prepare
    const h = soundHistory();
    const log = log0(h);
    log.records.splice(0, 2);
    log.logStartOffset = 2;

    // Act / Assess
    expect(kinds(h)).toEqual([]);
  });
});
