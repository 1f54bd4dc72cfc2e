/**
 * Kafka's authorized-operations bitfields (Metadata v8+, DescribeGroups v3+, DescribeCluster):
 * bit n is set when the caller may do the operation of code n on the resource, among the
 * operations Kafka supports for its type (its AclEntry.supportedOperations), decided by the same
 * rules as every request (src/auth). Authorization off or a super user: all of them, as Kafka
 * answers without an authorizer.
 */
import { CLUSTER_RESOURCE_NAME, type AclOperation, type AclResourceType } from '@floe/protocol';
import type { Access } from '../auth/index.js';
import { operationCode } from './acl-enums.js';

/** What a response holds when the client did not ask (Kafka's Int.MinValue, the schema default). */
export const NOT_REQUESTED = -2147483648;

/** Kafka's inter-broker operation: no Floe rule names it, but an allow All covers it, as in Kafka. */
const CLUSTER_ACTION = 9;

const SUPPORTED: Record<AclResourceType, readonly AclOperation[]> = {
  topic: ['Read', 'Write', 'Create', 'Describe', 'Delete', 'Alter', 'DescribeConfigs', 'AlterConfigs'],
  group: ['Read', 'Describe', 'Delete'],
  cluster: ['Create', 'Alter', 'Describe', 'DescribeConfigs', 'AlterConfigs', 'IdempotentWrite'],
};

export function authorizedOperations(access: Access, type: AclResourceType, name: string): number {
  let bits = 0;
  for (const operation of SUPPORTED[type]) if (access.allows(type, name, operation)) bits |= 1 << operationCode(operation);
  if (type === 'cluster' && access.allows(type, name, 'All')) bits |= 1 << CLUSTER_ACTION;
  return bits;
}

/** The cluster's bitfield as Kafka answers it: 0 for a caller that may not Describe the cluster. */
export const clusterOperations = (access: Access): number =>
  access.allows('cluster', CLUSTER_RESOURCE_NAME, 'Describe') ? authorizedOperations(access, 'cluster', CLUSTER_RESOURCE_NAME) : 0;
