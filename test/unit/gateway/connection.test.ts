/**
 * The per-connection SASL state machine, as the server drives it: which requests are served
 * before authentication, SaslHandshake v0/v1, SaslAuthenticate, bounded failures, and answers
 * whose bodies encode with the Kafka codec at every version.
 */
import { describe, expect, it } from 'vitest';
import { decodeResponse, encodeResponse } from '../../../packages/protocol/src/kafka/index.js';
import { SaslAuthenticator } from '../../../src/gateway/security/sasl/authenticator.js';
import { SaslConnection } from '../../../src/gateway/security/sasl/connection.js';
import { SASL_ERROR } from '../../../src/gateway/security/sasl/errors.js';
import type { CredentialStore } from '../../../src/gateway/security/credentials/store.js';
import { ALICE, testStore } from '../../helpers/sasl-fixtures.js';
import { ScramTestClient } from '../../helpers/scram-client.js';

const METADATA = 3;
const API_VERSIONS = 18;
const HANDSHAKE = 17;
const AUTHENTICATE = 36;
const plain = (user: string, password: string) => Buffer.from(`\0${user}\0${password}`);

async function connection(options: { maxFailedAttempts?: number } = {}, store?: CredentialStore): Promise<SaslConnection> {
  const credentials = store ?? (await testStore()).store;
  const authenticator = new SaslAuthenticator({ mechanisms: ['SCRAM-SHA-512', 'PLAIN'], credentials });
  return new SaslConnection(authenticator, { failureDelayMs: 0, ...options });
}

describe('a connection without SASL (the local cluster)', () => {
  it('is User:ANONYMOUS, serves everything, and answers SASL requests with ILLEGAL_SASL_STATE without closing', async () => {
    // Prepare
    const sasl = new SaslConnection(undefined);

    // Act
    const handshake = sasl.handshake(1, 'PLAIN');
    const authenticate = await sasl.authenticate(Buffer.from('x'));

    // Assess
    expect(sasl.principal).toBe('User:ANONYMOUS');
    expect(sasl.admits(METADATA)).toBe(true);
    expect(handshake).toEqual({ body: { errorCode: SASL_ERROR.ILLEGAL_SASL_STATE, mechanisms: [] }, close: false });
    expect(authenticate.body.errorCode).toBe(SASL_ERROR.ILLEGAL_SASL_STATE);
    expect(authenticate.close).toBe(false);
  });
});

