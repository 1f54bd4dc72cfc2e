/**
 * s3rver encrypts ListObjectsV2 continuation tokens with single DES, which OpenSSL 3 only
 * offers through its legacy provider (`--openssl-legacy-provider`, which then had to be
 * passed to every process running s3rver). Triple DES with the same key three times is
 * single DES (E_k(D_k(E_k(x))) = E_k(x)) and is in the default provider, so the cipher is
 * mapped onto it in this process instead. Only the name 'des' is touched: without the
 * legacy provider it would throw, so nothing that works today changes.
 */
import crypto, { type BinaryLike, type CipherKey } from 'node:crypto';

function singleDesWorks(): boolean {
  try {
    crypto.createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
    return true;
  } catch {
    return false;
  }
}

const asTripleKey = (key: CipherKey): Buffer => {
  const bytes = Buffer.from(key as Uint8Array);
  return Buffer.concat([bytes, bytes, bytes]);
};

export function installSingleDesShim(): void {
  if (singleDesWorks()) return;
  const { createCipheriv, createDecipheriv } = crypto;
  const isDes = (algorithm: string): boolean => algorithm.toLowerCase() === 'des' || algorithm.toLowerCase() === 'des-cbc';
  Object.assign(crypto, {
    createCipheriv: (algorithm: string, key: CipherKey, iv: BinaryLike | null, options?: object) =>
      isDes(algorithm) ? createCipheriv('des-ede3-cbc', asTripleKey(key), iv, options as never) : createCipheriv(algorithm, key, iv, options as never),
    createDecipheriv: (algorithm: string, key: CipherKey, iv: BinaryLike | null, options?: object) =>
      isDes(algorithm) ? createDecipheriv('des-ede3-cbc', asTripleKey(key), iv, options as never) : createDecipheriv(algorithm, key, iv, options as never),
  });
}

installSingleDesShim();
