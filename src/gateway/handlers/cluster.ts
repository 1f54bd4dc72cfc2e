/**
 * FindCoordinator (10) and DescribeCluster (60): there is one node, and it is everything -
 * leader of every partition, coordinator of every group (all group state is in DynamoDB, so
 * any gateway instance behind the advertised address serves any group).
 */
import type { MessageBody } from '@floe/protocol/kafka';
import type { FindCoordinatorRequest } from '@floe/protocol/kafka';
import type { Handler } from '../context.js';
import { KafkaCode } from '../kafka-codes.js';

const GROUP_KEY = 0;

export const findCoordinator: Handler = async (gw, raw, { apiVersion }) => {
  const body = raw as MessageBody<typeof FindCoordinatorRequest>;
  const keyType = body.keyType ?? GROUP_KEY;
  // Transactions are not served, so there is no transaction coordinator.
  const errorCode = keyType === GROUP_KEY ? KafkaCode.NONE : KafkaCode.COORDINATOR_NOT_AVAILABLE;
  const errorMessage = errorCode === KafkaCode.NONE ? null : 'transactions are not supported';
  const { nodeId, host, port } = gw.node;
  const found = errorCode === KafkaCode.NONE ? { nodeId, host, port } : { nodeId: -1, host: '', port: -1 };
  if (apiVersion >= 4) {
    return { throttleTimeMs: 0, coordinators: (body.coordinatorKeys ?? []).map((key) => ({ key, ...found, errorCode, errorMessage })) };
  }
  return { throttleTimeMs: 0, errorCode, errorMessage, ...found };
};

export const describeCluster: Handler = async (gw) => ({
  throttleTimeMs: 0,
  errorCode: 0,
  errorMessage: null,
  endpointType: 1,
  clusterId: gw.node.clusterId,
  controllerId: gw.node.nodeId,
  brokers: [{ brokerId: gw.node.nodeId, host: gw.node.host, port: gw.node.port, rack: null }],
  clusterAuthorizedOperations: -2147483648,
});