describe('a connection that must authenticate', () => {
  it('serves only ApiVersions, SaslHandshake and SaslAuthenticate until it has', async () => {
    // Prepare
    const sasl = await connection();

    // Act
    const before = [API_VERSIONS, HANDSHAKE, AUTHENTICATE, METADATA, 0, 1].map((key) => sasl.admits(key));
    sasl.handshake(1, 'PLAIN');
    await sasl.authenticate(plain(ALICE.name, ALICE.password));

    // Assess
    expect(before).toEqual([true, true, true, false, false, false]);
    expect(sasl.authenticated).toBe(true);
    expect(sasl.principal).toBe('User:alice');
    expect(sasl.admits(METADATA)).toBe(true);
  });

  it('answers an unsupported mechanism with UNSUPPORTED_SASL_MECHANISM and the enabled list, in its order', async () => {
    // Prepare
    const sasl = await connection();

    // Act
    const answer = sasl.handshake(1, 'GSSAPI');

    // Assess
    expect(answer).toEqual({ body: { errorCode: SASL_ERROR.UNSUPPORTED_SASL_MECHANISM, mechanisms: ['SCRAM-SHA-512', 'PLAIN'] }, close: false });
    expect(sasl.authenticated).toBe(false);
  });

  it('runs a SCRAM exchange over two SaslAuthenticate requests', async () => {
    // Prepare
    const sasl = await connection();
    const client = new ScramTestClient('SCRAM-SHA-512', ALICE.name, ALICE.password);

    // Act
    const handshake = sasl.handshake(1, 'SCRAM-SHA-512');
    const first = await sasl.authenticate(client.first());
    const mid = sasl.authenticated;
    const final = await sasl.authenticate(client.final(first.body.authBytes));

    // Assess
    expect(handshake.body.errorCode).toBe(0);
    expect(mid).toBe(false);
    expect(final.body.errorCode).toBe(0);
    expect(client.verifies(final.body.authBytes)).toBe(true);
    expect(sasl.principal).toBe('User:alice');
  });

  it('answers SaslAuthenticate before any handshake with ILLEGAL_SASL_STATE and closes', async () => {
    // Prepare
    const sasl = await connection();

    // Act
    const answer = await sasl.authenticate(plain(ALICE.name, ALICE.password));

    // Assess
    expect(answer.body.errorCode).toBe(SASL_ERROR.ILLEGAL_SASL_STATE);
    expect(answer.close).toBe(true);
    expect(sasl.authenticated).toBe(false);
  });

  it('answers a second handshake after authentication with ILLEGAL_SASL_STATE (no re-authentication)', async () => {
    // Prepare
    const sasl = await connection();
    sasl.handshake(1, 'PLAIN');
    await sasl.authenticate(plain(ALICE.name, ALICE.password));

    // Act
    const again = sasl.handshake(1, 'PLAIN');

    // Assess
    expect(again.body.errorCode).toBe(SASL_ERROR.ILLEGAL_SASL_STATE);
    expect(sasl.principal).toBe('User:alice');
  });

  it('lets a client try again after a failure, and closes at the last allowed failure', async () => {
    // Prepare
    const sasl = await connection({ maxFailedAttempts: 2 });

    // Act
    sasl.handshake(1, 'PLAIN');
    const firstFailure = await sasl.authenticate(plain(ALICE.name, 'wrong'));
    const retry = sasl.handshake(1, 'PLAIN');
    const secondFailure = await sasl.authenticate(plain(ALICE.name, 'wrong again'));

    // Assess
    expect(firstFailure.body).toMatchObject({ errorCode: SASL_ERROR.SASL_AUTHENTICATION_FAILED, authBytes: Buffer.alloc(0) });
    expect(firstFailure.close).toBe(false);
    expect(retry.body.errorCode).toBe(0);
    expect(secondFailure.close).toBe(true);
    expect(sasl.authenticated).toBe(false);
  });

  it('counts unsupported mechanisms as failures too', async () => {
    // Prepare
    const sasl = await connection({ maxFailedAttempts: 2 });

    // Act
    const answers = [sasl.handshake(1, 'GSSAPI'), sasl.handshake(1, 'OAUTHBEARER')];

    // Assess
    expect(answers.map((a) => a.close)).toEqual([false, true]);
  });

  it('turns a credential store outage into SASL_AUTHENTICATION_FAILED, not a crash', async () => {
    // Prepare
    const broken: CredentialStore = { lookup: async () => Promise.reject(new Error('Secrets Manager is unreachable')) };
    const sasl = await connection({}, broken);
    sasl.handshake(1, 'PLAIN');

    // Act
    const answer = await sasl.authenticate(plain(ALICE.name, ALICE.password));

    // Assess
    expect(answer.body).toMatchObject({ errorCode: SASL_ERROR.SASL_AUTHENTICATION_FAILED, errorMessage: expect.stringMatching(/unavailable/) });
  });

  it('delays the answer to a failure (Kafka\'s connection.failed.authentication.delay.ms)', async () => {
    // Prepare
    const { store } = await testStore();
    const sasl = new SaslConnection(new SaslAuthenticator({ mechanisms: ['PLAIN'], credentials: store }), { failureDelayMs: 150 });
    sasl.handshake(1, 'PLAIN');
    const started = performance.now();

    // Act
    await sasl.authenticate(plain('mallory', 'x'));

    // Assess
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('SaslHandshake v0: bare tokens instead of SaslAuthenticate', () => {
  it('expects a raw token after a v0 handshake and answers PLAIN success with an empty token', async () => {
    // Prepare
    const sasl = await connection();

    // Act
    sasl.handshake(0, 'PLAIN');
    const expecting = sasl.expectsRawToken;
    const answer = await sasl.rawToken(plain(ALICE.name, ALICE.password));

    // Assess
    expect(expecting).toBe(true);
    expect(answer).toEqual({ reply: Buffer.alloc(0), close: false });
    expect(sasl.expectsRawToken).toBe(false);
    expect(sasl.principal).toBe('User:alice');
  });

  it('closes on a failed raw token (v0 has no error field)', async () => {
    // Prepare
    const sasl = await connection();
    sasl.handshake(0, 'PLAIN');

    // Act
    const answer = await sasl.rawToken(plain(ALICE.name, 'wrong'));

    // Assess
    expect(answer).toEqual({ reply: undefined, close: true });
  });
});

describe('answers encode with the Kafka codec', () => {
  it.each([0, 1])('SaslHandshake v%i', async (version) => {
    // Prepare
    const sasl = await connection();

    // Act
    const body = sasl.handshake(version, 'GSSAPI').body;
    const decoded = decodeResponse(HANDSHAKE, version, encodeResponse(HANDSHAKE, version, 7, body).subarray(4));

    // Assess
    expect(decoded.body).toEqual({ errorCode: SASL_ERROR.UNSUPPORTED_SASL_MECHANISM, mechanisms: ['SCRAM-SHA-512', 'PLAIN'] });
  });

  it.each([0, 1, 2])('SaslAuthenticate v%i', async (version) => {
    // Prepare
    const sasl = await connection();
    sasl.handshake(1, 'SCRAM-SHA-512');
    const client = new ScramTestClient('SCRAM-SHA-512', ALICE.name, ALICE.password);

    // Act
    const { body } = await sasl.authenticate(client.first());
    const decoded = decodeResponse(AUTHENTICATE, version, encodeResponse(AUTHENTICATE, version, 7, body).subarray(4));

    // Assess
    expect(decoded.body.errorCode).toBe(0);
    expect(Buffer.from(decoded.body.authBytes as Uint8Array).toString()).toMatch(/^r=fyko/);
    if (version >= 1) expect(decoded.body.sessionLifetimeMs).toBe(0n);
  });
});
