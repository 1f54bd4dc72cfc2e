/**
 * FloeGateway: the Kafka-protocol gateway (`floe gateway`) as an ECS Fargate service behind a
 * Network Load Balancer. Stateless tasks (all state is in the stack's tables and bucket), scaled
 * on CPU; SASL always on (SCRAM, and PLAIN only with TLS); TLS either terminated by the NLB with
 * an ACM certificate or passed through to the gateway, which reads its certificate from Secrets
 * Manager. The task role may do exactly what the four URL handlers together may do (with ACLs,
 * that includes reading and managing the rules).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Duration, RemovalPolicy, SecretValue, Token, Validations } from 'aws-cdk-lib';
import { Certificate, type ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import { type IVpc, Peer, Port, SecurityGroup, SubnetType } from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import {
  Cluster,
  ContainerImage,
  ContainerInsights,
  CpuArchitecture,
  FargateService,
  FargateTaskDefinition,
  LogDrivers,
  OperatingSystemFamily,
} from 'aws-cdk-lib/aws-ecs';
import {
  ListenerCertificate,
  NetworkListener,
  NetworkLoadBalancer,
  NetworkTargetGroup,
  Protocol,
  SslPolicy,
  TargetType,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV } from '../../src/config/index.js';
import { GATEWAY_ENV, GATEWAY_SASL_MECHANISMS, type GatewaySaslMechanism } from '../../src/config/gateway.js';
import { PACKAGE_ROOT } from '../handlers.js';
import { GATEWAY_ACCESS, grantAccess } from './access.js';
import type { FloeStorage } from './floe-storage.js';
import { GATEWAY_VPC_CIDR, GatewayVpc } from './gateway-vpc.js';

/** The gateway image's Dockerfile, relative to the package root (the build context). */
export const GATEWAY_DOCKERFILE = 'docker/gateway/Dockerfile';
/** NLB TLS listeners have a fixed idle timeout (only TCP listeners' is configurable). */
export const NLB_TLS_IDLE_TIMEOUT = Duration.seconds(350);

export const GATEWAY_CDK_DEFAULTS = {
  port: 9092,
  desiredCount: 2,
  maxCount: 6,
  cpu: 256,
  memoryLimitMiB: 512,
  targetCpuUtilizationPercent: 60,
  /** Above Kafka's default rebalance timeout (max.poll.interval.ms, 300 s) and the Java client's connections.max.idle.ms (540 s). */
  idleTimeout: Duration.seconds(600),
  rebalanceTimeout: Duration.minutes(5),
} as const;

/**
 * TLS for clients. `certificate`: the NLB terminates TLS with an ACM certificate (managed renewal;
 * idle timeout fixed at 350 s). `secret`: TCP passthrough, the gateway serves the certificate from a
 * secret {"certificate", "privateKey", "certificateChain"?} (end-to-end TLS; idle timeout configurable).
 * A string is an ARN (of the ACM certificate, or of the secret).
 */
export type GatewayTls =
  | { readonly certificate: ICertificate | string }
  | { readonly secret: ISecret | string };

export interface FloeGatewayOptions {
  /** @default - a new VPC: 2 AZs, private subnets, one NAT gateway, S3 and DynamoDB gateway endpoints */
  readonly vpc?: IVpc;
  /** @default - built from docker/gateway/Dockerfile of the floe package (needs Docker at deploy) */
  readonly image?: ContainerImage;
  /** Listener and container port. @default 9092 */
  readonly port?: number;
  /** Tasks when idle; also the autoscaling minimum. @default 2 (one per AZ) */
  readonly desiredCount?: number;
  /** @default 6 */
  readonly maxCount?: number;
  /** Fargate CPU units per task. @default 256 (0.25 vCPU) */
  readonly cpu?: number;
  /** @default 512 */
  readonly memoryLimitMiB?: number;
  /** Average CPU the service scales to. @default 60 */
  readonly targetCpuUtilizationPercent?: number;
  /** TCP idle timeout of the NLB listener (60-6000 s); must exceed rebalanceTimeout. @default 600 seconds */
  readonly idleTimeout?: Duration;
  /** The longest JoinGroup clients may wait (their max.poll.interval.ms). @default 5 minutes */
  readonly rebalanceTimeout?: Duration;
  /** @default - no TLS: SCRAM only (passwords never travel, records do in clear), and a synth warning */
  readonly tls?: GatewayTls;
  /** @default - SCRAM-SHA-512 and SCRAM-SHA-256, plus PLAIN with TLS */
  readonly saslMechanisms?: readonly GatewaySaslMechanism[];
  /** The users' credentials document (docs/deploy.md), or its ARN. @default - a new secret with no users */
  readonly credentials?: ISecret | string;
  /** A public NLB (public subnets). @default false: reachable from inside the VPC only */
  readonly internetFacing?: boolean;
  /** Who may connect. @default - the VPC's CIDR; required when internetFacing */
  readonly clientCidrs?: readonly string[];
  /** The host clients are told to connect to (a DNS name on the TLS certificate). @default - the NLB's DNS name */
  readonly advertisedHost?: string;
}

