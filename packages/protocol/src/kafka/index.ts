/** Floe's Kafka wire-protocol codec: schemas as data, one generic encoder/decoder. */
export {
  decodeRequest,
  decodeRequestHeader,
  decodeResponse,
  encodeApiVersionsFallback,
  encodeRequest,
  encodeResponse,
  headerVersions,
  supportedApis,
  type ApiVersionRange,
  type DecodedRequest,
  type DecodedResponse,
  type RequestHeader,
} from './api.js';
export { encodeAssignment, encodeSubscription, subscribedTopics } from './consumer-protocol.js';
export { KafkaErrorCode, KafkaProtocolError, type KafkaProtocolErrorKind, type PartialRequestHeader } from './errors.js';
export { DEFAULT_MAX_FRAME_BYTES, FrameSplitter } from './frames.js';
export { REQUEST_HEADER, RESPONSE_HEADER, type RequestHeaderVersion, type ResponseHeaderVersion } from './headers.js';
export { allApis, findApi, type ApiDefinition } from './registry.js';
export { UNKNOWN_TAGGED_FIELDS, type FieldSchema, type KafkaStruct, type KafkaValue, type MessageSchema, type PrimitiveType, type RawTaggedField } from './schema.js';
export { Reader } from './reader.js';
export { Writer } from './writer.js';
export type { MessageBody, StructBody } from './types.js';
export * from './messages/index.js';
