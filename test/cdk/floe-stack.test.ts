/**
 * Synthesizes the Floe CDK app once (a default stack and a stack with every opt-in
 * set) and checks the template against what the runtime code expects: key schemas,
 * TTL attributes, environment variable names, least-privilege IAM, auth types.
 * Constants come from src/ and cdk/ so a rename on either side is caught here.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App, type CfnResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { isBuiltin } from 'node:module';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../src/config/index.js';
import { FUNCTION_NAMES } from '../../src/local/function-url-server.js';
import { META_PREFIX, SEGMENT_PREFIX } from '../../src/storage/keys.js';
import { GROUPS_TABLE, LOG_TABLE, TABLES } from '../../src/storage/tables.js';
import { FloeStack } from '../../cdk/floe-stack.js';
import { DEFAULT_RETENTION_ENV, DEFAULT_TIMESTAMP_BOUND_ENV, FLOE_DEFAULTS, FUNCTION_DEFAULTS } from '../../cdk/constructs/floe.js';
import { HANDLERS, type HandlerName, PACKAGE_ROOT, URL_HANDLERS } from '../../cdk/handlers.js';
import { FLOE_METRICS } from '../../cdk/constructs/floe-monitoring.js';

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties?: Json;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Sid?: string;
  Condition?: Json;
}

const OPT_IN = {
  namePrefix: 'floe-dev',
  functionUrlAuthType: FunctionUrlAuthType.NONE,
  devMode: true,
  logLevel: 'DEBUG' as const,
  defaultRetentionMs: 3_600_000,
  defaultMessageTimestampAfterMaxMs: 2 ** 63,
  housekeepingInterval: Duration.minutes(15),
  functions: { produce: { memorySize: 2048, timeout: Duration.seconds(10), reservedConcurrency: 5 } },
  alarmTopicArn: 'arn:aws:sns:eu-west-1:111122223333:oncall',
};

let outdir: string;
let app: App;
let nag: AwsSolutionsChecks;
let stack: FloeStack;
let optInStack: FloeStack;
let template: Template;
let optIn: Template;

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const logicalId = (construct: IConstruct): string =>
  Stack.of(construct).resolve((construct.node.defaultChild as CfnResource).logicalId) as string;
const resourcesOf = (t: Template, type: string): Record<string, Resource> =>
  t.findResources(type) as Record<string, Resource>;

/** Every statement of the AWS::IAM::Policy attached to a function's role. */
function roleStatements(t: Template, s: FloeStack, name: HandlerName): Statement[] {
  const roleId = logicalId(s.floe.functions[name].role);
  const policies = Object.values(resourcesOf(t, 'AWS::IAM::Policy')).filter((p) =>
    (p.Properties?.Roles as unknown[]).some((r) => (r as { Ref?: string }).Ref === roleId),
  );
  expect(policies, `policies of ${name}`).toHaveLength(1);
  return (policies[0]?.Properties?.PolicyDocument as { Statement: Statement[] }).Statement;
}

/** Actions a function may perform on one resource (compared in canonical form). */
function actionsOn(statements: Statement[], resource: unknown): string[] {
  const key = JSON.stringify(resource);
  return statements
    .filter((st) => st.Effect === 'Allow' && asArray(st.Resource).some((r) => JSON.stringify(r) === key))
    .flatMap((st) => asArray(st.Action))
    .sort();
}

const getAtt = (id: string, attr = 'Arn') => ({ 'Fn::GetAtt': [id, attr] });

