/**
 * Entry points for a Kafka gateway (decode requests, encode responses) and for test clients
 * (encode requests, decode responses).
 *
 * Framing: every Kafka message travels as int32 size + (header + body). The encoders return the
 * whole thing, size prefix included, ready for the socket; the decoders take one frame WITHOUT its
 * size prefix, as FrameSplitter (frames.ts) yields it.
 *
 * Trailing bytes after a body are not an error (Kafka's parsers read the fields they know and stop);
 * their count is returned as `trailingBytes` so a caller can log or reject them. Inside a message,
 * every length must fit the bytes actually there, and a known tagged field must use exactly its size.
 */
import { decodeStruct } from './decode.js';
import { encodeStruct } from './encode.js';
import { KafkaErrorCode, KafkaProtocolError, malformed, type PartialRequestHeader } from './errors.js';
import {
  API_VERSIONS_KEY,
  REQUEST_HEADER,
  RESPONSE_HEADER,
  requestHeaderVersion,
  responseHeaderVersion,
  type RequestHeaderVersion,
  type ResponseHeaderVersion,
} from './headers.js';
import { compileMessage, type StructPlan } from './plan.js';
import { Reader } from './reader.js';
import { allApis, findApi, type ApiDefinition } from './registry.js';
import { UNKNOWN_TAGGED_FIELDS, type KafkaStruct, type RawTaggedField } from './schema.js';
import { Writer } from './writer.js';

/** A type, not an interface, so it fits a body (KafkaStruct) as the ApiVersions `apiKeys` entries. */
export type ApiVersionRange = {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
};

export interface RequestHeader extends PartialRequestHeader {
  headerVersion: RequestHeaderVersion;
  /** Tagged fields of a v2 header (none are defined; kept if a client sends some). */
  unknownTaggedFields?: readonly RawTaggedField[];
}

export interface DecodedRequest {
  header: RequestHeader;
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  body: KafkaStruct;
  /** Bytes after the body that no field claimed (see the note on trailing bytes above). */
  trailingBytes: number;
}

export interface DecodedResponse {
  correlationId: number;
  body: KafkaStruct;
  trailingBytes: number;
}

const REQUEST_HEADER_PLANS = [0, 1, 2].map((v) => compileMessage(REQUEST_HEADER, v));
const RESPONSE_HEADER_PLANS = [0, 1].map((v) => compileMessage(RESPONSE_HEADER, v));

/** Every API this codec can decode and encode, with its version range (the shape of ApiVersions' `apiKeys`). */
export function supportedApis(): ApiVersionRange[] {
  return allApis().map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion, maxVersion }));
}

/** The request and response header versions of an API version; throws `unsupported_*` if unknown. */
export function headerVersions(apiKey: number, apiVersion: number): { request: RequestHeaderVersion; response: ResponseHeaderVersion } {
  const api = requireApi({ apiKey, apiVersion, correlationId: 0, clientId: null });
  const flexible = api.isFlexible(apiVersion);
  return { request: requestHeaderVersion(flexible), response: responseHeaderVersion(apiKey, flexible) };
}

/**
 * Reads the request header of a frame. For an API or version this codec lacks it throws a
 * KafkaProtocolError of kind `unsupported_api` / `unsupported_version` (error code 35) whose
 * `header` holds the api key, version, correlation id and, when readable, client id.
 */
export function decodeRequestHeader(frame: Buffer): { header: RequestHeader; bodyOffset: number } {
  const partial = readPartialHeader(frame);
  const api = requireApi(partial);
  const headerVersion = requestHeaderVersion(api.isFlexible(partial.apiVersion));
  const reader = new Reader(frame);
  let raw: KafkaStruct;
  try {
    raw = decodeStruct(reader, REQUEST_HEADER_PLANS[headerVersion] as StructPlan);
  } catch (error) {
    if (error instanceof KafkaProtocolError) error.header = partial;
    throw error;
  }
  const header: RequestHeader = { ...partial, clientId: (raw.clientId as string | null | undefined) ?? null, headerVersion };
  const unknown = raw[UNKNOWN_TAGGED_FIELDS] as readonly RawTaggedField[] | undefined;
  if (unknown !== undefined) header.unknownTaggedFields = unknown;
  return { header, bodyOffset: reader.pos };
}

