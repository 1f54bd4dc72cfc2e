/** Turning the produce form's fields into bytes: text, JSON (checked, kept as typed), base64 or hex. */
import { FloeError } from '@floe/client';
import type { GatewayProduceRecord } from './gateway.js';
import type { InputFormat, ProduceRequest } from './shared/api-types.js';

export const INPUT_FORMATS: readonly InputFormat[] = ['text', 'json', 'base64', 'hex'];

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

export function decodeInput(text: string, format: InputFormat, what: string): Buffer {
  switch (format) {
    case 'text':
      return Buffer.from(text, 'utf8');
    case 'json':
      try {
        JSON.parse(text);
      } catch (error) {
        throw new FloeError('INVALID_REQUEST', `${what} is not valid JSON: ${(error as Error).message}`);
      }
      return Buffer.from(text, 'utf8');
    case 'base64': {
      const compact = text.replace(/\s+/g, '');
      if (!BASE64.test(compact)) throw new FloeError('INVALID_REQUEST', `${what} is not valid base64`);
      return Buffer.from(compact, 'base64');
    }
    case 'hex': {
      const compact = text.replace(/\s+/g, '');
      if (!HEX.test(compact)) throw new FloeError('INVALID_REQUEST', `${what} is not valid hex (pairs of 0-9, a-f)`);
      return Buffer.from(compact, 'hex');
    }
  }
}

function format(value: unknown, what: string): InputFormat {
  if (value === undefined) return 'text';
  if (typeof value !== 'string' || !(INPUT_FORMATS as readonly string[]).includes(value)) {
    throw new FloeError('INVALID_REQUEST', `${what} must be one of ${INPUT_FORMATS.join(', ')}`);
  }
  return value as InputFormat;
}

function nullableString(value: unknown, what: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new FloeError('INVALID_REQUEST', `${what} must be a string or null`);
  return value;
}

/** Validates a produce form body; a null or absent key means no key (Kafka's null key). */
export function parseProduceRequest(body: Record<string, unknown>): GatewayProduceRecord {
  const request = body as Partial<ProduceRequest>;
  const partition = request.partition;
  if (partition !== undefined && partition !== null && (typeof partition !== 'number' || !Number.isInteger(partition) || partition < 0)) {
    throw new FloeError('INVALID_REQUEST', '"partition" must be a non-negative integer');
  }
  const key = nullableString(request.key, '"key"');
  // Left out is refused: a tombstone is asked for with null (on a compacted topic it deletes the key).
  if (request.value === undefined) throw new FloeError('INVALID_REQUEST', '"value" is missing (null sends a tombstone)');
  const value = nullableString(request.value, '"value"');
  const headersIn = request.headers ?? {};
  if (typeof headersIn !== 'object' || headersIn === null || Array.isArray(headersIn)) throw new FloeError('INVALID_REQUEST', '"headers" must be an object of strings');
  const headers: Record<string, Buffer> = {};
  for (const [name, v] of Object.entries(headersIn)) {
    if (typeof v !== 'string') throw new FloeError('INVALID_REQUEST', `header "${name}" must be a string`);
    headers[name] = Buffer.from(v, 'utf8');
  }
  return {
    partition: partition ?? undefined,
    key: key === null || key === '' ? null : decodeInput(key, format(request.keyFormat, '"keyFormat"'), 'the key'),
    value: value === null ? null : decodeInput(value, format(request.valueFormat, '"valueFormat"'), 'the value'),
    headers,
  };
}