beforeAll(() => {
  process.env.CDK_DISABLE_CLI_TELEMETRY = 'true';
  outdir = mkdtempSync(join(tmpdir(), 'floe-cdk-'));
  // Prepare: one app, two stacks, the nag pack as the CLI app registers it.
  app = new App({ outdir });
  stack = new FloeStack(app, 'Default');
  optInStack = new FloeStack(app, 'OptIn', OPT_IN);
  nag = new AwsSolutionsChecks(app);
  Validations.of(app).addPlugins(nag);
  // Act: synthesize once; validation plugins run here and fail the synth on violations.
  app.synth();
  template = Template.fromStack(stack);
  optIn = Template.fromStack(optInStack);
});

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe('Function URLs', () => {
  it('use AWS_IAM auth and no CORS by default, one per URL handler', () => {
    const urls = Object.values(resourcesOf(template, 'AWS::Lambda::Url'));
    expect(urls).toHaveLength(URL_HANDLERS.length);
    for (const url of urls) {
      expect(url.Properties?.AuthType).toBe('AWS_IAM');
      expect(url.Properties?.Cors).toBeUndefined();
    }
    for (const name of URL_HANDLERS) {
      template.hasResourceProperties('AWS::Lambda::Url', {
        TargetFunctionArn: getAtt(logicalId(stack.floe.functions[name].function)),
        AuthType: 'AWS_IAM',
      });
    }
  });

  it('grant nothing to the public by default', () => {
    for (const permission of Object.values(resourcesOf(template, 'AWS::Lambda::Permission'))) {
      expect(permission.Properties?.Principal).not.toBe('*');
      expect(permission.Properties?.FunctionUrlAuthType).toBeUndefined();
    }
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('auth type NONE'));
  });

  it('give housekeeping no URL', () => {
    const housekeepingArn = JSON.stringify(getAtt(logicalId(stack.floe.functions.housekeeping.function)));
    for (const url of Object.values(resourcesOf(template, 'AWS::Lambda::Url'))) {
      expect(JSON.stringify(url.Properties?.TargetFunctionArn)).not.toBe(housekeepingArn);
    }
  });

  it('use NONE only when opted in, and then warn at synth', () => {
    const urls = Object.values(resourcesOf(optIn, 'AWS::Lambda::Url'));
    expect(urls.map((u) => u.Properties?.AuthType)).toEqual(URL_HANDLERS.map(() => 'NONE'));
    for (const name of URL_HANDLERS) {
      Annotations.fromStack(optInStack).hasWarning(
        `/OptIn/Floe/${name.charAt(0).toUpperCase()}${name.slice(1)}`,
        Match.stringLikeRegexp('auth type NONE'),
      );
    }
    // The public URL needs a resource policy for everyone; no client policy is created.
    optIn.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunctionUrl',
      Principal: '*',
      FunctionUrlAuthType: 'NONE',
    });
    optIn.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  it('come with a client policy that allows signed URL calls to the four URL functions only', () => {
    const [policy] = Object.values(resourcesOf(template, 'AWS::IAM::ManagedPolicy'));
    const statements = (policy?.Properties?.PolicyDocument as { Statement: Statement[] }).Statement;
    const expected = URL_HANDLERS.map((name) => getAtt(logicalId(stack.floe.functions[name].function)));
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: 'lambda:InvokeFunctionUrl',
          Resource: expected,
          Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
        }),
        expect.objectContaining({
          Action: 'lambda:InvokeFunction',
          Resource: expected,
          Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } },
        }),
      ]),
    );
    expect(statements).toHaveLength(2);
  });
});

describe('DynamoDB tables', () => {
  it('have the key schema and TTL attribute the code uses', () => {
    for (const spec of TABLES) {
      const table = spec === LOG_TABLE ? stack.floe.storage.logTable : stack.floe.storage.groupsTable;
      const props = template.toJSON().Resources[logicalId(table)].Properties;
      expect(props.KeySchema).toEqual([
        { AttributeName: spec.partitionKey, KeyType: 'HASH' },
        { AttributeName: spec.sortKey, KeyType: 'RANGE' },
      ]);
      expect(props.AttributeDefinitions).toEqual(
        expect.arrayContaining([
          { AttributeName: spec.partitionKey, AttributeType: 'S' },
          { AttributeName: spec.sortKey, AttributeType: 'S' },
        ]),
      );
      expect(props.TimeToLiveSpecification).toEqual({ AttributeName: spec.ttlAttribute, Enabled: true });
    }
  });

  it('are on-demand, encrypted, point-in-time recoverable, protected and retained by default', () => {
    const tables = Object.values(resourcesOf(template, 'AWS::DynamoDB::Table'));
    expect(tables).toHaveLength(TABLES.length);
    for (const table of tables) {
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      });
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
    }
  });

  it('are deleted with a dev-mode stack', () => {
    for (const table of Object.values(resourcesOf(optIn, 'AWS::DynamoDB::Table'))) {
      expect(table.Properties?.DeletionProtectionEnabled).toBe(false);
      expect(table.DeletionPolicy).toBe('Delete');
    }
  });
});

