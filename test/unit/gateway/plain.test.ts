/** SASL/PLAIN server side: PLAIN entries, SCRAM entries checked by derivation, and the refusals. */
import { describe, expect, it } from 'vitest';
import { SASL_ERROR } from '../../../src/gateway/security/sasl/errors.js';
import { PlainServerSession } from '../../../src/gateway/security/sasl/plain.js';
import { ALICE, BOB, testStore } from '../../helpers/sasl-fixtures.js';

const plain = (authzid: string, user: string, password: string) => Buffer.from(`${authzid}\0${user}\0${password}`);

describe('SASL/PLAIN', () => {
  it('accepts a user with only SCRAM entries by deriving the salted password', async () => {
    // Prepare
    const { store } = await testStore();

    // Act
    const step = await new PlainServerSession(store).step(plain('', ALICE.name, ALICE.password));

    // Assess
    expect(step).toEqual({ response: Buffer.alloc(0), done: true, principal: 'User:alice' });
  });

  it('accepts a user with a PLAIN entry, and an authorization id equal to the user', async () => {
    // Prepare
    const { store } = await testStore();

    // Act
    const step = await new PlainServerSession(store).step(plain(BOB.name, BOB.name, BOB.password));

    // Assess
    expect(step.principal).toBe('User:bob');
  });

  it('refuses a wrong password, an unknown user and a foreign authorization id with the same answer', async () => {
    // Prepare
    const { store } = await testStore();
    const attempts = [plain('', ALICE.name, 'wrong'), plain('', BOB.name, `${BOB.password}x`), plain('', 'mallory', ALICE.password), plain(BOB.name, ALICE.name, ALICE.password)];

    // Act
    const steps = await Promise.all(attempts.map((bytes) => new PlainServerSession(store).step(bytes)));

    // Assess
    for (const step of steps) {
      expect(step.done).toBe(true);
      expect(step.principal).toBeUndefined();
      expect(step.error).toEqual({ code: SASL_ERROR.SASL_AUTHENTICATION_FAILED, message: expect.stringContaining('invalid credentials with SASL mechanism PLAIN') });
    }
  });

  it('refuses malformed and oversized messages, and a second message', async () => {
    // Prepare
    const { store } = await testStore();
    const session = new PlainServerSession(store);

    // Act
    const noSeparators = await new PlainServerSession(store).step(Buffer.from('alice'));
    const emptyPassword = await new PlainServerSession(store).step(plain('', ALICE.name, ''));
    const huge = await new PlainServerSession(store).step(plain('', ALICE.name, 'x'.repeat(5000)));
    await session.step(plain('', ALICE.name, ALICE.password));
    const second = await session.step(plain('', ALICE.name, ALICE.password));

    // Assess
    expect(noSeparators.error?.message).toMatch(/NUL/);
    expect(emptyPassword.error?.message).toMatch(/empty/);
    expect(huge.error?.message).toMatch(/too long/);
    expect(second.error?.code).toBe(SASL_ERROR.ILLEGAL_SASL_STATE);
  });
});
