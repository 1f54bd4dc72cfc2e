/**
 * Metadata (3): one broker (the advertised node) leads every partition at leader epoch 0, as
 * Tansu and WarpStream present a leaderless log. Topics missing from the request are created
 * only when auto-creation is on (Kafka's auto.create.topics.enable) and the client allows it.
 * ACLs as Kafka's: a listing of every topic shows those the caller may Describe; a named topic it
 * may not Describe is TOPIC_AUTHORIZATION_FAILED (whether it exists or not: nothing leaks), and
 * auto-creating one needs Create on the cluster or the topic. Authorized operations (v8+) are
 * answered when asked for, as Kafka does: for each topic the caller may describe, and (v8-10) for
 * the cluster.
 */
import { FloeError, mapConcurrent } from '@floe/protocol';
import type { MessageBody, MetadataRequest } from '@floe/protocol/kafka';
import type { KafkaStruct } from '@floe/protocol/kafka';
import type { Access } from '../../auth/index.js';
import { authorizedOperations, clusterOperations, NOT_REQUESTED } from '../authorized-operations.js';
import type { GatewayContext, Handler } from '../context.js';
import { KafkaCode, kafkaCodeOf } from '../kafka-codes.js';
import { GATEWAY_LIMITS } from '../limits.js';
import { isTopicName, type Topic } from '../log-port.js';

const NULL_UUID = '00000000-0000-0000-0000-000000000000';

function topicEntry(gw: GatewayContext, topic: Topic): KafkaStruct {
  const node = gw.node.nodeId;
  return {
    errorCode: 0,
    name: topic.name,
    topicId: topic.topicId,
    isInternal: false,
    partitions: Array.from({ length: topic.partitions }, (_, partitionIndex) => ({
      errorCode: 0,
      partitionIndex,
      leaderId: node,
      leaderEpoch: 0,
      replicaNodes: [node],
      isrNodes: [node],
      offlineReplicas: [],
    })),
  };
}

const errorEntry = (name: string | null, errorCode: number): KafkaStruct => ({ errorCode, name, topicId: NULL_UUID, isInternal: false, partitions: [] });

async function autoCreate(gw: GatewayContext, name: string): Promise<Topic | number> {
  try {
    return await gw.deps.log.createTopic(name, gw.settings.defaultPartitions, {});
  } catch (error) {
    if (error instanceof FloeError && error.code === 'TOPIC_ALREADY_EXISTS') return (await gw.deps.log.freshTopic(name)) ?? KafkaCode.UNKNOWN_TOPIC_OR_PARTITION;
    if (error instanceof FloeError) return kafkaCodeOf(error.code);
    throw error;
  }
}

/** `listed`: every topic, read once for a request naming many (a name missing from it does not exist). */
async function describeTopic(gw: GatewayContext, access: Access, name: string, mayCreate: boolean, listed: Map<string, Topic> | undefined): Promise<KafkaStruct> {
  if (!access.allows('topic', name, 'Describe')) return errorEntry(name, KafkaCode.TOPIC_AUTHORIZATION_FAILED);
  const topic = listed ? listed.get(name) : await gw.deps.log.topic(name);
  if (topic) return topicEntry(gw, topic);
  if (!isTopicName(name)) return errorEntry(name, KafkaCode.INVALID_TOPIC_EXCEPTION);
  if (!mayCreate) return errorEntry(name, KafkaCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (!access.mayCreateTopic(name)) return errorEntry(name, KafkaCode.TOPIC_AUTHORIZATION_FAILED);
  const created = await autoCreate(gw, name);
  return typeof created === 'number' ? errorEntry(name, created) : topicEntry(gw, created);
}

export const metadata: Handler = async (gw, raw, { apiVersion, access: accessOf }) => {
  const body = raw as MessageBody<typeof MetadataRequest>;
  const access = await accessOf();
  const requested = body.topics;
  // v0: an empty list means every topic; v1+: null means every topic, an empty list none.
  const all = requested === null || requested === undefined || (apiVersion === 0 && requested.length === 0);
  const mayCreate = gw.settings.autoCreateTopics && (apiVersion < 4 || body.allowAutoTopicCreation !== false);
  let topics: KafkaStruct[];
  if (all) {
    topics = (await gw.deps.log.listTopics())
      .filter((t) => access.allows('topic', t.name, 'Describe'))
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((t) => topicEntry(gw, t));
  } else {
    // Each name answered once, as Kafka's broker does; lookups bounded: a request naming 100,000 topics
    // started 100,000 reads at once (3 GB, the storage client timed out, the connection was closed).
    const seen = new Set<string>();
    const entries = (requested ?? []).filter((t) => typeof t.name !== 'string' || (!seen.has(t.name) && seen.add(t.name)));
    const listed = seen.size > GATEWAY_LIMITS.metadataNamesReadOneByOne ? new Map((await gw.deps.log.listTopics()).map((t) => [t.name, t])) : undefined;
    topics = await mapConcurrent(entries, GATEWAY_LIMITS.lookupsInFlight, (t) =>
      typeof t.name === 'string' ? describeTopic(gw, access, t.name, mayCreate, listed) : Promise.resolve(errorEntry(null, KafkaCode.UNKNOWN_TOPIC_ID)),
    );
  }
  if (apiVersion >= 8 && body.includeTopicAuthorizedOperations) {
    // Not for a topic refused (nothing about it is told) or asked for by an id.
    topics = topics.map((t) =>
      typeof t.name === 'string' && t.errorCode !== KafkaCode.TOPIC_AUTHORIZATION_FAILED ? { ...t, topicAuthorizedOperations: authorizedOperations(access, 'topic', t.name) } : t,
    );
  }
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: gw.node.nodeId, host: gw.node.host, port: gw.node.port, rack: null }],
    clusterId: gw.node.clusterId,
    controllerId: gw.node.nodeId,
    topics,
    clusterAuthorizedOperations: apiVersion >= 8 && apiVersion <= 10 && body.includeClusterAuthorizedOperations ? clusterOperations(access) : NOT_REQUESTED,
  };
};
