/**
 * Request and response headers, as schemas run through the same codec as bodies.
 *   Request header v0: api_key int16, api_version int16, correlation_id int32.
 *   Request header v1: v0 + client_id (int16-length nullable string).
 *   Request header v2: v1 + tagged fields. client_id stays a non-compact string (its
 *     flexibleVersions is "none"), as in Kafka's RequestHeader.json.
 *   Response header v0: correlation_id int32. Response header v1: v0 + tagged fields.
 * A flexible API version uses request header v2 and response header v1, others v1 and v0;
 * the exception: ApiVersions responses always use header v0, so a client that does not yet know
 * the broker's versions can read the answer.
 */
import type { MessageSchema } from './schema.js';

export const REQUEST_HEADER = {
  apiKey: -1,
  type: 'header',
  name: 'RequestHeader',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'requestApiKey', type: 'int16', versions: '0+' },
    { name: 'requestApiVersion', type: 'int16', versions: '0+' },
    { name: 'correlationId', type: 'int32', versions: '0+' },
    { name: 'clientId', type: 'string', versions: '1+', nullableVersions: '1+', flexibleVersions: 'none', default: null },
  ],
} as const satisfies MessageSchema;

export const RESPONSE_HEADER = {
  apiKey: -1,
  type: 'header',
  name: 'ResponseHeader',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [{ name: 'correlationId', type: 'int32', versions: '0+' }],
} as const satisfies MessageSchema;

export type RequestHeaderVersion = 0 | 1 | 2;
export type ResponseHeaderVersion = 0 | 1;

export const API_VERSIONS_KEY = 18;

export function requestHeaderVersion(flexible: boolean): RequestHeaderVersion {
  return flexible ? 2 : 1;
}

export function responseHeaderVersion(apiKey: number, flexible: boolean): ResponseHeaderVersion {
  return flexible && apiKey !== API_VERSIONS_KEY ? 1 : 0;
}
