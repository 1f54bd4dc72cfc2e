/** The package root: the SDK (Producer, Consumer, Admin) and its types. */
export * from './consumer/index.js';
export * from './producer/index.js';
export { sigv4Signer, signerFor, functionUrlRegion, type SigV4Options, type SigningMode } from './sigv4.js';
export { Admin, type DeleteRecordsResult, type OffsetResult, type OffsetSpec, type TopicDescription, type TopicInfo } from './admin.js';
export { ERROR_CODES, FloeError, isRetriable, type ErrorCode } from '@floe/protocol';
/** Low-level calls of Floe's HTTP API (the CLI and tools use them; applications use Producer and Consumer). */
export { FloeHttpClient, errorFromResponse, type FunctionName, type HttpClientOptions, type RequestSigner } from './http-client.js';
export { allocateProducerId, fetchRaw, produceRaw } from './log-client.js';
export { murmur2, partitionForKey } from '@floe/protocol';
export { normalizeBootstrap } from './bootstrap-url.js';
export { localPrincipal } from './local-principal.js';
export type { AclFilter, AclOperation, AclPatternType, AclPermission, AclResourceType, AclRule } from '@floe/protocol';