describe('Segment bucket', () => {
  it('blocks public access, disables ACLs, encrypts and aborts stale multipart uploads', () => {
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: Match.anyValue() } }],
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
        ]),
      },
    });
    const bucket = Object.values(resourcesOf(template, 'AWS::S3::Bucket'))[0];
    expect(bucket?.Properties?.AccessControl).toBeUndefined();
    expect(bucket?.DeletionPolicy).toBe('Retain');
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  it('has a bucket policy that denies every request without TLS', () => {
    const bucketId = logicalId(stack.floe.storage.bucket!);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: Match.arrayWith([getAtt(bucketId)]),
          }),
        ]),
      },
    });
  });

  it('is emptied and deleted with a dev-mode stack only', () => {
    const bucket = Object.values(resourcesOf(optIn, 'AWS::S3::Bucket'))[0];
    expect(bucket?.DeletionPolicy).toBe('Delete');
    optIn.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
  });
});

describe('IAM', () => {
  it('has no policy statement with a "*" resource', () => {
    const documents: Statement[][] = [];
    for (const t of [template, optIn]) {
      for (const policy of Object.values(resourcesOf(t, 'AWS::IAM::Policy'))) {
        documents.push((policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
      }
      for (const policy of Object.values(resourcesOf(t, 'AWS::IAM::ManagedPolicy'))) {
        documents.push((policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
      }
      for (const role of Object.values(resourcesOf(t, 'AWS::IAM::Role'))) {
        for (const inline of (role.Properties?.Policies as { PolicyDocument: { Statement: Statement[] } }[]) ?? []) {
          documents.push(inline.PolicyDocument.Statement);
        }
      }
    }
    expect(documents.length).toBeGreaterThanOrEqual(HANDLERS.length);
    for (const statement of documents.flat()) {
      for (const resource of asArray(statement.Resource)) expect(resource).not.toBe('*');
    }
  });

  it('attaches no AWS managed policy to any role of the default stack', () => {
    // The functions' roles are their own (log group + access matrix). A dev-mode stack
    // also has CDK's auto-delete-objects provider, whose role CDK defines.
    for (const role of Object.values(resourcesOf(template, 'AWS::IAM::Role'))) {
      expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    }
    template.resourceCountIs('AWS::IAM::Role', HANDLERS.length);
  });

  it('scopes every statement to this stack\'s bucket, tables and log groups', () => {
    const bucket = logicalId(stack.floe.storage.bucket!);
    const segments = { 'Fn::Join': ['', [getAtt(bucket), `/${SEGMENT_PREFIX}*`]] };
    const meta = { 'Fn::Join': ['', [getAtt(bucket), `/${META_PREFIX}*`]] };
    for (const name of HANDLERS) {
      const allowed = [
        segments,
        meta,
        getAtt(bucket),
        getAtt(logicalId(stack.floe.storage.logTable)),
        getAtt(logicalId(stack.floe.storage.groupsTable)),
        getAtt(logicalId(stack.floe.functions[name].logGroup)),
        getAtt(logicalId(stack.floe.housekeepingSchedule.deadLetterQueue)),
      ].map((r) => JSON.stringify(r));
      for (const statement of roleStatements(template, stack, name)) {
        for (const resource of asArray(statement.Resource)) {
          expect(allowed, `${name}: ${JSON.stringify(statement)}`).toContain(JSON.stringify(resource));
        }
      }
    }
  });

  it('grants each function exactly the actions of the access matrix', () => {
    // Assess against the matrix written out here, not against cdk/constructs/access.ts.
    const bucket = logicalId(stack.floe.storage.bucket!);
    const segments = { 'Fn::Join': ['', [getAtt(bucket), `/${SEGMENT_PREFIX}*`]] };
    const meta = { 'Fn::Join': ['', [getAtt(bucket), `/${META_PREFIX}*`]] };
    const log = getAtt(logicalId(stack.floe.storage.logTable));
    const groups = getAtt(logicalId(stack.floe.storage.groupsTable));
    const read = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'];
    const readWrite = [
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ];
    const expected: Record<HandlerName, { segments: string[]; meta?: string[]; bucket: string[]; log: string[]; groups: string[] }> = {
      // single-item appends only: no Query of the log table, no batches, no deletes
      produce: {
        segments: ['s3:PutObject'],
        bucket: [],
        log: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        groups: [],
      },
      // a head per partition and its index chunks: no batch of heads
      fetch: { segments: ['s3:GetObject'], bucket: [], log: ['dynamodb:GetItem', 'dynamodb:Query'], groups: [] },
      admin: { segments: ['s3:GetObject'], bucket: [], log: readWrite, groups: [] },
      groups: { segments: ['s3:GetObject'], bucket: [], log: read, groups: readWrite },
      housekeeping: {
        segments: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
        // its mark cache (decision 36)
        meta: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
        bucket: ['s3:ListBucket'],
        // one item at a time, and nothing of the groups table
        log: readWrite.filter((a) => a !== 'dynamodb:BatchWriteItem'),
        groups: [],
      },
    };
    for (const name of HANDLERS) {
      const statements = roleStatements(template, stack, name);
      expect(actionsOn(statements, segments), `${name} segments`).toEqual(expected[name].segments);
      expect(actionsOn(statements, meta), `${name} meta`).toEqual(expected[name].meta ?? []);
      expect(actionsOn(statements, getAtt(bucket)), `${name} bucket`).toEqual(expected[name].bucket);
      expect(actionsOn(statements, log), `${name} log table`).toEqual(expected[name].log);
      expect(actionsOn(statements, groups), `${name} groups table`).toEqual(expected[name].groups);
      expect(actionsOn(statements, getAtt(logicalId(stack.floe.functions[name].logGroup)))).toEqual([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
      ]);
    }
  });

  it('grants each function exactly this list of actions, whatever the resource', () => {
    // Prepare: the whole list per function, written out (docs/deploy.md, "What each function may do").
    const logs = ['logs:CreateLogStream', 'logs:PutLogEvents'];
    const read = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'];
    const write = ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
    const expected: Record<HandlerName, string[]> = {
      produce: [...logs, 's3:PutObject', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      fetch: [...logs, 's3:GetObject', 'dynamodb:GetItem', 'dynamodb:Query'],
      admin: [...logs, 's3:GetObject', ...read, ...write],
      groups: [...logs, 's3:GetObject', ...read, ...write],
      housekeeping: [
        ...logs,
        's3:DeleteObject',
        's3:GetObject',
        's3:ListBucket',
        's3:PutObject',
        ...read,
        ...write.filter((a) => a !== 'dynamodb:BatchWriteItem'),
        // the dead-letter queue of failed scheduled runs (Lambda's on-failure destination)
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
      ],
    };

    for (const name of HANDLERS) {
      // Act
      const actions = [...new Set(roleStatements(template, stack, name).flatMap((s) => asArray(s.Action)))].sort();

      // Assess
      expect(actions, name).toEqual([...new Set(expected[name])].sort());
    }
  });

  it('lets fetch read only and produce never delete', () => {
    const actions = (name: HandlerName) => roleStatements(template, stack, name).flatMap((s) => asArray(s.Action));
    const fetchActions = actions('fetch').filter((a) => !a.startsWith('logs:'));
    expect(fetchActions.filter((a) => /Put|Update|Delete|Write|Create/.test(a))).toEqual([]);
    expect(actions('produce').filter((a) => /Delete|BatchWrite/.test(a))).toEqual([]);
    expect(actions('produce')).not.toContain('s3:GetObject');
  });
});

describe('Functions', () => {
  it('run Node.js 22 on ARM64 with the configured memory and timeouts', () => {
    for (const name of HANDLERS) {
      const props = template.toJSON().Resources[logicalId(stack.floe.functions[name].function)].Properties;
      expect(props).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: FUNCTION_DEFAULTS[name].memorySize,
        Timeout: FUNCTION_DEFAULTS[name].timeout.toSeconds(),
      });
      expect(props.ReservedConcurrentExecutions).toBeUndefined();
      expect(props.LoggingConfig).toEqual({ LogGroup: { Ref: logicalId(stack.floe.functions[name].logGroup) } });
    }
    const produce = optIn.toJSON().Resources[logicalId(optInStack.floe.functions.produce.function)].Properties;
    expect(produce).toMatchObject({ MemorySize: 2048, Timeout: 10, ReservedConcurrentExecutions: 5 });
  });

  it('name the bucket and tables in every environment with the names the code reads', () => {
    const expectedStorage = {
      [ENV.bucket]: { Ref: logicalId(stack.floe.storage.bucket!) },
      [LOG_TABLE.envVar]: { Ref: logicalId(stack.floe.storage.logTable) },
      [GROUPS_TABLE.envVar]: { Ref: logicalId(stack.floe.storage.groupsTable) },
    };
    for (const name of HANDLERS) {
      const env = template.toJSON().Resources[logicalId(stack.floe.functions[name].function)].Properties.Environment
        .Variables;
      expect(env).toMatchObject({
        ...expectedStorage,
        [DEFAULT_RETENTION_ENV]: String(FLOE_DEFAULTS.defaultRetentionMs),
        POWERTOOLS_SERVICE_NAME: FLOE_DEFAULTS.namePrefix,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_METRICS_NAMESPACE: 'Floe',
      });
      expect(Object.keys(env)).not.toContain(ENV.adminUrl);
      // Unset props leave the timestamp bounds to the functions' defaults (Kafka's).
      expect(Object.keys(env)).not.toContain(DEFAULT_TIMESTAMP_BOUND_ENV.after);
    }
    const optInEnv = optIn.toJSON().Resources[logicalId(optInStack.floe.functions.fetch.function)].Properties.Environment
      .Variables;
    expect(optInEnv).toMatchObject({
      [DEFAULT_RETENTION_ENV]: '3600000',
      [DEFAULT_TIMESTAMP_BOUND_ENV.after]: '9223372036854775807',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      POWERTOOLS_SERVICE_NAME: 'floe-dev',
    });
  });

  it('give admin (the bootstrap) the produce, fetch and groups URLs', () => {
    const env = template.toJSON().Resources[logicalId(stack.floe.functions.admin.function)].Properties.Environment
      .Variables;
    const urlOf = (name: HandlerName) => {
      const url = stack.floe.functions[name].url;
      if (!url) throw new Error(`${name} has no URL`);
      return getAtt(Stack.of(url).resolve((url.node.defaultChild as CfnResource).logicalId) as string, 'FunctionUrl');
    };
    expect(env[ENV.produceUrl]).toEqual(urlOf('produce'));
    expect(env[ENV.fetchUrl]).toEqual(urlOf('fetch'));
    expect(env[ENV.groupsUrl]).toEqual(urlOf('groups'));
  });

  it('run housekeeping on a schedule, every 5 minutes by default', () => {
    const target = getAtt(logicalId(stack.floe.functions.housekeeping.function));
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: target })],
    });
    optIn.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)' });
  });

  it('send a failed housekeeping run to a dead-letter queue and alarm on it', () => {
    // Prepare
    const fn = logicalId(stack.floe.functions.housekeeping.function);
    const queue = getAtt(logicalId(stack.floe.housekeepingSchedule.deadLetterQueue));

    // Assess: undeliverable events and invocations that failed after Lambda's retries both land in the queue
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ Arn: getAtt(fn), DeadLetterConfig: { Arn: queue }, RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }) })],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fn },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: queue } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 1,
    });
  });
});

