/**
 * Authorization with ACLs (docs/security.md): the rules table, who may read and write it, and
 * the settings every function reads. Least privilege: the data functions only Query the rules
 * (one paged Query per cache period), the admin function and the Kafka gateway (which serves
 * CreateAcls and DeleteAcls) also add and remove them, and housekeeping never sees them.
 */
import type { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ACL_CACHE_MS_RANGE, ENV } from '../../src/config/index.js';
import { ACL_TABLE } from '../../src/storage/tables.js';
import type { HandlerName } from '../handlers.js';
import { FloeTable } from './floe-storage.js';

export interface FloeAclsProps {
  /**
   * Principals no rule restricts (Kafka's super.users): the bootstrap administrators who add the
   * first rules. At least one, e.g. the role that deploys and operates the stack.
   */
  readonly superUsers: readonly string[];
  /** How long a function instance decides with the rules it read (FLOE_ACL_CACHE_MS). @default 10 seconds */
  readonly cacheTtl?: Duration;
  readonly destroyOnDelete?: boolean;
}

/** Who may use the rules: a function, or the Kafka gateway's task role. */
export type AclUser = HandlerName | 'gateway';

/** What each function (and the gateway) may do with the rules: read them to decide, or manage them too. */
export const ACL_ACCESS: Readonly<Record<AclUser, readonly string[]>> = {
  produce: ['dynamodb:Query'],
  fetch: ['dynamodb:Query'],
  groups: ['dynamodb:Query'],
  admin: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
  housekeeping: [],
  // Decides like the data functions, and serves Kafka's CreateAcls and DeleteAcls like admin.
  gateway: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
};

export class FloeAcls extends Construct {
  readonly table: Table;
  readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string, props: FloeAclsProps) {
    super(scope, id);
    if (props.superUsers.length === 0) {
      // No rule and no super user: nobody could ever add the first rule.
      throw new Error("authorization 'acl' needs aclSuperUsers: the principals that add the first rules (docs/security.md#bootstrap)");
    }
    const ttlMs = props.cacheTtl?.toMilliseconds();
    // Checked at synth, not when every function fails to start.
    if (ttlMs !== undefined && (ttlMs < ACL_CACHE_MS_RANGE.min || ttlMs > ACL_CACHE_MS_RANGE.max)) {
      throw new Error(`aclCacheTtl must be from ${ACL_CACHE_MS_RANGE.min} ms to ${ACL_CACHE_MS_RANGE.max} ms, got ${ttlMs} ms`);
    }
    const destroy = props.destroyOnDelete ?? false;
    this.table = new FloeTable(this, ACL_TABLE.logicalName, { spec: ACL_TABLE, destroyOnDelete: destroy }).table;
    this.environment = {
      [ENV.authorization]: 'acl',
      [ENV.aclTable]: this.table.tableName,
      [ENV.aclSuperUsers]: props.superUsers.join(','),
      ...(props.cacheTtl ? { [ENV.aclCacheMs]: String(props.cacheTtl.toMilliseconds()) } : {}),
    };
  }

  /** The statement that lets a function (or the gateway) use the rules as it needs; undefined: none. */
  statementFor(name: AclUser): PolicyStatement | undefined {
    const actions = ACL_ACCESS[name];
    if (actions.length === 0) return undefined;
    return new PolicyStatement({ sid: 'FloeAclRules', effect: Effect.ALLOW, actions: [...actions], resources: [this.table.tableArn] });
  }
}
