/**
 * FloeFunction: one Floe handler as a Lambda function, with Floe's defaults baked in
 * (Node.js 22 on ARM64, ESM bundle built by the local esbuild, source maps, a log
 * group with retention, its own least-privilege role) and, optionally, a Function URL.
 */
import { existsSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { Annotations, type AssetStaging, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { type PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type FunctionUrl, FunctionUrlAuthType, InvokeMode, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { type HandlerName, HANDLER_EXPORT, handlerEntry, REPO_ROOT } from '../handlers.js';

/** Lambda runs nodejs22.x; the code is built and tested for Node 20 and 22. */
export const FLOE_RUNTIME = Runtime.NODEJS_22_X;
export const FLOE_ARCHITECTURE = Architecture.ARM_64;

/**
 * Native addons in the dependency tree. esbuild cannot bundle them, and their
 * linux-arm64 binaries are not installed on a developer machine, so they stay out of
 * the bundle and are NOT in the deployed package. A handler may load them only with
 * require()/import() inside try/catch, falling back to JavaScript; a static import
 * would crash the function at init, so the construct warns about it at synth
 * (`unbundledImports`).
 */
export const NATIVE_ADDONS = ['@node-rs/crc32', 'snappy', 'lz4-napi', 'zstd-napi'] as const;

/**
 * ESM bundles keep CommonJS dependencies working: esbuild's require shim needs a
 * `require` in scope, which ES modules do not have.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __floeCreateRequire } from 'node:module'; const require = __floeCreateRequire(import.meta.url);";

/**
 * Packages a bundle imports statically but does not contain. Lambda resolves such an
 * import at init and crashes with ERR_MODULE_NOT_FOUND. require() and import() are
 * left out: they can be caught and fall back.
 */
export function unbundledStaticImports(bundle: string): string[] {
  const result = buildSync({
    entryPoints: [bundle],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    external: ['*'],
    logLevel: 'silent',
  });
  const imports = Object.values(result.metafile?.inputs ?? {}).flatMap((input) => input.imports);
  const missing = imports
    .filter((i) => i.kind === 'import-statement' && i.external === true && !isBuiltin(i.path))
    .map((i) => i.path);
  return [...new Set(missing)].sort();
}

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
  /** The entry file the bundle is built from. */
  readonly entry: string;
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly url?: FunctionUrl;
  /** The bundled index.mjs in the cloud assembly (undefined when bundling was skipped for this stack). */
  readonly bundlePath?: string;
  /** Packages the bundle imports statically without containing them (must be empty to deploy). */
  readonly unbundledImports: readonly string[];

  constructor(scope: Construct, id: string, props: FloeFunctionProps) {
    super(scope, id);
    this.entry = handlerEntry(props.handler);

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

    this.function = new NodejsFunction(this, 'Function', {
      entry: this.entry,
      handler: HANDLER_EXPORT,
      description: props.description ?? `Floe ${props.handler}`,
      runtime: FLOE_RUNTIME,
      architecture: FLOE_ARCHITECTURE,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(30),
      reservedConcurrentExecutions: props.reservedConcurrency,
      role: this.role,
      logGroup: this.logGroup,
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        // Bundle the AWS SDK too: the deployed code runs the SDK version it was tested with.
        externalModules: [...NATIVE_ADDONS],
      },
    });

    // Bundling ran while the function was built: inspect what will be deployed.
    const staging = (this.function.node.tryFindChild('Code') as Asset | undefined)?.node.tryFindChild('Stage') as
      | AssetStaging
      | undefined;
    const bundle = staging ? join(staging.absoluteStagedPath, 'index.mjs') : undefined;
    this.bundlePath = bundle !== undefined && existsSync(bundle) ? bundle : undefined;
    this.unbundledImports = this.bundlePath ? unbundledStaticImports(this.bundlePath) : [];
    if (this.unbundledImports.length > 0) {
      Annotations.of(this).addWarningV2(
        '@floe/cdk:unbundledImport',
        `The ${props.handler} bundle statically imports ${this.unbundledImports.join(', ')}, which is not in the ` +
          'deployment package (native addon): the function would crash at init. Load it with require() inside ' +
          'try/catch and fall back to JavaScript, or keep it out of the handler import graph (docs/deploy.md).',
      );
    }

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
