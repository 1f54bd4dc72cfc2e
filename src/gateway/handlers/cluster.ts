/**
 * FindCoordinator (10) and DescribeCluster (60): there is one node, and it is everything -
 * leader of every partition, coordinator of every group (all group state is in DynamoDB, so
 * any gateway instance behind the advertised address serves any group). Finding a group's
 * coordinator needs Describe on the group, as in Kafka. A transactional id's coordinator is this
 * node too, so that InitProducerId can refuse it (transactions are not served). DescribeCluster
 * answers the caller's authorized operations on the cluster when asked (0 without Describe on
 * it), as Kafka does.
 */
import type { MessageBody } from '@floe/protocol/kafka';
import type { DescribeClusterRequest, FindCoordinatorRequest } from '@floe/protocol/kafka';
import { clusterOperations, NOT_REQUESTED } from '../authorized-operations.js';
import type { Handler } from '../context.js';
import { check } from '../denials.js';
import { KafkaCode } from '../kafka-codes.js';

const GROUP_KEY = 0;
const TRANSACTION_KEY = 1;

export const findCoordinator: Handler = async (gw, raw, { apiVersion, access: accessOf }) => {
  const body = raw as MessageBody<typeof FindCoordinatorRequest>;
  const keyType = body.keyType ?? GROUP_KEY;
  const access = await accessOf();
  const { nodeId, host, port } = gw.node;
  const answerFor = (key: string) => {
    // Transactions are not served, but a transaction key still gets this node: the client's
    // InitProducerId then fails with TRANSACTIONAL_ID_AUTHORIZATION_FAILED, fatal in librdkafka and
    // kafkajs. A retriable COORDINATOR_NOT_AVAILABLE here made them retry until their timeout.
    if (keyType === TRANSACTION_KEY) return { nodeId, host, port, errorCode: KafkaCode.NONE, errorMessage: null };
    if (keyType !== GROUP_KEY) return { nodeId: -1, host: '', port: -1, errorCode: KafkaCode.INVALID_REQUEST, errorMessage: `unknown coordinator key type ${keyType}` };
    const refused = check(access, 'group', key, 'Describe');
    if (refused) return { nodeId: -1, host: '', port: -1, errorCode: refused.code, errorMessage: refused.message };
    return { nodeId, host, port, errorCode: KafkaCode.NONE, errorMessage: null };
  };
  if (apiVersion >= 4) {
    return { throttleTimeMs: 0, coordinators: (body.coordinatorKeys ?? []).map((key) => ({ key, ...answerFor(key) })) };
  }
  return { throttleTimeMs: 0, ...answerFor(body.key ?? '') };
};

export const describeCluster: Handler = async (gw, raw, { access }) => {
  const body = raw as MessageBody<typeof DescribeClusterRequest>;
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    endpointType: 1,
    clusterId: gw.node.clusterId,
    controllerId: gw.node.nodeId,
    brokers: [{ brokerId: gw.node.nodeId, host: gw.node.host, port: gw.node.port, rack: null }],
    clusterAuthorizedOperations: body.includeClusterAuthorizedOperations ? clusterOperations(await access()) : NOT_REQUESTED,
  };
};
