/**
 * SCRAM-SHA-256 / SCRAM-SHA-512, server side (RFC 5802, RFC 7677), as Kafka runs it:
 * client-first -> server-first (nonce, salt, iterations), client-final (proof) -> server-final
 * (the server's signature). No channel binding, no SASLprep (Kafka uses neither). An unknown user
 * gets a decoy salt, stable per user name, and fails only at the proof, exactly like a wrong password.
 */
import { randomBytes } from 'node:crypto';
import type { CredentialStore } from '../credentials/store.js';
import { userPrincipal } from '../principal.js';
import { illegalState, invalidCredentials, malformedSasl } from './errors.js';
import { failed, type SaslSession, type SaslStep, type ScramMechanism } from './mechanism.js';
import { constantTimeEqual, digest, hmac, SCRAM_DEFAULT_ITERATIONS, SCRAM_HASH, xor, type ScramCredential } from './scram-crypto.js';
import {
  formatServerFinal,
  formatServerFirst,
  parseClientFinal,
  parseClientFirst,
  scramText,
  ScramFormatError,
} from './scram-messages.js';

export interface ScramSessionOptions {
  /** The server's nonce part (printable, no comma). @default 24 random bytes, base64 */
  serverNonce?: () => string;
}

interface Pending {
  username: string;
  credential: ScramCredential;
  known: boolean;
  gs2Header: string;
  clientNonce: string;
  nonce: string;
  /** client-first-bare + "," + server-first: the first two thirds of the AuthMessage. */
  authPrefix: string;
}

export class ScramServerSession implements SaslSession {
  private state: 'first' | 'final' | 'done' = 'first';
  private pending: Pending | undefined;

  constructor(
    readonly mechanism: ScramMechanism,
    private readonly credentials: CredentialStore,
    private readonly options: ScramSessionOptions = {},
  ) {}

  async step(clientBytes: Buffer): Promise<SaslStep> {
    const state = this.state;
    if (state === 'done') return failed(illegalState(`the ${this.mechanism} exchange is already over`));
    // Any failure ends the exchange: a client starts over with a new handshake.
    this.state = 'done';
    try {
      return state === 'first' ? await this.first(clientBytes) : this.final(clientBytes);
    } catch (error) {
      if (error instanceof ScramFormatError) return failed(malformedSasl(this.mechanism, error.message));
      throw error;
    }
  }

  private async first(bytes: Buffer): Promise<SaslStep> {
    const message = parseClientFirst(scramText(bytes));
    // Delegation tokens (KIP-48) are not supported: refuse rather than check a token as a password.
    if (message.extensions.get('tokenauth') === 'true') return failed(invalidCredentials(this.mechanism));
    if (message.authzid !== undefined && message.authzid !== message.username) return failed(invalidCredentials(this.mechanism));
    const { user, decoyKey } = await this.credentials.lookup(message.username);
    const stored = user?.scram[this.mechanism];
    const credential = stored ?? decoyCredential(this.mechanism, decoyKey, message.username);
    const nonce = message.clientNonce + (this.options.serverNonce?.() ?? randomBytes(24).toString('base64'));
    const serverFirst = formatServerFirst(nonce, credential.salt, credential.iterations);
    this.pending = {
      username: message.username,
      credential,
      known: stored !== undefined,
      gs2Header: message.gs2Header,
      clientNonce: message.clientNonce,
      nonce,
      authPrefix: `${message.bare},${serverFirst}`,
    };
    this.state = 'final';
    return { response: Buffer.from(serverFirst), done: false };
  }

  private final(bytes: Buffer): SaslStep {
    const pending = this.pending as Pending;
    const message = parseClientFinal(scramText(bytes));
    if (message.channelBinding !== Buffer.from(pending.gs2Header).toString('base64')) {
      return failed(malformedSasl(this.mechanism, 'channel binding does not match the gs2 header'));
    }
    // librdkafka up to at least 2.0 echoes its own nonce in front of the combined one (Kafka's broker
    // long accepted any prefix); that one form is accepted too. The proof covers the echo either way.
    const echoed = message.nonce === pending.nonce || message.nonce === pending.clientNonce + pending.nonce;
    if (!echoed) return failed(malformedSasl(this.mechanism, 'nonce does not match'));
    const authMessage = `${pending.authPrefix},${message.withoutProof}`;
    const { storedKey, serverKey } = pending.credential;
    const proofOk =
      message.proof.length === SCRAM_HASH[this.mechanism].bytes &&
      constantTimeEqual(digest(this.mechanism, xor(message.proof, hmac(this.mechanism, storedKey, authMessage))), storedKey);
    if (!proofOk || !pending.known) return failed(invalidCredentials(this.mechanism));
    const serverSignature = hmac(this.mechanism, serverKey, authMessage);
    return { response: Buffer.from(formatServerFinal(serverSignature)), done: true, principal: userPrincipal(pending.username) };
  }
}

/** What an unknown user is challenged with: a salt derived from the name, keys that match no proof. */
function decoyCredential(mechanism: ScramMechanism, decoyKey: Buffer, username: string): ScramCredential {
  const bytes = SCRAM_HASH[mechanism].bytes;
  return {
    salt: hmac('SCRAM-SHA-256', decoyKey, `${mechanism}\0salt\0${username}`),
    iterations: SCRAM_DEFAULT_ITERATIONS,
    storedKey: randomBytes(bytes),
    serverKey: randomBytes(bytes),
  };
}
