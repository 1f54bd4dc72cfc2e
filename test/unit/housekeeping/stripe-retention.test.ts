/** Striped retention's pure parts (src/housekeeping/stripe-retention.ts): which chunks are dead, and the size of its writes. */
import { describe, expect, it } from 'vitest';
import { chunkIsDead, STRIPE_LOG_STARTS_PER_WRITE } from '../../../src/housekeeping/stripe-retention.js';
import { fenced } from '../../../src/leases/leases.js';
import { fencedWrites } from '../../../src/log/store.js';
import { chunkOf, encodeRecords, EXPRESSION_MAX_BYTES, EXPRESSION_MAX_OPERATORS, type StripeItem } from '../../../src/log/stripe-head.js';

/** A stripe of 3 partitions after two writes: the first to partitions 0 and 1 (2 offsets each), the second to 0 only. */
const item: StripeItem = {
  o: [4, 2, 0],
  l: [0, 0, 0],
  sp: 0,
  recent: [
    { k: 'a', a: 1, b: encodeRecords([{ i: 0, w: 2, n: 2, s: 0, l: 10, t: 1 }, { i: 1, w: 2, n: 2, s: 10, l: 10, t: 1 }], 1) },
    { k: 'b', a: 2, b: encodeRecords([{ i: 0, w: 2, n: 2, s: 0, l: 10, t: 2 }], 2) },
  ],
};

describe('chunkIsDead', () => {
  it('is dead only once every partition it holds batches of starts at or past its end there', () => {
    // Prepare: a chunk of the first write (partition 0 ends at 2, 1 at 2; partition 2 has none)
    const chunk = chunkOf(item, 1);

    // Act
    const cases = [[2, 2, 0], [2, 1, 0], [1, 2, 0], [5, 5, 0]].map((starts) => chunkIsDead(chunk, starts));

    // Assess
    expect(chunk.ends).toEqual([2, 2, 0]);
    expect(cases).toEqual([true, false, false, true]);
  });
});

describe('advanceStripeLogStarts', () => {
  it('moves the most log starts one write may carry within DynamoDB expression limits, fenced', () => {
    // Prepare: the longest indexes of a stripe of 128
    const starts = Array.from({ length: STRIPE_LOG_STARTS_PER_WRITE }, (_, i) => [128 - STRIPE_LOG_STARTS_PER_WRITE + i, Number.MAX_SAFE_INTEGER] as const);

    // Act
    const write = fenced(fencedWrites.advanceStripeLogStarts('t', 0, starts), 1);

    // Assess
    if (write.kind !== 'update') throw new Error('an update');
    const update = `SET ${write.set.join(', ')}`;
    const condition = write.condition ?? '';
    const operators = [update, condition].join(' ').match(/\b(AND|OR|NOT)\b|[a-z_]+\(|<=|>=|<|>|\+/g) ?? [];
    expect(update.length).toBeLessThanOrEqual(EXPRESSION_MAX_BYTES);
    expect(condition.length).toBeLessThanOrEqual(EXPRESSION_MAX_BYTES);
    expect(operators.length).toBeLessThanOrEqual(EXPRESSION_MAX_OPERATORS);
    expect(write.set).toHaveLength(STRIPE_LOG_STARTS_PER_WRITE + 1); // and the fence
  });
});