export interface FloeGatewayProps extends FloeGatewayOptions {
  readonly storage: FloeStorage;
  /** Storage and runtime variables shared with the handlers (ENV names). */
  readonly environment: Record<string, string>;
  /** With authorization 'acl': the task role's access to the rules table (FloeAcls.statementFor('gateway')). */
  readonly aclStatement?: PolicyStatement;
  readonly logRetention?: RetentionDays;
  /** For the log groups and the credentials secret it creates. @default RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class FloeGateway extends Construct {
  readonly vpc: IVpc;
  readonly loadBalancer: NetworkLoadBalancer;
  readonly listener: NetworkListener;
  readonly targetGroup: NetworkTargetGroup;
  readonly service: FargateService;
  readonly taskDefinition: FargateTaskDefinition;
  readonly taskRole: Role;
  readonly credentials: ISecret;
  readonly logGroup: LogGroup;
  readonly saslMechanisms: readonly GatewaySaslMechanism[];
  /** `host:port` for bootstrap.servers. */
  readonly bootstrapServers: string;

  constructor(scope: Construct, id: string, props: FloeGatewayProps) {
    super(scope, id);
    const settings = checkedSettings(props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    this.saslMechanisms = settings.saslMechanisms;
    if (!props.tls) {
      Annotations.of(this).addWarningV2(
        '@floe/cdk:gatewayWithoutTls',
        'The Kafka gateway has no TLS: SCRAM keeps passwords off the wire, but records travel in clear. Set gateway.tls.',
      );
    }

    this.vpc = props.vpc ?? new GatewayVpc(this, 'Network', { logRetention, removalPolicy, s3Express: 'directoryBucketArn' in props.storage.segments }).vpc;
    this.logGroup = new LogGroup(this, 'Logs', { retention: logRetention, removalPolicy });
    this.credentials = props.credentials === undefined ? this.newCredentialsSecret(removalPolicy) : secretOf(this, 'CredentialsSecret', props.credentials);
    const tls = props.tls;
    const certificate = tls && 'certificate' in tls ? certificateOf(this, tls.certificate) : undefined;
    const tlsSecret = tls && 'secret' in tls ? secretOf(this, 'TlsSecret', tls.secret) : undefined;

    // Security groups: clients -> NLB on the port, NLB -> tasks on the port, tasks -> AWS APIs on 443 only.
    const lbGroup = new SecurityGroup(this, 'LoadBalancerSecurityGroup', { vpc: this.vpc, allowAllOutbound: false, description: 'Floe Kafka gateway NLB' });
    const clientCidrs = props.clientCidrs ?? [props.vpc ? props.vpc.vpcCidrBlock : GATEWAY_VPC_CIDR];
    for (const cidr of clientCidrs) lbGroup.addIngressRule(Peer.ipv4(cidr), Port.tcp(settings.port), 'Kafka clients');
    const literalOpen = clientCidrs.some((cidr) => !Token.isUnresolved(cidr) && cidr.endsWith('/0'));
    if (clientCidrs.some((cidr) => Token.isUnresolved(cidr)) && !literalOpen) {
      Validations.of(lbGroup).acknowledge({
        id: 'AwsSolutions-EC23',
        reason:
          'Ingress is from the given VPC\'s own CIDR block, which is a deploy-time token cdk-nag cannot read; ' +
          'it is never 0.0.0.0/0 unless clientCidrs says so explicitly.',
      });
    }
    const taskGroup = new SecurityGroup(this, 'TaskSecurityGroup', { vpc: this.vpc, allowAllOutbound: false, description: 'Floe Kafka gateway tasks' });
    taskGroup.addIngressRule(lbGroup, Port.tcp(settings.port), 'Kafka traffic and health checks from the NLB');
    lbGroup.addEgressRule(taskGroup, Port.tcp(settings.port), 'to the gateway tasks');
    taskGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'AWS APIs: S3, DynamoDB, Secrets Manager, ECR, CloudWatch Logs');

    this.loadBalancer = new NetworkLoadBalancer(this, 'LoadBalancer', {
      vpc: this.vpc,
      internetFacing: settings.internetFacing,
      vpcSubnets: { subnetType: settings.internetFacing ? SubnetType.PUBLIC : SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [lbGroup],
      // Any task can serve any client: an AZ without a healthy task still answers.
      crossZoneEnabled: true,
    });
    const advertisedHost = props.advertisedHost ?? this.loadBalancer.loadBalancerDnsName;
    this.bootstrapServers = `${advertisedHost}:${settings.port}`;

    this.taskRole = new Role(this, 'TaskRole', { assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'), description: 'Floe Kafka gateway tasks' });
    grantAccess(this.taskRole, GATEWAY_ACCESS, props.storage);
    if (props.aclStatement) this.taskRole.addToPolicy(props.aclStatement);
    this.grantSecretRead(this.credentials, 'ReadSaslCredentials');
    if (tlsSecret) this.grantSecretRead(tlsSecret, 'ReadTlsCertificate');

    this.taskDefinition = new FargateTaskDefinition(this, 'Task', {
      cpu: settings.cpu,
      memoryLimitMiB: settings.memoryLimitMiB,
      runtimePlatform: { cpuArchitecture: CpuArchitecture.ARM64, operatingSystemFamily: OperatingSystemFamily.LINUX },
      taskRole: this.taskRole,
    });
    const environment: Record<string, string> = {
      ...props.environment,
      // A quarter of the memory for the cache of object ranges, as for the functions.
      [ENV.cacheBytes]: String(Math.floor((settings.memoryLimitMiB * 1024 * 1024) / 4)),
      // Every interface: the NLB reaches the task on its private IP (floe gateway's default is loopback).
      [GATEWAY_ENV.host]: '0.0.0.0',
      [GATEWAY_ENV.port]: String(settings.port),
      [GATEWAY_ENV.advertisedHost]: advertisedHost,
      [GATEWAY_ENV.advertisedPort]: String(settings.port),
      [GATEWAY_ENV.saslMechanisms]: settings.saslMechanisms.join(','),
      [GATEWAY_ENV.credentialsSecretId]: this.credentials.secretArn,
      ...(tlsSecret ? { [GATEWAY_ENV.tlsSecretId]: tlsSecret.secretArn } : {}),
      ...(certificate ? { [GATEWAY_ENV.tlsTerminatedUpstream]: 'true' } : {}),
    };
    this.taskDefinition.addContainer('gateway', {
      image: props.image ?? defaultImage(),
      environment,
      portMappings: [{ containerPort: settings.port }],
      logging: LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'gateway' }),
      readonlyRootFilesystem: true,
      stopTimeout: Duration.seconds(30),
      healthCheck: {
        // A TCP connect to the listener, with the node binary already in the image (no curl in a slim image).
        command: ['CMD', 'node', '-e', `require('node:net').connect(${settings.port},'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))`],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(30),
      },
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'The container environment holds names only (bucket, tables, secret ARNs, ports, the advertised host), no secret: ' +
        'SASL credentials and TLS keys are read from Secrets Manager at run time by the task role.',
    });
    this.acknowledgeExecutionRole();

    const cluster = new Cluster(this, 'Cluster', { vpc: this.vpc, containerInsightsV2: ContainerInsights.ENABLED });
    this.service = new FargateService(this, 'Service', {
      cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: settings.desiredCount,
      securityGroups: [taskGroup],
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      assignPublicIp: false,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
      healthCheckGracePeriod: Duration.seconds(60),
    });

    this.targetGroup = new NetworkTargetGroup(this, 'Targets', {
      vpc: this.vpc,
      port: settings.port,
      protocol: Protocol.TCP,
      targetType: TargetType.IP,
      // Kafka clients reconnect: a scaled-in task's connections are cut after 30 s instead of lingering 5 minutes.
      deregistrationDelay: Duration.seconds(30),
      connectionTermination: true,
      healthCheck: { protocol: Protocol.TCP, interval: Duration.seconds(10), healthyThresholdCount: 2, unhealthyThresholdCount: 2 },
      targets: [this.service.loadBalancerTarget({ containerName: 'gateway', containerPort: settings.port })],
    });
    this.listener = this.loadBalancer.addListener('Kafka', {
      port: settings.port,
      protocol: certificate ? Protocol.TLS : Protocol.TCP,
      ...(certificate
        ? { certificates: [ListenerCertificate.fromCertificateManager(certificate)], sslPolicy: SslPolicy.RECOMMENDED_TLS }
        : { tcpIdleTimeout: settings.idleTimeout }),
      defaultTargetGroups: [this.targetGroup],
    });
    Validations.of(this.loadBalancer).acknowledge({
      id: 'AwsSolutions-ELB2',
      reason:
        'NLB access logs record TLS listeners only and would need a log bucket of their own; the gateway logs every ' +
        'connection and authentication (with its principal) to CloudWatch, and VPC flow logs record rejected flows.',
    });

    this.service
      .autoScaleTaskCount({ minCapacity: settings.desiredCount, maxCapacity: settings.maxCount })
      .scaleOnCpuUtilization('Cpu', {
        targetUtilizationPercent: settings.targetCpuUtilizationPercent,
        // Scaling in cuts connections (clients reconnect, groups rebalance): out fast, in slowly.
        scaleOutCooldown: Duration.seconds(60),
        scaleInCooldown: Duration.minutes(10),
      });
  }

  /** secretsmanager:GetSecretValue on this secret only (and decrypt with its key, if it has its own). */
  private grantSecretRead(secret: ISecret, sid: string): void {
    // A secret known by a partial ARN matches its versions' full ARNs with the 6-character suffix.
    const arn = secret.secretFullArn ?? `${secret.secretArn}-??????`;
    this.taskRole.addToPolicy(new PolicyStatement({ sid, effect: Effect.ALLOW, actions: ['secretsmanager:GetSecretValue'], resources: [arn] }));
    secret.encryptionKey?.grantDecrypt(this.taskRole);
  }

  private newCredentialsSecret(removalPolicy: RemovalPolicy): Secret {
    const secret = new Secret(this, 'Credentials', {
      description: 'Floe Kafka gateway SASL users: {"users": {...}}; add users with `floe gateway credentials <user> --secret-id <arn>`',
      // An empty user list, not a secret: users are added after deploy, with salted SCRAM keys only.
      secretStringValue: SecretValue.unsafePlainText(JSON.stringify({ users: {} })),
      removalPolicy,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'This secret is a user directory (salted SCRAM keys per user), not a credential of its own: rotating it means ' +
        'changing users\' passwords, which operators do per user with `floe gateway credentials`.',
    });
    return secret;
  }

  /** The execution role CDK creates pulls the image: ECR's GetAuthorizationToken has no resource-level permission. */
  private acknowledgeExecutionRole(): void {
    const executionRole = this.taskDefinition.obtainExecutionRole();
    Validations.of(executionRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken supports no resource-level permissions (AWS requires "*"); the image pull itself ' +
        '(BatchGetImage, GetDownloadUrlForLayer) is limited to the asset repository by CDK.',
    });
  }
}

