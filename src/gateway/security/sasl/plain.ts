/**
 * SASL/PLAIN, server side (RFC 4616): one message `[authzid] NUL authcid NUL password`.
 * The password travels in clear, so the gateway offers PLAIN only over TLS. A user's PLAIN
 * entry is compared in constant time; a user with only SCRAM entries is checked by deriving
 * the salted password (so PLAIN works without any plaintext password stored); an unknown user,
 * and a user with a PLAIN entry, cost the same derivation, so timing does not tell which names exist.
 */
import { randomBytes } from 'node:crypto';
import type { UserCredentials } from '../credentials/document.js';
import type { CredentialStore } from '../credentials/store.js';
import { userPrincipal } from '../principal.js';
import { illegalState, invalidCredentials, malformedSasl } from './errors.js';
import { failed, type SaslSession, type SaslStep, type ScramMechanism } from './mechanism.js';
import { constantTimeEqual, keysOf, saltedPassword, SCRAM_DEFAULT_ITERATIONS, type ScramCredential } from './scram-crypto.js';

/** RFC 4616 allows 255 bytes per field; a little more room for long generated passwords. */
export const PLAIN_MAX_MESSAGE_BYTES = 1024;

const DECOY: ScramCredential = { salt: randomBytes(32), iterations: SCRAM_DEFAULT_ITERATIONS, storedKey: randomBytes(32), serverKey: randomBytes(32) };

export class PlainServerSession implements SaslSession {
  readonly mechanism = 'PLAIN' as const;
  private done = false;

  constructor(private readonly credentials: CredentialStore) {}

  async step(clientBytes: Buffer): Promise<SaslStep> {
    if (this.done) return failed(illegalState('the PLAIN exchange is already over'));
    this.done = true;
    if (clientBytes.length > PLAIN_MAX_MESSAGE_BYTES) return failed(malformedSasl('PLAIN', 'message too long'));
    const parts = clientBytes.toString('utf8').split('\0');
    if (parts.length !== 3) return failed(malformedSasl('PLAIN', 'expected [authzid] NUL username NUL password'));
    const [authzid = '', username = '', password = ''] = parts;
    if (username === '' || password === '') return failed(malformedSasl('PLAIN', 'empty user name or password'));
    // Kafka's rule: an authorization id, if given, must be the user itself.
    if (authzid !== '' && authzid !== username) return failed(invalidCredentials('PLAIN'));
    const { user } = await this.credentials.lookup(username);
    if (!(await passwordMatches(user, password))) return failed(invalidCredentials('PLAIN'));
    return { response: Buffer.alloc(0), done: true, principal: userPrincipal(username) };
  }
}

async function passwordMatches(user: UserCredentials | undefined, password: string): Promise<boolean> {
  if (user?.plain) {
    // The derivation every other check pays, so timing does not tell which users have a PLAIN entry.
    await saltedPassword('SCRAM-SHA-256', password, DECOY.salt, DECOY.iterations);
    return constantTimeEqual(Buffer.from(password, 'utf8'), Buffer.from(user.plain.password, 'utf8'));
  }
  // The cheaper hash when both are stored: the check is as strong, the server's CPU is shared.
  const mechanism: ScramMechanism = user?.scram['SCRAM-SHA-256'] ? 'SCRAM-SHA-256' : user?.scram['SCRAM-SHA-512'] ? 'SCRAM-SHA-512' : 'SCRAM-SHA-256';
  const credential = user?.scram[mechanism] ?? DECOY;
  const { storedKey } = keysOf(mechanism, await saltedPassword(mechanism, password, credential.salt, credential.iterations));
  return constantTimeEqual(storedKey, credential.storedKey) && credential !== DECOY;
}
