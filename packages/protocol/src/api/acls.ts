/**
 * ACL rules (docs/security.md): Kafka's ACL model - principal, resource (type, name, pattern),
 * operation, allow or deny - as the HTTP API, the CLI and the SDK carry them. Kafka's `host`
 * field is always "*": where a call comes from is IAM's business (aws:SourceIp conditions).
 */

export const ACL_RESOURCE_TYPES = ['topic', 'group', 'cluster'] as const;
export type AclResourceType = (typeof ACL_RESOURCE_TYPES)[number];

export const ACL_PATTERN_TYPES = ['literal', 'prefixed'] as const;
export type AclPatternType = (typeof ACL_PATTERN_TYPES)[number];

/** Kafka's operations that mean something in Floe; `All` matches every operation. */
export const ACL_OPERATIONS = [
  'All',
  'Read',
  'Write',
  'Create',
  'Delete',
  'Alter',
  'Describe',
  'DescribeConfigs',
  'AlterConfigs',
  'IdempotentWrite',
] as const;
export type AclOperation = (typeof ACL_OPERATIONS)[number];

export const ACL_PERMISSIONS = ['allow', 'deny'] as const;
export type AclPermission = (typeof ACL_PERMISSIONS)[number];

/** The one cluster resource's name, as Kafka names it. */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster';
/** A principal that matches every caller (Kafka writes it `User:*`, accepted too). */
export const ANY_PRINCIPAL = '*';
/** A literal resource name that matches every resource of its type, as in Kafka. */
export const ANY_RESOURCE = '*';

export interface AclRule {
  /** An IAM ARN (`arn:aws:iam::<account>:role/<name>` covers that role's sessions), `User:<name>` (Kafka SASL), or `*`. */
  principal: string;
  resourceType: AclResourceType;
  resourceName: string;
  patternType: AclPatternType;
  operation: AclOperation;
  permission: AclPermission;
}

/**
 * Which rules a list or delete names; an absent field matches anything. `patternType` `match`
 * (Kafka's MATCH) selects the rules that apply to `resourceName`: literal, `*` and matching prefixes.
 */
export interface AclFilter {
  principal?: string;
  resourceType?: AclResourceType;
  resourceName?: string;
  patternType?: AclPatternType | 'any' | 'match';
  operation?: AclOperation;
  permission?: AclPermission;
}

/** Query parameters of GET and DELETE /v1/acls: the filter's fields, by these names. */
export const ACL_FILTER_FIELDS = ['principal', 'resourceType', 'resourceName', 'patternType', 'operation', 'permission'] as const;

/**
 * Served by the local cluster only: the principal a request acts as there (docs/security.md).
 * A deployed handler never reads it: it knows the caller only from what Lambda authenticated.
 */
export const LOCAL_PRINCIPAL_HEADER = 'x-floe-principal';
