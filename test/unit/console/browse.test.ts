import { describe, expect, it } from 'vitest';
import { BROWSE_LIMITS, browseMessages } from '../../../src/console/browse.js';
import type { FetchAnswer, FloeGateway, RawRecord } from '../../../src/console/gateway.js';
import { FakeGateway } from '../../helpers/console-fake-gateway.js';

function gatewayWith(records: number): FakeGateway {
  const gateway = new FakeGateway();
  gateway.seed(1, 2);
  gateway.append(
    'topic-0000',
    0,
    Array.from({ length: records }, (_, i) => ({ timestamp: 1_000 + i * 10, key: Buffer.from(`user-${i % 10}`), value: Buffer.from(`v${i}`), headers: [] })),
  );
  return gateway;
}

const base = { topic: 'topic-0000', partition: 0 } as const;

describe('the message browser page', () => {
  it('reads one page from an offset across several fetches and says where the next page starts', async () => {
    // Prepare
    const gateway = gatewayWith(300);
    gateway.fetchBatch = 7;

    // Act
    const page = await browseMessages(gateway, { ...base, mode: 'offset', offset: 100, limit: 20 });

    // Assess
    expect(page.records.map((r) => r.offset)).toEqual(Array.from({ length: 20 }, (_, i) => 100 + i));
    expect(page.nextOffset).toBe(120);
    expect(page).toMatchObject({ from: 100, logStartOffset: 0, logEndOffset: 300, scanned: 20 });
    expect(page.records[0]?.value).toMatchObject({ kind: 'text', display: 'v100' });
  });

  it('shows the latest N records, and the first records at or after a time', async () => {
    // Prepare
    const gateway = gatewayWith(300);

    // Act
    const latest = await browseMessages(gateway, { ...base, mode: 'latest', limit: 5 });
    const fromTime = await browseMessages(gateway, { ...base, mode: 'timestamp', timestamp: 1_000 + 42 * 10 - 5, limit: 3 });
    const afterEnd = await browseMessages(gateway, { ...base, mode: 'timestamp', timestamp: 10_000_000, limit: 3 });

    // Assess
    expect(latest.records.map((r) => r.offset)).toEqual([295, 296, 297, 298, 299]);
    expect(fromTime.records.map((r) => r.offset)).toEqual([42, 43, 44]);
    expect(afterEnd.records).toEqual([]);
    expect(afterEnd.from).toBe(300);
  });

  it('filters by key while scanning forward, and stops at the scan budget with the offset to go on from', async () => {
    // Prepare
    const gateway = gatewayWith(BROWSE_LIMITS.maxScanned + 500);
    gateway.fetchBatch = 1000;

    // Act
    const some = await browseMessages(gateway, { ...base, mode: 'offset', offset: 0, limit: 3, key: 'user-7' });
    const none = await browseMessages(gateway, { ...base, mode: 'offset', offset: 0, limit: 3, key: 'nobody' });

    // Assess
    expect(some.records.map((r) => r.offset)).toEqual([7, 17, 27]);
    expect(some.nextOffset).toBe(28);
    expect(none.records).toEqual([]);
    expect(none.scanned).toBe(BROWSE_LIMITS.maxScanned);
    expect(none.nextOffset).toBe(BROWSE_LIMITS.maxScanned);
  });

  it('clamps an offset below the log start (retention) or past the end, as auto.offset.reset would', async () => {
    // Prepare
    const gateway = gatewayWith(50);
    gateway.truncate('topic-0000', 0, 30);

    // Act
    const below = await browseMessages(gateway, { ...base, mode: 'offset', offset: 3, limit: 2 });
    const past = await browseMessages(gateway, { ...base, mode: 'offset', offset: 999, limit: 2 });

    // Assess
    expect(below.records.map((r) => r.offset)).toEqual([30, 31]);
    expect(past.records).toEqual([]);
    expect(past.from).toBe(50);
  });

  it('passes an unknown topic or partition through as Floe reports it', async () => {
    // Prepare
    const gateway = gatewayWith(1);

    // Act
    const failed = browseMessages(gateway, { ...base, partition: 9, mode: 'latest', limit: 1 });

    // Assess
    await expect(failed).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION' });
  });

  it('continues after a compacted batch that ends past its last record, up to the next surviving offset', async () => {
    // Prepare: a compacted partition: batch [0, 3) keeps offset 0 only, offsets 3-5 are a gap, batch [6, 8) keeps both
    const rec = (offset: number): RawRecord => ({ offset, timestamp: 1, key: Buffer.from(`k${offset}`), value: null, headers: [] });
    const batches: Array<{ end: number; records: RawRecord[] }> = [
      { end: 3, records: [rec(0)] },
      { end: 8, records: [rec(6), rec(7)] },
    ];
    const compacted = {
      offsetFor: async () => 0,
      // one batch per fetch: the first batch ending at or after the offset, as the log answers
      fetch: async (_t: string, _p: number, offset: number): Promise<FetchAnswer> => {
        const batch = batches.find((b) => b.end > offset);
        return { records: batch?.records ?? [], highWatermark: 8, logStartOffset: 0, ...(batch ? { nextOffset: batch.end } : {}) };
      },
    } as unknown as FloeGateway;

    // Act
    const page = await browseMessages(compacted, { ...base, mode: 'offset', offset: 0, limit: 10 });

    // Assess
    expect(page.records.map((r) => r.offset)).toEqual([0, 6, 7]);
    expect(page.nextOffset).toBe(8);
  });
});
