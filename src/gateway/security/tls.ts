/**
 * TLS on the gateway's listener. Material comes from PEM files (local, tests) or from a
 * Secrets Manager secret {"certificate", "privateKey", "certificateChain"?} (deployed with TLS
 * passthrough; the names follow ACM's ExportCertificate output). Without material the listener
 * is plain TCP, as for the local cluster. A rotated secret is picked up without a restart.
 */
import { readFile } from 'node:fs/promises';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createSecureContext, createServer as createTlsServer, type Server as TlsServer, TLSSocket } from 'node:tls';

export interface TlsMaterial {
  /** PEM: the certificate, followed by its chain. */
  cert: string;
  /** PEM, unencrypted. */
  key: string;
}

export type TlsSource = () => Promise<TlsMaterial>;

/** Checks that the key and certificate parse and belong together; throws otherwise. */
export function checkTlsMaterial(material: TlsMaterial): TlsMaterial {
  if (!material.cert.includes('-----BEGIN CERTIFICATE-----')) throw new Error('TLS certificate: expected PEM (-----BEGIN CERTIFICATE-----)');
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(material.key)) throw new Error('TLS private key: expected PEM (-----BEGIN PRIVATE KEY-----)');
  if (material.key.includes('ENCRYPTED')) throw new Error('TLS private key: encrypted keys are not supported; store the decrypted key');
  createSecureContext({ cert: material.cert, key: material.key }); // throws on a key that does not match
  return material;
}

export const tlsFromFiles = (certFile: string, keyFile: string): TlsSource => async () =>
  checkTlsMaterial({ cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') });

export function parseTlsSecret(text: string): TlsMaterial {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('TLS secret: expected JSON {"certificate", "privateKey", "certificateChain"?}');
  }
  const { certificate, privateKey, certificateChain } = (json ?? {}) as Record<string, unknown>;
  if (typeof certificate !== 'string' || typeof privateKey !== 'string' || (certificateChain !== undefined && typeof certificateChain !== 'string')) {
    throw new Error('TLS secret: expected JSON {"certificate", "privateKey", "certificateChain"?} with PEM strings');
  }
  const cert = certificateChain ? `${certificate.trimEnd()}\n${certificateChain}` : certificate;
  return checkTlsMaterial({ cert, key: privateKey });
}

export const tlsFromSecret = (load: () => Promise<string>): TlsSource => async () => parseTlsSecret(await load());

export interface GatewayListenerOptions {
  /** Serve TLS with this material; undefined: plain TCP. */
  tls?: TlsMaterial;
  /** Reload the material from here every `tlsRefreshMs` (certificate rotation). */
  tlsSource?: TlsSource;
  /** @default 3_600_000 (1 hour) */
  tlsRefreshMs?: number;
  /** A client that has not finished its TLS handshake by then is dropped. @default 10_000 */
  handshakeTimeoutMs?: number;
  /** Failed handshakes (not bare connect-and-close probes) and failed reloads (the old certificate carries on). */
  onTlsError?: (error: Error) => void;
}

const MIN_TLS_VERSION = 'TLSv1.2';

/**
 * The gateway's server: `onConnection` gets every accepted connection, after the TLS handshake
 * when TLS is on (a TLSSocket is a net.Socket: the Kafka framing reads and writes it the same way).
 * The caller listens: `createGatewayServer(...).listen(port, host)`.
 */
export function createGatewayServer(options: GatewayListenerOptions, onConnection: (socket: Socket) => void): Server {
  const { tls } = options;
  if (!tls) return createTcpServer({ noDelay: true }, onConnection);
  const server: TlsServer = createTlsServer(
    { cert: tls.cert, key: tls.key, minVersion: MIN_TLS_VERSION, handshakeTimeout: options.handshakeTimeoutMs ?? 10_000 },
    (socket) => {
      socket.setNoDelay(true);
      onConnection(socket);
    },
  );
  server.on('tlsClientError', (error: NodeJS.ErrnoException) => {
    // A load balancer's TCP health check connects and closes without a byte: not worth a log line.
    if (error.code === 'ECONNRESET') return;
    options.onTlsError?.(error);
  });
  const source = options.tlsSource;
  if (source) {
    const timer = setInterval(() => {
      source()
        .then((material) => server.setSecureContext({ cert: material.cert, key: material.key, minVersion: MIN_TLS_VERSION }))
        .catch((error: unknown) => options.onTlsError?.(error instanceof Error ? error : new Error(String(error))));
    }, options.tlsRefreshMs ?? 3_600_000);
    timer.unref();
    server.once('close', () => clearInterval(timer));
  }
  return server;
}

/** Whether a connection the server handed over is encrypted. */
export const isTls = (socket: Socket): boolean => socket instanceof TLSSocket && socket.encrypted;
