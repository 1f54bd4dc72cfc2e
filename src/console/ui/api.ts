/** Calls to the console server's JSON API (same origin: credentials never leave the server). */
import type { ApiErrorBody } from '../shared/api-types.js';
import { queryString, type QueryValues } from './query-string.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function apiUrl(path: string, query: QueryValues = {}): string {
  return `/api${path}${queryString(query)}`;
}

async function answer<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => undefined)) as unknown;
  if (response.ok) return body as T;
  const error = (body as Partial<ApiErrorBody> | undefined)?.error;
  throw new ApiError(response.status, error?.code ?? 'UNKNOWN_SERVER_ERROR', error?.message ?? `HTTP ${response.status}`);
}

export async function getJson<T>(path: string, query?: QueryValues, signal?: AbortSignal): Promise<T> {
  return answer<T>(await fetch(apiUrl(path, query), { signal, headers: { accept: 'application/json' } }));
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  return answer<T>(await fetch(apiUrl(path), { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) }));
}

export const enc = encodeURIComponent;
