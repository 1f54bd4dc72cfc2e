/** The enabled SASL mechanisms over one credential store: starts a session per SaslHandshake. */
import type { CredentialStore } from '../credentials/store.js';
import { isSaslMechanism, type SaslMechanism, type SaslSession } from './mechanism.js';
import { PlainServerSession } from './plain.js';
import { ScramServerSession } from './scram.js';

export interface SaslAuthenticatorOptions {
  /** In the order SaslHandshake lists them to clients. */
  mechanisms: readonly SaslMechanism[];
  credentials: CredentialStore;
}

export class SaslAuthenticator {
  readonly mechanisms: readonly SaslMechanism[];
  private readonly credentials: CredentialStore;

  constructor(options: SaslAuthenticatorOptions) {
    if (options.mechanisms.length === 0) throw new Error('SASL needs at least one mechanism');
    for (const name of options.mechanisms) if (!isSaslMechanism(name)) throw new Error(`unknown SASL mechanism ${String(name)}`);
    this.mechanisms = [...new Set(options.mechanisms)];
    this.credentials = options.credentials;
  }

  /** A new exchange, or undefined when the mechanism is not enabled (answer UNSUPPORTED_SASL_MECHANISM). */
  start(mechanism: string): SaslSession | undefined {
    if (!(this.mechanisms as readonly string[]).includes(mechanism)) return undefined;
    if (mechanism === 'PLAIN') return new PlainServerSession(this.credentials);
    return new ScramServerSession(mechanism as Exclude<SaslMechanism, 'PLAIN'>, this.credentials);
  }
}
