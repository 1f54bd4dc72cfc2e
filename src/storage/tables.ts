/** Table definitions shared by the local cluster (CreateTable) and the CDK stack. */
import { KEY_ATTRIBUTES, TTL_ATTRIBUTE } from './keys.js';

export interface TableSpec {
  /** Logical name: the CDK construct id and the local table name suffix. */
  readonly logicalName: 'Log' | 'Groups';
  readonly envVar: 'FLOE_LOG_TABLE' | 'FLOE_GROUPS_TABLE';
  readonly partitionKey: string;
  readonly sortKey: string;
  /** Items that expire (members, leases) carry this attribute; CDK enables TTL on it. */
  readonly ttlAttribute: string;
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

export const TABLES = [LOG_TABLE, GROUPS_TABLE] as const;
