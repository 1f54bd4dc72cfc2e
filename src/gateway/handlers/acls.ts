/**
 * DescribeAcls (29), CreateAcls (30), DeleteAcls (31): the rules of src/auth, managed by the same
 * functions as the admin routes (listAcls, addAcls, removeAcls - which make this process's next
 * check read the rules again). As in Kafka: listing needs Describe on the cluster, changing Alter
 * (else CLUSTER_AUTHORIZATION_FAILED); without an ACL table the answer is SECURITY_DISABLED.
 * Every Floe rule's host is `*` (hosts are IAM's business), so a rule for another host is refused
 * and a filter for one matches nothing. The everyone principal `*` goes out as Kafka's `User:*`.
 */
import { ANY_PRINCIPAL, FloeError, type AclFilter, type AclRule } from '@floe/protocol';
import type { CreateAclsRequest, DeleteAclsRequest, DescribeAclsRequest, KafkaStruct, MessageBody } from '@floe/protocol/kafka';
import { addAcls, AUTH_LIMITS, listAcls, parseFilter, parseRule, removeAcls } from '../../auth/index.js';
import { ANY, MATCH, operationCode, operationOf, patternTypeCode, patternTypeOf, permissionCode, permissionOf, resourceTypeCode, resourceTypeOf } from '../acl-enums.js';
import type { Handler } from '../context.js';
import { KafkaCode, toKafkaError } from '../kafka-codes.js';

const ANY_HOST = '*';

interface WireFilter {
  resourceTypeFilter?: number;
  resourceNameFilter?: string | null;
  patternTypeFilter?: number;
  principalFilter?: string | null;
  hostFilter?: string | null;
  operation?: number;
  permissionType?: number;
}

const invalid = (message: string): FloeError => new FloeError('INVALID_REQUEST', message);

/** A wire filter as src/auth's; undefined when it can match no Floe rule (another host, a resource type or operation Floe has no rules for). */
function filterOf(f: WireFilter): AclFilter | undefined {
  const fields: Record<string, unknown> = {};
  const type = f.resourceTypeFilter ?? 0;
  if (type !== ANY) {
    const name = resourceTypeOf(type);
    if (name === undefined) throw invalid(`resource type ${type} is not a filter's`);
    if (name === 'other') return undefined;
    fields.resourceType = name;
  }
  if (f.resourceNameFilter !== null && f.resourceNameFilter !== undefined) fields.resourceName = f.resourceNameFilter;
  // v0 has no pattern type: Kafka reads it as LITERAL.
  const pattern = f.patternTypeFilter ?? 3;
  if (pattern === ANY) fields.patternType = 'any';
  else if (pattern === MATCH) fields.patternType = fields.resourceName === undefined ? 'any' : 'match';
  else {
    const name = patternTypeOf(pattern);
    if (name === undefined || name === 'other') throw invalid(`pattern type ${pattern} is not a filter's`);
    fields.patternType = name;
  }
  if (f.principalFilter !== null && f.principalFilter !== undefined) fields.principal = f.principalFilter;
  if (f.hostFilter !== null && f.hostFilter !== undefined && f.hostFilter !== ANY_HOST) return undefined;
  const operation = f.operation ?? 0;
  if (operation !== ANY) {
    const name = operationOf(operation);
    if (name === undefined) throw invalid(`operation ${operation} is not a filter's`);
    if (name === 'other') return undefined;
    fields.operation = name;
  }
  const permission = f.permissionType ?? 0;
  if (permission !== ANY) {
    const name = permissionOf(permission);
    if (name === undefined || name === 'other') throw invalid(`permission type ${permission} is not a filter's`);
    fields.permission = name;
  }
  return parseFilter(fields);
}

/** The wire fields of a rule (Kafka's AclBinding). */
const bindingOf = (rule: AclRule) => ({
  resourceType: resourceTypeCode(rule.resourceType),
  resourceName: rule.resourceName,
  patternType: patternTypeCode(rule.patternType),
  principal: rule.principal === ANY_PRINCIPAL ? 'User:*' : rule.principal,
  host: ANY_HOST,
  operation: operationCode(rule.operation),
  permissionType: permissionCode(rule.permission),
});

