/** The ListOffsets spec of the HTTP API and resets: names, Kafka's -1/-2, epoch ms, ISO-8601 only. */
import { describe, expect, it } from 'vitest';
import { EARLIEST, LATEST } from '../../../src/log/list-offsets.js';
import { parseOffsetSpec } from '../../../src/handlers/offsets-routes.js';

describe('parseOffsetSpec', () => {
  it.each([
    ['latest', LATEST],
    ['-1', LATEST],
    [-1, LATEST],
    ['earliest', EARLIEST],
    ['-2', EARLIEST],
    ['1700000000000', 1_700_000_000_000],
    [1_700_000_000_000, 1_700_000_000_000],
    ['2023-11-14', Date.parse('2023-11-14')],
    ['2023-11-14T22:13:20Z', 1_700_000_000_000],
    ['2023-11-14T23:13:20.000+01:00', 1_700_000_000_000],
    ['2024-02-29', Date.parse('2024-02-29')],
  ] as const)('reads %j', (input, expected) => {
    // Act / Assess
    expect(parseOffsetSpec(input, 'spec')).toBe(expected);
  });

  it.each(['-5', '-99999', 'Jan 1 2020', '1969-12-31T23:59:59.999Z', '1900-01-01T00:00:00Z', 'yesterday', '', -5, '2024-02-30', '2023-02-29', '2024-13-01', '2024-04-31T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01T10:60:00Z', '2024-01-00'])('refuses %j with INVALID_REQUEST', (input) => {
    // Act
    const act = () => parseOffsetSpec(input, 'spec');

    // Assess
    expect(act).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });
});
