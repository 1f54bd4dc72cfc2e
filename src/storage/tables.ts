/** Table definitions shared by the local cluster (CreateTable) and the CDK stack. */
import { KEY_ATTRIBUTES, TTL_ATTRIBUTE } from './keys.js';

export interface TableSpec {
  /** Logical name: the CDK construct id and the local table name suffix. */
  readonly logicalName: 'Log' | 'Groups' | 'Acls';
  readonly envVar: 'FLOE_LOG_TABLE' | 'FLOE_GROUPS_TABLE' | 'FLOE_ACL_TABLE';
  readonly partitionKey: string;
  readonly sortKey: string;
  /** Items that expire (members, leases) carry this attribute; CDK enables TTL on it. None: nothing expires. */
  readonly ttlAttribute?: string;
}

export const LOG_TABLE: TableSpec = {
  logicalName: 'Log',
  envVar: 'FLOE_LOG_TABLE',
  partitionKey: KEY_ATTRIBUTES.partitionKey,
  sortKey: KEY_ATTRIBUTES.sortKey,
  ttlAttribute: TTL_ATTRIBUTE,
};

export const GROUPS_TABLE: TableSpec = {
  logicalName: 'Groups',
  envVar: 'FLOE_GROUPS_TABLE',
  partitionKey: KEY_ATTRIBUTES.partitionKey,
  sortKey: KEY_ATTRIBUTES.sortKey,
  ttlAttribute: TTL_ATTRIBUTE,
};

/** Every deployment's tables. */
export const TABLES = [LOG_TABLE, GROUPS_TABLE] as const;

/**
 * The ACL rules (docs/security.md), only where authorization is on. A table of its own so that
 * the data-path functions can read rules without being able to write them. Rules never expire.
 */
export const ACL_TABLE: TableSpec = {
  logicalName: 'Acls',
  envVar: 'FLOE_ACL_TABLE',
  partitionKey: KEY_ATTRIBUTES.partitionKey,
  sortKey: KEY_ATTRIBUTES.sortKey,
};
