/**
 * SCRAM's key derivation (RFC 5802 section 3, RFC 7677): what the server stores is
 * StoredKey = H(HMAC(SaltedPassword, "Client Key")) and ServerKey = HMAC(SaltedPassword,
 * "Server Key"), never the password. Knowing them lets a server check a proof and prove
 * itself, but not log in as the user.
 */
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { ScramMechanism } from './mechanism.js';

const pbkdf2Async = promisify(pbkdf2);

export const SCRAM_HASH: Readonly<Record<ScramMechanism, { hash: 'sha256' | 'sha512'; bytes: number }>> = {
  'SCRAM-SHA-256': { hash: 'sha256', bytes: 32 },
  'SCRAM-SHA-512': { hash: 'sha512', bytes: 64 },
};

/** RFC 7677's minimum, which Kafka also enforces. */
export const SCRAM_MIN_ITERATIONS = 4096;
/** Kafka's maximum: bounds what one PLAIN attempt checked against a SCRAM entry costs the server. */
export const SCRAM_MAX_ITERATIONS = 16384;
export const SCRAM_DEFAULT_ITERATIONS = 8192;
export const SCRAM_SALT_BYTES = 32;

export interface ScramCredential {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

export const hmac = (mechanism: ScramMechanism, key: Buffer, data: string | Buffer): Buffer =>
  createHmac(SCRAM_HASH[mechanism].hash, key).update(data).digest();

export const digest = (mechanism: ScramMechanism, data: Buffer): Buffer => createHash(SCRAM_HASH[mechanism].hash).update(data).digest();

export function xor(a: Buffer, b: Buffer): Buffer {
  if (a.length !== b.length) throw new RangeError('xor of buffers of different lengths');
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) ^ (b[i] as number);
  return out;
}

/** Hi(): PBKDF2 with HMAC-H, on the thread pool so a login does not stall the event loop. */
export function saltedPassword(mechanism: ScramMechanism, password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  const { hash, bytes } = SCRAM_HASH[mechanism];
  // Kafka applies no SASLprep: the password's UTF-8 bytes, as its clients send them.
  return pbkdf2Async(Buffer.from(password, 'utf8'), salt, iterations, bytes, hash);
}

export function keysOf(mechanism: ScramMechanism, salted: Buffer): { clientKey: Buffer; storedKey: Buffer; serverKey: Buffer } {
  const clientKey = hmac(mechanism, salted, 'Client Key');
  return { clientKey, storedKey: digest(mechanism, clientKey), serverKey: hmac(mechanism, salted, 'Server Key') };
}

/** A new SCRAM entry for a password (what `floe gateway credentials` writes). */
export async function scramCredential(
  mechanism: ScramMechanism,
  password: string,
  options: { iterations?: number; salt?: Buffer } = {},
): Promise<ScramCredential> {
  const iterations = options.iterations ?? SCRAM_DEFAULT_ITERATIONS;
  checkIterations(iterations);
  const salt = options.salt ?? randomBytes(SCRAM_SALT_BYTES);
  const { storedKey, serverKey } = keysOf(mechanism, await saltedPassword(mechanism, password, salt, iterations));
  return { salt, iterations, storedKey, serverKey };
}

export function checkIterations(iterations: number): void {
  if (!Number.isInteger(iterations) || iterations < SCRAM_MIN_ITERATIONS || iterations > SCRAM_MAX_ITERATIONS) {
    throw new RangeError(`SCRAM iterations must be an integer from ${SCRAM_MIN_ITERATIONS} to ${SCRAM_MAX_ITERATIONS}, got ${iterations}`);
  }
}

/** Compares secrets in time independent of where they differ (and of their lengths, by comparing digests). */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db) && a.length === b.length;
}
