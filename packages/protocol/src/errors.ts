/**
 * One error type for the whole of Floe (kafkajs style): every error carries a
 * Kafka-style code, the Kafka numeric code where one exists, the HTTP status a
 * handler answers with, and whether retrying the same request can succeed.
 */

export interface ErrorSpec {
  /** Kafka protocol error code (numeric), or a Floe-specific one >= 1000. */
  readonly kafkaCode: number;
  readonly status: number;
  readonly retriable: boolean;
}

export const ERROR_CODES = {
  NONE: { kafkaCode: 0, status: 200, retriable: false },
  UNKNOWN_SERVER_ERROR: { kafkaCode: -1, status: 500, retriable: true },
  OFFSET_OUT_OF_RANGE: { kafkaCode: 1, status: 416, retriable: false },
  CORRUPT_MESSAGE: { kafkaCode: 2, status: 400, retriable: false },
  UNKNOWN_TOPIC_OR_PARTITION: { kafkaCode: 3, status: 404, retriable: true },
  INVALID_FETCH_SIZE: { kafkaCode: 4, status: 400, retriable: false },
  REQUEST_TIMED_OUT: { kafkaCode: 7, status: 504, retriable: true },
  MESSAGE_TOO_LARGE: { kafkaCode: 10, status: 413, retriable: false },
  COORDINATOR_NOT_AVAILABLE: { kafkaCode: 15, status: 503, retriable: true },
  NOT_COORDINATOR: { kafkaCode: 16, status: 503, retriable: true },
  INVALID_TOPIC_EXCEPTION: { kafkaCode: 17, status: 400, retriable: false },
  RECORD_LIST_TOO_LARGE: { kafkaCode: 18, status: 413, retriable: false },
  INVALID_REQUIRED_ACKS: { kafkaCode: 21, status: 400, retriable: false },
  ILLEGAL_GENERATION: { kafkaCode: 22, status: 409, retriable: false },
  INCONSISTENT_GROUP_PROTOCOL: { kafkaCode: 23, status: 409, retriable: false },
  INVALID_GROUP_ID: { kafkaCode: 24, status: 400, retriable: false },
  UNKNOWN_MEMBER_ID: { kafkaCode: 25, status: 409, retriable: false },
  INVALID_SESSION_TIMEOUT: { kafkaCode: 26, status: 400, retriable: false },
  REBALANCE_IN_PROGRESS: { kafkaCode: 27, status: 409, retriable: true },
  INVALID_COMMIT_OFFSET_SIZE: { kafkaCode: 28, status: 400, retriable: false },
  TOPIC_AUTHORIZATION_FAILED: { kafkaCode: 29, status: 403, retriable: false },
  GROUP_AUTHORIZATION_FAILED: { kafkaCode: 30, status: 403, retriable: false },
  CLUSTER_AUTHORIZATION_FAILED: { kafkaCode: 31, status: 403, retriable: false },
  INVALID_TIMESTAMP: { kafkaCode: 32, status: 400, retriable: false },
  UNSUPPORTED_VERSION: { kafkaCode: 35, status: 400, retriable: false },
  TOPIC_ALREADY_EXISTS: { kafkaCode: 36, status: 409, retriable: false },
  INVALID_PARTITIONS: { kafkaCode: 37, status: 400, retriable: false },
  INVALID_REQUEST: { kafkaCode: 42, status: 400, retriable: false },
  /** DeleteRecords on a topic whose cleanup.policy is compact only (Kafka's PolicyViolationException). */
  POLICY_VIOLATION: { kafkaCode: 44, status: 400, retriable: false },
  UNSUPPORTED_FOR_MESSAGE_FORMAT: { kafkaCode: 43, status: 400, retriable: false },
  OUT_OF_ORDER_SEQUENCE_NUMBER: { kafkaCode: 45, status: 409, retriable: false },
  DUPLICATE_SEQUENCE_NUMBER: { kafkaCode: 46, status: 409, retriable: false },
  INVALID_PRODUCER_EPOCH: { kafkaCode: 47, status: 409, retriable: false },
  /** ACL management on a deployment without an ACL table (Kafka: no authorizer configured). */
  SECURITY_DISABLED: { kafkaCode: 54, status: 400, retriable: false },
  INVALID_CONFIG: { kafkaCode: 40, status: 400, retriable: false },
  UNSUPPORTED_COMPRESSION_TYPE: { kafkaCode: 76, status: 400, retriable: false },
  UNKNOWN_PRODUCER_ID: { kafkaCode: 59, status: 409, retriable: false },
  GROUP_ID_NOT_FOUND: { kafkaCode: 69, status: 404, retriable: false },
  NON_EMPTY_GROUP: { kafkaCode: 68, status: 409, retriable: false },
  GROUP_MAX_SIZE_REACHED: { kafkaCode: 81, status: 409, retriable: false },
  /** OffsetDelete of a topic a live member of the group consumes. */
  GROUP_SUBSCRIBED_TO_TOPIC: { kafkaCode: 86, status: 409, retriable: false },
  FENCED_INSTANCE_ID: { kafkaCode: 82, status: 409, retriable: false },
  THROTTLING_QUOTA_EXCEEDED: { kafkaCode: 89, status: 429, retriable: true },
  PRODUCER_FENCED: { kafkaCode: 90, status: 409, retriable: false },
  INVALID_RECORD: { kafkaCode: 87, status: 400, retriable: false },
  FENCED_MEMBER_EPOCH: { kafkaCode: 110, status: 409, retriable: false },
  UNRELEASED_INSTANCE_ID: { kafkaCode: 111, status: 409, retriable: false },
  STALE_MEMBER_EPOCH: { kafkaCode: 113, status: 409, retriable: false },
  // Floe-specific (not in Kafka's table).
  LEASE_IN_TRANSITION: { kafkaCode: 1001, status: 503, retriable: true },
  STORAGE_UNAVAILABLE: { kafkaCode: 1002, status: 503, retriable: true },
  NOT_FOUND: { kafkaCode: 1003, status: 404, retriable: false },
  METHOD_NOT_ALLOWED: { kafkaCode: 1004, status: 405, retriable: false },
  UNSUPPORTED_MEDIA_TYPE: { kafkaCode: 1005, status: 415, retriable: false },
  SERIALIZATION_ERROR: { kafkaCode: 1006, status: 400, retriable: false },
  BUFFER_EXHAUSTED: { kafkaCode: 1007, status: 503, retriable: false },
  NETWORK_ERROR: { kafkaCode: 1008, status: 503, retriable: true },
  /** Consumer.wakeup() ended a poll (Kafka's WakeupException); never sent over the wire. */
  WAKEUP: { kafkaCode: 1009, status: 499, retriable: false },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

const BY_KAFKA_CODE = new Map<number, ErrorCode>(
  Object.entries(ERROR_CODES).map(([code, spec]) => [spec.kafkaCode, code as ErrorCode]),
);

export function errorCodeFromKafkaCode(kafkaCode: number): ErrorCode {
  return BY_KAFKA_CODE.get(kafkaCode) ?? 'UNKNOWN_SERVER_ERROR';
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

export class FloeError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly status: number;
  readonly kafkaCode: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retriable?: boolean; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FloeError';
    // A code this build does not know (a newer server's) is kept, with the unknown error's traits.
    const spec: ErrorSpec = ERROR_CODES[code] ?? ERROR_CODES.UNKNOWN_SERVER_ERROR;
    this.code = code;
    this.kafkaCode = spec.kafkaCode;
    this.retriable = options?.retriable ?? spec.retriable;
    this.status = options?.status ?? spec.status;
  }

  toJSON(): { code: ErrorCode; message: string; retriable: boolean } {
    return { code: this.code, message: this.message, retriable: this.retriable };
  }
}

export function isRetriable(error: unknown): boolean {
  return error instanceof FloeError ? error.retriable : false;
}
