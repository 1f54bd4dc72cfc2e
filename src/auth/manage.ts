/**
 * ACL management - list, add, remove - for the admin routes, the gateway's DescribeAcls,
 * CreateAcls and DeleteAcls, and the CLI. The caller checks the cluster operation first
 * (Describe to list, Alter to change); these only touch the rules.
 */
import { FloeError, mapConcurrent, type AclFilter, type AclRule } from '@floe/protocol';
import type { Authorizer } from './authorizer.js';
import { matchesFilter } from './filter.js';
import { AUTH_LIMITS } from './limits.js';
import { deleteRule, putRule, readRules, type AclStore } from './store.js';

const WRITES_IN_FLIGHT = 16;

/** The ACL table, or SECURITY_DISABLED (Kafka's answer when no authorizer is configured). */
export function aclStore(auth: Authorizer): AclStore {
  if (!auth.store) throw new FloeError('SECURITY_DISABLED', 'authorization is off on this deployment: it has no ACL table (docs/security.md)');
  return auth.store;
}

export async function listAcls(auth: Authorizer, filter: AclFilter): Promise<AclRule[]> {
  return (await readRules(aclStore(auth))).filter((rule) => matchesFilter(rule, filter));
}

/** Adds rules (idempotent); `added` is false for a rule that was there already. */
export async function addAcls(auth: Authorizer, rules: AclRule[]): Promise<Array<{ rule: AclRule; added: boolean }>> {
  const store = aclStore(auth);
  if (rules.length > AUTH_LIMITS.maxRulesPerRequest) throw new FloeError('INVALID_REQUEST', `${rules.length} rules in one request; the limit is ${AUTH_LIMITS.maxRulesPerRequest}`);
  const existing = await readRules(store);
  if (existing.length + rules.length > AUTH_LIMITS.maxRules) {
    throw new FloeError('INVALID_REQUEST', `the cluster has ${existing.length} rules; adding ${rules.length} would pass the limit of ${AUTH_LIMITS.maxRules} (every instance holds them all)`);
  }
  try {
    return await mapConcurrent(rules, WRITES_IN_FLIGHT, async (rule) => ({ rule, added: await putRule(store, rule) }));
  } finally {
    auth.rulesChanged();
  }
}

/** Removes every rule the filter selects and returns them. */
export async function removeAcls(auth: Authorizer, filter: AclFilter): Promise<AclRule[]> {
  const store = aclStore(auth);
  const selected = (await readRules(store)).filter((rule) => matchesFilter(rule, filter));
  try {
    const removed = await mapConcurrent(selected, WRITES_IN_FLIGHT, async (rule) => ((await deleteRule(store, rule)) ? rule : undefined));
    return removed.filter((rule): rule is AclRule => rule !== undefined);
  } finally {
    auth.rulesChanged();
  }
}
