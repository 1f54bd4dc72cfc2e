/**
 * Idempotent producers on striped heads (src/log/stripe-producer.ts, decision 53): the append's two
 * expressions stay within DynamoDB's limits, and the state rebuilt from a stripe's entries is the
 * state decision 27 stores, so Kafka's checks (producer-state.ts's judge) answer retries alike.
 */
import { describe, expect, it } from 'vitest';
import { chunkOf, decodeRecords, encodeRecords, EXPRESSION_MAX_BYTES, EXPRESSION_MAX_OPERATORS, partitionView } from '../../../src/log/stripe-head.js';
import { withOffsets } from '../../../src/log/partition-head.js';
import { freshState, judge, withBatch, type ProducerState } from '../../../src/log/producer-state.js';
import { indexesOf, planProducerStripeAppend, stateOf, type ProducerStripeBatch, type ProducerStripeWrite, type StripeWithProducers } from '../../../src/log/stripe-producer.js';
import { operatorsIn } from '../../helpers/expressions.js';

const NOW = 1_700_000_000_000;
const PRODUCER = { id: '8123456789012345678', epoch: 2 };
/** A batch of `n` records at sequences first..first+n-1, sequences at a realistic magnitude unless given. */
const batch = (partition: number, n = 1, first = 1_000_000 + partition): ProducerStripeBatch => ({ partition, s: 100 * partition, l: 600, n, w: n, t: NOW - 2, first, last: first + n - 1 });
const range = (count: number): number[] => Array.from({ length: count }, (_, i) => i);

const updateOf = (w: ProducerStripeWrite): string => `SET ${w.update.set.join(', ')}`;

function withinLimits(w: ProducerStripeWrite): void {
  expect(updateOf(w).length).toBe(w.updateBytes);
  expect(w.update.condition.length).toBe(w.conditionBytes);
  expect(w.updateBytes).toBeLessThanOrEqual(EXPRESSION_MAX_BYTES);
  expect(w.conditionBytes).toBeLessThanOrEqual(EXPRESSION_MAX_BYTES);
  expect(operatorsIn(updateOf(w))).toBe(w.updateOperators);
  expect(operatorsIn(w.update.condition, true)).toBe(w.conditionOperators);
  expect(w.conditionOperators).toBeLessThanOrEqual(EXPRESSION_MAX_OPERATORS);
}

describe('planProducerStripeAppend', () => {
  it('checks and advances every partition sequence in the write that assigns its offsets, one write for a stripe of 64', () => {
    // Act
    const writes = planProducerStripeAppend('seg/abc/1', NOW, range(64).map((p) => batch(p, 1 + (p % 3))), 64, PRODUCER);

    // Assess
    expect(writes).toHaveLength(1);
    const [w] = writes;
    withinLimits(w!);
    expect(w!.update.condition.startsWith('attribute_exists(o[63]) AND P.#p.e = :ep AND P.#p.s[0] = :q0 AND P.#p.s[1] = :q1')).toBe(true);
    expect(w!.update.values[':q5']).toBe(1_000_004);
    expect(w!.update.values[':s5']).toBe(1_000_005 + 2);
    expect(w!.update.names).toEqual({ '#p': PRODUCER.id });
    expect(indexesOf(w!.entry)).toEqual(range(64));
    expect(w!.entry).toMatchObject({ p: PRODUCER.id, e: 2 });
  });

  it('splits a stripe of 128 over writes that each fit both expressions: sequences cost ~40 bytes a partition', () => {
    // Act
    const writes = planProducerStripeAppend('seg/abc/1', NOW, range(128).map((p) => batch(p)), 128, PRODUCER);

    // Assess
    expect(writes.length).toBe(2);
    writes.forEach(withinLimits);
    expect(writes.flatMap((w) => w.indexes)).toEqual(range(128));
    expect(writes[0]!.indexes.length).toBeGreaterThan(64);
  });

  it('conditions a batch at sequence 0 on "none yet" (-1), and refuses a batch whose span is not its record count', () => {
    const [w] = planProducerStripeAppend('k', NOW, [batch(3, 2, 0)], 64, PRODUCER);
    expect(w!.update.values).toMatchObject({ ':q0': -1, ':s0': 1 });
    expect(() => planProducerStripeAppend('k', NOW, [{ ...batch(3, 2), w: 3 }], 64, PRODUCER)).toThrow(expect.objectContaining({ code: 'INVALID_RECORD' }));
  });
});

