/** Stack props from CDK context (`-c key=value` strings, or JSON values from cdk.json). */
import { Duration } from 'aws-cdk-lib';
import { FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { CONTEXT_KEYS, stackPropsFromContext } from '../../cdk/context.js';

const contextOf = (values: Record<string, unknown>) => ({ tryGetContext: (key: string) => values[key] });

describe('stackPropsFromContext', () => {
  it('leaves every prop to the stack defaults when no context is set', () => {
    // Prepare, Act
    const props = stackPropsFromContext(contextOf({}));
    // Assess
    expect(Object.values(props).filter((v) => v !== undefined)).toEqual([]);
  });

  it('parses command-line strings into typed props', () => {
    const props = stackPropsFromContext(
      contextOf({
        [CONTEXT_KEYS.namePrefix]: 'floe-dev',
        [CONTEXT_KEYS.defaultRetentionMs]: '3600000',
        [CONTEXT_KEYS.defaultMessageTimestampBeforeMaxMs]: '0',
        [CONTEXT_KEYS.defaultMessageTimestampAfterMaxMs]: '9223372036854775807',
        [CONTEXT_KEYS.functionUrlAuthType]: 'NONE',
        [CONTEXT_KEYS.logLevel]: 'DEBUG',
        [CONTEXT_KEYS.logRetentionDays]: '7',
        [CONTEXT_KEYS.devMode]: 'true',
        [CONTEXT_KEYS.housekeepingIntervalMinutes]: '10',
        [CONTEXT_KEYS.functions]: '{"produce":{"memorySize":2048,"timeoutSeconds":10,"reservedConcurrency":5}}',
      }),
    );
    expect(props).toMatchObject({
      namePrefix: 'floe-dev',
      defaultRetentionMs: 3_600_000,
      defaultMessageTimestampBeforeMaxMs: 0,
      defaultMessageTimestampAfterMaxMs: 2 ** 63,
      functionUrlAuthType: FunctionUrlAuthType.NONE,
      logLevel: 'DEBUG',
      logRetention: RetentionDays.ONE_WEEK,
      devMode: true,
    });
    expect(props.housekeepingInterval?.toMinutes()).toBe(10);
    expect(props.functions?.produce?.memorySize).toBe(2048);
    expect(props.functions?.produce?.timeout?.toSeconds()).toBe(Duration.seconds(10).toSeconds());
    expect(props.functions?.produce?.reservedConcurrency).toBe(5);
  });

  it('accepts JSON values from cdk.json', () => {
    const props = stackPropsFromContext(
      contextOf({ [CONTEXT_KEYS.devMode]: false, [CONTEXT_KEYS.functions]: { fetch: { memorySize: 1769 } } }),
    );
    expect(props.devMode).toBe(false);
    expect(props.functions?.fetch?.memorySize).toBe(1769);
  });

  it('takes an SNS topic ARN for the alarms', () => {
    const props = stackPropsFromContext(contextOf({ [CONTEXT_KEYS.alarmTopicArn]: 'arn:aws:sns:us-east-2:111122223333:floe-alarms' }));
    expect(props.alarmTopicArn).toBe('arn:aws:sns:us-east-2:111122223333:floe-alarms');
  });

  it.each([
    [CONTEXT_KEYS.functionUrlAuthType, 'none'],
    [CONTEXT_KEYS.devMode, 'yes'],
    [CONTEXT_KEYS.defaultRetentionMs, '-1'],
    [CONTEXT_KEYS.defaultMessageTimestampAfterMaxMs, '-1'],
    [CONTEXT_KEYS.defaultMessageTimestampAfterMaxMs, '1h'],
    [CONTEXT_KEYS.defaultMessageTimestampBeforeMaxMs, '99999999999999999999'],
    [CONTEXT_KEYS.defaultMessageTimestampBeforeMaxMs, '9223372036854775808'],
    [CONTEXT_KEYS.logLevel, 'TRACE'],
    [CONTEXT_KEYS.logRetentionDays, '8'],
    [CONTEXT_KEYS.namePrefix, 'floe_dev'],
    [CONTEXT_KEYS.functions, '{"producer":{}}'],
    [CONTEXT_KEYS.functions, '{"produce":{"memory":1}}'],
    [CONTEXT_KEYS.functions, 'not json'],
    [CONTEXT_KEYS.alarmTopicArn, 'arn:aws:sqs:us-east-2:111122223333:queue'],
    [CONTEXT_KEYS.alarmTopicArn, 'oncall'],
  ])('rejects %s=%s with a message naming the key', (key, value) => {
    expect(() => stackPropsFromContext(contextOf({ [key]: value }))).toThrow(key);
  });
});
