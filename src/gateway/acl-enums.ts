/**
 * Kafka's ACL enums on the wire (ResourceType, PatternType, AclOperation, AclPermissionType) and
 * Floe's names for them (@floe/protocol's AclRule). Values Floe has no rules for (transactional
 * ids, delegation tokens, ClusterAction...) map to undefined: a filter naming them matches
 * nothing, a rule naming them is refused.
 */
import type { AclOperation, AclPatternType, AclPermission, AclResourceType } from '@floe/protocol';

/** The "any" value of every enum, in filters. */
export const ANY = 1;
/** PatternType MATCH: every rule that applies to the named resource (filters only). */
export const MATCH = 2;

const RESOURCE_TYPES: ReadonlyMap<number, AclResourceType> = new Map([
  [2, 'topic'],
  [3, 'group'],
  [4, 'cluster'],
]);
/** Kafka's resource types that exist but that Floe has no rules for. */
const OTHER_RESOURCE_TYPES = new Set([5, 6, 7]);

const PATTERN_TYPES: ReadonlyMap<number, AclPatternType> = new Map([
  [3, 'literal'],
  [4, 'prefixed'],
]);

const OPERATIONS: ReadonlyMap<number, AclOperation> = new Map([
  [2, 'All'],
  [3, 'Read'],
  [4, 'Write'],
  [5, 'Create'],
  [6, 'Delete'],
  [7, 'Alter'],
  [8, 'Describe'],
  [10, 'DescribeConfigs'],
  [11, 'AlterConfigs'],
  [12, 'IdempotentWrite'],
]);
const OTHER_OPERATIONS = new Set([9, 13, 14]);

const PERMISSIONS: ReadonlyMap<number, AclPermission> = new Map([
  [2, 'deny'],
  [3, 'allow'],
]);

/** A wire value as Floe's name: the name, `other` for a real Kafka value Floe has no rules for, undefined for a value that is not Kafka's. */
function decode<T>(table: ReadonlyMap<number, T>, others: ReadonlySet<number>, value: number): T | 'other' | undefined {
  return table.get(value) ?? (others.has(value) ? 'other' : undefined);
}

export const resourceTypeOf = (value: number) => decode(RESOURCE_TYPES, OTHER_RESOURCE_TYPES, value);
export const patternTypeOf = (value: number) => decode(PATTERN_TYPES, new Set(), value);
export const operationOf = (value: number) => decode(OPERATIONS, OTHER_OPERATIONS, value);
export const permissionOf = (value: number) => decode(PERMISSIONS, new Set(), value);

function encode<T>(table: ReadonlyMap<number, T>, name: T): number {
  for (const [value, known] of table) if (known === name) return value;
  throw new Error(`no Kafka value for ${String(name)}`);
}

export const resourceTypeCode = (name: AclResourceType): number => encode(RESOURCE_TYPES, name);
export const patternTypeCode = (name: AclPatternType): number => encode(PATTERN_TYPES, name);
export const operationCode = (name: AclOperation): number => encode(OPERATIONS, name);
export const permissionCode = (name: AclPermission): number => encode(PERMISSIONS, name);
