/**
 * DeleteRecords (21), v0-2: moves each partition's log start offset to the given offset (-1: the
 * high watermark) and answers the low watermark after it, as Kafka's AdminClient.deleteRecords,
 * kafka-delete-records.sh and Kafka Streams' repartition-topic purge expect. Needs Delete on the
 * topic (TOPIC_AUTHORIZATION_FAILED per partition otherwise); an offset above the high watermark is
 * OFFSET_OUT_OF_RANGE, a smaller one than the log start answers the current one, a compact-only
 * topic is POLICY_VIOLATION. A partition named twice is INVALID_REQUEST for each copy, and neither
 * moves (Kafka keeps the last; no client sends both).
 */
import type { DeleteRecordsRequest, MessageBody } from '@floe/protocol/kafka';
import type { Handler } from '../context.js';
import { check } from '../denials.js';
import { KafkaCode, toKafkaError } from '../kafka-codes.js';
import { answerPartitions, namedTwice } from './partition-requests.js';

export const deleteRecords: Handler = async (gw, raw, { access: accessOf }) => {
  const body = raw as MessageBody<typeof DeleteRecordsRequest>;
  const access = await accessOf();
  const requested = body.topics ?? [];
  const twice = namedTwice(requested);
  const topics = await answerPartitions(requested, async (name, p) => {
    const partitionIndex = p.partitionIndex ?? -1;
    const answer = (errorCode: number, lowWatermark: number) => ({ partitionIndex, lowWatermark: BigInt(lowWatermark), errorCode });
    const refused = check(access, 'topic', name, 'Delete');
    if (refused) return answer(refused.code, -1);
    if (twice(name, partitionIndex)) return answer(KafkaCode.INVALID_REQUEST, -1);
    const offset = p.offset ?? 0n;
    // Beyond a safe integer no offset exists: out of range, as any offset above the high watermark.
    if (offset > BigInt(Number.MAX_SAFE_INTEGER) || offset < -1n) return answer(KafkaCode.OFFSET_OUT_OF_RANGE, -1);
    try {
      return answer(KafkaCode.NONE, (await gw.deps.log.deleteRecords(name, partitionIndex, Number(offset))).lowWatermark);
    } catch (error) {
      return answer(toKafkaError(error).code, -1);
    }
  });
  return { throttleTimeMs: 0, topics };
};
