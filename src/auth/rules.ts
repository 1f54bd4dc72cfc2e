/**
 * ACL rules and filters as callers give them (HTTP JSON, query strings, Kafka's CreateAcls),
 * checked field by field: a bad one is INVALID_REQUEST naming the field, and nothing is stored.
 */
import {
  ACL_OPERATIONS,
  ACL_PATTERN_TYPES,
  ACL_PERMISSIONS,
  ACL_RESOURCE_TYPES,
  ANY_PRINCIPAL,
  ANY_RESOURCE,
  CLUSTER_RESOURCE_NAME,
  FloeError,
  GROUP_LIMITS,
  type AclFilter,
  type AclOperation,
  type AclPatternType,
  type AclPermission,
  type AclResourceType,
  type AclRule,
} from '@floe/protocol';
import { LIMITS } from '../log/limits.js';
import { AUTH_LIMITS } from './limits.js';

/** What a topic or group name (or prefix) may hold: the names' own rules. */
const NAME_RULES = {
  topic: { chars: /^[a-zA-Z0-9._-]+$/, text: '[a-zA-Z0-9._-]', max: LIMITS.maxTopicNameLength },
  group: { chars: /^[a-zA-Z0-9._:-]+$/, text: '[a-zA-Z0-9._:-]', max: GROUP_LIMITS.maxGroupIdLength },
} as const;
/** IAM and STS ARNs in any partition (aws, aws-cn, aws-us-gov...), of a 12-digit account. */
const IAM_ARN = /^arn:[a-z][a-z0-9-]*:(iam|sts)::\d{12}:[\x21-\x7e]+$/;
const USER_PRINCIPAL = /^User:[^\x00-\x1f\x7f]+$/;

const bad = (what: string, message: string): FloeError => new FloeError('INVALID_REQUEST', `${what}: ${message}`);

function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  // Case-insensitive, as kafka-acls takes them (--operation read, --resource-pattern-type PREFIXED).
  const found = typeof value === 'string' ? allowed.find((a) => a.toLowerCase() === value.toLowerCase()) : undefined;
  if (found === undefined) throw bad(what, `must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`);
  return found;
}

/** `*` and Kafka's `User:*` both mean every caller. */
export function parsePrincipal(value: unknown, what = 'principal'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > AUTH_LIMITS.maxPrincipalLength) {
    throw bad(what, `must be a non-empty string of at most ${AUTH_LIMITS.maxPrincipalLength} characters`);
  }
  if (value === ANY_PRINCIPAL || value === 'User:*') return ANY_PRINCIPAL;
  if (IAM_ARN.test(value) || USER_PRINCIPAL.test(value)) return value;
  throw bad(what, `"${value}" is not a principal: use an IAM ARN (arn:aws:iam::<account>:role/<name>), User:<name> (Kafka SASL) or *`);
}

export const parseResourceType = (value: unknown, what = 'resourceType'): AclResourceType => oneOf(value, ACL_RESOURCE_TYPES, what);
export const parseOperation = (value: unknown, what = 'operation'): AclOperation => oneOf(value, ACL_OPERATIONS, what);
export const parsePermission = (value: unknown, what = 'permission'): AclPermission => oneOf(value, ACL_PERMISSIONS, what);
export const parsePatternType = (value: unknown, what = 'patternType'): AclPatternType => oneOf(value, ACL_PATTERN_TYPES, what);

/** A resource name (or prefix) a rule may name for its type. */
export function checkResourceName(type: AclResourceType, pattern: AclPatternType, name: unknown, what = 'resourceName'): string {
  if (typeof name !== 'string' || name.length === 0) throw bad(what, 'must be a non-empty string');
  if (type === 'cluster') {
    if (name !== CLUSTER_RESOURCE_NAME || pattern !== 'literal') throw bad(what, `the cluster resource is the literal "${CLUSTER_RESOURCE_NAME}"`);
    return name;
  }
  if (pattern === 'literal' && name === ANY_RESOURCE) return name;
  const rule = NAME_RULES[type];
  if (name.length > rule.max || !rule.chars.test(name)) {
    throw bad(what, `"${name}" is not a ${type} name${pattern === 'prefixed' ? ' prefix' : ''}: at most ${rule.max} of ${rule.text}, or the literal *`);
  }
  return name;
}

const field = (body: Record<string, unknown>, name: string, index?: number): { value: unknown; what: string } => ({
  value: body[name],
  what: index === undefined ? name : `rules[${index}].${name}`,
});

/** One rule from JSON: `patternType` defaults to literal (as kafka-acls'), `resourceName` to kafka-cluster for the cluster. */
export function parseRule(input: unknown, index?: number): AclRule {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw bad(index === undefined ? 'rule' : `rules[${index}]`, 'must be an object');
  const body = input as Record<string, unknown>;
  const get = (name: string) => field(body, name, index);
  const resourceType = parseResourceType(get('resourceType').value, get('resourceType').what);
  const patternType = body.patternType === undefined ? 'literal' : parsePatternType(get('patternType').value, get('patternType').what);
  const rawName = body.resourceName === undefined && resourceType === 'cluster' ? CLUSTER_RESOURCE_NAME : body.resourceName;
  return {
    principal: parsePrincipal(get('principal').value, get('principal').what),
    resourceType,
    resourceName: checkResourceName(resourceType, patternType, rawName, get('resourceName').what),
    patternType,
    operation: parseOperation(get('operation').value, get('operation').what),
    permission: parsePermission(get('permission').value, get('permission').what),
  };
}

/** A filter from JSON or query parameters: absent (or "any") fields match anything. */
export function parseFilter(input: Record<string, unknown>): AclFilter {
  const given = (name: string): unknown => {
    const value = input[name];
    return value === undefined || value === null || value === '' || (typeof value === 'string' && value.toLowerCase() === 'any') ? undefined : value;
  };
  const filter: AclFilter = {};
  const principal = given('principal');
  if (principal !== undefined) filter.principal = parsePrincipal(principal);
  const type = given('resourceType');
  if (type !== undefined) filter.resourceType = parseResourceType(type);
  const name = given('resourceName');
  if (name !== undefined) {
    if (typeof name !== 'string') throw bad('resourceName', 'must be a string');
    filter.resourceName = name;
  }
  const pattern = input.patternType;
  if (typeof pattern === 'string' && ['any', 'match'].includes(pattern.toLowerCase())) filter.patternType = pattern.toLowerCase() as 'any' | 'match';
  else if (given('patternType') !== undefined) filter.patternType = parsePatternType(pattern);
  if (filter.patternType === 'match' && filter.resourceName === undefined) throw bad('patternType', 'match needs a resourceName');
  const operation = given('operation');
  if (operation !== undefined) filter.operation = parseOperation(operation);
  const permission = given('permission');
  if (permission !== undefined) filter.permission = parsePermission(permission);
  return filter;
}
