/**
 * FindCoordinator (10) and DescribeCluster (60): there is one node, and it is everything -
 * leader of every partition, coordinator of every group (all group state is in DynamoDB, so
 * any gateway instance behind the advertised address serves any group). Finding a group's
 * coordinator needs Describe on the group, as in Kafka.
 */
import type { MessageBody } from '@floe/protocol/kafka';
import type { FindCoordinatorRequest } from '@floe/protocol/kafka';
import type { Handler } from '../context.js';
import { check } from '../denials.js';
import { KafkaCode } from '../kafka-codes.js';

const GROUP_KEY = 0;

export const findCoordinator: Handler = async (gw, raw, { apiVersion, access: accessOf }) => {
  const body = raw as MessageBody<typeof FindCoordinatorRequest>;
  const keyType = body.keyType ?? GROUP_KEY;
  const access = await accessOf();
  const { nodeId, host, port } = gw.node;
  const answerFor = (key: string) => {
    // Transactions are not served, so there is no transaction coordinator.
    if (keyType !== GROUP_KEY) return { nodeId: -1, host: '', port: -1, errorCode: KafkaCode.COORDINATOR_NOT_AVAILABLE, errorMessage: 'transactions are not supported' };
    const refused = check(access, 'group', key, 'Describe');
    if (refused) return { nodeId: -1, host: '', port: -1, errorCode: refused.code, errorMessage: refused.message };
    return { nodeId, host, port, errorCode: KafkaCode.NONE, errorMessage: null };
  };
  if (apiVersion >= 4) {
    return { throttleTimeMs: 0, coordinators: (body.coordinatorKeys ?? []).map((key) => ({ key, ...answerFor(key) })) };
  }
  return { throttleTimeMs: 0, ...answerFor(body.key ?? '') };
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