describe('Bundled handlers', () => {
  const expectedEntries = HANDLERS.map((name) => resolve(PACKAGE_ROOT, 'src', 'handlers', `${name}.ts`));

  it('are exactly the entry files the local cluster serves', () => {
    // The local cluster serves src/handlers/<name>.ts behind a URL for each of its
    // FUNCTION_NAMES: the same set the stack gives a Function URL.
    expect(new Set(URL_HANDLERS)).toEqual(new Set(FUNCTION_NAMES));
    const entries = HANDLERS.map((name) => stack.floe.functions[name].entry);
    expect(new Set(entries)).toEqual(new Set(expectedEntries));
    expect(entries).toHaveLength(new Set(entries).size);
    for (const entry of entries) {
      expect(existsSync(entry), entry).toBe(true);
      const result = buildSync({ entryPoints: [entry], bundle: false, write: false, metafile: true, logLevel: 'silent', outdir: 'out' });
      const exports = Object.values(result.metafile?.outputs ?? {}).flatMap((o) => o.exports);
      expect(exports, `${entry} exports`).toContain('handler');
    }
  });

  it('deploy the prebuilt bundles of those entries, which export handler', () => {
    for (const name of HANDLERS) {
      const bundle = stack.floe.functions[name].bundlePath;
      expect(existsSync(bundle), `${name} bundle`).toBe(true);
      const map = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sources: string[] };
      const sources = map.sources.map((s) => resolve(join(bundle, '..'), s));
      expect(sources, `${name} sources`).toContain(stack.floe.functions[name].entry);
      const result = buildSync({ entryPoints: [bundle], bundle: false, write: false, metafile: true, logLevel: 'silent', outdir: 'out' });
      expect(Object.values(result.metafile?.outputs ?? {}).flatMap((o) => o.exports)).toContain('handler');
    }
    // The function code is that bundle's directory, staged as an asset.
    const assets = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).filter((f) => (f.Properties?.Handler as string) === 'index.handler');
    expect(assets).toHaveLength(HANDLERS.length);
  });

  it('import nothing at init that the deployment package lacks', () => {
    const missing = Object.fromEntries(
      HANDLERS.map((name) => [name, unbundledStaticImports(stack.floe.functions[name].bundlePath)] as const).filter(([, m]) => m.length > 0),
    );
    expect(missing, 'static imports of packages left out of the bundle (native addons) crash Lambda at init').toEqual({});
  });
});

