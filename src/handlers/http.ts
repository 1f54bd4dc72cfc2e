/**
 * Lambda Function URL (payload format 2.0) plumbing shared by the handlers:
 * request parsing, a tiny router, and mapping results and errors to HTTP.
 * Error bodies are always `{ "error": { "code", "message", "retriable" } }`.
 */
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { type ErrorCode, FloeError } from '@floe/protocol';
import type { Access, Authorizer, Identity } from '../auth/index.js';
import { publicError } from '../storage/errors.js';
import { callerOf } from './caller.js';
import './logger.js'; // installs the logger as the reporter of internal errors

export type FunctionUrlEvent = LambdaFunctionURLEvent;
/** The structured response form a Function URL accepts. */
export interface FunctionUrlResult {
  statusCode: number;
  headers: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
}
export type FunctionUrlHandler = (event: FunctionUrlEvent) => Promise<FunctionUrlResult>;

export interface HttpRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  /** raw body (base64 decoded); size-checked against the route's limit before decoding */
  body: Buffer;
  params: Record<string, string>;
  /** Who called, as Lambda authenticated it (caller.ts). */
  identity: Identity;
}

/** What the caller of this request may do (decided in src/auth; rules cached per instance). */
export const accessOf = (auth: Authorizer, request: HttpRequest): Promise<Access> => auth.access(request.identity);

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** e.g. "/v1/topics/:name/partitions" */
  path: string;
  /** largest accepted body in bytes */
  maxBodyBytes?: number;
  handle: (request: HttpRequest) => Promise<FunctionUrlResult>;
}

export const json = (status: number, body: unknown): FunctionUrlResult => ({
  statusCode: status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
  isBase64Encoded: false,
});

export const binary = (status: number, contentType: string, body: Buffer): FunctionUrlResult => ({
  statusCode: status,
  headers: { 'content-type': contentType },
  body: body.toString('base64'),
  isBase64Encoded: true,
});

/** A partition's outcome in an answer that carries per-partition results. */
export interface PartitionOutcome {
  errorCode: ErrorCode;
  errorMessage?: string;
}

/**
 * The one HTTP status rule for answers with per-partition results (produce, fetch,
 * offsets, offset commits and resets; docs/http-api.md, "Per-partition results"):
 * 200 when at least one partition succeeded or none was named; otherwise the
 * status of the first partition's error, which also goes beside the results.
 * Binary answers (the SDK's fetch) are always 200: like Kafka's, they carry only the codes.
 */
export function partitionsStatus(outcomes: readonly PartitionOutcome[]): { status: number; error?: FloeError } {
  const first = outcomes[0];
  if (!first || outcomes.some((o) => o.errorCode === 'NONE')) return { status: 200 };
  const error = new FloeError(first.errorCode, first.errorMessage ?? first.errorCode);
  return { status: error.status, error };
}

/** A JSON answer with per-partition results, its status and `error` set by partitionsStatus. */
export function partitionsJson(body: Record<string, unknown>, outcomes: readonly PartitionOutcome[]): FunctionUrlResult {
  const { status, error } = partitionsStatus(outcomes);
  return json(status, error ? { ...body, error: error.toJSON() } : body);
}

/** The answer to a failed request; what is not a FloeError is logged here and answered without its text. */
export function errorResponse(error: unknown): FunctionUrlResult {
  const e = publicError(error, 'a request');
  return json(e.status, { error: e.toJSON() });
}

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.replace(/\/+$/, '').split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const g = got[i] as string;
    if (w.startsWith(':')) {
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return undefined;
      }
    } else if (w !== g) return undefined;
  }
  return params;
}

const DEFAULT_MAX_BODY = 1024 * 1024;

export function router(routes: Route[]): FunctionUrlHandler {
  return async (event) => {
    try {
      const method = event.requestContext?.http?.method ?? 'GET';
      const path = event.rawPath || '/';
      let matchedPath = false;
      for (const route of routes) {
        const params = matchPath(route.path, path);
        if (!params) continue;
        matchedPath = true;
        if (route.method !== method) continue;
        const limit = route.maxBodyBytes ?? DEFAULT_MAX_BODY;
        const raw = event.body ?? '';
        const approx = event.isBase64Encoded ? Math.floor((raw.length * 3) / 4) : Buffer.byteLength(raw);
        if (approx > limit) {
          throw new FloeError('RECORD_LIST_TOO_LARGE', `request body of ${approx} bytes exceeds the ${limit}-byte limit of ${route.path}`);
        }
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
        return await route.handle({
          method,
          path,
          query: new URLSearchParams(event.rawQueryString ?? ''),
          headers,
          body: event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8'),
          params,
          identity: callerOf(event),
        });
      }
      if (matchedPath) throw new FloeError('METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}`);
      throw new FloeError('NOT_FOUND', `no route ${method} ${path}`);
    } catch (error) {
      return errorResponse(error);
    }
  };
}

export function contentType(request: HttpRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export function parseJsonBody(request: HttpRequest): unknown {
  const type = contentType(request);
  if (type !== '' && type !== 'application/json' && !type.endsWith('+json')) {
    throw new FloeError('UNSUPPORTED_MEDIA_TYPE', `expected application/json, got ${type}`);
  }
  if (request.body.length === 0) throw new FloeError('INVALID_REQUEST', 'request body is empty; expected JSON');
  try {
    return JSON.parse(request.body.toString('utf8'));
  } catch (error) {
    throw new FloeError('INVALID_REQUEST', `malformed JSON body: ${(error as Error).message}`);
  }
}
