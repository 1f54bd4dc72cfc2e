/**
 * InitProducerId (22): a producer id from the log's allocator - the same one the HTTP API uses -
 * at epoch 0. A request naming its current id and epoch (KIP-360 bump) gets a fresh id too, which
 * clients accept, and which restarts every partition's sequence at 0. Transactions are not served.
 * Needs IdempotentWrite on the cluster or Write on some topic (KIP-679), as in Kafka.
 */
import type { InitProducerIdRequest, MessageBody } from '@floe/protocol/kafka';
import type { Handler } from '../context.js';
import { KafkaCode, toKafkaError } from '../kafka-codes.js';

export const initProducerId: Handler = async (gw, raw, { access }) => {
  const body = raw as MessageBody<typeof InitProducerIdRequest>;
  if (body.transactionalId !== null && body.transactionalId !== undefined) {
    return { throttleTimeMs: 0, errorCode: KafkaCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1n, producerEpoch: -1 };
  }
  if (!(await access()).mayInitProducerId()) {
    return { throttleTimeMs: 0, errorCode: KafkaCode.CLUSTER_AUTHORIZATION_FAILED, producerId: -1n, producerEpoch: -1 };
  }
  try {
    const { producerId, producerEpoch } = await gw.deps.log.allocateProducerId();
    return { throttleTimeMs: 0, errorCode: 0, producerId, producerEpoch };
  } catch (error) {
    return { throttleTimeMs: 0, errorCode: toKafkaError(error).code, producerId: -1n, producerEpoch: -1 };
  }
};
