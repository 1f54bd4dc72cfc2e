/** Idempotent producers on striped heads (bench/lib/stripe-producer.ts, decision 53): the append's two expressions stay within DynamoDB's limits. */
import { describe, expect, it } from 'vitest';
import { EXPRESSION_MAX_BYTES, EXPRESSION_MAX_OPERATORS } from '../../../src/log/stripe-head.js';
import { indexesOf, planProducerStripeAppend, type ProducerStripeBatch, type ProducerStripeWrite } from '../../../bench/lib/stripe-producer.js';

const NOW = 1_700_000_000_000;
const PRODUCER = { id: '8123456789012345678', epoch: 2 };
/** A batch of `n` records at sequences first..first+n-1, sequences at a realistic magnitude unless given. */
const batch = (partition: number, n = 1, first = 1_000_000 + partition): ProducerStripeBatch => ({ partition, s: 100 * partition, l: 600, n, w: n, t: NOW - 2, first, last: first + n - 1 });
const range = (count: number): number[] => Array.from({ length: count }, (_, i) => i);

const updateOf = (w: ProducerStripeWrite): string => `SET ${w.update.set.join(', ')}`;
/** Operators as DynamoDB counts them, read off an expression: `+`, functions, AND/OR/NOT, and in a condition each comparison. */
const operatorsIn = (expression: string, condition = false): number =>
  (expression.match(/\+/g) ?? []).length +
  (expression.match(/[a-z_]+\(/g) ?? []).length +
  (expression.match(/\b(AND|OR|NOT)\b/g) ?? []).length +
  (condition ? (expression.match(/<>|<=|>=|=|<|>/g) ?? []).length : 0);

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
    expect(w!.update.condition.startsWith('attribute_exists(o) AND P.#p.e = :ep AND P.#p.s[0] = :q0 AND P.#p.s[1] = :q1')).toBe(true);
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
