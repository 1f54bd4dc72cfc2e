/** Authorization's limits and defaults (docs/security.md, docs/configuration.md). */
export const AUTH_LIMITS = {
  /**
   * How long a function instance decides with the rules it read. A removed grant stops working
   * within this time; a check reads DynamoDB only when the rules are older (refreshed ahead, in the
   * background, from half of it, so a busy instance never waits).
   */
  defaultCacheMs: 10_000,
  /** At least this: every instance reads every rule once per cache period. */
  minCacheMs: 1000,
  maxCacheMs: 300_000,
  /** Rules in a cluster: every instance holds them all (about 200 bytes each) and reads them in one paged Query. */
  maxRules: 10_000,
  /** Rules one request may add or one filter may remove. */
  maxRulesPerRequest: 1000,
  /** Characters of a principal (an IAM ARN is at most 2,048; SASL user names are far shorter). */
  maxPrincipalLength: 2048,
} as const;