/** Packages a bundle imports statically but does not contain (Lambda resolves them at init and crashes). */
function unbundledStaticImports(bundle: string): string[] {
  const result = buildSync({ entryPoints: [bundle], bundle: true, write: false, metafile: true, platform: 'node', format: 'esm', external: ['*'], logLevel: 'silent' });
  const imports = Object.values(result.metafile?.inputs ?? {}).flatMap((input) => input.imports);
  return [...new Set(imports.filter((i) => i.kind === 'import-statement' && i.external === true && !isBuiltin(i.path)).map((i) => i.path))];
}

describe('Monitoring', () => {
  it('alarms on errors and throttles of every function, and on failed housekeeping runs', () => {
    for (const name of HANDLERS) {
      const fn = { Ref: logicalId(stack.floe.functions[name].function) };
      for (const metric of ['Errors', 'Throttles']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: metric,
          Namespace: 'AWS/Lambda',
          Dimensions: [{ Name: 'FunctionName', Value: fn }],
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        });
      }
    }
    template.resourceCountIs('AWS::CloudWatch::Alarm', HANDLERS.length * 2 + 1); // + the dead-letter queue's
  });

  it('notifies the SNS topic of alarmTopicArn from every alarm, and nobody by default', () => {
    const actions = (t: Template) => Object.values(resourcesOf(t, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties?.AlarmActions);
    expect(actions(optIn)).toEqual(Array.from({ length: HANDLERS.length * 2 + 1 }, () => [OPT_IN.alarmTopicArn]));
    expect(actions(template).every((a) => a === undefined)).toBe(true);
  });

  it('has a dashboard with latency percentiles and bytes in and out', () => {
    const [dashboard] = Object.values(resourcesOf(template, 'AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard?.Properties?.DashboardBody);
    for (const needle of ['p50', 'p99', 'Duration', 'Invocations', 'Errors', FLOE_METRICS.producedBytes, FLOE_METRICS.fetchedBytes]) {
      expect(body).toContain(needle);
    }
  });
});

describe('Outputs', () => {
  it('export the bootstrap (admin) URL and every function URL', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const urlAtt = (name: HandlerName) => {
      const url = stack.floe.functions[name].url;
      return getAtt(Stack.of(stack).resolve((url?.node.defaultChild as CfnResource).logicalId) as string, 'FunctionUrl');
    };
    expect(outputs.BootstrapUrl?.Value).toEqual(urlAtt('admin'));
    expect(outputs.ProduceUrl?.Value).toEqual(urlAtt('produce'));
    expect(outputs.FetchUrl?.Value).toEqual(urlAtt('fetch'));
    expect(outputs.AdminUrl?.Value).toEqual(urlAtt('admin'));
    expect(outputs.GroupsUrl?.Value).toEqual(urlAtt('groups'));
  });
});

