/** What a client sees of an internal failure: a Kafka-style code and a fixed message; the detail goes to the server log. */
import { afterEach, describe, expect, it } from 'vitest';
import { FloeError } from '../../../packages/protocol/src/errors.js';
import { publicError, reportInternalErrorsTo } from '../../../src/storage/errors.js';

const reported: Array<[string, unknown]> = [];
afterEach(() => {
  reported.length = 0;
  reportInternalErrorsTo((message, error) => console.error(message, error));
});

function awsError(name: string, status: number, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

describe('publicError', () => {
  it('keeps a FloeError and reports nothing', () => {
    // Prepare
    reportInternalErrorsTo((message, error) => reported.push([message, error]));
    const error = new FloeError('MESSAGE_TOO_LARGE', 'batch too large');

    // Act
    const answer = publicError(error, 'produce');

    // Assess
    expect(answer).toBe(error);
    expect(reported).toEqual([]);
  });

  it.each([
    ['a throttled or failing storage', awsError('ProvisionedThroughputExceededException', 400, 'Rate exceeded for table floe-log-ABC') , 400, 'STORAGE_UNAVAILABLE'],
    ['a storage 5xx', awsError('InternalServerError', 500, 'arn:aws:dynamodb:eu-west-1:123456789012:table/floe-log failed'), 500, 'STORAGE_UNAVAILABLE'],
    ['a storage refusal', awsError('ValidationException', 400, 'Item size to update has exceeded the maximum allowed size'), 400, 'UNKNOWN_SERVER_ERROR'],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'nextOffset')"), 0, 'UNKNOWN_SERVER_ERROR'],
  ])('answers %s with a fixed message and logs the detail', (_what, error, _status, code) => {
    // Prepare
    if (_status === 400 && code === 'STORAGE_UNAVAILABLE') Object.assign(error, { $retryable: { throttling: true } });
    reportInternalErrorsTo((message, e) => reported.push([message, e]));

    // Act
    const answer = publicError(error, 'produce to partition 0');

    // Assess
    expect(answer.code).toBe(code);
    expect(answer.message).not.toContain(error.message);
    expect(reported).toEqual([[expect.stringContaining('produce to partition 0'), error]]);
  });
});
