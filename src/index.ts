/** The package root: the SDK (Producer, Consumer, Admin) and its types. */
export * from './client/consumer/index.js';
export * from './client/producer/index.js';
export { sigv4Signer, signerFor, functionUrlRegion, type SigV4Options, type SigningMode } from './client/sigv4.js';
export { Admin, type OffsetResult, type OffsetSpec, type TopicDescription, type TopicInfo } from './client/admin.js';
export { ERROR_CODES, FloeError, isRetriable, type ErrorCode } from './errors.js';