/** Decodes one request frame (no size prefix): header, then the body of that API and version. */
export function decodeRequest(frame: Buffer): DecodedRequest {
  const { header, bodyOffset } = decodeRequestHeader(frame);
  const api = findApi(header.apiKey) as ApiDefinition;
  const reader = new Reader(frame, bodyOffset);
  let body: KafkaStruct;
  try {
    body = decodeStruct(reader, api.requestPlans.get(header.apiVersion) as StructPlan);
  } catch (error) {
    if (error instanceof KafkaProtocolError) error.header = header;
    throw error;
  }
  const { apiKey, apiVersion, correlationId } = header;
  return { header, apiKey, apiVersion, correlationId, body, trailingBytes: reader.remaining };
}

/** Encodes a request with its header (v1 or v2, from the API version) and size prefix. */
export function encodeRequest(apiKey: number, apiVersion: number, correlationId: number, clientId: string | null, body: KafkaStruct): Buffer {
  const api = requireApi({ apiKey, apiVersion, correlationId, clientId });
  const writer = new Writer();
  const headerPlan = REQUEST_HEADER_PLANS[requestHeaderVersion(api.isFlexible(apiVersion))] as StructPlan;
  encodeStruct(writer, headerPlan, { requestApiKey: apiKey, requestApiVersion: apiVersion, correlationId, clientId });
  encodeStruct(writer, api.requestPlans.get(apiVersion) as StructPlan, body);
  return writer.finish(true);
}

/** Encodes a response with its header (v0 or v1; always v0 for ApiVersions) and size prefix. */
export function encodeResponse(apiKey: number, apiVersion: number, correlationId: number, body: KafkaStruct): Buffer {
  const api = requireApi({ apiKey, apiVersion, correlationId, clientId: null });
  const writer = new Writer();
  const headerPlan = RESPONSE_HEADER_PLANS[responseHeaderVersion(apiKey, api.isFlexible(apiVersion))] as StructPlan;
  encodeStruct(writer, headerPlan, { correlationId });
  encodeStruct(writer, api.responsePlans.get(apiVersion) as StructPlan, body);
  return writer.finish(true);
}

/** Decodes one response frame (no size prefix); the caller knows which request it answers. */
export function decodeResponse(apiKey: number, apiVersion: number, frame: Buffer): DecodedResponse {
  const api = requireApi({ apiKey, apiVersion, correlationId: 0, clientId: null });
  const reader = new Reader(frame);
  const headerPlan = RESPONSE_HEADER_PLANS[responseHeaderVersion(apiKey, api.isFlexible(apiVersion))] as StructPlan;
  const header = decodeStruct(reader, headerPlan);
  const body = decodeStruct(reader, api.responsePlans.get(apiVersion) as StructPlan);
  return { correlationId: header.correlationId as number, body, trailingBytes: reader.remaining };
}

/**
 * The answer to an ApiVersions request at a version this codec lacks: a v0 response (header v0)
 * with UNSUPPORTED_VERSION and the supported list, so the client retries at a version it finds there.
 */
export function encodeApiVersionsFallback(correlationId: number, apis: readonly ApiVersionRange[] = supportedApis()): Buffer {
  return encodeResponse(API_VERSIONS_KEY, 0, correlationId, {
    errorCode: KafkaErrorCode.UNSUPPORTED_VERSION,
    apiKeys: apis,
  });
}

/** api key, api version and correlation id sit at fixed offsets in every request header version. */
function readPartialHeader(frame: Buffer): PartialRequestHeader {
  const reader = new Reader(frame);
  if (reader.remaining < 8) throw malformed(`request header needs 8 bytes, frame has ${reader.remaining}`);
  const apiKey = reader.int16();
  const apiVersion = reader.int16();
  const correlationId = reader.int32();
  let clientId: string | null = null;
  try {
    clientId = reader.string(false, true);
  } catch {
    // Unreadable client id: the header errors below are still answerable without it.
  }
  return { apiKey, apiVersion, correlationId, clientId };
}

function requireApi(header: PartialRequestHeader): ApiDefinition {
  const api = findApi(header.apiKey);
  if (api === undefined) {
    throw new KafkaProtocolError('unsupported_api', KafkaErrorCode.UNSUPPORTED_VERSION, `unsupported api key ${header.apiKey}`, header);
  }
  if (header.apiVersion < api.minVersion || header.apiVersion > api.maxVersion) {
    throw new KafkaProtocolError(
      'unsupported_version',
      KafkaErrorCode.UNSUPPORTED_VERSION,
      `${api.name} v${header.apiVersion} is not supported (${api.minVersion}-${api.maxVersion})`,
      header,
    );
  }
  return api;
}
