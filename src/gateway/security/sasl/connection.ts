/**
 * One connection's SASL state, driven by Kafka's SaslHandshake (key 17) and SaslAuthenticate
 * (key 36) requests. The server asks it which requests to serve and hands it those two APIs'
 * bodies; it answers with the response bodies and whether to close the connection after them.
 *
 *   handshake --v1--> authenticate --ok--> authenticated
 *      |  ^                |
 *      |  +--- failed -----+   (until maxFailedAttempts, then close)
 *      +--v0--> raw-token       (v0: the next frames are bare SASL tokens, no Kafka header)
 *
 * Without an authenticator (the local cluster) every connection is User:ANONYMOUS and every
 * request is served; SASL requests then get ILLEGAL_SASL_STATE, as on a Kafka PLAINTEXT listener.
 */
import { ANONYMOUS, type KafkaPrincipal } from '../principal.js';
import type { SaslAuthenticator } from './authenticator.js';
import { illegalState, SASL_ERROR, type SaslError } from './errors.js';
import type { SaslSession, SaslStep } from './mechanism.js';

export const SASL_HANDSHAKE_KEY = 17;
export const SASL_AUTHENTICATE_KEY = 36;
export const API_VERSIONS_KEY = 18;

export interface SaslConnectionOptions {
  /** Failed exchanges (or unsupported mechanisms) before the connection is closed. @default 3 */
  maxFailedAttempts?: number;
  /** Delay before a failure is answered, as Kafka's connection.failed.authentication.delay.ms. @default 100 */
  failureDelayMs?: number;
}

/** SaslHandshakeResponse body. */
export interface HandshakeAnswer {
  body: { errorCode: number; mechanisms: string[] };
  /** Close the connection once this response is written. */
  close: boolean;
}

/** SaslAuthenticateResponse body (sessionLifetimeMs is 0: no re-authentication, KIP-368). */
export interface AuthenticateAnswer {
  body: { errorCode: number; errorMessage: string | null; authBytes: Buffer; sessionLifetimeMs: bigint };
  close: boolean;
}

/** The answer to a bare token after a v0 handshake: write `reply` size-prefixed (when present), then maybe close. */
export interface RawTokenAnswer {
  reply: Buffer | undefined;
  close: boolean;
}

type State = 'handshake' | 'authenticate' | 'raw-token' | 'authenticated';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class SaslConnection {
  private state: State;
  private session: SaslSession | undefined;
  private failures = 0;
  private who: KafkaPrincipal = ANONYMOUS;
  private readonly maxFailedAttempts: number;
  private readonly failureDelayMs: number;

  constructor(
    private readonly authenticator: SaslAuthenticator | undefined,
    options: SaslConnectionOptions = {},
  ) {
    this.state = authenticator ? 'handshake' : 'authenticated';
    this.maxFailedAttempts = Math.max(1, options.maxFailedAttempts ?? 3);
    this.failureDelayMs = options.failureDelayMs ?? 100;
  }

  /** User:<name> once authenticated; User:ANONYMOUS before, or always without SASL. */
  get principal(): KafkaPrincipal {
    return this.who;
  }

  get authenticated(): boolean {
    return this.state === 'authenticated';
  }

  /** After a v0 handshake the client sends bare SASL tokens: give such frames to rawToken(), do not decode them. */
  get expectsRawToken(): boolean {
    return this.state === 'raw-token';
  }

  /**
   * May a request with this API key be served now? False: close the connection without an
   * answer (Kafka does the same with a request other than these three before authentication).
   */
  admits(apiKey: number): boolean {
    if (this.state === 'authenticated') return true;
    return apiKey === API_VERSIONS_KEY || apiKey === SASL_HANDSHAKE_KEY || apiKey === SASL_AUTHENTICATE_KEY;
  }

  handshake(apiVersion: number, mechanism: string): HandshakeAnswer {
    const mechanisms = [...(this.authenticator?.mechanisms ?? [])];
    if (!this.authenticator || this.state === 'authenticated') {
      return { body: { errorCode: SASL_ERROR.ILLEGAL_SASL_STATE, mechanisms }, close: false };
    }
    if (this.state !== 'handshake') return { body: { errorCode: SASL_ERROR.ILLEGAL_SASL_STATE, mechanisms }, close: true };
    const session = this.authenticator.start(mechanism);
    if (!session) return { body: { errorCode: SASL_ERROR.UNSUPPORTED_SASL_MECHANISM, mechanisms }, close: this.fail() };
    this.session = session;
    this.state = apiVersion === 0 ? 'raw-token' : 'authenticate';
    return { body: { errorCode: 0, mechanisms }, close: false };
  }

  async authenticate(authBytes: Buffer): Promise<AuthenticateAnswer> {
    if (!this.authenticator || this.state === 'authenticated') {
      return answer(illegalState('SaslAuthenticate request received after successful authentication'), false);
    }
    if (this.state !== 'authenticate' || !this.session) {
      return answer(illegalState('SaslAuthenticate request received before a SaslHandshake v1'), true);
    }
    const step = await this.step(this.session, authBytes);
    if (step.error) {
      const close = this.fail();
      await sleep(this.failureDelayMs);
      return answer(step.error, close);
    }
    return { body: { errorCode: 0, errorMessage: null, authBytes: step.response, sessionLifetimeMs: 0n }, close: false };
  }

  /** A bare token after a v0 handshake. v0 has no way to report an error: a failure just closes. */
  async rawToken(token: Buffer): Promise<RawTokenAnswer> {
    if (this.state !== 'raw-token' || !this.session) return { reply: undefined, close: true };
    const step = await this.step(this.session, token);
    if (step.error) {
      await sleep(this.failureDelayMs);
      return { reply: undefined, close: true };
    }
    return { reply: step.response, close: false };
  }

  private async step(session: SaslSession, bytes: Buffer): Promise<SaslStep> {
    let step: SaslStep;
    try {
      step = await session.step(bytes);
    } catch {
      // The credential store is unreachable: a failure like any other, never a crash.
      step = { response: Buffer.alloc(0), done: true, error: { code: SASL_ERROR.SASL_AUTHENTICATION_FAILED, message: 'Authentication failed: credentials are unavailable, retry later' } };
    }
    if (step.done) {
      this.session = undefined;
      if (step.principal && !step.error) {
        this.who = step.principal;
        this.state = 'authenticated';
      } else {
        this.state = 'handshake';
      }
    }
    return step;
  }

  /** Counts a failed attempt; true when it was the last one allowed. */
  private fail(): boolean {
    this.failures++;
    return this.failures >= this.maxFailedAttempts;
  }
}

function answer(error: SaslError, close: boolean): AuthenticateAnswer {
  return { body: { errorCode: error.code, errorMessage: error.message, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n }, close };
}
