/**
 * The SDK's transport: one bootstrap URL, the other functions' URLs discovered
 * from GET /v1/bootstrap, JSON and binary bodies, and errors turned back into
 * FloeError with the server's Kafka-style code. Requests can be signed (SigV4)
 * through the `sign` hook when the Function URLs use AWS_IAM auth.
 */
import { FloeError, isErrorCode } from '@floe/protocol';
import { normalizeBootstrap } from './bootstrap-url.js';
import { MAX_TIMER_MS } from './properties.js';

export type FunctionName = 'produce' | 'fetch' | 'admin' | 'groups';

export interface HttpRequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export type RequestSigner = (request: HttpRequestSpec) => Promise<HttpRequestSpec>;

export interface HttpClientOptions {
  /** per-request timeout (request.timeout.ms) */
  requestTimeoutMs?: number;
  sign?: RequestSigner;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: Buffer;
}

export class FloeHttpClient {
  private urls: Promise<Record<FunctionName, string>> | undefined;
  readonly bootstrap: string;

  constructor(
    bootstrap: string,
    private readonly options: HttpClientOptions = {},
  ) {
    this.bootstrap = normalizeBootstrap(bootstrap);
  }

  /** Function URLs, discovered once from the bootstrap URL. */
  functionUrls(): Promise<Record<FunctionName, string>> {
    this.urls ??= this.send({ method: 'GET', url: `${this.bootstrap}/v1/bootstrap`, headers: {} })
      .then((response) => {
        const found = JSON.parse(response.body.toString('utf8')) as Partial<Record<FunctionName, string | null>>;
        const pick = (name: FunctionName) => (found[name] ?? this.bootstrap).replace(/\/+$/, '');
        return { produce: pick('produce'), fetch: pick('fetch'), admin: found.admin ? pick('admin') : this.bootstrap, groups: pick('groups') };
      })
      .catch((error) => {
        this.urls = undefined;
        throw error;
      });
    return this.urls;
  }

  async call(
    fn: FunctionName,
    method: HttpRequestSpec['method'],
    path: string,
    options: { json?: unknown; body?: Buffer; contentType?: string; accept?: string; timeoutMs?: number; allowErrorStatus?: boolean } = {},
  ): Promise<HttpResponse> {
    const base = (await this.functionUrls())[fn];
    const headers: Record<string, string> = {};
    let body: Buffer | undefined;
    if (options.json !== undefined) {
      body = Buffer.from(JSON.stringify(options.json));
      headers['content-type'] = 'application/json';
    } else if (options.body) {
      body = options.body;
      headers['content-type'] = options.contentType ?? 'application/octet-stream';
    }
    if (options.accept) headers.accept = options.accept;
    return this.send({ method, url: `${base}${path}`, headers, body }, options.timeoutMs, options.allowErrorStatus);
  }

  async callJson<T>(fn: FunctionName, method: HttpRequestSpec['method'], path: string, json?: unknown): Promise<T> {
    const response = await this.call(fn, method, path, json === undefined ? {} : { json });
    return JSON.parse(response.body.toString('utf8')) as T;
  }

  /** Sends a request; a non-2xx answer becomes a FloeError carrying the server's code. */
  async send(request: HttpRequestSpec, timeoutMs = this.options.requestTimeoutMs ?? 30_000, allowErrorStatus = false): Promise<HttpResponse> {
    const signed = this.options.sign ? await this.options.sign(request) : request;
    let response: Response;
    try {
      response = await fetch(signed.url, {
        method: signed.method,
        headers: signed.headers,
        body: signed.body,
        // Some timeouts add to a bounded option (a fetch's: request timeout + the server's wait): past a
        // timer's longest delay the signal would fire after 1 ms and every such request time out at once.
        signal: AbortSignal.timeout(Math.min(timeoutMs, MAX_TIMER_MS)),
      });
    } catch (error) {
      const timedOut = (error as Error)?.name === 'TimeoutError' || (error as Error)?.name === 'AbortError';
      if (timedOut) throw new FloeError('REQUEST_TIMED_OUT', `${signed.method} ${signed.url}: no answer within ${timeoutMs} ms`, { cause: error });
      throw new FloeError('NETWORK_ERROR', networkProblem(signed.url, error), { cause: error });
    }
    const body = Buffer.from(await response.arrayBuffer());
    const ok = response.status >= 200 && response.status < 300;
    // Client errors that carry per-partition results (produce) are answers, not failures, for callers that ask.
    if (ok || (allowErrorStatus && response.status >= 400 && response.status < 500)) {
      return { status: response.status, headers: response.headers, body };
    }
    throw errorFromResponse(response.status, body);
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '0.0.0.0']);

/** What went wrong reaching a URL, in words a user can act on (fetch only says "fetch failed"). */
function networkProblem(target: string, error: unknown): string {
  const url = new URL(target);
  const cause = (error as { cause?: { code?: string; errors?: Array<{ code?: string }> } })?.cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  const where = url.origin;
  if (code === 'ECONNREFUSED') {
    return LOOPBACK.has(url.hostname)
      ? `connection refused at ${where}; is the local cluster running (\`npm start\`, or \`floe dev\`)?`
      : `connection refused at ${where}; is the bootstrap URL right?`;
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host not found: ${url.hostname} (from ${where}); is the bootstrap URL right?`;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return `${where} closed the connection (${code})`;
  return `${where} did not answer: ${code ?? (error as Error)?.message ?? String(error)}`;
}

export function errorFromResponse(status: number, body: Buffer): FloeError {
  let code: unknown;
  let message = `HTTP ${status}`;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { error?: { code?: unknown; message?: unknown }; message?: unknown };
    code = parsed.error?.code;
    message = String(parsed.error?.message ?? parsed.message ?? message);
  } catch {
    // not JSON: keep the HTTP status as the message
  }
  if (isErrorCode(code)) return new FloeError(code, message, { status });
  if (status === 429) return new FloeError('THROTTLING_QUOTA_EXCEEDED', message, { status });
  if (status === 403 || status === 401) return new FloeError('TOPIC_AUTHORIZATION_FAILED', message, { status });
  if (status >= 500) return new FloeError('UNKNOWN_SERVER_ERROR', message, { status });
  return new FloeError('INVALID_REQUEST', message, { status });
}
