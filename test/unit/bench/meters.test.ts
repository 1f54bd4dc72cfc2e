import { describe, expect, it } from 'vitest';
import { diffCapacity } from '../../../bench/lib/capacity.js';
import { addSnapshots, diffSnapshot, type MeterSnapshot } from '../../../bench/lib/metered-cluster.js';
import { perGiB } from '../../../bench/lib/report.js';

const snap = (n: number): MeterSnapshot => ({
  s3Puts: n,
  s3Gets: 2 * n,
  s3BytesPut: 100 * n,
  s3BytesGot: 200 * n,
  dynamo: { readRequests: 3 * n, writeRequests: 4 * n, readUnits: 5 * n, writeUnits: 6 * n },
  invocations: {
    produce: { count: n, billedMs: 10 * n },
    fetch: { count: 2 * n, billedMs: 20 * n },
    admin: { count: 0, billedMs: 0 },
    groups: { count: 0, billedMs: 0 },
  },
});

describe('bench meters', () => {
  it('diffs and sums snapshots field by field', () => {
    expect(diffSnapshot(snap(5), snap(2))).toEqual(snap(3));
    expect(addSnapshots([snap(1), snap(2), snap(4)])).toEqual(snap(7));
    expect(addSnapshots([])).toEqual(snap(0));
  });

  it('diffs capacity totals', () => {
    expect(diffCapacity({ readRequests: 5, writeRequests: 6, readUnits: 7.5, writeUnits: 8 }, { readRequests: 1, writeRequests: 2, readUnits: 0.5, writeUnits: 4 })).toEqual({
      readRequests: 4,
      writeRequests: 4,
      readUnits: 7,
      writeUnits: 4,
    });
  });

  it('scales request counts to requests per GiB', () => {
    expect(perGiB(1, 1024 ** 3)).toBe(1);
    expect(perGiB(16, 1024 ** 2)).toBe(16 * 1024);
    expect(perGiB(5, 0)).toBe(0);
  });
});
