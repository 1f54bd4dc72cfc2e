/** Authorization (docs/security.md): identities, Kafka-style ACL rules, decisions, the rules cache and table. */
export { Access, RuleIndex, resourceMatches } from './access.js';
export { createAuthorizer, type AuthorizationMode, type Authorizer, type AuthSettings } from './authorizer.js';
export { denied, deniedCode } from './errors.js';
export { matchesFilter } from './filter.js';
export { ANONYMOUS, ANONYMOUS_PRINCIPAL, canonicalPrincipal, identityOf, type Identity } from './identity.js';
export { AUTH_LIMITS } from './limits.js';
export { aclStore, addAcls, listAcls, removeAcls } from './manage.js';
export { checkResourceName, parseFilter, parseOperation, parsePatternType, parsePermission, parsePrincipal, parseResourceType, parseRule } from './rules.js';
export { RulesCache } from './rules-cache.js';
export { deleteRule, putRule, readRules, type AclStore } from './store.js';
