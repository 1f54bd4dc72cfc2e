/**
 * The console's HTTP server (node:http): the built UI as static files and the
 * JSON API the UI calls under /api. Every answer to a failed API call has
 * Floe's error body { error: { code, message, retriable } }; in read-only mode
 * write routes answer 403 before anything reaches Floe.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FloeError } from '@floe/client';
import { consoleRoutes } from './api/routes.js';
import { findRoute, type ApiRoute } from './api/router.js';
import type { FloeGateway } from './gateway.js';
import { hostAllowed, writeRefusal } from './request-guard.js';
import { ClusterSampler, type SamplerOptions } from './sampler.js';
import type { ApiErrorBody, ConsoleInfo } from './shared/api-types.js';
import { loadAssets, type StaticFile } from './static-assets.js';

export const DEFAULT_CONSOLE_PORT = 8080;
/** Largest JSON body a write takes (a test record of up to ~1 MiB, base64 or hex encoded). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface ConsoleServerOptions {
  gateway: FloeGateway;
  /** shown in the UI */
  bootstrap: string;
  signed?: boolean;
  readOnly?: boolean;
  host?: string;
  /** 0 = any free port */
  port?: number;
  /** the built UI: a directory, or a function giving one (called on the first page request) */
  assetsDir: string | (() => Promise<string>);
  sampler?: SamplerOptions;
  /** unexpected errors (bugs) go here; stderr by default */
  log?: (line: string) => void;
}

export interface ConsoleServer {
  url: string;
  sampler: ClusterSampler;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Everything the page loads comes from the console itself: no CDN, no inline script. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function errorAnswer(error: unknown, log: (line: string) => void): { status: number; body: ApiErrorBody } {
  if (error instanceof FloeError) return { status: error.status, body: { error: error.toJSON() } };
  log(`console: unexpected error: ${(error as Error)?.stack ?? String(error)}`);
  return { status: 500, body: { error: { code: 'UNKNOWN_SERVER_ERROR', message: 'unexpected console error (logged)', retriable: true } } };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new FloeError('RECORD_LIST_TOO_LARGE', `request body above ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new FloeError('INVALID_REQUEST', 'the body is not valid JSON');
  }
}

export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const host = options.host ?? '127.0.0.1';
  const readOnly = options.readOnly ?? false;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const sampler = new ClusterSampler(options.gateway, options.sampler);
  const info: ConsoleInfo = { bootstrap: options.bootstrap, readOnly, signed: options.signed ?? false, sampleIntervalMs: sampler.intervalMs };
  const routes: ApiRoute[] = consoleRoutes({ gateway: options.gateway, sampler, info });
  let assets: Promise<Map<string, StaticFile>> | undefined;
  const loadOnce = () => {
    const dir = options.assetsDir;
    assets ??= (typeof dir === 'string' ? Promise.resolve(dir) : dir()).then(loadAssets);
    assets.catch((error: Error) => log(`console: the UI is unavailable: ${error.message}`));
    return assets;
  };

  async function api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method === 'GET') sampler.touch(); // someone is looking: keep sampling (scripted writes alone do not start it)
    const { route, params } = findRoute(routes, req.method ?? 'GET', url.pathname);
    let body: unknown;
    if (route.write) {
      if (readOnly) throw new FloeError('CLUSTER_AUTHORIZATION_FAILED', 'the console is read-only (--read-only): writes are refused');
      const refusal = writeRefusal(req.headers);
      if (refusal) throw new FloeError(refusal.code, refusal.message);
      body = await readJson(req);
    }
    const result = await route.handle({ params, query: url.searchParams, body });
    sendJson(res, result.status ?? 200, result.body);
  }

  async function staticFile(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new FloeError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${url.pathname}`);
    let files: Map<string, StaticFile>;
    try {
      files = await loadOnce();
    } catch (error) {
      throw new FloeError('UNKNOWN_SERVER_ERROR', `the console UI could not be built or loaded: ${(error as Error).message}`);
    }
    const file = files.get(url.pathname);
    if (!file) throw new FloeError('NOT_FOUND', `no such page ${url.pathname}`);
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': file.type, 'content-length': file.body.length, 'cache-control': 'no-cache', 'content-security-policy': CSP });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    const work = !hostAllowed(host, req.headers)
      ? Promise.reject(new FloeError('CLUSTER_AUTHORIZATION_FAILED', 'address the console by a loopback name (127.0.0.1 or localhost)'))
      : url.pathname.startsWith('/api/')
        ? api(req, res, url)
        : staticFile(req, res, url);
    work.catch((error: unknown) => {
      const { status, body } = errorAnswer(error, log);
      if (!res.headersSent) sendJson(res, status, body);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_CONSOLE_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}/`,
    sampler,
    async close() {
      sampler.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
