/** The credentials document (shape, validation), its lazily refreshed cache, and the editing helper. */
import { describe, expect, it } from 'vitest';
import { CredentialDocumentError, parseCredentialDocument } from '../../../src/gateway/security/credentials/document.js';
import { removeUser, scramEntries, setUser } from '../../../src/gateway/security/credentials/edit.js';
import { CachedCredentialStore } from '../../../src/gateway/security/credentials/store.js';
import { ALICE, documentText } from '../../helpers/sasl-fixtures.js';

const b64 = (bytes: number) => Buffer.alloc(bytes, 1).toString('base64');
const scram256 = { salt: b64(16), iterations: 4096, storedKey: b64(32), serverKey: b64(32) };

describe('the credentials document', () => {
  it('parses users with SCRAM and PLAIN entries', async () => {
    // Act
    const document = parseCredentialDocument(await documentText());

    // Assess
    expect([...document.users.keys()].sort()).toEqual(['alice', 'bob']);
    expect(document.users.get('alice')?.scram['SCRAM-SHA-512']?.storedKey).toHaveLength(64);
    expect(document.users.get('bob')?.plain?.password).toBeTypeOf('string');
    expect(document.fingerprint).toHaveLength(32);
  });

  it.each([
    ['not JSON', '{users', /not valid JSON/],
    ['no users object', '{"users": []}', /expected \{"users"/],
    ['too few iterations', JSON.stringify({ users: { a: { 'SCRAM-SHA-256': { ...scram256, iterations: 1000 } } } }), /users\["a"\]\.SCRAM-SHA-256\.iterations/],
    ['a key of the wrong length', JSON.stringify({ users: { a: { 'SCRAM-SHA-512': scram256 } } }), /storedKey: expected 64 bytes/],
    ['an unknown mechanism', JSON.stringify({ users: { a: { GSSAPI: {} } } }), /unknown mechanism "GSSAPI"/],
    ['a user without credentials', JSON.stringify({ users: { a: {} } }), /no credentials/],
    ['an empty PLAIN password', JSON.stringify({ users: { a: { PLAIN: { password: '' } } } }), /PLAIN\.password/],
  ])('rejects %s, naming where', (_, text, message) => {
    // Act / Assess
    expect(() => parseCredentialDocument(text)).toThrow(CredentialDocumentError);
    expect(() => parseCredentialDocument(text)).toThrow(message);
  });

  it('never quotes the document in a JSON error (it holds secrets)', () => {
    // Act
    let message = '';
    try {
      parseCredentialDocument('{"users": {"a": {"PLAIN": {"password": "hunter2"');
    } catch (error) {
      message = (error as Error).message;
    }

    // Assess
    expect(message).not.toBe('');
    expect(message).not.toContain('hunter2');
  });
});

describe('editing the document', () => {
  it('adds, replaces and removes users, keeping the others', async () => {
    // Prepare
    const start = await documentText();
    const entry = await scramEntries('new password', { mechanisms: ['SCRAM-SHA-256'], iterations: 4096 });

    // Act
    const replaced = setUser(start, ALICE.name, entry);
    const added = setUser(replaced, 'carol', entry);
    const removed = removeUser(added, 'bob');

    // Assess
    const users = parseCredentialDocument(removed).users;
    expect([...users.keys()].sort()).toEqual(['alice', 'carol']);
    expect(Object.keys(users.get('alice')?.scram ?? {})).toEqual(['SCRAM-SHA-256']);
    expect(() => removeUser(removed, 'bob')).toThrow(/no user "bob"/);
  });

  it('takes user names that are Object.prototype member names as plain names (decision 41)', async () => {
    // Prepare
    const entry = await scramEntries('pw', { mechanisms: ['SCRAM-SHA-256'], iterations: 4096 });

    // Act
    const added = setUser(setUser(undefined, '__proto__', entry), 'constructor', entry);
    const removedMissing = (() => {
      try {
        removeUser(added, 'toString');
        return 'removed';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    const removed = removeUser(added, '__proto__');

    // Assess
    expect([...parseCredentialDocument(added).users.keys()].sort()).toEqual(['__proto__', 'constructor']);
    expect(removedMissing).toBe('no user "toString" in the credentials document');
    expect([...parseCredentialDocument(removed).users.keys()]).toEqual(['constructor']);
  });

  it('refuses to edit a document the gateway would refuse', () => {
    // Act / Assess
    expect(() => setUser('{"users": {"a": {}}}', 'b', { PLAIN: { password: 'x' } })).toThrow(CredentialDocumentError);
  });
});

describe('the cached credential store', () => {
  function counting(texts: Array<string | Error>) {
    let calls = 0;
    const load = async () => {
      const next = texts[Math.min(calls, texts.length - 1)];
      calls++;
      if (next instanceof Error) throw next;
      return next as string;
    };
    return { load, calls: () => calls };
  }
  const doc = (...names: string[]) => JSON.stringify({ users: Object.fromEntries(names.map((n) => [n, { 'SCRAM-SHA-256': scram256 }])) });

  it('loads once, then reloads only when the document is older than refreshMs', async () => {
    // Prepare
    let now = 0;
    const source = counting([doc('a')]);
    const store = new CachedCredentialStore({ load: source.load, refreshMs: 1000, retryMs: 100, now: () => now });
    await store.init();

    // Act
    await store.lookup('a');
    now = 999;
    await store.lookup('a');
    const before = source.calls();
    now = 1000;
    await store.lookup('a');

    // Assess
    expect(before).toBe(1);
    expect(source.calls()).toBe(2);
  });

  it('reloads for an unknown user at most once per retryMs, so a new user can log in at once', async () => {
    // Prepare
    let now = 0;
    const source = counting([doc('a'), doc('a', 'new')]);
    const store = new CachedCredentialStore({ load: source.load, refreshMs: 60_000, retryMs: 100, now: () => now });
    await store.init();

    // Act
    now = 50;
    const tooSoon = await store.lookup('new');
    now = 150;
    const found = await store.lookup('new');
    const hammer = await Promise.all([store.lookup('ghost'), store.lookup('ghost'), store.lookup('ghost')]);

    // Assess
    expect(tooSoon.user).toBeUndefined();
    expect(found.user).toBeDefined();
    expect(hammer.every((l) => l.user === undefined)).toBe(true);
    expect(source.calls()).toBe(2);
  });

  it('keeps the last good document when a reload fails, and says so', async () => {
    // Prepare
    let now = 0;
    const errors: unknown[] = [];
    const source = counting([doc('a'), new Error('throttled')]);
    const store = new CachedCredentialStore({ load: source.load, refreshMs: 10, retryMs: 10, now: () => now, onReloadError: (e) => errors.push(e) });
    await store.init();

    // Act
    now = 20;
    const lookup = await store.lookup('a');

    // Assess
    expect(lookup.user).toBeDefined();
    expect(errors).toHaveLength(1);
  });

  it('fails start-up on a bad first document, and shares one load between concurrent logins', async () => {
    // Prepare
    const bad = new CachedCredentialStore({ load: async () => '{"users": {"a": {}}}' });
    const source = counting([doc('a')]);
    const store = new CachedCredentialStore({ load: source.load });

    // Act
    const lookups = await Promise.all([store.lookup('a'), store.lookup('a'), store.lookup('a')]);

    // Assess
    await expect(bad.init()).rejects.toThrow(CredentialDocumentError);
    expect(lookups.every((l) => l.user !== undefined)).toBe(true);
    expect(source.calls()).toBe(1);
  });
});
