/**
 * s3Express on the Floe construct: segments in an S3 Express One Zone directory bucket in
 * the given AZ, every function and the gateway reaching it by session (read-only sessions for
 * the functions that only read), no general purpose bucket, cdk-nag clean.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../src/config/index.js';
import { FloeStack } from '../../cdk/floe-stack.js';
import { stackPropsFromContext } from '../../cdk/context.js';
import { HANDLERS } from '../../cdk/handlers.js';

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
}

let outdir: string;
let app: App;
let nag: AwsSolutionsChecks;
let stack: FloeStack;
let template: Template;

const logicalId = (construct: IConstruct): string => Stack.of(construct).resolve((construct.node.defaultChild as CfnResource | undefined)?.logicalId ?? (construct as CfnResource).logicalId) as string;

function statementsOf(roleId: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as Array<{ Ref?: string }>).some((r) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

const s3Statements = (roleId: string) => statementsOf(roleId).filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:') || a.startsWith('s3express:')));

beforeAll(() => {
  process.env.CDK_DISABLE_CLI_TELEMETRY = 'true';
  outdir = mkdtempSync(join(tmpdir(), 'floe-cdk-express-'));
  // Prepare
  app = new App({ outdir });
  stack = new FloeStack(app, 'Express', { s3Express: { availabilityZoneId: 'use1-az4' }, gateway: {} });
  nag = new AwsSolutionsChecks(app);
  Validations.of(app).addPlugins(nag);
  // Act
  app.synth();
  template = Template.fromStack(stack);
});

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe('s3Express', () => {
  it('creates one directory bucket in the AZ, encrypted, and no general purpose bucket', () => {
    // Assess
    template.resourceCountIs('AWS::S3::Bucket', 0);
    const buckets = Object.values(template.findResources('AWS::S3Express::DirectoryBucket'));
    expect(buckets).toHaveLength(1);
    expect(buckets[0]!.Properties).toMatchObject({
      DataRedundancy: 'SingleAvailabilityZone',
      LocationName: 'use1-az4',
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    expect(buckets[0]!.DeletionPolicy).toBe('Retain');
  });

  it('names the directory bucket in every function', () => {
    // Assess
    const bucketRef = { Ref: logicalId(stack.floe.storage.directoryBucket!) };
    for (const name of HANDLERS) {
      const fn = template.findResources('AWS::Lambda::Function')[logicalId(stack.floe.functions[name].function)]!;
      expect((fn.Properties.Environment.Variables as Record<string, unknown>)[ENV.bucket]).toEqual(bucketRef);
    }
  });

  it('grants sessions on that bucket only, with no session-mode condition (the SDK opens ReadWrite sessions itself)', () => {
    // Assess
    const bucketArn = { 'Fn::GetAtt': [logicalId(stack.floe.storage.directoryBucket!), 'Arn'] };
    for (const name of HANDLERS) {
      const statements = s3Statements(logicalId(stack.floe.functions[name].role));
      expect(statements, name).toEqual([{ Sid: 'SegmentSessions', Effect: 'Allow', Action: 's3express:CreateSession', Resource: bucketArn }]);
    }
    const gateway = s3Statements(logicalId(stack.floe.gateway!.taskRole));
    expect(gateway).toEqual([{ Sid: 'SegmentSessions', Effect: 'Allow', Action: 's3express:CreateSession', Resource: bucketArn }]);
  });

  it("gives the gateway's VPC an S3 Express gateway endpoint next to the S3 and DynamoDB ones", () => {
    // Assess
    const services = Object.values(template.findResources('AWS::EC2::VPCEndpoint')).map((e) => JSON.stringify(e.Properties.ServiceName));
    expect(services.filter((s) => s.includes('s3express'))).toHaveLength(1);
    expect(services).toHaveLength(3);
  });

  it('is set from context, and refuses an AZ name where an AZ ID belongs', () => {
    // Act
    const props = stackPropsFromContext({ tryGetContext: (key: string) => (key === 'floe:s3ExpressAvailabilityZoneId' ? 'usw2-az1' : undefined) });

    // Assess
    expect(props.s3Express).toEqual({ availabilityZoneId: 'usw2-az1' });
    expect(() => stackPropsFromContext({ tryGetContext: (key: string) => (key === 'floe:s3ExpressAvailabilityZoneId' ? 'us-east-1a' : undefined) })).toThrow(/Availability Zone ID/);
    expect(() => new FloeStack(new App(), 'BadAz', { s3Express: { availabilityZoneId: 'us-east-1a' } })).toThrow(/Availability Zone ID/);
  });

  it('is cdk-nag clean', () => {
    // Assess
    const report = nag.validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});
