/** Self-signed certificates for the TLS tests, made by the openssl CLI (node:crypto makes keys, not certificates). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TlsMaterial } from '../../src/gateway/security/tls.js';

export const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export interface TestCertificates {
  files(name: string): { cert: string; key: string };
  material(name: string): TlsMaterial;
  remove(): void;
}

/** One self-signed EC certificate per name, valid a day for localhost and 127.0.0.1. */
export function makeCertificates(...names: string[]): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'floe-gateway-tls-'));
  const files = (name: string) => ({ cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) });
  for (const name of names) {
    const { cert, key } = files(name);
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', `/CN=${name}`,
        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert],
      { stdio: 'ignore' },
    );
  }
  return {
    files,
    material: (name) => ({ cert: readFileSync(files(name).cert, 'utf8'), key: readFileSync(files(name).key, 'utf8') }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
