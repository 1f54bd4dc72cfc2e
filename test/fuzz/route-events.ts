/** Builds Function URL events (payload 2.0) for in-process handler calls, and reads their answers. */
import type { FunctionUrlEvent, FunctionUrlHandler } from '../../src/handlers/http.js';
import { ERROR_CODES, isErrorCode } from '../../packages/protocol/src/errors.js';

export interface Call {
  method: string;
  path: string;
  query?: string;
  body?: Buffer | string;
  type?: string;
  accept?: string;
}

export function eventOf(call: Call): FunctionUrlEvent {
  const binary = Buffer.isBuffer(call.body);
  const headers: Record<string, string> = {};
  if (call.type !== undefined) headers['content-type'] = call.type;
  if (call.accept !== undefined) headers.accept = call.accept;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: call.path,
    rawQueryString: call.query ?? '',
    headers,
    requestContext: { http: { method: call.method, path: call.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'fuzz' }, timeEpoch: Date.now() },
    body: call.body === undefined ? undefined : binary ? (call.body as Buffer).toString('base64') : (call.body as string),
    isBase64Encoded: binary,
  } as unknown as FunctionUrlEvent;
}

export interface Answer {
  status: number;
  code: string | undefined;
  body: string;
}

export async function invoke(handler: FunctionUrlHandler, call: Call): Promise<Answer> {
  const result = await handler(eventOf(call));
  const body = result.body === undefined ? '' : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8').toString('utf8');
  let code: string | undefined;
  try {
    code = (JSON.parse(body) as { error?: { code?: string } }).error?.code;
  } catch {
    code = undefined;
  }
  return { status: result.statusCode, code, body };
}

/** The answer is a 4xx whose code is documented with exactly that status. */
export function isDocumented4xx(a: Answer): boolean {
  return a.status >= 400 && a.status < 500 && isErrorCode(a.code) && ERROR_CODES[a.code].status === a.status;
}

/** Read-only routes may succeed on some inputs; they must never answer 5xx or an undocumented error. */
export function isCleanAnswer(a: Answer): boolean {
  return a.status < 400 || isDocumented4xx(a);
}
