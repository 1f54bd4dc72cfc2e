/**
 * Authorization's answers in the gateway's terms: src/auth decides (Access), this only turns a
 * denial into the Kafka code and message a response carries (TOPIC_/GROUP_/CLUSTER_AUTHORIZATION_FAILED).
 */
import type { AclOperation, AclResourceType } from '@floe/protocol';
import { denied, type Access } from '../auth/index.js';
import { toKafkaError, type KafkaError } from './kafka-codes.js';

/** The error of a denied operation; the message says who the caller was taken for. */
export const denial = (access: Access, type: AclResourceType, name: string, operation: AclOperation): KafkaError =>
  toKafkaError(denied(access.identity, type, name, operation));

/** Undefined when allowed, the Kafka error otherwise. */
export function check(access: Access, type: AclResourceType, name: string, operation: AclOperation): KafkaError | undefined {
  return access.allows(type, name, operation) ? undefined : denial(access, type, name, operation);
}
