/**
 * The authorizer of one function instance or gateway process: off (everyone the front door
 * admits may do everything, nothing is read) or ACLs (rules from the ACL table, cached; super
 * users skip them, as Kafka's super.users).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { FloeError } from '@floe/protocol';
import { Access } from './access.js';
import { canonicalPrincipal, type Identity } from './identity.js';
import { AUTH_LIMITS } from './limits.js';
import { parsePrincipal } from './rules.js';
import { RulesCache } from './rules-cache.js';
import { readRules, type AclStore } from './store.js';

export type AuthorizationMode = 'none' | 'acl';

/** The server configuration's authorization fields (src/config/index.ts reads them from the environment). */
export interface AuthSettings {
  authorization: AuthorizationMode;
  /** The ACL table; required with 'acl'. Without one, ACL management answers SECURITY_DISABLED. */
  aclTable?: string | undefined;
  /** How long an instance decides with the rules it read. @default AUTH_LIMITS.defaultCacheMs */
  aclCacheMs?: number | undefined;
  /** Principals no rule restricts (Kafka's super.users): the deployment's bootstrap administrators. */
  aclSuperUsers: readonly string[];
}

function superUsersOf(settings: AuthSettings): Set<string> {
  return new Set(
    settings.aclSuperUsers.map((principal) => {
      try {
        return canonicalPrincipal(parsePrincipal(principal, 'super user'));
      } catch (error) {
        throw new FloeError('INVALID_CONFIG', (error as Error).message);
      }
    }),
  );
}

export interface Authorizer {
  readonly mode: AuthorizationMode;
  /** What this caller may do. Reads the rules only when this instance's copy is too old. */
  access(identity: Identity): Promise<Access>;
  /** Where rules are managed; undefined without an ACL table. */
  readonly store: AclStore | undefined;
  /** After a rule change made through this instance: its next check reads the rules again. */
  rulesChanged(): void;
  /** The rules cache (with ACLs on), for tests and benchmarks. */
  readonly cache: RulesCache | undefined;
}

export function createAuthorizer(dynamo: DynamoDBDocumentClient, settings: AuthSettings, now: () => number = Date.now): Authorizer {
  const store = settings.aclTable ? { dynamo, aclTable: settings.aclTable } : undefined;
  if (settings.authorization === 'none') {
    return { mode: 'none', store, cache: undefined, access: async (identity) => new Access(identity, undefined), rulesChanged: () => undefined };
  }
  if (!store) throw new FloeError('INVALID_CONFIG', 'authorization "acl" needs an ACL table (FLOE_ACL_TABLE)');
  const ttlMs = settings.aclCacheMs ?? AUTH_LIMITS.defaultCacheMs;
  // Shorter: every instance reads every rule that often; longer: a removed grant lives on that long.
  if (ttlMs < AUTH_LIMITS.minCacheMs || ttlMs > AUTH_LIMITS.maxCacheMs) {
    throw new FloeError('INVALID_CONFIG', `FLOE_ACL_CACHE_MS must be from ${AUTH_LIMITS.minCacheMs} to ${AUTH_LIMITS.maxCacheMs}, got ${ttlMs}`);
  }
  const cache = new RulesCache(() => readRules(store), ttlMs, now);
  const superUsers = superUsersOf(settings);
  return {
    mode: 'acl',
    store,
    cache,
    async access(identity) {
      if (identity.names.some((name) => superUsers.has(name))) return new Access(identity, undefined);
      return new Access(identity, (await cache.get()).covering(identity.names));
    },
    rulesChanged: () => cache.invalidate(),
  };
}
