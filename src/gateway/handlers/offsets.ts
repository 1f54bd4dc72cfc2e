/**
 * OffsetCommit (8), OffsetFetch (9) and OffsetDelete (47). Offsets live in the same items as Floe's own groups'
 * (groups table, "o#<topic>#<partition>"), so `floe groups describe` shows a Kafka group's lag
 * and the SDK can pick up where a Kafka consumer left off.
 * ACLs as Kafka's: a commit needs Read on the group (else every partition is
 * GROUP_AUTHORIZATION_FAILED) and on each topic; a fetch needs Describe on the group, and shows
 * only topics the caller may Describe (named ones it may not: TOPIC_AUTHORIZATION_FAILED); a
 * delete needs Delete on the group and Read on each topic.
 */
import { GROUP_LIMITS, isValidGroupId, mapConcurrent, type TopicPartition } from '@floe/protocol';
import type { KafkaStruct, MessageBody, OffsetCommitRequest, OffsetDeleteRequest, OffsetFetchRequest } from '@floe/protocol/kafka';
import { deleteOffsets } from '../../groups/delete.js';
import { fetchOffsets } from '../../groups/offsets.js';
import type { Access } from '../../auth/index.js';
import type { GatewayContext, Handler } from '../context.js';
import { check } from '../denials.js';
import { KafkaCode, kafkaCodeOf, toKafkaError } from '../kafka-codes.js';
import { GATEWAY_LIMITS } from '../limits.js';

export const offsetCommit: Handler = async (gw, raw, { apiVersion, access: accessOf }) => {
  const body = raw as MessageBody<typeof OffsetCommitRequest>;
  const access = await accessOf();
  const groupDenied = check(access, 'group', body.groupId ?? '', 'Read');
  if (groupDenied) {
    return {
      throttleTimeMs: 0,
      topics: (body.topics ?? []).map((t) => ({ name: t.name ?? '', partitions: (t.partitions ?? []).map((p) => ({ partitionIndex: p.partitionIndex ?? -1, errorCode: groupDenied.code })) })),
    };
  }
  const offsets: Array<{ topic: string; partition: number; offset: number; metadata: string | null }> = [];
  const preset: number[] = [];
  for (const t of body.topics ?? []) {
    const topicDenied = check(access, 'topic', t.name ?? '', 'Read');
    const topic = topicDenied ? undefined : await gw.deps.log.topic(t.name ?? '');
    for (const p of t.partitions ?? []) {
      const offset = Number(p.committedOffset ?? -1n);
      const partition = p.partitionIndex ?? -1;
      const metadata = p.committedMetadata ?? null;
      offsets.push({ topic: t.name ?? '', partition, offset, metadata });
      if (topicDenied) preset.push(topicDenied.code);
      else if (!topic || partition < 0 || partition >= topic.partitions) preset.push(KafkaCode.UNKNOWN_TOPIC_OR_PARTITION);
      else if (metadata !== null && Buffer.byteLength(metadata) > GROUP_LIMITS.maxOffsetMetadataBytes) preset.push(KafkaCode.OFFSET_METADATA_TOO_LARGE);
      // Negative offsets are Kafka's sentinels (kafkajs resetOffsets commits -2): stored as given, as
      // Kafka does, and answered back by OffsetFetch (librdkafka and kafkajs' admin act on -2).
      else if (!Number.isSafeInteger(offset)) preset.push(KafkaCode.INVALID_REQUEST);
      else preset.push(0);
    }
  }
  // v0 has neither generation nor member id: a standalone commit.
  const codes = await gw.groups.commit(
    { groupId: body.groupId ?? '', memberId: apiVersion >= 1 ? (body.memberId ?? '') : '', instanceId: body.groupInstanceId ?? null, generation: apiVersion >= 1 ? (body.generationIdOrMemberEpoch ?? -1) : -1, offsets },
    preset,
  );
  let i = 0;
  return {
    throttleTimeMs: 0,
    topics: (body.topics ?? []).map((t) => ({
      name: t.name ?? '',
      partitions: (t.partitions ?? []).map((p) => ({ partitionIndex: p.partitionIndex ?? -1, errorCode: codes[i++] ?? KafkaCode.UNKNOWN_SERVER_ERROR })),
    })),
  };
};

type Wanted = Array<{ name: string; partitionIndexes: number[] }> | null;

