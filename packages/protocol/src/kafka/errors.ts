/** The one error type of the Kafka protocol layer: every failure carries a Kafka numeric error code. */

/** Kafka error codes this layer reports (see the protocol guide's error table). */
export const KafkaErrorCode = {
  UNKNOWN_SERVER_ERROR: -1,
  MESSAGE_TOO_LARGE: 10,
  UNSUPPORTED_VERSION: 35,
  INVALID_REQUEST: 42,
} as const;

/**
 * What went wrong, so a caller can pick its answer without parsing messages:
 * - `malformed`: the bytes do not follow the schema (truncated, bad length, bad varint...);
 * - `unsupported_api` / `unsupported_version`: the header names an API or version this codec lacks;
 *   `header` then holds what could be read of the request header, for an error response;
 * - `frame_too_large`: a size prefix beyond the configured maximum (or negative);
 * - `invalid_value`: a value given to an encoder does not fit its field (a caller bug).
 */
export type KafkaProtocolErrorKind =
  | 'malformed'
  | 'unsupported_api'
  | 'unsupported_version'
  | 'frame_too_large'
  | 'invalid_value';

/** The request header fields that are readable even when the API or version is not supported. */
export interface PartialRequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

export class KafkaProtocolError extends Error {
  override readonly name = 'KafkaProtocolError';
  /** Field path inside the message where the failure happened, e.g. `topics[2].partitions[0].records`. */
  path = '';

  constructor(
    readonly kind: KafkaProtocolErrorKind,
    readonly errorCode: number,
    readonly detail: string,
    public header?: PartialRequestHeader,
  ) {
    super(detail);
  }

  /** Prefixes a path segment while the error unwinds out of nested structs. */
  within(segment: string): this {
    this.path = this.path === '' ? segment : `${segment}${this.path.startsWith('[') ? '' : '.'}${this.path}`;
    this.message = `${this.path}: ${this.detail}`;
    return this;
  }
}

export const malformed = (detail: string): KafkaProtocolError =>
  new KafkaProtocolError('malformed', KafkaErrorCode.INVALID_REQUEST, detail);

export const invalidValue = (detail: string): KafkaProtocolError =>
  new KafkaProtocolError('invalid_value', KafkaErrorCode.UNKNOWN_SERVER_ERROR, detail);
