/**
 * FloeFunction: one Floe handler as a Lambda function, with Floe's defaults baked in
 * (Node.js 22 on ARM64, the prebuilt ESM bundle from dist/lambda/<handler> with source
 * maps, a log group with retention, its own least-privilege role) and, optionally, a Function URL.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { type PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, type FunctionUrl, FunctionUrlAuthType, InvokeMode, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type HandlerName, HANDLER_EXPORT, handlerBundleDir, handlerEntry } from '../handlers.js';

/** Lambda runs nodejs22.x; the code is built and tested for Node 20 and 22. */
export const FLOE_RUNTIME = Runtime.NODEJS_22_X;
export const FLOE_ARCHITECTURE = Architecture.ARM_64;

export type FloeLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface FloeFunctionProps {
  /** Which handler: the entry file is `src/handlers/<handler>.ts`. */
  readonly handler: HandlerName;
  readonly description?: string;
  /** @default 1024 */
  readonly memorySize?: number;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  /** @default - no reserved concurrency (uses the account's unreserved pool) */
  readonly reservedConcurrency?: number;
  /** Variables naming the bucket, the tables and the rest of the runtime configuration. */
  readonly environment?: Record<string, string>;
  /** Powertools service name (the `service` dimension of Floe's metrics). */
  readonly serviceName: string;
  /** Powertools metrics namespace. */
  readonly metricsNamespace: string;
  /** @default 'INFO' */
  readonly logLevel?: FloeLogLevel;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** What happens to the log group when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Give the function a Function URL with this auth type. Omit for no URL.
   * NONE makes the URL public: anyone who knows it can produce, fetch and administer.
   */
  readonly urlAuthType?: FunctionUrlAuthType;
}

export class FloeFunction extends Construct {
  /** The entry file the bundle was built from. */
  readonly entry: string;
  /** The prebuilt bundle this function deploys (dist/lambda/<handler>/index.mjs). */
  readonly bundlePath: string;
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly url?: FunctionUrl;

  constructor(scope: Construct, id: string, props: FloeFunctionProps) {
    super(scope, id);
    this.entry = handlerEntry(props.handler);
    const bundleDir = handlerBundleDir(props.handler);
    this.bundlePath = join(bundleDir, 'index.mjs');
    if (!existsSync(this.bundlePath)) {
      throw new Error(`the ${props.handler} handler bundle is missing (${this.bundlePath}): run \`npm run build\` in the floe package`);
    }

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    // An own role instead of the AWSLambdaBasicExecutionRole managed policy: it may
    // write to its own log group only, and gets exactly the statements the stack adds.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Floe ${props.handler} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new LambdaFunction(this, 'Function', {
      code: Code.fromAsset(bundleDir),
      handler: `index.${HANDLER_EXPORT}`,
      description: props.description ?? `Floe ${props.handler}`,
      runtime: FLOE_RUNTIME,
      architecture: FLOE_ARCHITECTURE,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(30),
      reservedConcurrentExecutions: props.reservedConcurrency,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Floe pins nodejs22.x on purpose: the code is built and tested for Node 20 and 22. ' +
        'Move to a newer runtime only after the suite runs on it.',
    });

    if (props.urlAuthType !== undefined) {
      // No CORS: Floe's clients are SDKs and CLIs, not browsers.
      this.url = this.function.addFunctionUrl({ authType: props.urlAuthType, invokeMode: InvokeMode.BUFFERED });
      if (props.urlAuthType === FunctionUrlAuthType.NONE) {
        Annotations.of(this).addWarningV2(
          '@floe/cdk:publicFunctionUrl',
          `The ${props.handler} Function URL uses auth type NONE: anyone who knows the URL can call it ` +
            'without credentials. Use AWS_IAM (the default) outside throwaway test stacks.',
        );
      }
    }
  }

  /** Adds statements to the function's own role. */
  addToRolePolicy(...statements: PolicyStatement[]): void {
    for (const statement of statements) this.role.addToPolicy(statement);
  }
}