/** Applies a producer write as DynamoDB would, reading its expressions: false (nothing changed) when its condition does not hold. */
function apply(item: StripeWithProducers, write: ProducerStripeWrite): boolean {
  const v = write.update.values;
  const producer = item.P![write.update.names!['#p']!]!;
  for (const clause of write.update.condition.split(' AND ')) {
    const seq = /^P\.#p\.s\[(\d+)\] = (:q\d+)$/.exec(clause);
    if (seq && producer.s[Number(seq[1])] !== v[seq[2]!]) return false;
    if (clause === 'P.#p.e = :ep' && producer.e !== v[':ep']) return false;
  }
  for (const clause of write.update.set) {
    const counter = /^o\[(\d+)\] = o\[\d+\] \+ (:w\d+)$/.exec(clause);
    const seq = /^P\.#p\.s\[(\d+)\] = (:s\d+)$/.exec(clause);
    if (counter) item.o[Number(counter[1])]! += v[counter[2]!] as number;
    else if (seq) producer.s[Number(seq[1])] = v[seq[2]!] as number;
    else if (clause === 'P.#p.t = :now') producer.t = v[':now'] as number;
    else item.recent.push(...(v[':e'] as StripeWithProducers['recent']));
  }
  return true;
}

describe('stateOf: decision 27 state rebuilt from the stripe', () => {
  it('equals the stored state after interleaved producers, so every retry in the window is a duplicate at its original offset', () => {
    // Prepare: a stripe of 8; producer A (inline, epoch 2) and plain writers interleave; A's reference states kept as decision 27 keeps them.
    const width = 8;
    const item: StripeWithProducers = { o: new Array<number>(width).fill(0), recent: [], P: { [PRODUCER.id]: { e: 2, t: 0, s: new Array<number>(width).fill(-1) } } };
    const reference = new Map<number, ProducerState>();
    const sent: Array<{ partition: number; first: number; last: number; base: number }> = [];
    let random = 7;
    const next = (n: number) => (random = (random * 48271) % 2147483647) % n; // Park-Miller: exact in doubles

    // Act: 60 requests; A writes 1-3 partitions with 1-4 records each, a plain writer 1-2 partitions
    for (let r = 0; r < 60; r++) {
      const now = NOW + r;
      const partitions = [...new Set(Array.from({ length: 1 + next(3) }, () => next(width)))];
      const batches = partitions.map((p) => {
        const n = 1 + next(4);
        const first = (item.P![PRODUCER.id]!.s[p] ?? -1) + 1;
        return { partition: p, s: 0, l: 10, n, w: n, t: now, first, last: first + n - 1 };
      });
      for (const w of planProducerStripeAppend(`seg/${r}`, now, batches, width, PRODUCER)) {
        const before = [...item.o];
        expect(apply(item, w)).toBe(true);
        w.indexes.forEach((i, j) => {
          const b = batches.find((x) => x.partition === i)!;
          const base = before[i]!;
          reference.set(i, withBatch(reference.get(i) ?? freshState(2, 0, now), b.first, b.last, base, now));
          sent.push({ partition: i, first: b.first, last: b.last, base });
          expect(w.spans[j]).toBe(b.n);
        });
      }
      if (next(2) === 0) {
        const plain = { partition: next(width), n: 1 + next(3) };
        item.o[plain.partition]! += plain.n;
        item.recent.push({ k: `seg/p${r}`, a: now, b: encodeRecords([{ i: plain.partition, w: plain.n, n: plain.n, s: 0, l: 10, t: now }], now) });
      }
    }

    // Assess: the rebuilt state is the stored one, and judge answers every retry alike from both
    for (let i = 0; i < width; i++) {
      const rebuilt = stateOf(item, PRODUCER.id, i);
      const stored = reference.get(i);
      expect(rebuilt === undefined ? undefined : { ...rebuilt, t: stored?.t }).toEqual(stored);
    }
    for (const b of sent) {
      const retry = { producerId: PRODUCER.id, epoch: 2, first: b.first, last: b.last, recentlyIssued: true };
      const fromStripe = judge(stateOf(item, PRODUCER.id, b.partition) as ProducerState, true, retry, NOW);
      expect(fromStripe).toEqual(judge(reference.get(b.partition), true, retry, NOW));
      if (fromStripe.kind === 'duplicate') expect(fromStripe.baseOffset).toBe(b.base);
    }
    const kinds = sent.map((b) => judge(reference.get(b.partition), true, { producerId: PRODUCER.id, epoch: 2, first: b.first, last: b.last, recentlyIssued: true }, NOW));
    expect(kinds.filter((k) => k.kind === 'duplicate').length).toBeGreaterThan(20);
  });

  it('is undefined for a producer that is not inline or has not written to the partition', () => {
    const item: StripeWithProducers = { o: [3, 0], recent: [], P: { [PRODUCER.id]: { e: 2, t: 0, s: [2, -1] } } };
    expect(stateOf(item, PRODUCER.id, 1)).toBeUndefined();
    expect(stateOf(item, '42', 0)).toBeUndefined();
  });
});

