/**
 * Who is on the other end of a connection. Locally every connection is ANONYMOUS; a SASL
 * mechanism (PLAIN, SCRAM) plugs in as an Authenticator: the listener then advertises
 * SaslHandshake/SaslAuthenticate and serves nothing else until a principal is established.
 */

export interface Principal {
  readonly type: 'User';
  readonly name: string;
}

export const ANONYMOUS: Principal = Object.freeze({ type: 'User', name: 'ANONYMOUS' });

/** One exchange of a SASL mechanism: `done` with a principal, or a challenge to send back. */
export type SaslStep = { done: true; principal: Principal; response?: Buffer } | { done: false; challenge: Buffer };

export interface SaslSession {
  step(clientBytes: Buffer): Promise<SaslStep>;
}

export interface Authenticator {
  /** Mechanism names as SaslHandshake lists them, e.g. ["PLAIN", "SCRAM-SHA-512"]. */
  readonly mechanisms: readonly string[];
  /** A new exchange for one connection; throws (any error) to refuse the credentials. */
  start(mechanism: string): SaslSession;
}
