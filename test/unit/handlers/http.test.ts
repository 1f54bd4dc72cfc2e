/** The one status rule for answers with per-partition results (docs/http-api.md, "Per-partition results"). */
import { describe, expect, it } from 'vitest';
import { partitionsJson, partitionsStatus, type PartitionOutcome } from '../../../src/handlers/http.js';

const ok: PartitionOutcome = { errorCode: 'NONE' };
const unknown: PartitionOutcome = { errorCode: 'UNKNOWN_TOPIC_OR_PARTITION', errorMessage: 'no partition 9' };
const fenced: PartitionOutcome = { errorCode: 'FENCED_MEMBER_EPOCH', errorMessage: 'fenced' };

describe('partitionsStatus', () => {
  it.each([
    ['no partition', [], 200, undefined],
    ['every partition succeeded', [ok, ok], 200, undefined],
    ['one succeeded, one failed', [unknown, ok], 200, undefined],
    ['the only partition failed', [unknown], 404, 'UNKNOWN_TOPIC_OR_PARTITION'],
    ['every partition failed, with different codes', [fenced, unknown], 409, 'FENCED_MEMBER_EPOCH'],
  ] as const)('%s → %i', (_name, outcomes, status, code) => {
    // Act
    const result = partitionsStatus(outcomes);

    // Assess
    expect(result.status).toBe(status);
    expect(result.error?.code).toBe(code);
  });

  it('puts the first failure beside the results when nothing succeeded', () => {
    // Act
    const answer = partitionsJson({ topics: ['…'] }, [unknown, fenced]);

    // Assess
    expect(answer.statusCode).toBe(404);
    expect(JSON.parse(answer.body as string)).toEqual({
      topics: ['…'],
      error: { code: 'UNKNOWN_TOPIC_OR_PARTITION', message: 'no partition 9', retriable: true },
    });
  });
});
