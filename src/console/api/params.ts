/** Reading query parameters and JSON bodies of console API requests; bad input is INVALID_REQUEST (400). */
import { FloeError } from '@floe/client';

export function invalid(message: string): FloeError {
  return new FloeError('INVALID_REQUEST', message);
}

/** An integer query parameter in [min, max], or the default when absent. */
export function intParam(query: URLSearchParams, name: string, options: { min: number; max: number; default?: number }): number {
  const raw = query.get(name);
  if (raw === null || raw === '') {
    if (options.default === undefined) throw invalid(`query parameter "${name}" is required`);
    return options.default;
  }
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < options.min || n > options.max) {
    throw invalid(`query parameter "${name}" must be an integer from ${options.min} to ${options.max}, got "${raw}"`);
  }
  return n;
}

export function oneOf<T extends string>(query: URLSearchParams, name: string, allowed: readonly T[], fallback: T): T {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw invalid(`query parameter "${name}" must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

/**
 * A JSON object; with `fields`, one naming only those. Floe refuses unknown fields, and the console
 * passes on only what it read, so without this a misspelt or unsupported field ("dryRun",
 * "validateOnly") would be dropped and the write done anyway.
 */
export function objectBody(body: unknown, fields?: readonly string[], what = 'the body'): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid(`${what} must be a JSON object`);
  for (const name of fields ? Object.keys(body) : []) {
    if (!fields?.includes(name)) throw invalid(`unknown field "${name}" in ${what}; it takes ${fields?.join(', ')}`);
  }
  return body as Record<string, unknown>;
}

export function bodyInt(body: Record<string, unknown>, name: string, options: { min: number; max: number; optional?: boolean }): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) {
    if (options.optional) return undefined;
    throw invalid(`"${name}" is required`);
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < options.min || value > options.max) {
    throw invalid(`"${name}" must be an integer from ${options.min} to ${options.max}`);
  }
  return value;
}

export function bodyString(body: Record<string, unknown>, name: string, options: { optional?: boolean; maxLength?: number } = {}): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) {
    if (options.optional) return undefined;
    throw invalid(`"${name}" is required`);
  }
  if (typeof value !== 'string') throw invalid(`"${name}" must be a string`);
  if (options.maxLength !== undefined && value.length > options.maxLength) throw invalid(`"${name}" is longer than ${options.maxLength} characters`);
  return value;
}
