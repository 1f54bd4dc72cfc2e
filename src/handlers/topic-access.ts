/**
 * Requests that name topics (produce, fetch, offset commits and deletes): the topics the caller may not use never reach the
 * domain - nothing is read or written for them - and answer per partition with
 * TOPIC_AUTHORIZATION_FAILED, in the request's order, while the others proceed (as Kafka does).
 */
import type { AclOperation, ErrorCode } from '@floe/protocol';
import { denied, type Access } from '../auth/index.js';

interface TopicRequest {
  topic: string;
  partitions: Array<{ partition: number }>;
}

/** The error of a denied partition, as results carry it. */
export function deniedPartition(access: Access, topic: string, operation: AclOperation): { errorCode: ErrorCode; errorMessage: string } {
  const error = denied(access.identity, 'topic', topic, operation);
  return { errorCode: error.code, errorMessage: error.message };
}

/**
 * Runs `run` on the allowed topics (which must answer one result per topic, in order) and
 * puts `deniedResult` in the place of each denied one.
 */
export async function forAllowedTopics<T extends TopicRequest, R>(
  access: Access,
  operation: AclOperation,
  topics: T[],
  run: (allowed: T[]) => Promise<R[]>,
  deniedResult: (topic: T) => R,
): Promise<R[]> {
  const allowed = topics.map((t) => access.allows('topic', t.topic, operation));
  const permitted = topics.filter((_, i) => allowed[i]);
  const results = permitted.length > 0 ? await run(permitted) : [];
  let next = 0;
  return topics.map((t, i) => (allowed[i] ? (results[next++] as R) : deniedResult(t)));
}

/**
 * The same for flat lists of partitions (offset commits and deletes): `run` gets those of topics
 * the caller may use (one result each, in order), the others answer TOPIC_AUTHORIZATION_FAILED.
 */
export async function forAllowedPartitions<P extends { topic: string; partition: number }, R>(
  access: Access,
  operation: AclOperation,
  partitions: P[],
  run: (allowed: P[]) => Promise<R[]>,
): Promise<Array<R | ({ topic: string; partition: number } & ReturnType<typeof deniedPartition>)>> {
  const allowed = partitions.map((p) => access.allows('topic', p.topic, operation));
  const permitted = partitions.filter((_, i) => allowed[i]);
  const results = permitted.length > 0 ? await run(permitted) : [];
  let next = 0;
  return partitions.map((p, i) => (allowed[i] ? (results[next++] as R) : { topic: p.topic, partition: p.partition, ...deniedPartition(access, p.topic, operation) }));
}
