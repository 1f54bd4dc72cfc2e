/**
 * Decisions, as Kafka's StandardAuthorizer makes them:
 * - a rule applies when its principal covers the caller (or is `*`), its resource type is the
 *   one asked about, and its name is the resource's (literal), `*` (literal), or a prefix of it (prefixed);
 * - a deny rule for the operation (or All) wins over everything;
 * - otherwise an allow rule for the operation (or All, or one that implies it) allows it:
 *   Read, Write, Delete and Alter imply Describe; AlterConfigs implies DescribeConfigs;
 * - nothing applies: denied.
 * An Access holds the rules that can apply to one caller, so a request's checks read nothing.
 */
import { ANY_PRINCIPAL, ANY_RESOURCE, CLUSTER_RESOURCE_NAME, type AclOperation, type AclResourceType, type AclRule } from '@floe/protocol';
import { denied } from './errors.js';
import { canonicalPrincipal, type Identity } from './identity.js';

/** The operations whose allow rules also allow this one. */
const ALLOWED_BY: Partial<Record<AclOperation, readonly AclOperation[]>> = {
  Describe: ['Describe', 'Read', 'Write', 'Delete', 'Alter'],
  DescribeConfigs: ['DescribeConfigs', 'AlterConfigs'],
};

const grants = (rule: AclRule, operation: AclOperation): boolean =>
  rule.operation === 'All' || (ALLOWED_BY[operation] ?? [operation]).includes(rule.operation);

const denies = (rule: AclRule, operation: AclOperation): boolean => rule.operation === 'All' || rule.operation === operation;

export function resourceMatches(rule: AclRule, name: string): boolean {
  return rule.patternType === 'prefixed' ? name.startsWith(rule.resourceName) : rule.resourceName === name || rule.resourceName === ANY_RESOURCE;
}

/** A snapshot of the rules, indexed by the (canonical) principal they name. */
export class RuleIndex {
  private readonly byPrincipal = new Map<string, AclRule[]>();

  constructor(readonly rules: readonly AclRule[]) {
    for (const rule of rules) {
      const key = rule.principal === ANY_PRINCIPAL ? ANY_PRINCIPAL : canonicalPrincipal(rule.principal);
      const list = this.byPrincipal.get(key);
      if (list) list.push(rule);
      else this.byPrincipal.set(key, [rule]);
    }
  }

  /** The rules that name any of these principals, or everyone. */
  covering(names: readonly string[]): AclRule[] {
    return [ANY_PRINCIPAL, ...names].flatMap((name) => this.byPrincipal.get(name) ?? []);
  }
}

export class Access {
  /**
   * @param rules the rules that can apply to this caller; undefined: everything is allowed
   *   (authorization off, or a super user)
   */
  constructor(
    readonly identity: Identity,
    private readonly rules: readonly AclRule[] | undefined,
  ) {}

  /** True when no rule is consulted: authorization is off or the caller is a super user. */
  get unrestricted(): boolean {
    return this.rules === undefined;
  }

  allows(type: AclResourceType, name: string, operation: AclOperation): boolean {
    if (this.rules === undefined) return true;
    let allowed = false;
    for (const rule of this.rules) {
      if (rule.resourceType !== type || !resourceMatches(rule, name)) continue;
      if (rule.permission === 'deny') {
        if (denies(rule, operation)) return false;
      } else if (grants(rule, operation)) allowed = true;
    }
    return allowed;
  }

  /** Throws the Kafka error of the resource type (TOPIC_/GROUP_/CLUSTER_AUTHORIZATION_FAILED) unless allowed. */
  require(type: AclResourceType, name: string, operation: AclOperation): void {
    if (!this.allows(type, name, operation)) throw denied(this.identity, type, name, operation);
  }

  /**
   * Whether some resource of the type allows the operation (Kafka's authorizeByResourceType):
   * an allow rule that no deny rule covers entirely.
   */
  allowsAny(type: AclResourceType, operation: AclOperation): boolean {
    if (this.rules === undefined) return true;
    const relevant = this.rules.filter((r) => r.resourceType === type);
    const denials = relevant.filter((r) => r.permission === 'deny' && denies(r, operation));
    if (denials.some((d) => d.patternType === 'literal' && d.resourceName === ANY_RESOURCE)) return false;
    return relevant.some(
      (r) =>
        r.permission === 'allow' &&
        grants(r, operation) &&
        ((r.patternType === 'literal' && r.resourceName === ANY_RESOURCE) ||
          !denials.some((d) => (d.patternType === 'prefixed' ? r.resourceName.startsWith(d.resourceName) : r.patternType === 'literal' && d.resourceName === r.resourceName))),
    );
  }

  /** Creating a topic: Create on the cluster, or on the topic (Kafka's rule). */
  mayCreateTopic(name: string): boolean {
    return this.allows('cluster', CLUSTER_RESOURCE_NAME, 'Create') || this.allows('topic', name, 'Create');
  }

  /** An idempotent producer's id: IdempotentWrite on the cluster, or Write on some topic (Kafka since 2.8, KIP-679). */
  mayInitProducerId(): boolean {
    return this.allows('cluster', CLUSTER_RESOURCE_NAME, 'IdempotentWrite') || this.allowsAny('topic', 'Write');
  }

  /** A cluster operation, required (ACL management, producer ids, cluster description). */
  requireCluster(operation: AclOperation): void {
    this.require('cluster', CLUSTER_RESOURCE_NAME, operation);
  }
}
