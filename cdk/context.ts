/**
 * FloeStack props from CDK context, so a deployment is configured on the command
 * line (`npx cdk deploy -c floe:devMode=true`) or in cdk.json, without code changes.
 * Values given with -c arrive as strings; values in cdk.json keep their JSON type.
 */
import { Duration } from 'aws-cdk-lib';
import { FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import type { FloeLogLevel } from './constructs/floe-function.js';
import type { FunctionSettings } from './constructs/floe.js';
import type { FloeStackProps } from './floe-stack.js';
import { gatewayFromContext } from './gateway-context.js';
import { HANDLERS, type HandlerName } from './handlers.js';

/** Every context key the app reads (docs/deploy.md lists them with their defaults). */
export const CONTEXT_KEYS = {
  namePrefix: 'floe:namePrefix',
  defaultRetentionMs: 'floe:defaultRetentionMs',
  defaultMessageTimestampBeforeMaxMs: 'floe:defaultMessageTimestampBeforeMaxMs',
  defaultMessageTimestampAfterMaxMs: 'floe:defaultMessageTimestampAfterMaxMs',
  functionUrlAuthType: 'floe:functionUrlAuthType',
  logLevel: 'floe:logLevel',
  logRetentionDays: 'floe:logRetentionDays',
  devMode: 'floe:devMode',
  housekeepingIntervalMinutes: 'floe:housekeepingIntervalMinutes',
  functions: 'floe:functions',
  gateway: 'floe:gateway',
  s3ExpressAvailabilityZoneId: 'floe:s3ExpressAvailabilityZoneId',
  alarmTopicArn: 'floe:alarmTopicArn',
} as const;

const LOG_LEVELS: readonly FloeLogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];
const AUTH_TYPES: readonly string[] = [FunctionUrlAuthType.AWS_IAM, FunctionUrlAuthType.NONE];

type Context = Pick<Node, 'tryGetContext'>;

function fail(key: string, value: unknown, expected: string): never {
  throw new Error(`context ${key}=${JSON.stringify(value)}: expected ${expected}`);
}

function positiveInteger(key: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) fail(key, value, 'a positive integer');
  return n;
}

/** A non-negative long, as Kafka's timestamp bounds are: "9223372036854775807" (no bound) arrives as 2 ** 63. */
function nonNegativeLong(key: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const digits = typeof value === 'string' && /^\d+$/.test(value.trim()) ? value.trim() : undefined;
  // A string is read exactly: 9223372036854775808 rounds to 2 ** 63 as a number but is no long.
  if (digits !== undefined && BigInt(digits) > 2n ** 63n - 1n) fail(key, value, 'an integer from 0 to 9223372036854775807');
  const n = digits !== undefined ? Number(digits) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 2 ** 63) fail(key, value, 'an integer from 0 to 9223372036854775807');
  return n;
}

function boolean(key: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return fail(key, value, 'true or false');
}

function retentionDays(key: string, value: unknown): RetentionDays | undefined {
  const days = positiveInteger(key, value);
  if (days === undefined) return undefined;
  const allowed = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number');
  if (!allowed.includes(days)) fail(key, value, `one of ${allowed.join(', ')}`);
  return days as RetentionDays;
}

function functionSettings(key: string, value: unknown): Partial<Record<HandlerName, FunctionSettings>> | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      fail(key, value, 'a JSON object');
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail(key, value, 'a JSON object');
  const result: Partial<Record<HandlerName, FunctionSettings>> = {};
  for (const [name, raw] of Object.entries(parsed)) {
    if (!(HANDLERS as readonly string[]).includes(name)) fail(key, value, `handler names among ${HANDLERS.join(', ')}`);
    const settings = (raw ?? {}) as Record<string, unknown>;
    for (const field of Object.keys(settings)) {
      if (!['memorySize', 'timeoutSeconds', 'reservedConcurrency'].includes(field)) {
        fail(key, value, 'fields memorySize, timeoutSeconds, reservedConcurrency');
      }
    }
    const timeoutSeconds = positiveInteger(`${key}.${name}.timeoutSeconds`, settings.timeoutSeconds);
    result[name as HandlerName] = {
      memorySize: positiveInteger(`${key}.${name}.memorySize`, settings.memorySize),
      timeout: timeoutSeconds === undefined ? undefined : Duration.seconds(timeoutSeconds),
      reservedConcurrency: positiveInteger(`${key}.${name}.reservedConcurrency`, settings.reservedConcurrency),
    };
  }
  return result;
}

