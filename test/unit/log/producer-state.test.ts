/** Kafka's sequence checks, as judge() applies them to a producer's state (src/log/producer-state.ts). */
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../src/log/limits.js';
import { freshState, judge, lastSequence, resolved, SEQUENCE_MODULUS, victimOf, withBatch, type ProducerBatch, type ProducerState } from '../../../src/log/producer-state.js';

const NOW = 1_700_000_000_000;
const batch = (first: number, count: number, epoch = 0, recentlyIssued = true): ProducerBatch => ({ producerId: '42', epoch, first, last: lastSequence(first, count), recentlyIssued });

/** A state after batches of these sizes from sequence `from`, at offsets 100, 200, … */
function stateAfter(sizes: number[], from = 0, epoch = 0): ProducerState {
  let state = freshState(epoch, from, NOW);
  let first = from;
  sizes.forEach((n, i) => {
    state = withBatch(state, first, lastSequence(first, n), (i + 1) * 100, NOW);
    first = (first + n) % SEQUENCE_MODULUS;
  });
  return state;
}

describe('judge', () => {
  it('appends the next batch of an inline producer; admits one that is not inline', () => {
    const state = stateAfter([3, 2]);
    expect(judge(state, true, batch(5, 1), NOW).kind).toBe('append');
    expect(judge(state, false, batch(5, 1), NOW)).toMatchObject({ kind: 'admit', state });
  });

  it('answers a retry of any of the last 5 batches with its offset; older ones are DUPLICATE_SEQUENCE_NUMBER', () => {
    const state = stateAfter([3, 2, 1, 4, 1, 2]); // firsts 0, 3, 5, 6, 10, 11
    const firsts = [[3, 2], [5, 1], [6, 4], [10, 1], [11, 2]];
    expect(firsts.map(([f, n]) => judge(state, true, batch(f!, n!), NOW))).toEqual(
      [200, 300, 400, 500, 600].map((baseOffset) => ({ kind: 'duplicate', baseOffset })),
    );
    const old = judge(state, true, batch(0, 3), NOW);
    expect(old.kind === 'reject' && old.error.code).toBe('DUPLICATE_SEQUENCE_NUMBER');
  });

  it('refuses a batch overlapping a written one with different boundaries', () => {
    const verdict = judge(stateAfter([3, 2]), true, batch(3, 1), NOW);
    expect(verdict.kind === 'reject' && verdict.error.code).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
  });

  it('waits on a gap, and on a producer issued recently that starts past 0; accepts one whose state expired at any sequence', () => {
    expect(judge(stateAfter([3]), true, batch(7, 1), NOW).kind).toBe('wait');
    expect(judge(undefined, false, batch(7, 1), NOW).kind).toBe('wait');
    expect(judge(undefined, false, batch(7, 1, 0, false), NOW)).toMatchObject({ kind: 'admit', state: { s: 6, f: 7 } });
  });

  it('refuses a predecessor of where a re-accepted state starts: it cannot be a duplicate', () => {
    const state = stateAfter([2], 7); // accepted again at 7
    const verdict = judge(state, true, batch(5, 2), NOW);
    expect(verdict.kind === 'reject' && verdict.error.code).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
  });

  it('fences older epochs, starts a newer epoch at 0 only', () => {
    const state = stateAfter([3], 0, 2);
    const older = judge(state, true, batch(3, 1, 1), NOW);
    expect(older.kind === 'reject' && older.error.code).toBe('INVALID_PRODUCER_EPOCH');
    expect(judge(state, true, batch(0, 1, 3), NOW)).toMatchObject({ kind: 'admit', state: { e: 3, f: 0 } });
    expect(judge(state, true, batch(4, 1, 3), NOW).kind).toBe('wait');
  });

  it('wraps sequences from 2^31-1 to 0', () => {
    const max = SEQUENCE_MODULUS - 1;
    const state = stateAfter([2, 3], max - 1); // batches max-1..max and 0..2
    expect(state.s).toBe(2);
    expect(judge(state, true, batch(3, 1), NOW).kind).toBe('append');
    expect(judge(state, true, batch(max - 1, 2), NOW)).toEqual({ kind: 'duplicate', baseOffset: 100 });
    expect(judge(state, true, batch(0, 3), NOW)).toEqual({ kind: 'duplicate', baseOffset: 200 });
  });

  it('finds the offset of the batch a producer was admitted with in the head (adm)', () => {
    const admitted = withBatch(freshState(0, 0, NOW), 0, 1, -1, NOW);
    expect(judge(admitted, true, batch(0, 2), NOW, 777)).toEqual({ kind: 'duplicate', baseOffset: 777 });
    expect(resolved(admitted, 777).o[0]).toBe(777);
  });
});

describe('victimOf', () => {
  it('demotes one of the least recently active half, only when the head is full', () => {
    const producers = Object.fromEntries(Array.from({ length: LIMITS.headInlineProducers }, (_, i) => [String(i), { ...freshState(0, 0, NOW + i) }]));
    expect(victimOf(producers, '0')).toBeUndefined();
    const victims = new Set(Array.from({ length: 50 }, (_, i) => victimOf(producers, 'new', () => (i % 10) / 10)?.producerId));
    expect([...victims].sort()).toEqual(['0', '1', '2']);
  });
});
