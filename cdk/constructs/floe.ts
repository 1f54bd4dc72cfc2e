/**
 * Floe: the whole deployment as one construct, for a CDK app of your own
 * (`new Floe(this, 'Floe', props)`): storage, the five handler functions (four behind
 * Function URLs, one on a schedule), least-privilege access and monitoring, and optionally the
 * Kafka gateway (ECS Fargate behind an NLB). Composition
 * only: the defaults live in the constructs it uses. FloeStack puts it in a stack with outputs.
 */
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { Effect, ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../src/config/index.js';
import { FUNCTION_ACCESS, grantAccess } from './access.js';
import { FloeAcls } from './floe-acls.js';
import { FloeFunction, type FloeLogLevel } from './floe-function.js';
import { FloeHousekeepingSchedule } from './floe-housekeeping-schedule.js';
import { FloeGateway, type FloeGatewayOptions } from './floe-gateway.js';
import { FloeMonitoring } from './floe-monitoring.js';
import { FloeStorage, type S3ExpressProps } from './floe-storage.js';
import { HANDLERS, type HandlerName, URL_HANDLERS, type UrlHandlerName } from '../handlers.js';

/** Read by the admin handler as the default retention.ms of new topics (and by housekeeping). */
export const DEFAULT_RETENTION_ENV = ENV.defaultRetentionMs;
/** Read by the functions and the gateway as the timestamp bounds of topics without their own (Kafka's broker log.message.timestamp.*). */
export const DEFAULT_TIMESTAMP_BOUND_ENV = { before: ENV.defaultTimestampBeforeMaxMs, after: ENV.defaultTimestampAfterMaxMs } as const;
/** Namespace of Floe's custom metrics (Powertools). */
export const METRICS_NAMESPACE = 'Floe';

export interface FunctionSettings {
  /** Memory in MB (CPU scales with it). */
  readonly memorySize?: number;
  readonly timeout?: Duration;
  /** Reserve (and cap) concurrency for this function. @default - none */
  readonly reservedConcurrency?: number;
}

/**
 * Per-function defaults. Produce and fetch memory come from `npm run bench -- memory`: peak RSS
 * serving maximum-size requests × 1.5, rounded up to 64 MB (docs/performance.md). CPU scales
 * with memory, so a CPU-bound workload (many small batches, CRC-32C) may want more.
 */
export const FUNCTION_DEFAULTS: Readonly<Record<HandlerName, Required<Omit<FunctionSettings, 'reservedConcurrency'>>>> = {
  produce: { memorySize: 448, timeout: Duration.seconds(30) },
  fetch: { memorySize: 384, timeout: Duration.seconds(30) },
  admin: { memorySize: 512, timeout: Duration.seconds(30) },
  groups: { memorySize: 512, timeout: Duration.seconds(15) },
  housekeeping: { memorySize: 1024, timeout: Duration.minutes(4) },
};

/** A quarter of a function's memory for the warm instance's cache of object ranges. */
export const rangeCacheBytes = (memoryMB: number): number => Math.floor((memoryMB * 1024 * 1024) / 4);

export const FLOE_DEFAULTS = {
  namePrefix: 'floe',
  /** Kafka's log.retention.ms default: 7 days. */
  defaultRetentionMs: 7 * 24 * 60 * 60 * 1000,
  functionUrlAuthType: FunctionUrlAuthType.AWS_IAM,
  logLevel: 'INFO' as FloeLogLevel,
  logRetention: RetentionDays.ONE_MONTH,
  devMode: false,
  housekeepingInterval: Duration.minutes(5),
} as const;

export interface FloeProps {
  /**
   * Names this deployment: the Powertools service name (the `service` dimension of
   * Floe's metrics), the dashboard name prefix and FloeStack's default stack name.
   * @default 'floe'
   */
  readonly namePrefix?: string;
  /** retention.ms of topics created without one (FLOE_DEFAULT_RETENTION_MS). @default 604800000 (7 days) */
  readonly defaultRetentionMs?: number;
  /**
   * message.timestamp.before.max.ms of topics without one (FLOE_DEFAULT_MESSAGE_TIMESTAMP_BEFORE_MAX_MS):
   * 0 or more; 2 ** 63 (Kafka's Long.MAX as a number) for no bound. @default - no bound (Kafka's)
   */
  readonly defaultMessageTimestampBeforeMaxMs?: number;
  /**
   * message.timestamp.after.max.ms of topics without one (FLOE_DEFAULT_MESSAGE_TIMESTAMP_AFTER_MAX_MS):
   * 0 or more; 2 ** 63 for no bound. @default 3600000 (1 hour, Kafka 4.x's)
   */
  readonly defaultMessageTimestampAfterMaxMs?: number;
  /**
   * Auth type of the Function URLs. AWS_IAM requires SigV4-signed requests from a
   * principal allowed by the stack's client policy.
   *
   * WARNING: NONE makes every URL public: anyone who finds a URL can create and delete
   * topics, produce and read every record. Only for throwaway test stacks.
   * @default FunctionUrlAuthType.AWS_IAM
   */
  readonly functionUrlAuthType?: FunctionUrlAuthType;
  /** POWERTOOLS_LOG_LEVEL of every function. @default 'INFO' */
  readonly logLevel?: FloeLogLevel;
  /** CloudWatch Logs retention of every function. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** Memory, timeout and reserved concurrency per function. @default FUNCTION_DEFAULTS */
  readonly functions?: Partial<Record<HandlerName, FunctionSettings>>;
  /**
   * Dev stacks: deleting the stack deletes the bucket (and every segment in it), the
   * tables and the log groups. @default false (everything holding data is RETAINed)
   */
  readonly devMode?: boolean;
  /**
   * Segments in an S3 Express One Zone directory bucket in this Availability Zone ID: produce and
   * fetch wait single-digit milliseconds on storage instead of 100-200 ms, for one AZ's durability
   * and a higher price per GB-month (docs/deploy.md#s3-express-one-zone).
   * @default - S3 Standard, a general purpose bucket
   */
  readonly s3Express?: S3ExpressProps;
  /** How often housekeeping runs. @default 5 minutes */
  readonly housekeepingInterval?: Duration;
  /** Where the Errors and Throttles alarms notify. @default - no action */
  readonly alarmAction?: IAlarmAction;
  /**
   * The Kafka-protocol gateway: an ECS Fargate service behind a Network Load Balancer, SASL
   * required (docs/deploy.md#kafka-gateway). Its Docker image is built at deploy, not at synth.
   * @default - no gateway
   */
  readonly gateway?: FloeGatewayOptions;
  /**
   * 'acl': Kafka-style ACL rules decide what each IAM principal (and each SASL user of the
   * gateway, `User:<name>`) may do (docs/security.md), in a rules table of its own. Off by default: with it on, nothing is allowed until rules are added,
   * so an existing deployment switching it on must add them first (or name super users).
   * @default 'none' (every principal the client policy admits may do everything)
   */
  readonly authorization?: 'none' | 'acl';
  /**
   * With authorization 'acl': principals no rule restricts (Kafka's super.users), e.g. the role
   * that deploys and operates the stack; they add the first rules (`floe acls add`).
   * @default - none; required with 'acl'
   */
  readonly aclSuperUsers?: string[];
  /** With authorization 'acl': how long each function instance decides with the rules it read. @default 10 seconds */
  readonly aclCacheTtl?: Duration;
}

export class Floe extends Construct {
  readonly storage: FloeStorage;
  readonly functions: Readonly<Record<HandlerName, FloeFunction>>;
  readonly monitoring: FloeMonitoring;
  /** The schedule that runs housekeeping, with the dead-letter queue of its failed runs. */
  readonly housekeepingSchedule: FloeHousekeepingSchedule;
  readonly functionUrlAuthType: FunctionUrlAuthType;
  /** Policy to attach to the users and roles that run Floe clients (AWS_IAM auth only). */
  readonly clientPolicy?: ManagedPolicy;
  /** The Kafka gateway, when `gateway` is given. */
  readonly gateway?: FloeGateway;
  /** The ACL rules, with authorization 'acl'. */
  readonly acls?: FloeAcls;

  constructor(scope: Construct, id: string, props: FloeProps = {}) {
    super(scope, id);
    const namePrefix = props.namePrefix ?? FLOE_DEFAULTS.namePrefix;
    const devMode = props.devMode ?? FLOE_DEFAULTS.devMode;
    this.functionUrlAuthType = props.functionUrlAuthType ?? FLOE_DEFAULTS.functionUrlAuthType;

    this.storage = new FloeStorage(this, 'Storage', { destroyOnDelete: devMode, s3Express: props.s3Express });
    if (props.authorization === 'acl') {
      this.acls = new FloeAcls(this, 'Acls', { superUsers: props.aclSuperUsers ?? [], cacheTtl: props.aclCacheTtl, destroyOnDelete: devMode });
    }
    const environment = {
      ...this.storage.environment,
      [DEFAULT_RETENTION_ENV]: String(props.defaultRetentionMs ?? FLOE_DEFAULTS.defaultRetentionMs),
      // Set only when given: the functions default to Kafka's.
      ...timestampBoundEnv(DEFAULT_TIMESTAMP_BOUND_ENV.before, props.defaultMessageTimestampBeforeMaxMs),
      ...timestampBoundEnv(DEFAULT_TIMESTAMP_BOUND_ENV.after, props.defaultMessageTimestampAfterMaxMs),
    };

    const functions = {} as Record<HandlerName, FloeFunction>;
    for (const name of HANDLERS) {
      const override = props.functions?.[name];
      const settings = {
        memorySize: override?.memorySize ?? FUNCTION_DEFAULTS[name].memorySize,
        timeout: override?.timeout ?? FUNCTION_DEFAULTS[name].timeout,
        reservedConcurrency: override?.reservedConcurrency,
      };
      const fn = new FloeFunction(this, capitalize(name), {
        handler: name,
        memorySize: settings.memorySize,
        timeout: settings.timeout,
        reservedConcurrency: settings.reservedConcurrency,
        environment: {
          ...environment,
          [ENV.cacheBytes]: String(rangeCacheBytes(settings.memorySize)),
          ...(this.acls ? this.acls.environment : {}),
        },
        serviceName: namePrefix,
        metricsNamespace: METRICS_NAMESPACE,
        logLevel: props.logLevel ?? FLOE_DEFAULTS.logLevel,
        logRetention: props.logRetention ?? FLOE_DEFAULTS.logRetention,
        removalPolicy: devMode ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
        urlAuthType: (URL_HANDLERS as readonly string[]).includes(name) ? this.functionUrlAuthType : undefined,
      });
      grantAccess(fn.role, FUNCTION_ACCESS[name], this.storage);
      const aclStatement = this.acls?.statementFor(name);
      if (aclStatement) fn.addToRolePolicy(aclStatement);
      functions[name] = fn;
    }
    this.functions = functions;

    // The admin URL is the bootstrap: admin tells clients where the other handlers are.
    // Admin does not need its own URL, so there is no dependency cycle.
    const admin = functions.admin.function;
    admin.addEnvironment(ENV.produceUrl, this.url('produce'));
    admin.addEnvironment(ENV.fetchUrl, this.url('fetch'));
    admin.addEnvironment(ENV.groupsUrl, this.url('groups'));

    this.housekeepingSchedule = new FloeHousekeepingSchedule(this, 'HousekeepingSchedule', {
      function: functions.housekeeping.function,
      interval: props.housekeepingInterval ?? FLOE_DEFAULTS.housekeepingInterval,
      removalPolicy: devMode ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      alarmAction: props.alarmAction,
    });

    if (this.functionUrlAuthType === FunctionUrlAuthType.AWS_IAM) {
      const urlFunctionArns = URL_HANDLERS.map((name) => functions[name].function.functionArn);
      this.clientPolicy = new ManagedPolicy(this, 'ClientPolicy', {
        description: 'Lets a Floe client (SDK or CLI) call the Function URLs of this stack with SigV4',
        statements: [
          new PolicyStatement({
            sid: 'InvokeFloeFunctionUrls',
            effect: Effect.ALLOW,
            actions: ['lambda:InvokeFunctionUrl'],
            resources: urlFunctionArns,
            conditions: { StringEquals: { 'lambda:FunctionUrlAuthType': FunctionUrlAuthType.AWS_IAM } },
          }),
          new PolicyStatement({
            sid: 'InvokeFloeFunctionsViaUrl',
            effect: Effect.ALLOW,
            actions: ['lambda:InvokeFunction'],
            resources: urlFunctionArns,
            conditions: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } },
          }),
        ],
      });
    }

    if (props.gateway) {
      this.gateway = new FloeGateway(this, 'Gateway', {
        ...props.gateway,
        storage: this.storage,
        // The gateway checks the same rules as the functions (docs/security.md).
        environment: { ...environment, ...(this.acls ? this.acls.environment : {}) },
        aclStatement: this.acls?.statementFor('gateway'),
        logRetention: props.logRetention ?? FLOE_DEFAULTS.logRetention,
        removalPolicy: devMode ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      });
    }

    this.monitoring = new FloeMonitoring(this, 'Monitoring', {
      functions: Object.fromEntries(HANDLERS.map((name) => [name, functions[name].function])) as Record<
        HandlerName,
        FloeFunction['function']
      >,
      metricsNamespace: METRICS_NAMESPACE,
      serviceName: namePrefix,
      // Dashboards are global to the account: the region keeps two deployments apart.
      dashboardName: `${namePrefix}-${Aws.REGION}`,
      alarmAction: props.alarmAction,
    });
  }

  /** The Function URL of a URL handler. */
  url(name: UrlHandlerName): string {
    const url = this.functions[name].url;
    if (!url) throw new Error(`${name} has no Function URL`);
    return url.url;
  }
}

const capitalize = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);

/** A timestamp bound's variable, when the prop is given: checked at synth as the functions read it (an integer from 0; 2 ** 63 or more is no bound). */
function timestampBoundEnv(name: string, ms: number | undefined): Record<string, string> {
  if (ms === undefined) return {};
  // Past 2 ** 63 (Kafka's Long.MAX as a number) is no long: the functions would refuse it at their first start.
  if (!Number.isInteger(ms) || ms < 0 || ms > 2 ** 63) throw new Error(`${name}: expected an integer from 0 to 2 ** 63 (no bound), got ${ms}`);
  return { [name]: ms >= Number.MAX_SAFE_INTEGER ? '9223372036854775807' : String(ms) };
}