function snsTopicArn(key: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(value)) fail(key, value, 'an SNS topic ARN');
  return value;
}

function s3Express(key: string, value: unknown): FloeStackProps['s3Express'] {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[a-z0-9]+-az\d+$/.test(value)) fail(key, value, 'an Availability Zone ID such as use1-az4');
  return { availabilityZoneId: value };
}

export function stackPropsFromContext(node: Context): FloeStackProps {
  const get = (key: string): unknown => node.tryGetContext(key);
  const namePrefix = get(CONTEXT_KEYS.namePrefix);
  if (namePrefix !== undefined && (typeof namePrefix !== 'string' || !/^[A-Za-z][A-Za-z0-9-]{0,60}$/.test(namePrefix))) {
    fail(CONTEXT_KEYS.namePrefix, namePrefix, 'letters, digits and dashes, starting with a letter');
  }
  const authType = get(CONTEXT_KEYS.functionUrlAuthType);
  if (authType !== undefined && !AUTH_TYPES.includes(authType as string)) {
    fail(CONTEXT_KEYS.functionUrlAuthType, authType, AUTH_TYPES.join(' or '));
  }
  const logLevel = get(CONTEXT_KEYS.logLevel);
  if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel as FloeLogLevel)) {
    fail(CONTEXT_KEYS.logLevel, logLevel, LOG_LEVELS.join(', '));
  }
  const intervalMinutes = positiveInteger(
    CONTEXT_KEYS.housekeepingIntervalMinutes,
    get(CONTEXT_KEYS.housekeepingIntervalMinutes),
  );
  return {
    namePrefix: namePrefix as string | undefined,
    defaultRetentionMs: positiveInteger(CONTEXT_KEYS.defaultRetentionMs, get(CONTEXT_KEYS.defaultRetentionMs)),
    defaultMessageTimestampBeforeMaxMs: nonNegativeLong(CONTEXT_KEYS.defaultMessageTimestampBeforeMaxMs, get(CONTEXT_KEYS.defaultMessageTimestampBeforeMaxMs)),
    defaultMessageTimestampAfterMaxMs: nonNegativeLong(CONTEXT_KEYS.defaultMessageTimestampAfterMaxMs, get(CONTEXT_KEYS.defaultMessageTimestampAfterMaxMs)),
    functionUrlAuthType: authType as FunctionUrlAuthType | undefined,
    logLevel: logLevel as FloeLogLevel | undefined,
    logRetention: retentionDays(CONTEXT_KEYS.logRetentionDays, get(CONTEXT_KEYS.logRetentionDays)),
    devMode: boolean(CONTEXT_KEYS.devMode, get(CONTEXT_KEYS.devMode)),
    housekeepingInterval: intervalMinutes === undefined ? undefined : Duration.minutes(intervalMinutes),
    functions: functionSettings(CONTEXT_KEYS.functions, get(CONTEXT_KEYS.functions)),
    gateway: gatewayFromContext(CONTEXT_KEYS.gateway, get(CONTEXT_KEYS.gateway)),
    s3Express: s3Express(CONTEXT_KEYS.s3ExpressAvailabilityZoneId, get(CONTEXT_KEYS.s3ExpressAvailabilityZoneId)),
    alarmTopicArn: snsTopicArn(CONTEXT_KEYS.alarmTopicArn, get(CONTEXT_KEYS.alarmTopicArn)),
  };
}
