/** A minimal SCRAM client for the tests (RFC 5802 client side), written from the RFC, not from the server code. */
import { createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';

type Mechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
const HASH = { 'SCRAM-SHA-256': 'sha256', 'SCRAM-SHA-512': 'sha512' } as const;
const LENGTH = { 'SCRAM-SHA-256': 32, 'SCRAM-SHA-512': 64 } as const;

export class ScramTestClient {
  private bare = '';
  private serverSignature = Buffer.alloc(0);

  constructor(
    readonly mechanism: Mechanism,
    readonly username: string,
    readonly password: string,
    readonly clientNonce = 'fyko+d2lbbFgONRv9qkxdawL',
    readonly gs2Header = 'n,,',
  ) {}

  first(): Buffer {
    this.bare = `n=${this.username.replace(/=/g, '=3D').replace(/,/g, '=2C')},r=${this.clientNonce}`;
    return Buffer.from(this.gs2Header + this.bare);
  }

  final(serverFirst: Buffer, overrides: { nonce?: string; channelBinding?: string } = {}): Buffer {
    const text = serverFirst.toString();
    const attrs = new Map(text.split(',').map((p) => [p.slice(0, 1), p.slice(2)] as const));
    const nonce = overrides.nonce ?? (attrs.get('r') as string);
    const salt = Buffer.from(attrs.get('s') as string, 'base64');
    const iterations = Number(attrs.get('i'));
    const hash = HASH[this.mechanism];
    const salted = pbkdf2Sync(this.password, salt, iterations, LENGTH[this.mechanism], hash);
    const clientKey = createHmac(hash, salted).update('Client Key').digest();
    const storedKey = createHash(hash).update(clientKey).digest();
    const withoutProof = `c=${overrides.channelBinding ?? Buffer.from(this.gs2Header).toString('base64')},r=${nonce}`;
    const authMessage = `${this.bare},${text},${withoutProof}`;
    const signature = createHmac(hash, storedKey).update(authMessage).digest();
    const proof = Buffer.from(clientKey.map((b, i) => b ^ (signature[i] as number)));
    const serverKey = createHmac(hash, salted).update('Server Key').digest();
    this.serverSignature = createHmac(hash, serverKey).update(authMessage).digest();
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`);
  }

  /** Checks the server's proof of knowing the user's ServerKey. */
  verifies(serverFinal: Buffer): boolean {
    const v = serverFinal.toString();
    if (!v.startsWith('v=')) return false;
    const got = Buffer.from(v.slice(2), 'base64');
    return got.length === this.serverSignature.length && timingSafeEqual(got, this.serverSignature);
  }
}
