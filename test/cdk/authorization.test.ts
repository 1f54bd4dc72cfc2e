/**
 * authorization: 'acl' on the Floe construct: the rules table, read-only access for the data
 * functions and write access for admin (and the Kafka gateway, which serves CreateAcls and
 * DeleteAcls) only, the settings in every function and in the gateway's container, cdk-nag clean.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../src/config/index.js';
import { ACL_TABLE } from '../../src/storage/tables.js';
import { FloeStack } from '../../cdk/floe-stack.js';
import { HANDLERS } from '../../cdk/handlers.js';

const OPERATOR = 'arn:aws:iam::111122223333:role/FloeOperator';
let outdir: string;
let app: App;
let nag: AwsSolutionsChecks;
let stack: FloeStack;
let template: Template;
let withGateway: FloeStack;
let gatewayTemplate: Template;

const logicalId = (construct: IConstruct): string => Stack.of(construct).resolve((construct.node.defaultChild as CfnResource).logicalId) as string;

/** The actions a function's role may take on the rules table. */
function aclActions(name: (typeof HANDLERS)[number]): string[] {
  const roleId = logicalId(stack.floe.functions[name].role);
  const tableArn = JSON.stringify({ 'Fn::GetAtt': [logicalId(stack.floe.acls!.table), 'Arn'] });
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
    (p.Properties.Roles as Array<{ Ref?: string }>).some((r) => r.Ref === roleId),
  );
  const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>);
  return statements
    .filter((s) => [s.Resource].flat().some((r) => JSON.stringify(r) === tableArn))
    .flatMap((s) => [s.Action].flat())
    .sort();
}

beforeAll(() => {
  process.env.CDK_DISABLE_CLI_TELEMETRY = 'true';
  outdir = mkdtempSync(join(tmpdir(), 'floe-cdk-acl-'));
  // Prepare
  app = new App({ outdir });
  stack = new FloeStack(app, 'Acl', { authorization: 'acl', aclSuperUsers: [OPERATOR], aclCacheTtl: Duration.seconds(30) });
  withGateway = new FloeStack(app, 'AclGateway', { authorization: 'acl', aclSuperUsers: [OPERATOR], gateway: {} });
  nag = new AwsSolutionsChecks(app);
  Validations.of(app).addPlugins(nag);
  // Act
  app.synth();
  template = Template.fromStack(stack);
  gatewayTemplate = Template.fromStack(withGateway);
});

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe("authorization: 'acl'", () => {
  it('creates the rules table with the key schema src/auth reads, encrypted and recoverable, without TTL', () => {
    // Assess
    const tables = template.findResources('AWS::DynamoDB::Table');
    const acl = tables[logicalId(stack.floe.acls!.table)]!;
    expect(Object.keys(tables)).toHaveLength(3);
    expect(acl.Properties.KeySchema).toEqual([
      { AttributeName: ACL_TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: ACL_TABLE.sortKey, KeyType: 'RANGE' },
    ]);
    expect(acl.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(acl.Properties.TimeToLiveSpecification).toBeUndefined();
    expect(acl.DeletionPolicy).toBe('Retain');
  });

  it('lets the data functions only read the rules, admin manage them, housekeeping nothing', () => {
    // Assess
    expect(aclActions('produce')).toEqual(['dynamodb:Query']);
    expect(aclActions('fetch')).toEqual(['dynamodb:Query']);
    expect(aclActions('groups')).toEqual(['dynamodb:Query']);
    expect(aclActions('admin')).toEqual(['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query']);
    expect(aclActions('housekeeping')).toEqual([]);
  });

  it('gives every URL function the mode, the table, the bootstrap super user and the cache time', () => {
    // Assess
    for (const name of ['produce', 'fetch', 'admin', 'groups'] as const) {
      const fn = template.findResources('AWS::Lambda::Function')[logicalId(stack.floe.functions[name].function)]!;
      const env = fn.Properties.Environment.Variables as Record<string, unknown>;
      expect(env[ENV.authorization]).toBe('acl');
      expect(env[ENV.aclTable]).toEqual({ Ref: logicalId(stack.floe.acls!.table) });
      expect(env[ENV.aclSuperUsers]).toBe(OPERATOR);
      expect(env[ENV.aclCacheMs]).toBe('30000');
    }
  });

  it('refuses a deployment nobody could add the first rule to, and a cache time out of range', () => {
    // Act / Assess
    expect(() => new FloeStack(new App(), 'NoSuper', { authorization: 'acl' })).toThrow(/aclSuperUsers/);
    expect(() => new FloeStack(new App(), 'Ttl', { authorization: 'acl', aclSuperUsers: [OPERATOR], aclCacheTtl: Duration.millis(10) })).toThrow(/aclCacheTtl/);
  });

  it('lets the Kafka gateway read and manage the rules, and nothing more of the table', () => {
    // Assess
    const gateway = withGateway.floe.gateway!;
    const roleId = logicalId(gateway.taskRole);
    const tableArn = JSON.stringify({ 'Fn::GetAtt': [logicalId(withGateway.floe.acls!.table), 'Arn'] });
    const statements = Object.values(gatewayTemplate.findResources('AWS::IAM::Policy'))
      .filter((p) => (p.Properties.Roles as Array<{ Ref?: string }>).some((r) => r.Ref === roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>);
    const onTable = statements.filter((s) => [s.Resource].flat().some((r) => JSON.stringify(r) === tableArn));
    expect(onTable.flatMap((s) => [s.Action].flat()).sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query']);
    // Only the table itself: no index, no wildcard.
    expect(onTable.every((s) => [s.Resource].flat().length === 1)).toBe(true);
  });

  it("gives the gateway's container the same authorization settings as the functions", () => {
    // Assess
    const [task] = Object.values(gatewayTemplate.findResources('AWS::ECS::TaskDefinition'));
    const [container] = task!.Properties.ContainerDefinitions as Array<{ Environment: Array<{ Name: string; Value: unknown }> }>;
    const env = Object.fromEntries(container!.Environment.map((e) => [e.Name, e.Value]));
    expect(env[ENV.authorization]).toBe('acl');
    expect(env[ENV.aclTable]).toEqual({ Ref: logicalId(withGateway.floe.acls!.table) });
    expect(env[ENV.aclSuperUsers]).toBe(OPERATOR);
  });

  it('is cdk-nag clean', () => {
    // Assess
    const report = nag.validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});
