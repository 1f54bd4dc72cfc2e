/**
 * The Kafka gateway's deployment (FloeGateway through Floe's `gateway` prop), synthesized once:
 * off by default; with defaults (new VPC, SCRAM only); with TLS passed through to the gateway;
 * with TLS terminated at the NLB. Checks the service, NLB, listener, idle timeout, autoscaling,
 * the exact IAM actions, the secret grants, the container environment, and cdk-nag.
 * Constants come from src/ and cdk/ so a rename on either side is caught here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnResource, Duration, Fn, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../src/config/index.js';
import { GATEWAY_ENV } from '../../src/config/gateway.js';
import { SEGMENT_PREFIX } from '../../src/storage/keys.js';
import { GROUPS_TABLE, LOG_TABLE } from '../../src/storage/tables.js';
import { CONTEXT_KEYS, stackPropsFromContext } from '../../cdk/context.js';
import { FloeStack } from '../../cdk/floe-stack.js';
import { GATEWAY_DOCKERFILE, type FloeGatewayOptions } from '../../cdk/constructs/floe-gateway.js';
import { PACKAGE_ROOT } from '../../cdk/handlers.js';

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties?: Json;
  DeletionPolicy?: string;
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Sid?: string;
}

let outdir: string;
let app: App;
let nag: AwsSolutionsChecks;
let off: FloeStack;
let plain: FloeStack;
let passthrough: FloeStack;
let nlbTls: FloeStack;
let t: { off: Template; plain: Template; passthrough: Template; nlbTls: Template };

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const logicalId = (construct: IConstruct): string => Stack.of(construct).resolve((construct.node.defaultChild as CfnResource).logicalId) as string;
const resources = (template: Template, type: string): Record<string, Resource> => template.findResources(type) as Record<string, Resource>;
const only = (template: Template, type: string): Resource => {
  const found = Object.values(resources(template, type));
  expect(found, type).toHaveLength(1);
  return found[0] as Resource;
};
const getAtt = (id: string, attr = 'Arn') => ({ 'Fn::GetAtt': [id, attr] });
const gatewayOf = (stack: FloeStack) => {
  const gateway = stack.floe.gateway;
  if (!gateway) throw new Error(`${stack.stackName} has no gateway`);
  return gateway;
};
/** The container's environment as a name -> value map. */
function containerEnv(template: Template): Record<string, unknown> {
  const [container] = (only(template, 'AWS::ECS::TaskDefinition').Properties?.ContainerDefinitions as Array<{ Environment: Array<{ Name: string; Value: unknown }> }>) ?? [];
  return Object.fromEntries((container?.Environment ?? []).map((e) => [e.Name, e.Value]));
}
/** Statements of the policy attached to a role. */
function roleStatements(template: Template, roleId: string): Statement[] {
  const policies = Object.values(resources(template, 'AWS::IAM::Policy')).filter((p) => (p.Properties?.Roles as unknown[]).some((r) => (r as { Ref?: string }).Ref === roleId));
  return policies.flatMap((p) => (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}
const actionsOn = (statements: Statement[], resource: unknown): string[] =>
  statements
    .filter((s) => s.Effect === 'Allow' && asArray(s.Resource).some((r) => JSON.stringify(r) === JSON.stringify(resource)))
    .flatMap((s) => asArray(s.Action))
    .sort();

beforeAll(() => {
  process.env.CDK_DISABLE_CLI_TELEMETRY = 'true';
  outdir = mkdtempSync(join(tmpdir(), 'floe-cdk-gateway-'));
  // Prepare: one app, four stacks, the nag pack as the CLI app registers it.
  app = new App({ outdir });
  off = new FloeStack(app, 'Off');
  plain = new FloeStack(app, 'Plain', { gateway: {} });
  const certificates = new Stack(app, 'Certificates');
  const tlsSecret = new Secret(certificates, 'GatewayTls', { description: 'PEM certificate and key of the gateway' });
  Validations.of(tlsSecret).acknowledge({ id: 'AwsSolutions-SMG4', reason: 'A test fixture standing for a certificate secret the operator rotates with the certificate.' });
  const passthroughOptions: FloeGatewayOptions = {
    tls: { secret: tlsSecret },
    internetFacing: true,
    clientCidrs: ['203.0.113.0/24'],
    idleTimeout: Duration.seconds(900),
    desiredCount: 3,
    maxCount: 9,
  };
  passthrough = new FloeStack(app, 'Passthrough', { gateway: passthroughOptions });
  nlbTls = new FloeStack(app, 'NlbTls', { gateway: { tls: { certificate: Fn.importValue('FloeKafkaCertificateArn') }, advertisedHost: 'kafka.example.com' } });
  nag = new AwsSolutionsChecks(app);
  Validations.of(app).addPlugins(nag);
  // Act: synthesize once; validation plugins run here and fail the synth on violations.
  app.synth();
  t = { off: Template.fromStack(off), plain: Template.fromStack(plain), passthrough: Template.fromStack(passthrough), nlbTls: Template.fromStack(nlbTls) };
});

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe('opt-in', () => {
  it('deploys no gateway unless asked', () => {
    // Assess
    for (const type of ['AWS::ECS::Service', 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::EC2::VPC', 'AWS::SecretsManager::Secret']) t.off.resourceCountIs(type, 0);
    expect(off.floe.gateway).toBeUndefined();
    expect(Object.keys(t.off.toJSON().Outputs)).not.toContain('KafkaBootstrapServers');
  });
});

describe('the Fargate service', () => {
  it('runs the image on ARM64 Fargate, 2 tasks of 0.25 vCPU / 512 MiB by default, in private subnets', () => {
    // Assess
    const task = only(t.plain, 'AWS::ECS::TaskDefinition').Properties;
    expect(task).toMatchObject({ Cpu: '256', Memory: '512', RequiresCompatibilities: ['FARGATE'], RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' } });
    const service = only(t.plain, 'AWS::ECS::Service').Properties;
    expect(service).toMatchObject({
      LaunchType: 'FARGATE',
      DesiredCount: 2,
      DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100 },
      NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' } },
    });
    const subnets = (service?.NetworkConfiguration as { AwsvpcConfiguration: { Subnets: Array<{ Ref: string }> } }).AwsvpcConfiguration.Subnets;
    expect(subnets.map((s) => s.Ref).every((id) => /private/i.test(id))).toBe(true);
    expect(only(t.passthrough, 'AWS::ECS::Service').Properties?.DesiredCount).toBe(3);
  });

  it('gives the container a read-only root, a TCP health check, and logs with retention', () => {
    // Assess
    const [container] = only(t.plain, 'AWS::ECS::TaskDefinition').Properties?.ContainerDefinitions as Json[];
    expect(container).toMatchObject({
      ReadonlyRootFilesystem: true,
      PortMappings: [{ ContainerPort: 9092, Protocol: 'tcp' }],
      HealthCheck: { Command: ['CMD', 'node', '-e', expect.stringContaining("connect(9092,'127.0.0.1')")] },
      LogConfiguration: { LogDriver: 'awslogs', Options: { 'awslogs-group': { Ref: logicalId(gatewayOf(plain).logGroup) } } },
    });
    t.plain.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    const cluster = only(t.plain, 'AWS::ECS::Cluster').Properties;
    expect(cluster?.ClusterSettings).toEqual([{ Name: 'containerInsights', Value: 'enabled' }]);
  });

  it('tells the container where storage is, the advertised NLB host, and that SASL is required', () => {
    // Assess
    const env = containerEnv(t.plain);
    const gateway = gatewayOf(plain);
    expect(env).toMatchObject({
      [ENV.bucket]: { Ref: logicalId(plain.floe.storage.bucket!) },
      [LOG_TABLE.envVar]: { Ref: logicalId(plain.floe.storage.logTable) },
      [GROUPS_TABLE.envVar]: { Ref: logicalId(plain.floe.storage.groupsTable) },
      [ENV.cacheBytes]: String(128 * 1024 * 1024),
      [GATEWAY_ENV.host]: '0.0.0.0',
      [GATEWAY_ENV.port]: '9092',
      [GATEWAY_ENV.advertisedHost]: getAtt(logicalId(gateway.loadBalancer), 'DNSName'),
      [GATEWAY_ENV.advertisedPort]: '9092',
      [GATEWAY_ENV.saslMechanisms]: 'SCRAM-SHA-512,SCRAM-SHA-256',
      [GATEWAY_ENV.credentialsSecretId]: { Ref: logicalId(gateway.credentials as Secret) },
    });
    expect(Object.keys(env)).not.toContain(GATEWAY_ENV.tlsSecretId);
    expect(Object.keys(env)).not.toContain(GATEWAY_ENV.tlsTerminatedUpstream);
  });

  it('adds PLAIN only with TLS, and says where TLS ends', () => {
    // Assess
    expect(containerEnv(t.passthrough)).toMatchObject({
      [GATEWAY_ENV.saslMechanisms]: 'SCRAM-SHA-512,SCRAM-SHA-256,PLAIN',
      [GATEWAY_ENV.tlsSecretId]: expect.anything(),
    });
    expect(containerEnv(t.nlbTls)).toMatchObject({
      [GATEWAY_ENV.saslMechanisms]: 'SCRAM-SHA-512,SCRAM-SHA-256,PLAIN',
      [GATEWAY_ENV.tlsTerminatedUpstream]: 'true',
      [GATEWAY_ENV.advertisedHost]: 'kafka.example.com',
    });
  });
});

describe('the Network Load Balancer', () => {
  it('is internal by default, cross-zone, and reachable from the VPC only', () => {
    // Assess
    const lb = only(t.plain, 'AWS::ElasticLoadBalancingV2::LoadBalancer').Properties;
    expect(lb).toMatchObject({ Type: 'network', Scheme: 'internal' });
    expect(lb?.LoadBalancerAttributes).toEqual(expect.arrayContaining([{ Key: 'load_balancing.cross_zone.enabled', Value: 'true' }]));
    const lbGroup = Object.values(resources(t.plain, 'AWS::EC2::SecurityGroup')).find((g) => /NLB/.test(String(g.Properties?.GroupDescription)));
    expect(lbGroup?.Properties?.SecurityGroupIngress).toEqual([expect.objectContaining({ CidrIp: '10.0.0.0/16', FromPort: 9092, ToPort: 9092, IpProtocol: 'tcp' })]);
  });

  it('is internet-facing in public subnets only when asked, open to the given CIDRs only', () => {
    // Assess
    const lb = only(t.passthrough, 'AWS::ElasticLoadBalancingV2::LoadBalancer').Properties;
    expect(lb?.Scheme).toBe('internet-facing');
    expect((lb?.Subnets as Array<{ Ref: string }>).every((s) => /public/i.test(s.Ref))).toBe(true);
    const lbGroup = Object.values(resources(t.passthrough, 'AWS::EC2::SecurityGroup')).find((g) => /NLB/.test(String(g.Properties?.GroupDescription)));
    expect((lbGroup?.Properties?.SecurityGroupIngress as Json[]).map((r) => r.CidrIp)).toEqual(['203.0.113.0/24']);
  });

  it('has a TCP listener whose idle timeout (600 s) outlasts the 300 s rebalance timeout', () => {
    // Assess
    const listener = only(t.plain, 'AWS::ElasticLoadBalancingV2::Listener').Properties;
    expect(listener).toMatchObject({ Port: 9092, Protocol: 'TCP', ListenerAttributes: [{ Key: 'tcp.idle_timeout.seconds', Value: '600' }] });
    expect(Number((listener?.ListenerAttributes as Array<{ Value: string }>)[0]?.Value)).toBeGreaterThan(300);
    expect(only(t.passthrough, 'AWS::ElasticLoadBalancingV2::Listener').Properties?.ListenerAttributes).toEqual([{ Key: 'tcp.idle_timeout.seconds', Value: '900' }]);
  });

  it('terminates TLS with the ACM certificate and the recommended policy when given one', () => {
    // Assess
    const listener = only(t.nlbTls, 'AWS::ElasticLoadBalancingV2::Listener').Properties;
    expect(listener).toMatchObject({
      Protocol: 'TLS',
      Certificates: [{ CertificateArn: { 'Fn::ImportValue': 'FloeKafkaCertificateArn' } }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    });
    expect(listener?.ListenerAttributes).toBeUndefined();
  });

  it('health-checks the tasks over TCP and cuts a deregistered task\'s connections after 30 s', () => {
    // Assess
    const group = only(t.plain, 'AWS::ElasticLoadBalancingV2::TargetGroup').Properties;
    expect(group).toMatchObject({ Protocol: 'TCP', Port: 9092, TargetType: 'ip', HealthCheckProtocol: 'TCP' });
    expect(group?.TargetGroupAttributes).toEqual(
      expect.arrayContaining([
        { Key: 'deregistration_delay.timeout_seconds', Value: '30' },
        { Key: 'deregistration_delay.connection_termination.enabled', Value: 'true' },
      ]),
    );
    expect(only(t.plain, 'AWS::ECS::Service').Properties?.LoadBalancers).toEqual([{ ContainerName: 'gateway', ContainerPort: 9092, TargetGroupArn: { Ref: logicalId(gatewayOf(plain).targetGroup) } }]);
  });

  it('lets the tasks take traffic from the NLB only, and call out on 443 only', () => {
    // Assess
    const taskGroupId = Object.entries(resources(t.plain, 'AWS::EC2::SecurityGroup')).find(([, g]) => /tasks/.test(String(g.Properties?.GroupDescription)))?.[0] as string;
    const ingress = Object.values(resources(t.plain, 'AWS::EC2::SecurityGroupIngress')).filter((r) => JSON.stringify(r.Properties?.GroupId) === JSON.stringify(getAtt(taskGroupId, 'GroupId')));
    expect(ingress.map((r) => [r.Properties?.FromPort, Object.keys(r.Properties ?? {}).includes('SourceSecurityGroupId')])).toEqual([[9092, true]]);
    const egress = (resources(t.plain, 'AWS::EC2::SecurityGroup')[taskGroupId]?.Properties?.SecurityGroupEgress as Json[]) ?? [];
    expect(egress).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' })]);
  });
});

describe('autoscaling', () => {
  it('scales between desiredCount and maxCount on 60 % average CPU, out fast and in slowly', () => {
    // Assess
    expect(only(t.plain, 'AWS::ApplicationAutoScaling::ScalableTarget').Properties).toMatchObject({ MinCapacity: 2, MaxCapacity: 6, ScalableDimension: 'ecs:service:DesiredCount' });
    expect(only(t.passthrough, 'AWS::ApplicationAutoScaling::ScalableTarget').Properties).toMatchObject({ MinCapacity: 3, MaxCapacity: 9 });
    expect(only(t.plain, 'AWS::ApplicationAutoScaling::ScalingPolicy').Properties).toMatchObject({
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }, TargetValue: 60, ScaleOutCooldown: 60, ScaleInCooldown: 600 },
    });
  });
});

describe('IAM', () => {
  const readWrite = ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'];

  it('gives the task role exactly the storage actions of produce, fetch, admin and groups together', () => {
    // Prepare
    const gateway = gatewayOf(plain);
    const statements = roleStatements(t.plain, logicalId(gateway.taskRole));
    const bucket = logicalId(plain.floe.storage.bucket!);

    // Assess: written out here, not read from cdk/constructs/access.ts.
    expect(actionsOn(statements, { 'Fn::Join': ['', [getAtt(bucket), `/${SEGMENT_PREFIX}*`]] })).toEqual(['s3:GetObject', 's3:PutObject']);
    expect(actionsOn(statements, getAtt(bucket))).toEqual([]);
    expect(actionsOn(statements, getAtt(logicalId(plain.floe.storage.logTable)))).toEqual(readWrite);
    expect(actionsOn(statements, getAtt(logicalId(plain.floe.storage.groupsTable)))).toEqual(readWrite);
  });

  it('gives the task role exactly this list of actions, whatever the resource', () => {
    // Prepare: every action, written out, so a widening on any resource fails here.
    const statements = roleStatements(t.plain, logicalId(gatewayOf(plain).taskRole));

    // Act
    const actions = [...new Set(statements.flatMap((s) => asArray(s.Action)))].sort();

    // Assess: the storage union of the four URL functions, and its credentials; no KMS (the secret uses the AWS managed key).
    expect(actions).toEqual([...readWrite, 's3:GetObject', 's3:PutObject', 'secretsmanager:GetSecretValue'].sort());
  });

  it('lets the task read its credentials secret and nothing else of Secrets Manager', () => {
    // Prepare
    const gateway = gatewayOf(plain);
    const statements = roleStatements(t.plain, logicalId(gateway.taskRole));

    // Assess
    const secretStatements = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('secretsmanager:')));
    expect(secretStatements).toEqual([expect.objectContaining({ Action: 'secretsmanager:GetSecretValue', Resource: { Ref: logicalId(gateway.credentials as Secret) } })]);
    expect(statements.flatMap((s) => asArray(s.Action)).filter((a) => /Delete(Object)?$|ListBucket|Transact|\*/.test(a) && a !== 'dynamodb:DeleteItem')).toEqual([]);
    for (const statement of statements) for (const resource of asArray(statement.Resource)) expect(resource).not.toBe('*');
  });

  it('adds GetSecretValue on the TLS secret when the gateway terminates TLS', () => {
    // Prepare
    const statements = roleStatements(t.passthrough, logicalId(gatewayOf(passthrough).taskRole));

    // Assess
    const reads = statements.filter((s) => s.Action === 'secretsmanager:GetSecretValue').map((s) => s.Sid);
    expect(reads.sort()).toEqual(['ReadSaslCredentials', 'ReadTlsCertificate']);
  });

  it('lets the execution role pull the image and write the log group, and nothing of the data', () => {
    // Prepare
    const task = only(t.plain, 'AWS::ECS::TaskDefinition').Properties;
    const executionRoleId = (task?.ExecutionRoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

    // Assess
    const actions = roleStatements(t.plain, executionRoleId).flatMap((s) => asArray(s.Action)).sort();
    expect(actions).toEqual(['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetAuthorizationToken', 'ecr:GetDownloadUrlForLayer', 'logs:CreateLogStream', 'logs:PutLogEvents']);
  });
});

describe('the credentials secret', () => {
  it('starts with no users (nothing secret in the template) and is retained with the stack', () => {
    // Assess
    const secret = only(t.plain, 'AWS::SecretsManager::Secret');
    expect(JSON.parse(String(secret.Properties?.SecretString))).toEqual({ users: {} });
    expect(secret.DeletionPolicy).toBe('Retain');
  });

  it('is an output, with the bootstrap servers', () => {
    // Assess
    const outputs = t.plain.toJSON().Outputs as Record<string, { Value: unknown }>;
    const gateway = gatewayOf(plain);
    expect(outputs.GatewayCredentialsSecretArn?.Value).toEqual({ Ref: logicalId(gateway.credentials as Secret) });
    expect(outputs.KafkaBootstrapServers?.Value).toEqual({ 'Fn::Join': ['', [getAtt(logicalId(gateway.loadBalancer), 'DNSName'), ':9092']] });
  });
});

describe('the default network', () => {
  it('has two AZs of private subnets, one NAT gateway, S3 and DynamoDB gateway endpoints, and flow logs of rejected traffic', () => {
    // Assess
    t.plain.resourceCountIs('AWS::EC2::VPC', 1);
    t.plain.resourceCountIs('AWS::EC2::NatGateway', 1);
    const endpoints = Object.values(resources(t.plain, 'AWS::EC2::VPCEndpoint')).map((e) => JSON.stringify(e.Properties?.ServiceName));
    expect(endpoints.some((n) => n.includes('.s3'))).toBe(true);
    expect(endpoints.some((n) => n.includes('.dynamodb'))).toBe(true);
    expect(Object.values(resources(t.plain, 'AWS::EC2::VPCEndpoint')).every((e) => e.Properties?.VpcEndpointType === 'Gateway')).toBe(true);
    t.plain.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT', ResourceType: 'VPC' });
  });
});

describe('checked props', () => {
  const attempt = (options: FloeGatewayOptions) => () => new FloeStack(new App(), 'Bad', { gateway: options });

  it.each([
    ['an idle timeout not above the rebalance timeout', { idleTimeout: Duration.seconds(300) }, /must exceed the rebalance timeout/],
    ['an idle timeout outside the NLB range', { idleTimeout: Duration.seconds(7000), rebalanceTimeout: Duration.seconds(60) }, /60-6000/],
    ['PLAIN without TLS', { saslMechanisms: ['PLAIN'] }, /PLAIN sends passwords in clear/],
    ['no SASL mechanism', { saslMechanisms: [] }, /SASL is required/],
    ['an internet-facing NLB without client CIDRs', { internetFacing: true }, /needs clientCidrs/],
    ['an idle timeout with NLB TLS (fixed at 350 s)', { tls: { certificate: 'arn:aws:acm:region:000000000000:certificate/x' }, idleTimeout: Duration.seconds(900) }, /fixed at 350 s/],
    ['a rebalance timeout beyond NLB TLS\'s 350 s', { tls: { certificate: 'arn:aws:acm:region:000000000000:certificate/x' }, rebalanceTimeout: Duration.seconds(400) }, /must exceed the rebalance timeout/],
    ['maxCount below desiredCount', { desiredCount: 4, maxCount: 2 }, /maxCount/],
  ] as Array<[string, FloeGatewayOptions, RegExp]>)('refuses %s at synth', (_, options, message) => {
    // Act / Assess
    expect(attempt(options)).toThrow(message);
  });

  it('warns at synth when the gateway has no TLS', () => {
    // Assess
    Annotations.fromStack(plain).hasWarning('/Plain/Floe/Gateway', Match.stringLikeRegexp('no TLS'));
    Annotations.fromStack(passthrough).hasNoWarning('*', Match.stringLikeRegexp('no TLS'));
  });
});

describe('the image', () => {
  it('is built at deploy from the repository\'s Dockerfile for linux/arm64; synth only stages a small context', () => {
    // Prepare
    const assets = JSON.parse(readFileSync(join(outdir, 'Plain.assets.json'), 'utf8')) as { dockerImages: Record<string, { source: { directory: string; dockerFile?: string; platform?: string } }> };
    const [image] = Object.values(assets.dockerImages);

    // Assess
    expect(existsSync(join(PACKAGE_ROOT, GATEWAY_DOCKERFILE))).toBe(true);
    expect(image?.source).toMatchObject({ dockerFile: GATEWAY_DOCKERFILE, platform: 'linux/arm64' });
    const staged = readdirSync(join(outdir, image?.source.directory ?? ''));
    expect(staged).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src', 'packages', 'bin', 'docker']));
    expect(staged).not.toContain('node_modules');
    expect(staged).not.toContain('dist');
    expect(staged).not.toContain('test');
  });

  it('starts `floe gateway`: its entry point is the CLI it copies, which has that command (and `gateway credentials`)', () => {
    // Prepare
    const dockerfile = readFileSync(join(PACKAGE_ROOT, GATEWAY_DOCKERFILE), 'utf8');
    const instruction = (name: string): unknown => JSON.parse(new RegExp(`^${name} (\\[.*\\])$`, 'm').exec(dockerfile)?.[1] ?? 'null');

    // Act: what the container runs, asked for its help (the build the tests run on)
    const help = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin/floe.mjs'), 'gateway', '--help'], { encoding: 'utf8' });

    // Assess
    expect(instruction('ENTRYPOINT')).toEqual(['node', 'bin/floe.mjs']);
    expect(instruction('CMD')).toEqual(['gateway']);
    expect(dockerfile).toMatch(/^COPY --from=build \/floe\/bin \.\/bin$/m);
    expect(dockerfile).toMatch(/^COPY --from=build \/floe\/dist\/src \.\/dist\/src$/m);
    expect(readFileSync(join(PACKAGE_ROOT, 'bin/floe.mjs'), 'utf8')).toContain("'../dist/src/cli/main.js'");
    expect(help.stdout).toMatch(/^Usage: floe gateway \[options\] \[command\]/m);
    expect(help.stdout).toMatch(/^\s+credentials \[options\] <user>/m);
  });
});

describe('context', () => {
  const contextOf = (value: unknown) => ({ tryGetContext: (key: string) => (key === CONTEXT_KEYS.gateway ? value : undefined) });

  it('turns the gateway on with true, or with a JSON object of plain values', () => {
    // Act
    const on = stackPropsFromContext(contextOf('true'));
    const custom = stackPropsFromContext(contextOf('{"internetFacing":true,"clientCidrs":["203.0.113.0/24"],"idleTimeoutSeconds":900,"tlsSecretArn":"arn:tls","desiredCount":3}'));

    // Assess
    expect(on.gateway).toEqual({});
    expect(stackPropsFromContext(contextOf(undefined)).gateway).toBeUndefined();
    expect(custom.gateway).toMatchObject({ internetFacing: true, clientCidrs: ['203.0.113.0/24'], tls: { secret: 'arn:tls' }, desiredCount: 3 });
    expect(custom.gateway?.idleTimeout?.toSeconds()).toBe(900);
  });

  it.each([
    ['not JSON', '{x'],
    ['an unknown field', '{"replicas":2}'],
    ['a bad CIDR', '{"clientCidrs":["everyone"]}'],
    ['both TLS modes', '{"certificateArn":"a","tlsSecretArn":"b"}'],
    ['an unknown mechanism', '{"saslMechanisms":["GSSAPI"]}'],
  ])('refuses %s', (_, value) => {
    // Act / Assess
    expect(() => stackPropsFromContext(contextOf(value))).toThrow(/floe:gateway/);
  });
});

describe('environment agnostic', () => {
  it('hard-codes no account id or region', () => {
    // Assess
    for (const template of [t.plain, t.passthrough, t.nlbTls]) {
      const text = JSON.stringify(template.toJSON());
      expect(text).not.toMatch(/\b\d{12}\b/);
      expect(text).not.toMatch(/\b(us|eu|ap|sa|ca|me|af|il|mx)-(north|south|east|west|central|northeast|southeast)-\d\b/);
    }
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding', () => {
    // Act
    const report = nag.validateScope(app);

    // Assess
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });

  it('acknowledges only known gateway findings, each with a written reason, none stale', () => {
    // Prepare: every acknowledgment under a gateway, with its reason.
    const acknowledged = new Map<string, string[]>();
    const visit = (node: IConstruct) => {
      for (const entry of node.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          const rule = id.replace(/^annotation::/i, '');
          // CDK acknowledges some CloudFormation validation findings of its own constructs: not ours.
          if (rule.startsWith('AwsSolutions-')) acknowledged.set(rule, [...(acknowledged.get(rule) ?? []), reason]);
        }
      }
      node.node.children.forEach(visit);
    };
    visit(gatewayOf(plain));

    // Act: the pack again, blind to acknowledgments, on the gateway alone.
    const blind = new AwsSolutionsChecks();
    (blind as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
    const findings = new Set(blind.validateScope(gatewayOf(plain)).violations.map((v) => v.ruleName));

    // Assess
    const bucketArn = `<${logicalId(plain.floe.storage.bucket!)}.Arn>`;
    expect(new Set(acknowledged.keys())).toEqual(
      new Set(['AwsSolutions-ECS2', 'AwsSolutions-ELB2', 'AwsSolutions-SMG4', 'AwsSolutions-IAM5[Resource::*]', `AwsSolutions-IAM5[Resource::${bucketArn}/${SEGMENT_PREFIX}*]`]),
    );
    for (const [rule, reasons] of acknowledged) for (const reason of reasons) expect(reason.length, `reason for ${rule}`).toBeGreaterThan(60);
    expect(findings).toEqual(new Set(acknowledged.keys()));
  });
});
