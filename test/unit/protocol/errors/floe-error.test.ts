/** FloeError: one error class whose instances carry Kafka's code and whether a retry may help. */
import { describe, expect, it } from 'vitest';
import { type ErrorCode, FloeError } from '../../../../packages/protocol/src/errors.js';

describe('FloeError', () => {
  it('takes its Kafka code, status and retriability from the error table', () => {
    // Act
    const error = new FloeError('UNKNOWN_TOPIC_OR_PARTITION', 'no topic "t"');

    // Assess
    expect(error).toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION', kafkaCode: 3, status: 404, retriable: true, message: 'no topic "t"' });
  });

  it('keeps a code this build does not know (a newer server answered it) with the unknown error\'s traits, instead of throwing a TypeError', () => {
    // Act
    const error = new FloeError('SOME_CODE_FROM_A_NEWER_SERVER' as ErrorCode, 'new');

    // Assess
    expect(error).toBeInstanceOf(FloeError);
    expect(error).toMatchObject({ code: 'SOME_CODE_FROM_A_NEWER_SERVER', kafkaCode: -1, status: 500, retriable: true });
  });
});