/** A secret given as a construct or an ARN (complete, with its 6-character suffix, or partial). */
function secretOf(scope: Construct, id: string, secret: ISecret | string): ISecret {
  if (typeof secret !== 'string') return secret;
  const complete = /-[A-Za-z0-9]{6}$/.test(secret);
  return Secret.fromSecretAttributes(scope, id, complete ? { secretCompleteArn: secret } : { secretPartialArn: secret });
}

const certificateOf = (scope: Construct, certificate: ICertificate | string): ICertificate =>
  typeof certificate === 'string' ? Certificate.fromCertificateArn(scope, 'Certificate', certificate) : certificate;

interface Settings {
  port: number;
  desiredCount: number;
  maxCount: number;
  cpu: number;
  memoryLimitMiB: number;
  targetCpuUtilizationPercent: number;
  idleTimeout: Duration;
  internetFacing: boolean;
  saslMechanisms: readonly GatewaySaslMechanism[];
}

/** Props with defaults applied, refusing what would deploy a broken or insecure gateway. */
function checkedSettings(props: FloeGatewayOptions): Settings {
  const fail = (message: string): never => {
    throw new Error(`FloeGateway: ${message}`);
  };
  const d = GATEWAY_CDK_DEFAULTS;
  const desiredCount = props.desiredCount ?? d.desiredCount;
  const maxCount = props.maxCount ?? Math.max(d.maxCount, desiredCount);
  if (!Number.isInteger(desiredCount) || desiredCount < 1) fail(`desiredCount must be a positive integer, got ${desiredCount}`);
  if (!Number.isInteger(maxCount) || maxCount < desiredCount) fail(`maxCount (${maxCount}) must be at least desiredCount (${desiredCount})`);
  const rebalance = (props.rebalanceTimeout ?? d.rebalanceTimeout).toSeconds();
  const nlbTls = props.tls !== undefined && 'certificate' in props.tls;
  if (nlbTls && props.idleTimeout) fail(`an NLB TLS listener's idle timeout is fixed at ${NLB_TLS_IDLE_TIMEOUT.toSeconds()} s; use tls.secret (passthrough) to set idleTimeout`);
  const idleTimeout = nlbTls ? NLB_TLS_IDLE_TIMEOUT : (props.idleTimeout ?? d.idleTimeout);
  const idle = idleTimeout.toSeconds();
  if (idle < 60 || idle > 6000) fail(`idleTimeout must be 60-6000 seconds (the NLB's range), got ${idle}`);
  // A JoinGroup may wait the whole rebalance timeout without a byte on the connection.
  if (idle <= rebalance) fail(`the NLB idle timeout (${idle} s) must exceed the rebalance timeout (${rebalance} s), or JoinGroup connections are cut`);
  const saslMechanisms = props.saslMechanisms ?? (props.tls ? (['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN'] as const) : (['SCRAM-SHA-512', 'SCRAM-SHA-256'] as const));
  if (saslMechanisms.length === 0) fail('SASL is required when deployed: give at least one mechanism');
  for (const m of saslMechanisms) if (!(GATEWAY_SASL_MECHANISMS as readonly string[]).includes(m)) fail(`unknown SASL mechanism ${m}`);
  if (saslMechanisms.includes('PLAIN') && !props.tls) fail('SASL/PLAIN sends passwords in clear: it needs tls');
  const internetFacing = props.internetFacing ?? false;
  if (internetFacing && !props.clientCidrs?.length) fail('an internet-facing gateway needs clientCidrs (who may connect), e.g. your office network');
  return {
    port: props.port ?? d.port,
    desiredCount,
    maxCount,
    cpu: props.cpu ?? d.cpu,
    memoryLimitMiB: props.memoryLimitMiB ?? d.memoryLimitMiB,
    targetCpuUtilizationPercent: props.targetCpuUtilizationPercent ?? d.targetCpuUtilizationPercent,
    idleTimeout,
    internetFacing,
    saslMechanisms,
  };
}

/** The image built from the package's Dockerfile; synth only stages the context, `cdk deploy` builds it. */
function defaultImage(): ContainerImage {
  if (!existsSync(join(PACKAGE_ROOT, GATEWAY_DOCKERFILE))) {
    throw new Error(`FloeGateway: ${GATEWAY_DOCKERFILE} is missing from ${PACKAGE_ROOT}; build the image yourself and pass gateway.image`);
  }
  return ContainerImage.fromAsset(PACKAGE_ROOT, { file: GATEWAY_DOCKERFILE, platform: Platform.LINUX_ARM64 });
}
