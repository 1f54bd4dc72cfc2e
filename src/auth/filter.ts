/** Which rules a filter selects (Kafka's AclBindingFilter): absent fields match anything. */
import type { AclFilter, AclRule } from '@floe/protocol';
import { resourceMatches } from './access.js';

export function matchesFilter(rule: AclRule, filter: AclFilter): boolean {
  if (filter.principal !== undefined && filter.principal !== rule.principal) return false;
  if (filter.resourceType !== undefined && filter.resourceType !== rule.resourceType) return false;
  if (filter.operation !== undefined && filter.operation !== rule.operation) return false;
  if (filter.permission !== undefined && filter.permission !== rule.permission) return false;
  const pattern = filter.patternType ?? 'any';
  // match: every rule that applies to the named resource (literal, the * wildcard, matching prefixes).
  if (pattern === 'match') return filter.resourceName !== undefined && resourceMatches(rule, filter.resourceName);
  if (pattern !== 'any' && pattern !== rule.patternType) return false;
  return filter.resourceName === undefined || filter.resourceName === rule.resourceName;
}