describe('Environment agnostic', () => {
  it('hard-codes no account id or region', () => {
    expect(stack.account).toMatch(/^\$\{Token/);
    expect(stack.region).toMatch(/^\$\{Token/);
    const text = JSON.stringify(template.toJSON());
    expect(text).not.toMatch(/\b\d{12}\b/);
    expect(text).not.toMatch(/\b(us|eu|ap|sa|ca|me|af|il|mx)-(north|south|east|west|central|northeast|southeast)-\d\b/);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding', () => {
    const report = nag.validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges only known findings, each with a written reason, and none of them stale', () => {
    // Every acknowledgment in the tree, with its reason.
    const acknowledged = new Map<string, string[]>();
    const visit = (node: IConstruct) => {
      for (const entry of node.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          const rule = id.replace(/^annotation::/i, '');
          acknowledged.set(rule, [...(acknowledged.get(rule) ?? []), reason]);
        }
      }
      node.node.children.forEach(visit);
    };
    visit(app);
    for (const [rule, reasons] of acknowledged) {
      for (const reason of reasons) expect(reason.length, `reason for ${rule}`).toBeGreaterThan(60);
    }
    const bucketArn = `<${logicalId(stack.floe.storage.bucket!)}.Arn>`;
    const optInBucketArn = `<${logicalId(optInStack.floe.storage.bucket!)}.Arn>`;
    expect(new Set(acknowledged.keys())).toEqual(
      new Set([
        'AwsSolutions-L1',
        'AwsSolutions-S1',
        'AwsSolutions-SQS3',
        `AwsSolutions-IAM5[Resource::${bucketArn}/${SEGMENT_PREFIX}*]`,
        `AwsSolutions-IAM5[Resource::${optInBucketArn}/${SEGMENT_PREFIX}*]`,
        `AwsSolutions-IAM5[Resource::${bucketArn}/${META_PREFIX}*]`,
        `AwsSolutions-IAM5[Resource::${optInBucketArn}/${META_PREFIX}*]`,
      ]),
    );

    // Run the pack again ignoring acknowledgments: every acknowledged finding must
    // still occur (no stale acknowledgment) and nothing else may.
    const blind = new AwsSolutionsChecks();
    (blind as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
    const findings = new Set(blind.validateScope(app).violations.map((v) => v.ruleName));
    expect(findings).toEqual(new Set(acknowledged.keys()));
  });
});

describe('Timestamp bound props', () => {
  it.each([-1, 1.5, 2 ** 64])('refuses defaultMessageTimestampAfterMaxMs=%s at synth, naming the variable (the functions would refuse it at start)', (ms) => {
    // Act
    const attempt = () => new FloeStack(new App(), 'BadBound', { defaultMessageTimestampAfterMaxMs: ms });

    // Assess
    expect(attempt).toThrow(DEFAULT_TIMESTAMP_BOUND_ENV.after);
  });
});
