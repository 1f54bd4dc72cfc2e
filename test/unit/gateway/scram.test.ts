/** SCRAM-SHA-256/512 server side: RFC 7677's exchange byte for byte, round trips, and every way to fail. */
import { describe, expect, it } from 'vitest';
import { parseCredentialDocument } from '../../../src/gateway/security/credentials/document.js';
import { staticCredentialStore } from '../../../src/gateway/security/credentials/store.js';
import { SASL_ERROR } from '../../../src/gateway/security/sasl/errors.js';
import { scramCredential, SCRAM_MAX_ITERATIONS, SCRAM_MIN_ITERATIONS } from '../../../src/gateway/security/sasl/scram-crypto.js';
import { decodeSaslName, encodeSaslName, ScramFormatError } from '../../../src/gateway/security/sasl/scram-messages.js';
import { ScramServerSession } from '../../../src/gateway/security/sasl/scram.js';
import { scramCredentialToJson } from '../../../src/gateway/security/credentials/document.js';
import { ALICE, documentText, testStore } from '../../helpers/sasl-fixtures.js';
import { ScramTestClient } from '../../helpers/scram-client.js';

const text = (b: Buffer) => b.toString('utf8');

describe('SCRAM-SHA-256 against RFC 7677 section 3', () => {
  it('answers the example exchange with the RFC\'s server-first and server-final messages', async () => {
    // Prepare: user "user", password "pencil", the RFC's salt, iteration count and server nonce.
    const credential = await scramCredential('SCRAM-SHA-256', 'pencil', { salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), iterations: 4096 });
    const document = parseCredentialDocument(JSON.stringify({ users: { user: { 'SCRAM-SHA-256': scramCredentialToJson(credential) } } }));
    const session = new ScramServerSession('SCRAM-SHA-256', staticCredentialStore(document), { serverNonce: () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0' });

    // Act
    const first = await session.step(Buffer.from('n,,n=user,r=rOprNGfwEbeRWgbNEkqO'));
    const final = await session.step(
      Buffer.from('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ='),
    );

    // Assess
    expect(text(first.response)).toBe('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096');
    expect(first.done).toBe(false);
    expect(final).toMatchObject({ done: true, principal: 'User:user' });
    expect(final.error).toBeUndefined();
    expect(text(final.response)).toBe('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
  });
});

describe.each(['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const)('%s', (mechanism) => {
  it('authenticates a client that knows the password, and proves itself to it', async () => {
    // Prepare
    const { store } = await testStore();
    const session = new ScramServerSession(mechanism, store);
    const client = new ScramTestClient(mechanism, ALICE.name, ALICE.password);

    // Act
    const first = await session.step(client.first());
    const final = await session.step(client.final(first.response));

    // Assess
    expect(final).toMatchObject({ done: true, principal: 'User:alice' });
    expect(client.verifies(final.response)).toBe(true);
    expect(text(first.response)).toMatch(/^r=fyko\+d2lbbFgONRv9qkxdawL[^,]{8,},s=[A-Za-z0-9+/=]+,i=4096$/);
  });

  it('refuses a wrong password and an unknown user with the same answer, at the proof', async () => {
    // Prepare
    const { store } = await testStore();
    const wrong = new ScramServerSession(mechanism, store);
    const unknown = new ScramServerSession(mechanism, store);
    const wrongClient = new ScramTestClient(mechanism, ALICE.name, 'not the password');
    const unknownClient = new ScramTestClient(mechanism, 'mallory', ALICE.password);

    // Act
    const wrongFirst = await wrong.step(wrongClient.first());
    const unknownFirst = await unknown.step(unknownClient.first());
    const wrongFinal = await wrong.step(wrongClient.final(wrongFirst.response));
    const unknownFinal = await unknown.step(unknownClient.final(unknownFirst.response));

    // Assess: both get a normal-looking challenge, then the same failure.
    expect(wrongFirst.error).toBeUndefined();
    expect(unknownFirst.error).toBeUndefined();
    expect(text(unknownFirst.response)).toMatch(/,s=[A-Za-z0-9+/=]+,i=\d+$/);
    expect(wrongFinal.error?.code).toBe(SASL_ERROR.SASL_AUTHENTICATION_FAILED);
    expect(unknownFinal.error).toEqual(wrongFinal.error);
    expect(unknownFinal.principal).toBeUndefined();
  });

  it('gives an unknown user the same salt every time, so salts do not reveal which names exist', async () => {
    // Prepare
    const { store } = await testStore();
    const saltOf = async (name: string) => {
      const first = await new ScramServerSession(mechanism, store).step(new ScramTestClient(mechanism, name, 'x').first());
      return text(first.response).split(',')[1];
    };

    // Act
    const [a, b, other] = [await saltOf('mallory'), await saltOf('mallory'), await saltOf('trudy')];

    // Assess
    expect(a).toBe(b);
    expect(a).not.toBe(other);
  });

  it('rejects a final message whose nonce or channel binding was changed', async () => {
    // Prepare
    const { store } = await testStore();
    const tamperedNonce = new ScramServerSession(mechanism, store);
    const tamperedBinding = new ScramServerSession(mechanism, store);
    const c1 = new ScramTestClient(mechanism, ALICE.name, ALICE.password);
    const c2 = new ScramTestClient(mechanism, ALICE.name, ALICE.password);

    // Act
    const f1 = await tamperedNonce.step(c1.first());
    const r1 = await tamperedNonce.step(c1.final(f1.response, { nonce: `${c1.clientNonce}forged` }));
    const f2 = await tamperedBinding.step(c2.first());
    const r2 = await tamperedBinding.step(c2.final(f2.response, { channelBinding: Buffer.from('y,,').toString('base64') }));

    // Assess
    expect(r1.error?.message).toMatch(/nonce/);
    expect(r2.error?.message).toMatch(/channel binding/);
    expect([r1.error?.code, r2.error?.code]).toEqual([SASL_ERROR.SASL_AUTHENTICATION_FAILED, SASL_ERROR.SASL_AUTHENTICATION_FAILED]);
  });

  it('accepts librdkafka\'s echo (client nonce + combined nonce), and no other prefix', async () => {
    // Prepare
    const { store } = await testStore();
    const librdkafka = new ScramServerSession(mechanism, store);
    const other = new ScramServerSession(mechanism, store);
    const c1 = new ScramTestClient(mechanism, ALICE.name, ALICE.password);
    const c2 = new ScramTestClient(mechanism, ALICE.name, ALICE.password);

    // Act
    const f1 = await librdkafka.step(c1.first());
    const combined1 = text(f1.response).split(',')[0]?.slice(2) ?? '';
    const r1 = await librdkafka.step(c1.final(f1.response, { nonce: c1.clientNonce + combined1 }));
    const f2 = await other.step(c2.first());
    const combined2 = text(f2.response).split(',')[0]?.slice(2) ?? '';
    const r2 = await other.step(c2.final(f2.response, { nonce: `x${combined2}` }));

    // Assess
    expect(r1.principal).toBe('User:alice');
    expect(c1.verifies(r1.response)).toBe(true);
    expect(r2.error?.message).toMatch(/nonce/);
  });

  it('answers ILLEGAL_SASL_STATE to a message after the exchange is over', async () => {
    // Prepare
    const { store } = await testStore();
    const session = new ScramServerSession(mechanism, store);
    const client = new ScramTestClient(mechanism, ALICE.name, ALICE.password);
    await session.step(client.final(await session.step(client.first()).then((s) => s.response)));

    // Act
    const again = await session.step(client.first());

    // Assess
    expect(again.error?.code).toBe(SASL_ERROR.ILLEGAL_SASL_STATE);
  });
});

describe('SCRAM client-first messages the server refuses', () => {
  const cases: Array<[string, string]> = [
    ['channel binding required (p=)', 'p=tls-unique,,n=alice,r=abc'],
    ['an authorization id other than the user', 'n,a=bob,n=alice,r=abc'],
    ['a delegation token (tokenauth)', 'n,,n=alice,r=abc,tokenauth=true'],
    ['a mandatory extension', 'n,,m=ext,n=alice,r=abc'],
    ['a bad saslname escape', 'n,,n=al=2Xice,r=abc'],
    ['a nonce with a comma-free but non-printable byte', 'n,,n=alice,r=a\u0001b'],
    ['no nonce', 'n,,n=alice'],
    ['not UTF-8', '\u00ff'],
  ];

  it.each(cases)('refuses %s with SASL_AUTHENTICATION_FAILED', async (_, message) => {
    // Prepare
    const { store } = await testStore();
    const bytes = message === '\u00ff' ? Buffer.from([0xff, 0xfe]) : Buffer.from(message);

    // Act
    const step = await new ScramServerSession('SCRAM-SHA-256', store).step(bytes);

    // Assess
    expect(step).toMatchObject({ done: true, error: { code: SASL_ERROR.SASL_AUTHENTICATION_FAILED } });
    expect(step.principal).toBeUndefined();
  });

  it('refuses a message longer than its bound before parsing it', async () => {
    // Prepare
    const { store } = await testStore();

    // Act
    const step = await new ScramServerSession('SCRAM-SHA-512', store).step(Buffer.alloc(64 * 1024, 0x61));

    // Assess
    expect(step.error?.message).toMatch(/longer than/);
  });
});

describe('SCRAM names and credentials', () => {
  it('escapes "," and "=" in user names both ways, and refuses other escapes', () => {
    // Act
    const encoded = encodeSaslName('a,b=c');

    // Assess
    expect(encoded).toBe('a=2Cb=3Dc');
    expect(decodeSaslName(encoded)).toBe('a,b=c');
    expect(() => decodeSaslName('a=2')).toThrow(ScramFormatError);
  });

  it('accepts iteration counts from 4096 to 16384 only, as Kafka does', async () => {
    // Act / Assess
    await expect(scramCredential('SCRAM-SHA-256', 'pw', { iterations: SCRAM_MIN_ITERATIONS - 1 })).rejects.toThrow(RangeError);
    await expect(scramCredential('SCRAM-SHA-256', 'pw', { iterations: SCRAM_MAX_ITERATIONS + 1 })).rejects.toThrow(RangeError);
    await expect(scramCredential('SCRAM-SHA-256', 'pw', { iterations: SCRAM_MIN_ITERATIONS })).resolves.toMatchObject({ iterations: 4096 });
  });

  it('stores salted keys, never the password, and a fresh salt per entry', async () => {
    // Act
    const doc = await documentText();
    const alice = (JSON.parse(doc) as { users: Record<string, Record<string, { salt: string }>> }).users.alice;

    // Assess
    expect(doc).not.toContain(ALICE.password);
    expect(Object.keys(alice ?? {}).sort()).toEqual(['SCRAM-SHA-256', 'SCRAM-SHA-512']);
    expect(alice?.['SCRAM-SHA-256']?.salt).not.toBe(alice?.['SCRAM-SHA-512']?.salt);
  });
});