/** One group's committed offsets: the partitions asked for, or (null) every partition the group committed. */
async function groupOffsets(gw: GatewayContext, access: Access, groupId: string, wanted: Wanted): Promise<{ errorCode: number; topics: KafkaStruct[] }> {
  const groupDenied = check(access, 'group', groupId, 'Describe');
  if (groupDenied) return { errorCode: groupDenied.code, topics: [] };
  if (!isValidGroupId(groupId)) return { errorCode: KafkaCode.INVALID_GROUP_ID, topics: [] };
  try {
    const describable = (topic: string) => access.allows('topic', topic, 'Describe');
    const partitions = wanted?.filter((t) => describable(t.name)).flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition })));
    // Every committed partition (null): the topics it may not Describe are left out, as Kafka does.
    const found = partitions?.length === 0 ? [] : (await fetchOffsets(gw.deps.groups, groupId, partitions, true)).filter((o) => describable(o.topic));
    const byTopic = new Map<string, KafkaStruct[]>();
    // Named topics it may not Describe: in place, as Kafka's UNAUTHORIZED_PARTITION.
    for (const t of wanted ?? []) {
      if (describable(t.name)) continue;
      const code = KafkaCode.TOPIC_AUTHORIZATION_FAILED;
      byTopic.set(t.name, t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: code })));
    }
    for (const o of found) {
      const list = byTopic.get(o.topic) ?? [];
      list.push({ partitionIndex: o.partition, committedOffset: BigInt(o.offset), committedLeaderEpoch: -1, metadata: o.metadata, errorCode: 0 });
      byTopic.set(o.topic, list);
    }
    return { errorCode: 0, topics: [...byTopic].map(([name, list]) => ({ name, partitions: list })) };
  } catch (error) {
    return { errorCode: toKafkaError(error).code, topics: [] };
  }
}

export const offsetFetch: Handler = async (gw, raw, { apiVersion, access: accessOf }) => {
  const body = raw as MessageBody<typeof OffsetFetchRequest>;
  const access = await accessOf();
  if (apiVersion >= 8) {
    const groups = await mapConcurrent(body.groups ?? [], GATEWAY_LIMITS.lookupsInFlight, async (g) => {
      const wanted: Wanted = g.topics === null || g.topics === undefined ? null : g.topics.map((t) => ({ name: t.name ?? '', partitionIndexes: t.partitionIndexes ?? [] }));
      const { errorCode, topics } = await groupOffsets(gw, access, g.groupId ?? '', wanted);
      return { groupId: g.groupId ?? '', topics, errorCode };
    });
    return { throttleTimeMs: 0, groups };
  }
  // v0-1 always name partitions; v2-7 may pass null for "all".
  const wanted: Wanted = body.topics === null || body.topics === undefined ? null : body.topics.map((t) => ({ name: t.name ?? '', partitionIndexes: t.partitionIndexes ?? [] }));
  const { errorCode, topics } = await groupOffsets(gw, access, body.groupId ?? '', wanted);
  // v0-1 have no top-level error: it goes on every partition asked for.
  const withError =
    apiVersion < 2 && errorCode !== 0
      ? (wanted ?? []).map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1n, metadata: '', errorCode })),
        }))
      : topics;
  return { throttleTimeMs: 0, topics: withError, errorCode };
};

/** kafka-consumer-groups --delete-offsets: refused per partition while a live member subscribes to its topic. */
export const offsetDelete: Handler = async (gw, raw, { access: accessOf }) => {
  const body = raw as MessageBody<typeof OffsetDeleteRequest>;
  const groupId = body.groupId ?? '';
  const whole = (errorCode: number) => ({ errorCode, throttleTimeMs: 0, topics: [] });
  if (!isValidGroupId(groupId)) return whole(KafkaCode.INVALID_GROUP_ID);
  const access = await accessOf();
  const groupDenied = check(access, 'group', groupId, 'Delete');
  if (groupDenied) return whole(groupDenied.code);
  // Per partition in request order: a code decided here, or undefined for one deleteOffsets answers.
  const codes: Array<number | undefined> = [];
  const wanted: TopicPartition[] = [];
  for (const t of body.topics ?? []) {
    const topicDenied = check(access, 'topic', t.name ?? '', 'Read');
    const topic = topicDenied ? undefined : await gw.deps.log.topic(t.name ?? '');
    for (const p of t.partitions ?? []) {
      const partition = p.partitionIndex ?? -1;
      if (topicDenied) codes.push(topicDenied.code);
      else if (!topic || partition < 0 || partition >= topic.partitions) codes.push(KafkaCode.UNKNOWN_TOPIC_OR_PARTITION);
      else {
        codes.push(undefined);
        wanted.push({ topic: topic.name, partition });
      }
    }
  }
  let results;
  try {
    results = await deleteOffsets(gw.deps.groups, groupId, wanted);
  } catch (error) {
    return whole(toKafkaError(error).code);
  }
  let i = 0;
  let j = 0;
  return {
    errorCode: 0,
    throttleTimeMs: 0,
    topics: (body.topics ?? []).map((t) => ({
      name: t.name ?? '',
      partitions: (t.partitions ?? []).map((p) => {
        const preset = codes[i++];
        const result = preset === undefined ? results[j++] : undefined;
        return { partitionIndex: p.partitionIndex ?? -1, errorCode: preset ?? (result ? kafkaCodeOf(result.errorCode) : KafkaCode.UNKNOWN_SERVER_ERROR) };
      }),
    })),
  };
};