describe("a producer's entries beside plain ones", () => {
  it('read back alike: the view, a chunk and its ends skip the seventh varlong of a producer record only', () => {
    // Prepare: plain, idempotent, plain entries on partitions 1 and 2 of a stripe of 4
    const [idem] = planProducerStripeAppend('seg/b', NOW + 1, [batch(1, 2, 7), batch(2, 1, 0)], 4, PRODUCER);
    const plain = (k: string, a: number) => ({ k, a, b: encodeRecords([{ i: 1, w: 1, n: 1, s: 300, l: 70, t: a }, { i: 2, w: 3, n: 3, s: 128, l: 90, t: a }], a) });
    const item = { o: [0, 4, 7, 0], l: [0, 0, 0, 0], recent: [plain('seg/a', NOW), idem!.entry, plain('seg/c', NOW + 2)], sp: 0 };

    // Act
    const view = partitionView(item, 1);
    const chunk = chunkOf(item, 2);

    // Assess
    expect(withOffsets(view.recentBase, view.recent).map((b) => [b.k, b.baseOffset, b.w, b.s])).toEqual([
      ['seg/a', 0, 1, 300],
      ['seg/b', 1, 2, 100],
      ['seg/c', 3, 1, 300],
    ]);
    expect(decodeRecords(idem!.entry).map((r) => [r.i, r.q])).toEqual([[1, 7], [2, 0]]);
    expect(chunk.ends).toEqual([0, 3, 4, 0]);
  });
});

describe('an admission', () => {
  it("sets the producer's state whole with the append, on its absence and the stripe's bound, or on the old epoch", () => {
    // Act
    const [absent] = planProducerStripeAppend('seg/a', NOW, [batch(1, 2, 0), batch(3, 1, 5)], 4, PRODUCER, { size: 4, replacing: { kind: 'absent' } });
    const [noP] = planProducerStripeAppend('seg/a', NOW, [batch(1, 1, 0)], 4, PRODUCER, { size: 4, replacing: { kind: 'noP' } });
    const [epoch] = planProducerStripeAppend('seg/a', NOW, [batch(0, 1, 0)], 4, PRODUCER, { size: 4, replacing: { kind: 'epoch', e: 1, t: NOW - 9 } });

    // Assess
    expect(absent!.update.condition).toBe('attribute_exists(o[3]) AND attribute_not_exists(P.#p) AND size(P) < :cap');
    expect(absent!.update.set).toEqual(['o[1] = o[1] + :w0', 'o[3] = o[3] + :w1', 'P.#p = :P', 'recent = list_append(recent, :e)']);
    expect(absent!.update.values?.[':P']).toEqual({ e: 2, t: NOW, s: [-1, 1, -1, 5], f: { '3': 5 } });
    expect(noP!.update.condition).toBe('attribute_exists(o[1]) AND attribute_not_exists(P)');
    expect(noP!.update.values?.[':P']).toEqual({ [PRODUCER.id]: { e: 2, t: NOW, s: [-1, 0, -1, -1] } });
    expect(noP!.update.names).toBeUndefined();
    expect(epoch!.update.condition).toBe('attribute_exists(o[0]) AND P.#p.e = :oe AND P.#p.t = :ot');
  });
});
