/**
 * ListOffsets (2), v0-7: earliest (-2), latest (-1), the first offset at or after a timestamp
 * (offset -1 when there is none, as Kafka answers), or the record with the largest timestamp
 * (-3, KIP-734: what v7 adds; it reads every batch location of the partition). Other negative
 * specs (v8+'s -4, -5) are UNSUPPORTED_VERSION.
 */
import type { ListOffsetsRequest, MessageBody } from '@floe/protocol/kafka';
import type { Handler } from '../context.js';
import { check } from '../denials.js';
import { KafkaCode, kafkaCodeOf } from '../kafka-codes.js';
import type { OffsetSpec } from '../log-port.js';
import { answerPartitions, namedTwice } from './partition-requests.js';

const LATEST = -1;
const EARLIEST = -2;
const MAX_TIMESTAMP = -3;

function specOf(timestamp: bigint): OffsetSpec | undefined {
  if (timestamp === BigInt(LATEST)) return 'latest';
  if (timestamp === BigInt(EARLIEST)) return 'earliest';
  if (timestamp === BigInt(MAX_TIMESTAMP)) return 'max-timestamp';
  if (timestamp >= 0n && timestamp <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(timestamp);
  return undefined;
}

export const listOffsets: Handler = async (gw, raw, { apiVersion, access: accessOf }) => {
  const body = raw as MessageBody<typeof ListOffsetsRequest>;
  const access = await accessOf();
  const requested = body.topics ?? [];
  // A partition named twice gets INVALID_REQUEST for each copy (v1+), as Kafka answers; none is looked up.
  const twice = namedTwice(requested);
  const topics = await answerPartitions(requested, async (name, p) => {
    const partitionIndex = p.partitionIndex ?? -1;
    const spec = specOf(p.timestamp ?? 0n);
    const answer = (errorCode: number, offset: number, timestamp: number) => ({
      partitionIndex,
      errorCode,
      oldStyleOffsets: errorCode === KafkaCode.NONE && offset >= 0 ? [BigInt(offset)] : [],
      timestamp: BigInt(timestamp),
      offset: BigInt(offset),
      leaderEpoch: -1,
    });
    // Describe per topic, as Kafka: a denied topic's partitions are answered without a read.
    const refused = check(access, 'topic', name, 'Describe');
    if (refused) return answer(refused.code, -1, -1);
    if (apiVersion >= 1 && twice(name, partitionIndex)) return answer(KafkaCode.INVALID_REQUEST, -1, -1);
    if (spec === undefined) return answer(KafkaCode.UNSUPPORTED_VERSION, -1, -1);
    const result = await gw.deps.log.listOffset(name, partitionIndex, spec);
    if (result.errorCode !== 'NONE') return answer(kafkaCodeOf(result.errorCode), -1, -1);
    return answer(KafkaCode.NONE, result.offset, typeof spec === 'number' || spec === 'max-timestamp' ? result.timestamp : -1);
  });
  return apiVersion >= 2 ? { throttleTimeMs: 0, topics } : { topics };
};
