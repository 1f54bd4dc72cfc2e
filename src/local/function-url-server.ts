/**
 * Serves Lambda Function URL handlers over plain HTTP, building the same
 * payload-format-2.0 event a Function URL delivers. One port hosts every
 * function: the admin function (the bootstrap URL) at the root, the others
 * under /_fn/<name>, with the prefix stripped from rawPath as a Function URL would.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_PRINCIPAL_HEADER } from '@floe/protocol';
import type { FunctionUrlEvent, FunctionUrlHandler } from '../handlers/http.js';
import { hostAllowed, isCrossOrigin } from '../console/request-guard.js';
import { listenError } from './errors.js';

export const FUNCTION_NAMES = ['produce', 'fetch', 'admin', 'groups'] as const;

/**
 * Served by the local cluster only (never by a Lambda): where its storage is, so that
 * `floe housekeeping run --bootstrap URL` can reach it like every other command.
 */
export const LOCAL_STORAGE_PATH = '/_local/storage';
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** Lambda's synchronous invocation payload limit. */
export const MAX_INVOKE_PAYLOAD_BYTES = 6 * 1024 * 1024;

const TEXT_TYPES = /^(text\/|application\/(json|x-www-form-urlencoded|xml|javascript))|\+json/;

export function functionUrl(base: string, name: FunctionName): string {
  return name === 'admin' ? base : `${base}/_fn/${name}`;
}

function route(path: string): { name: FunctionName; rawPath: string } {
  const match = /^\/_fn\/([a-z]+)(\/.*)?$/.exec(path);
  if (match && (FUNCTION_NAMES as readonly string[]).includes(match[1] ?? '')) {
    return { name: match[1] as FunctionName, rawPath: match[2] ?? '/' };
  }
  return { name: 'admin', rawPath: path };
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_INVOKE_PAYLOAD_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The identity Lambda would put in the event of a Function URL with AWS_IAM auth. Here the local
 * cluster plays Lambda: the principal comes from the x-floe-principal header, else the cluster's
 * fixed one. Handlers read only this field, never the header, so on AWS (where only Lambda writes
 * the request context) the header is an ordinary, ignored header.
 */
function iamAuthorizer(principal: string): { iam: Record<string, string | null> } {
  const account = /^arn:[^:]+:[^:]+::(\d{12}):/.exec(principal)?.[1] ?? 'local';
  return { iam: { accessKey: 'local', accountId: account, callerId: principal, cognitoIdentity: null, principalOrgId: null, userArn: principal, userId: principal } };
}

export function toEvent(req: IncomingMessage, body: Buffer, rawPath: string, rawQueryString: string, defaultPrincipal?: string): FunctionUrlEvent {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[key.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const principal = headers[LOCAL_PRINCIPAL_HEADER] || defaultPrincipal;
  delete headers[LOCAL_PRINCIPAL_HEADER];
  const isText = TEXT_TYPES.test(headers['content-type'] ?? '');
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
      ...(principal ? { authorizer: iamAuthorizer(principal) } : {}),
    },
    body: body.length === 0 ? undefined : isText ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: body.length > 0 && !isText,
  } as FunctionUrlEvent;
}

export interface FunctionUrlServer {
  url: string;
  server: Server;
  setHandler(name: FunctionName, handler: FunctionUrlHandler): void;
  /** what GET /_local/storage answers */
  setStorage(storage: { dynamoEndpoint: string; s3Endpoint: string }): void;
  close(): Promise<void>;
}

export interface FunctionUrlServerOptions {
  host?: string;
  port?: number;
  /** The principal of requests without an x-floe-principal header; none: anonymous (as a Function URL with auth NONE). */
  principal?: string;
}

export async function startFunctionUrlServer(options: FunctionUrlServerOptions = {}): Promise<FunctionUrlServer> {
  const handlers = new Map<FunctionName, FunctionUrlHandler>();
  let storage: { dynamoEndpoint: string; s3Endpoint: string } | undefined;
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      // The local cluster has no credentials and answers as its default principal (a super user):
      // no web page may drive it, cross-site (a form or no-cors POST) or through a rebound DNS name.
      const refused = !hostAllowed(options.host ?? '127.0.0.1', req.headers) ? `Host ${req.headers.host ?? '(none)'} is not a loopback name` : isCrossOrigin(req.headers) ? `cross-origin request from ${req.headers.origin}` : undefined;
      if (refused) return send(res, 403, { error: { code: 'CLUSTER_AUTHORIZATION_FAILED', message: `${refused} refused`, retriable: false } });
      if (url.pathname === LOCAL_STORAGE_PATH && req.method === 'GET' && storage) return send(res, 200, storage);
      const { name, rawPath } = route(url.pathname);
      const handler = handlers.get(name);
      if (!handler) return send(res, 503, { error: { code: 'COORDINATOR_NOT_AVAILABLE', message: `${name} is starting`, retriable: true } });
      const body = await readBody(req);
      if (body === undefined) {
        return send(res, 413, { error: { code: 'RECORD_LIST_TOO_LARGE', message: `request exceeds Lambda's ${MAX_INVOKE_PAYLOAD_BYTES}-byte payload limit`, retriable: false } });
      }
      const result = await handler(toEvent(req, body, rawPath, url.search.slice(1), options.principal));
      const out = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
      res.writeHead(result.statusCode, { ...result.headers, 'content-length': String(out.length) });
      res.end(out);
    } catch (error) {
      // A handler never throws (the router answers every error), so this is a bug of this server: say it here, not to the caller.
      process.stderr.write(`floe: internal error serving ${req.method} ${req.url}: ${(error as Error)?.stack ?? String(error)}\n`);
      send(res, 500, { error: { code: 'UNKNOWN_SERVER_ERROR', message: 'internal error (logged by the server)', retriable: true } });
    }
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(listenError(error, options.host ?? '127.0.0.1', options.port ?? 0, 'the bootstrap URL')));
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host}:${address.port}`,
    server,
    setHandler: (name, handler) => handlers.set(name, handler),
    setStorage: (endpoints) => (storage = { ...endpoints }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
