/**
 * Who a caller is, as the rules name it. The front doors say who authenticated (the IAM ARN
 * Lambda verified, the SASL user the gateway verified); this module lists the principal names
 * that cover that caller:
 *
 *   arn:aws:iam::111122223333:user/ops/alice           -> itself, and arn:aws:iam::111122223333:user/alice
 *   arn:aws:sts::111122223333:assumed-role/Billing/s1  -> itself, and arn:aws:iam::111122223333:role/Billing
 *   User:alice (Kafka SASL)                            -> itself
 *
 * IAM user and role names are unique in an account whatever their path, and a session ARN does
 * not carry its role's path, so rule principals are compared without paths (canonicalPrincipal).
 */
import { ANY_PRINCIPAL } from '@floe/protocol';

export interface Identity {
  /** As the front door reported it: shown in denials and logs. */
  readonly principal: string;
  /** Every canonical principal a rule may name to cover this caller (never `*`: it covers everyone). */
  readonly names: readonly string[];
}

/** Kafka's principal for a caller nobody authenticated (a Function URL with auth NONE, a gateway without SASL). */
export const ANONYMOUS_PRINCIPAL = 'User:ANONYMOUS';

const IAM_PATHED = /^arn:([^:]+):iam::(\d{12}):(user|role)\/(?:.*\/)?([^/]+)$/;
const ASSUMED_ROLE = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/;

/** A rule principal as matching compares it: IAM user and role ARNs without their path. */
export function canonicalPrincipal(principal: string): string {
  const pathed = IAM_PATHED.exec(principal);
  return pathed ? `arn:${pathed[1]}:iam::${pathed[2]}:${pathed[3]}/${pathed[4]}` : principal;
}

/** The identity of a caller known by this principal (an IAM ARN or `User:<name>`). */
export function identityOf(principal: string): Identity {
  const names = new Set([principal, canonicalPrincipal(principal)]);
  const session = ASSUMED_ROLE.exec(principal);
  if (session) names.add(`arn:${session[1]}:iam::${session[2]}:role/${session[3]}`);
  names.delete(ANY_PRINCIPAL);
  return { principal, names: [...names] };
}

export const ANONYMOUS: Identity = identityOf(ANONYMOUS_PRINCIPAL);
