/**
 * TLS on the gateway's listener with certificates made for the test by the openssl CLI
 * (node:crypto makes keys, not certificates): a TLS client gets through, a plaintext client
 * does not, material from files and from a secret's JSON, mismatches refused, rotation applied.
 */
import { connect as tcpConnect, type AddressInfo, type Server, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkTlsMaterial, createGatewayServer, isTls, parseTlsSecret, tlsFromFiles } from '../../../src/gateway/security/tls.js';
import { hasOpenssl, makeCertificates, type TestCertificates } from '../../helpers/certificates.js';

if (!hasOpenssl) console.warn('tls.test.ts: skipped, the openssl CLI is not installed (it makes the test certificates)');

let certificates: TestCertificates | undefined;
const files = (name: string) => (certificates as TestCertificates).files(name);
const material = (name: string) => (certificates as TestCertificates).material(name);

const servers: Server[] = [];
/** An echo server through createGatewayServer; records whether each connection was TLS. */
async function echo(options: Parameters<typeof createGatewayServer>[0]): Promise<{ port: number; sawTls: boolean[]; errors: Error[] }> {
  const sawTls: boolean[] = [];
  const errors: Error[] = [];
  const server = createGatewayServer({ ...options, onTlsError: (e) => errors.push(e) }, (socket: Socket) => {
    sawTls.push(isTls(socket));
    socket.pipe(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, sawTls, errors };
}

function tlsRoundTrip(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => socket.write('ping'));
    socket.once('data', (data) => {
      resolve(data.toString());
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

beforeAll(() => {
  if (hasOpenssl) certificates = makeCertificates('one', 'two');
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});
afterAll(() => certificates?.remove());

describe.skipIf(!hasOpenssl)('the gateway listener', () => {
  it('serves TLS to a client that trusts the certificate, and hands over an encrypted socket', async () => {
    // Prepare
    const server = await echo({ tls: await tlsFromFiles(files('one').cert, files('one').key)() });

    // Act
    const answer = await tlsRoundTrip(server.port, material('one').cert);

    // Assess
    expect(answer).toBe('ping');
    expect(server.sawTls).toEqual([true]);
  });

  it('refuses a client that does not trust it, and a plaintext Kafka client never gets a connection', async () => {
    // Prepare
    const server = await echo({ tls: material('one'), handshakeTimeoutMs: 1000 });

    // Act
    const untrusted = await tlsRoundTrip(server.port, material('two').cert).then(() => 'connected', (e: Error) => e.message);
    const plaintext = await new Promise<string>((resolve) => {
      const socket = tcpConnect(server.port, '127.0.0.1', () => socket.write(Buffer.from([0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0, 0])));
      socket.on('data', () => undefined);
      socket.once('close', () => resolve('closed'));
    });

    // Assess
    expect(untrusted).toMatch(/self[- ]signed|certificate/i);
    expect(plaintext).toBe('closed');
    expect(server.sawTls).toEqual([]);
    expect(server.errors.length).toBeGreaterThanOrEqual(1);
  });

  it('does not report a health check that connects and closes without a byte', async () => {
    // Prepare
    const server = await echo({ tls: material('one') });

    // Act
    await new Promise<void>((resolve) => {
      const socket = tcpConnect(server.port, '127.0.0.1', () => socket.end());
      socket.once('close', () => resolve());
    });
    await new Promise((r) => setTimeout(r, 100));

    // Assess
    expect(server.errors).toEqual([]);
    expect(server.sawTls).toEqual([]);
  });

  it('stays plain TCP without material (the local cluster)', async () => {
    // Prepare
    const server = await echo({});

    // Act
    const answer = await new Promise<string>((resolve) => {
      const socket = tcpConnect(server.port, '127.0.0.1', () => socket.write('ping'));
      socket.once('data', (d) => {
        resolve(d.toString());
        socket.destroy();
      });
    });

    // Assess
    expect(answer).toBe('ping');
    expect(server.sawTls).toEqual([false]);
  });

  it('picks up a rotated certificate without a restart', async () => {
    // Prepare: serves "one", its source already returns "two".
    const server = await echo({ tls: material('one'), tlsSource: async () => material('two'), tlsRefreshMs: 50 });
    const before = await tlsRoundTrip(server.port, material('two').cert).then(() => 'ok', () => 'refused');

    // Act
    await new Promise((r) => setTimeout(r, 200));
    const after = await tlsRoundTrip(server.port, material('two').cert);

    // Assess
    expect(before).toBe('refused');
    expect(after).toBe('ping');
  });
});

describe.skipIf(!hasOpenssl)('TLS material', () => {
  it('reads a secret shaped like ACM\'s export, appending the chain to the certificate', () => {
    // Prepare
    const { cert, key } = material('one');
    const chain = material('two').cert;

    // Act
    const parsed = parseTlsSecret(JSON.stringify({ certificate: cert, privateKey: key, certificateChain: chain }));

    // Assess
    expect(parsed.key).toBe(key);
    expect(parsed.cert.startsWith(cert.trimEnd())).toBe(true);
    expect(parsed.cert.endsWith(chain)).toBe(true);
  });

  it('refuses a key that does not match the certificate, non-PEM text and a secret of another shape', () => {
    // Prepare
    const one = material('one');
    const two = material('two');

    // Act / Assess
    expect(() => checkTlsMaterial({ cert: one.cert, key: two.key })).toThrow();
    expect(() => checkTlsMaterial({ cert: 'hello', key: one.key })).toThrow(/PEM/);
    expect(() => parseTlsSecret(JSON.stringify({ cert: one.cert, key: one.key }))).toThrow(/certificate/);
    expect(() => parseTlsSecret('not json')).toThrow(/JSON/);
  });
});
