/**
 * Kafka's numeric error codes as the gateway answers them. Floe's own codes (>= 1000, see
 * @floe/protocol's ERROR_CODES) have no meaning to a Kafka client, so each maps to the Kafka
 * code whose client-side handling is right for it (retriable or not).
 */
import { ERROR_CODES, FloeError, type ErrorCode } from '@floe/protocol';

export const KafkaCode = {
  NONE: 0,
  UNKNOWN_SERVER_ERROR: -1,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  MESSAGE_TOO_LARGE: 10,
  OFFSET_METADATA_TOO_LARGE: 12,
  NETWORK_EXCEPTION: 13,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  INVALID_TOPIC_EXCEPTION: 17,
  RECORD_LIST_TOO_LARGE: 18,
  INVALID_REQUIRED_ACKS: 21,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  INVALID_COMMIT_OFFSET_SIZE: 28,
  TOPIC_AUTHORIZATION_FAILED: ERROR_CODES.TOPIC_AUTHORIZATION_FAILED.kafkaCode,
  GROUP_AUTHORIZATION_FAILED: ERROR_CODES.GROUP_AUTHORIZATION_FAILED.kafkaCode,
  CLUSTER_AUTHORIZATION_FAILED: ERROR_CODES.CLUSTER_AUTHORIZATION_FAILED.kafkaCode,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_REPLICA_ASSIGNMENT: 39,
  INVALID_CONFIG: 40,
  INVALID_REQUEST: 42,
  POLICY_VIOLATION: 44,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 53,
  SECURITY_DISABLED: ERROR_CODES.SECURITY_DISABLED.kafkaCode,
  KAFKA_STORAGE_ERROR: 56,
  ILLEGAL_SASL_STATE: 34,
  SASL_AUTHENTICATION_FAILED: 58,
  UNSUPPORTED_SASL_MECHANISM: 33,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  FETCH_SESSION_ID_NOT_FOUND: 70,
  MEMBER_ID_REQUIRED: 79,
  GROUP_MAX_SIZE_REACHED: 81,
  FENCED_INSTANCE_ID: 82,
  UNKNOWN_TOPIC_ID: 100,
} as const;

/** Floe-only codes and the Kafka code a client should see instead. */
const FLOE_ONLY: Partial<Record<ErrorCode, number>> = {
  LEASE_IN_TRANSITION: KafkaCode.NOT_LEADER_OR_FOLLOWER,
  STORAGE_UNAVAILABLE: KafkaCode.KAFKA_STORAGE_ERROR,
  NETWORK_ERROR: KafkaCode.NETWORK_EXCEPTION,
  NOT_FOUND: KafkaCode.UNKNOWN_TOPIC_OR_PARTITION,
};

export function kafkaCodeOf(code: ErrorCode): number {
  const mapped = FLOE_ONLY[code];
  if (mapped !== undefined) return mapped;
  const kafka = ERROR_CODES[code].kafkaCode;
  return kafka >= 1000 ? KafkaCode.UNKNOWN_SERVER_ERROR : kafka;
}

export interface KafkaError {
  code: number;
  message: string;
}

/** Any thrown value as a Kafka code and message: FloeErrors by their code, storage failures as KAFKA_STORAGE_ERROR. */
export function toKafkaError(error: unknown): KafkaError {
  if (error instanceof FloeError) return { code: kafkaCodeOf(error.code), message: error.message };
  const message = String((error as Error)?.message ?? error);
  // An AWS SDK error (throttling, 5xx, network): retriable on the client's side.
  if ((error as { $metadata?: unknown })?.$metadata !== undefined) return { code: KafkaCode.KAFKA_STORAGE_ERROR, message };
  return { code: KafkaCode.UNKNOWN_SERVER_ERROR, message };
}
