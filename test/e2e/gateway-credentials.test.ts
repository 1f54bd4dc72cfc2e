/** `floe gateway credentials`: the helper operators create users with, run through the CLI with the password on stdin. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCredentialDocument } from '../../src/gateway/security/credentials/document.js';
import { staticCredentialStore } from '../../src/gateway/security/credentials/store.js';
import { PlainServerSession } from '../../src/gateway/security/sasl/plain.js';
import { FLOE_BIN } from '../helpers/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'floe-gateway-credentials-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[], input: string) =>
  spawnSync(process.execPath, [FLOE_BIN, 'gateway', 'credentials', ...args], { input, encoding: 'utf8' });

describe('floe gateway credentials', () => {
  it('writes SCRAM entries for a password read on stdin into a 0600 file the gateway accepts', async () => {
    // Prepare
    const file = join(dir, 'users.json');

    // Act
    const result = run(['alice', '--file', file, '--iterations', '4096'], 's3cret-Pa55\n');

    // Assess
    expect(result.status, result.stderr).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('s3cret-Pa55');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const store = staticCredentialStore(parseCredentialDocument(text));
    const login = await new PlainServerSession(store).step(Buffer.from('\0alice\0s3cret-Pa55'));
    expect(login.principal).toBe('User:alice');
  });

  it('prints a one-user document without a target, and removes a user from a file', () => {
    // Prepare
    const file = join(dir, 'two.json');
    run(['alice', '--file', file, '--iterations', '4096', '--mechanisms', 'SCRAM-SHA-256'], 'a');
    run(['bob', '--file', file, '--iterations', '4096'], 'b');

    // Act
    const printed = run(['carol', '--iterations', '4096', '--mechanisms', 'SCRAM-SHA-512'], 'c');
    const removed = run(['alice', '--file', file, '--remove'], '');

    // Assess
    expect(printed.status, printed.stderr).toBe(0);
    expect(Object.keys(JSON.parse(printed.stdout).users.carol)).toEqual(['SCRAM-SHA-512']);
    expect(removed.status, removed.stderr).toBe(0);
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')).users)).toEqual(['bob']);
  });

  it('refuses an empty password and iteration counts Kafka would refuse, writing nothing', () => {
    // Prepare
    const file = join(dir, 'refused.json');

    // Act
    const empty = run(['alice', '--file', file], '\n');
    const weak = run(['alice', '--file', file, '--iterations', '1000'], 'pw');

    // Assess
    expect(empty.status).not.toBe(0);
    expect(empty.stderr).toMatch(/password is empty/);
    expect(weak.stderr).toMatch(/4096/);
    expect(existsSync(file)).toBe(false);
  });
});
