/**
 * The credentials document: the JSON the gateway reads from Secrets Manager (or a file).
 *
 *   { "users": {
 *       "alice": { "SCRAM-SHA-256": { "salt": "<base64>", "iterations": 8192, "storedKey": "<base64>", "serverKey": "<base64>" },
 *                  "SCRAM-SHA-512": { ... } },
 *       "legacy": { "PLAIN": { "password": "..." } } } }
 *
 * A user may have any of the three entries. SCRAM entries hold salted keys, never a password;
 * PLAIN logins are checked against a SCRAM entry when the user has no PLAIN entry. A document
 * with any bad entry is rejected whole, with the user and field named: a typo never half-applies.
 */
import { createHash } from 'node:crypto';
import { SCRAM_MECHANISMS, type ScramMechanism } from '../sasl/mechanism.js';
import { checkIterations, SCRAM_HASH, type ScramCredential } from '../sasl/scram-crypto.js';

export interface UserCredentials {
  plain?: { password: string };
  scram: Partial<Record<ScramMechanism, ScramCredential>>;
}

export interface CredentialDocument {
  users: ReadonlyMap<string, UserCredentials>;
  /**
   * SHA-256 of the document's text. Keys the decoy salts of unknown users, so every gateway
   * instance with the same document answers an unknown name with the same salt.
   */
  fingerprint: Buffer;
}

export class CredentialDocumentError extends Error {
  override readonly name = 'CredentialDocumentError';
}

/** JSON of one stored SCRAM credential. */
export interface ScramCredentialJson {
  salt: string;
  iterations: number;
  storedKey: string;
  serverKey: string;
}

export type UserCredentialsJson = Partial<Record<ScramMechanism, ScramCredentialJson>> & { PLAIN?: { password: string } };

export interface CredentialDocumentJson {
  users: Record<string, UserCredentialsJson>;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function base64Field(entry: Record<string, unknown>, field: string, where: string, bytes?: number): Buffer {
  const value = entry[field];
  if (typeof value !== 'string' || value === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) throw new CredentialDocumentError(`${where}.${field}: expected base64`);
  const decoded = Buffer.from(value, 'base64');
  if (bytes !== undefined && decoded.length !== bytes) throw new CredentialDocumentError(`${where}.${field}: expected ${bytes} bytes, got ${decoded.length}`);
  return decoded;
}

function scramEntry(mechanism: ScramMechanism, raw: unknown, where: string): ScramCredential {
  if (!isObject(raw)) throw new CredentialDocumentError(`${where}: expected an object`);
  const iterations = raw.iterations;
  try {
    checkIterations(iterations as number);
  } catch (error) {
    throw new CredentialDocumentError(`${where}.iterations: ${(error as Error).message}`);
  }
  const bytes = SCRAM_HASH[mechanism].bytes;
  return {
    salt: base64Field(raw, 'salt', where),
    iterations: iterations as number,
    storedKey: base64Field(raw, 'storedKey', where, bytes),
    serverKey: base64Field(raw, 'serverKey', where, bytes),
  };
}

function userEntry(name: string, raw: unknown): UserCredentials {
  const where = `users[${JSON.stringify(name)}]`;
  if (name === '' || name.includes('\0')) throw new CredentialDocumentError(`${where}: a user name must be non-empty and contain no NUL`);
  if (!isObject(raw)) throw new CredentialDocumentError(`${where}: expected an object`);
  const user: UserCredentials = { scram: {} };
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'PLAIN') {
      if (!isObject(value) || typeof value.password !== 'string' || value.password === '') {
        throw new CredentialDocumentError(`${where}.PLAIN.password: expected a non-empty string`);
      }
      user.plain = { password: value.password };
    } else if ((SCRAM_MECHANISMS as readonly string[]).includes(key)) {
      user.scram[key as ScramMechanism] = scramEntry(key as ScramMechanism, value, `${where}.${key}`);
    } else {
      throw new CredentialDocumentError(`${where}: unknown mechanism "${key}" (expected PLAIN, ${SCRAM_MECHANISMS.join(', ')})`);
    }
  }
  if (!user.plain && Object.keys(user.scram).length === 0) throw new CredentialDocumentError(`${where}: no credentials`);
  return user;
}

export function parseCredentialDocument(text: string): CredentialDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's message may quote the text, which holds secrets.
    throw new CredentialDocumentError('the credentials document is not valid JSON');
  }
  if (!isObject(json) || !isObject(json.users)) throw new CredentialDocumentError('expected {"users": {...}}');
  const users = new Map<string, UserCredentials>();
  for (const [name, raw] of Object.entries(json.users)) users.set(name, userEntry(name, raw));
  return { users, fingerprint: createHash('sha256').update(text).digest() };
}

export const scramCredentialToJson = (c: ScramCredential): ScramCredentialJson => ({
  salt: c.salt.toString('base64'),
  iterations: c.iterations,
  storedKey: c.storedKey.toString('base64'),
  serverKey: c.serverKey.toString('base64'),
});
