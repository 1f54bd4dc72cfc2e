/** Small validators for JSON request bodies: every wrong type becomes INVALID_REQUEST naming the field. */
import { FloeError, type ErrorCode } from '@floe/protocol';
import { REQUEST_LIMITS } from './limits.js';

export type Json = Record<string, unknown>;

/** A JSON object; with `fields`, one that has no other (knownFields). */
export function object(value: unknown, what: string, fields?: readonly string[]): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FloeError('INVALID_REQUEST', `${what} must be a JSON object`);
  }
  return fields ? knownFields(value as Json, what, fields) : (value as Json);
}

export function array(value: unknown, what: string, max = 100_000): unknown[] {
  if (!Array.isArray(value)) throw new FloeError('INVALID_REQUEST', `${what} must be an array`);
  if (value.length > max) throw new FloeError('INVALID_REQUEST', `${what} has ${value.length} elements; the limit is ${max}`);
  return value;
}

/** Refuses a request naming more partitions than a limit (counted after whole topics are expanded). */
export function partitionCount(count: number, what: string, limit = REQUEST_LIMITS.maxPartitionsPerRequest): void {
  if (count > limit) throw new FloeError('INVALID_REQUEST', `${what} names ${count} partitions; the limit is ${limit} (maxPartitionsPerRequest)`);
}

/**
 * A GET route's query parameters, each one it takes and each at most once: a typo (`partiton=2`)
 * or a second value (`topic=a&topic=b`) would otherwise be dropped without a word.
 */
export function queryParams<K extends string>(query: URLSearchParams, route: string, names: readonly K[]): Partial<Record<K, string>> {
  const params: Partial<Record<K, string>> = {};
  for (const [name, value] of query) {
    if (!(names as readonly string[]).includes(name)) {
      throw new FloeError('INVALID_REQUEST', `unknown query parameter "${name}"; ${route} takes ${names.join(', ')}`);
    }
    if (params[name as K] !== undefined) throw new FloeError('INVALID_REQUEST', `query parameter "${name}" is given more than once`);
    params[name as K] = value;
  }
  return params;
}

/**
 * Refuses a field the route does not take, as queryParams does: a misspelt one (`partiton`, `timestmap`)
 * would otherwise be dropped without a word and the record written where the caller did not ask.
 */
export function knownFields<T extends Json>(value: T, what: string, names: readonly string[]): T {
  for (const name of Object.keys(value)) {
    if (!names.includes(name)) throw new FloeError('INVALID_REQUEST', `unknown field "${name}" in ${what}; it takes ${names.join(', ')}`);
  }
  return value;
}

export function string(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new FloeError('INVALID_REQUEST', `${what} must be a string`);
  return value;
}

export function integer(
  value: unknown,
  what: string,
  range: { min?: number; max?: number; code?: ErrorCode } = {},
): number {
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new FloeError('INVALID_REQUEST', `${what} must be an integer`);
  if ((range.min !== undefined && n < range.min) || (range.max !== undefined && n > range.max)) {
    const bounds = `${range.min ?? '-inf'}..${range.max ?? 'inf'}`;
    throw new FloeError(range.code ?? 'INVALID_REQUEST', `${what} must be in ${bounds}, got ${n}`);
  }
  return n;
}

export function optional<T>(value: unknown, fallback: T, parse: (v: unknown) => T): T {
  return value === undefined || value === null ? fallback : parse(value);
}

/** Strict base64 (RFC 4648 alphabet, padded): Buffer.from would silently skip characters outside it. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function base64(value: unknown, what: string): Buffer {
  const s = string(value, what);
  if (!BASE64.test(s)) throw new FloeError('INVALID_REQUEST', `${what} is not valid base64`);
  return Buffer.from(s, 'base64');
}