export const describeAcls: Handler = async (gw, raw, { access }) => {
  const body = raw as MessageBody<typeof DescribeAclsRequest>;
  try {
    (await access()).requireCluster('Describe');
    const filter = filterOf(body as WireFilter);
    const rules = filter === undefined ? [] : await listAcls(gw.deps.auth, filter);
    const resources = new Map<string, { resourceType: number; resourceName: string; patternType: number; acls: KafkaStruct[] }>();
    for (const rule of rules) {
      const { resourceType, resourceName, patternType, principal, host, operation, permissionType } = bindingOf(rule);
      const key = `${resourceType}\0${patternType}\0${resourceName}`;
      const entry = resources.get(key) ?? { resourceType, resourceName, patternType, acls: [] };
      entry.acls.push({ principal, host, operation, permissionType });
      resources.set(key, entry);
    }
    return { throttleTimeMs: 0, errorCode: KafkaCode.NONE, errorMessage: null, resources: [...resources.values()] };
  } catch (error) {
    const { code, message } = toKafkaError(error);
    return { throttleTimeMs: 0, errorCode: code, errorMessage: message, resources: [] };
  }
};

interface WireCreation {
  resourceType?: number;
  resourceName?: string;
  resourcePatternType?: number;
  principal?: string;
  host?: string;
  operation?: number;
  permissionType?: number;
}

/** A creation as a rule, checked as the admin route checks one (parseRule): INVALID_REQUEST names what is wrong. */
function ruleOf(c: WireCreation): AclRule {
  const named = <T>(value: T | 'other' | undefined, what: string, raw: number | undefined): T => {
    if (value === undefined || value === 'other') throw invalid(`${what} ${raw} cannot be given to a rule in Floe`);
    return value;
  };
  if ((c.host ?? ANY_HOST) !== ANY_HOST) throw invalid(`host "${c.host}": every Floe rule's host is * (restrict where calls come from with IAM)`);
  return parseRule({
    principal: c.principal,
    resourceType: named(resourceTypeOf(c.resourceType ?? 0), 'resource type', c.resourceType),
    resourceName: c.resourceName,
    patternType: named(patternTypeOf(c.resourcePatternType ?? 3), 'pattern type', c.resourcePatternType),
    operation: named(operationOf(c.operation ?? 0), 'operation', c.operation),
    permission: named(permissionOf(c.permissionType ?? 0), 'permission type', c.permissionType),
  });
}

const result = (error?: unknown): KafkaStruct => {
  if (error === undefined) return { errorCode: KafkaCode.NONE, errorMessage: null };
  const { code, message } = toKafkaError(error);
  return { errorCode: code, errorMessage: message };
};

export const createAcls: Handler = async (gw, raw, { access }) => {
  const body = raw as MessageBody<typeof CreateAclsRequest>;
  const creations = (body.creations ?? []) as WireCreation[];
  try {
    (await access()).requireCluster('Alter');
    if (creations.length > AUTH_LIMITS.maxRulesPerRequest) throw invalid(`${creations.length} rules in one request; the limit is ${AUTH_LIMITS.maxRulesPerRequest}`);
  } catch (error) {
    return { throttleTimeMs: 0, results: creations.map(() => result(error)) };
  }
  // Each creation stands alone: a bad one is refused, the good ones are added.
  const parsed = creations.map((c) => {
    try {
      return { rule: ruleOf(c) };
    } catch (error) {
      return { error };
    }
  });
  const rules = parsed.flatMap((p) => (p.rule ? [p.rule] : []));
  let failure: unknown;
  if (rules.length > 0) await addAcls(gw.deps.auth, rules).catch((error: unknown) => (failure = error));
  return { throttleTimeMs: 0, results: parsed.map((p) => result(p.rule ? failure : p.error)) };
};

export const deleteAcls: Handler = async (gw, raw, { access }) => {
  const body = raw as MessageBody<typeof DeleteAclsRequest>;
  const filters = (body.filters ?? []) as WireFilter[];
  const failed = (error: unknown) => ({ ...result(error), matchingAcls: [] });
  try {
    (await access()).requireCluster('Alter');
    if (filters.length > AUTH_LIMITS.maxRulesPerRequest) throw invalid(`${filters.length} filters in one request; the limit is ${AUTH_LIMITS.maxRulesPerRequest}`);
  } catch (error) {
    return { throttleTimeMs: 0, filterResults: filters.map(() => failed(error)) };
  }
  const filterResults: KafkaStruct[] = [];
  // In order, as Kafka applies them: a rule matched by two filters is reported by the first.
  for (const f of filters) {
    try {
      const filter = filterOf(f);
      const removed = filter === undefined ? [] : await removeAcls(gw.deps.auth, filter);
      filterResults.push({ ...result(), matchingAcls: removed.map((rule) => ({ ...result(), ...bindingOf(rule) })) });
    } catch (error) {
      filterResults.push(failed(error));
    }
  }
  return { throttleTimeMs: 0, filterResults };
};
