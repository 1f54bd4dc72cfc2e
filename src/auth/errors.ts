/** The Kafka error a denied operation gets: per resource type, as Kafka's brokers answer. */
import { FloeError, type AclOperation, type AclResourceType, type ErrorCode } from '@floe/protocol';
import type { Identity } from './identity.js';

const CODES: Record<AclResourceType, ErrorCode> = {
  topic: 'TOPIC_AUTHORIZATION_FAILED',
  group: 'GROUP_AUTHORIZATION_FAILED',
  cluster: 'CLUSTER_AUTHORIZATION_FAILED',
};

export const deniedCode = (type: AclResourceType): ErrorCode => CODES[type];

/** The caller learns who it was taken for: that is what an identity-mapping mistake needs. */
export function denied(identity: Identity, type: AclResourceType, name: string, operation: AclOperation): FloeError {
  const what = type === 'cluster' ? 'the cluster' : `${type} "${name}"`;
  return new FloeError(CODES[type], `${identity.principal} is not authorized to ${operation} ${what}`);
}
