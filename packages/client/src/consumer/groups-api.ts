/**
 * Typed calls to the groups function (docs/consumer-groups.md). The Consumer
 * uses heartbeat/commit/fetchOffsets; GroupsAdmin (and the CLI) use describe,
 * list and resetOffsets.
 */
import { type CommitPartition, type CommittedOffset, type ErrorCode, FloeError, type GroupDescription, type GroupListing, type HeartbeatRequest, type HeartbeatResponse, type ResetResult, type TopicPartition } from '@floe/protocol';
import { errorFromResponse, FloeHttpClient, type HttpClientOptions } from '../http-client.js';

export type { CommittedOffset, GroupDescription, GroupListing, HeartbeatRequest, HeartbeatResponse, ResetResult, TopicPartition };

export interface CommitPartitionResult extends TopicPartition {
  errorCode: ErrorCode;
  errorMessage?: string;
}

type Nested<T> = Array<{ topic: string; partitions: Array<Omit<T, 'topic'>> }>;

const flatten = <T extends TopicPartition>(topics: Nested<T> | undefined): T[] =>
  (topics ?? []).flatMap((t) => t.partitions.map((p) => ({ ...p, topic: t.topic }) as T));

function nest<T extends TopicPartition>(items: T[]): Nested<T> {
  const topics = new Map<string, Array<Omit<T, 'topic'>>>();
  for (const { topic, ...rest } of items) topics.set(topic, [...(topics.get(topic) ?? []), rest]);
  return [...topics].map(([topic, partitions]) => ({ topic, partitions }));
}

export type ResetTo = 'earliest' | 'latest' | { datetime: Date | number | string } | { offset: number };

const path = (groupId: string, suffix = '') => `/v1/groups/${encodeURIComponent(groupId)}${suffix}`;

export class GroupsApi {
  constructor(readonly http: FloeHttpClient) {}

  heartbeat(groupId: string, request: HeartbeatRequest, timeoutMs?: number): Promise<HeartbeatResponse> {
    return this.http
      .call('groups', 'POST', path(groupId, '/heartbeat'), { json: request, timeoutMs })
      .then((r) => JSON.parse(r.body.toString('utf8')) as HeartbeatResponse);
  }

  /** Per-partition results; a request refused as a whole (unknown member, bad input) throws. */
  async commit(
    groupId: string,
    request: { memberId?: string; memberEpoch?: number; partitions: CommitPartition[] },
    timeoutMs?: number,
  ): Promise<CommitPartitionResult[]> {
    const response = await this.http.call('groups', 'POST', path(groupId, '/offsets/commit'), {
      json: { memberId: request.memberId, memberEpoch: request.memberEpoch, topics: nest(request.partitions) },
      timeoutMs,
      allowErrorStatus: true,
    });
    const body = JSON.parse(response.body.toString('utf8')) as { topics?: Nested<CommitPartitionResult> };
    if (!body.topics) throw errorFromResponse(response.status, response.body);
    return flatten(body.topics);
  }

  /** Committed offsets (-1 = none) of the given partitions, or of all the group has. */
  async fetchOffsets(groupId: string, partitions?: TopicPartition[]): Promise<CommittedOffset[]> {
    const topics = partitions === undefined ? undefined : nest(partitions).map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => p.partition) }));
    const body = await this.http.callJson<{ topics: Nested<CommittedOffset> }>('groups', 'POST', path(groupId, '/offsets/fetch'), { topics });
    return flatten(body.topics);
  }

  async list(): Promise<GroupListing[]> {
    return (await this.http.callJson<{ groups: GroupListing[] }>('groups', 'GET', '/v1/groups')).groups;
  }

  describe(groupId: string): Promise<GroupDescription> {
    return this.http.callJson('groups', 'GET', path(groupId));
  }

  /** Refused with NON_EMPTY_GROUP while the group has live members. */
  async resetOffsets(groupId: string, topic: string, to: ResetTo, options: { partitions?: number[]; dryRun?: boolean } = {}): Promise<ResetResult[]> {
    const known = to === 'earliest' || to === 'latest' || (typeof to === 'object' && to !== null && ('offset' in to || 'datetime' in to));
    if (!known) throw new FloeError('INVALID_REQUEST', `resetOffsets takes 'earliest', 'latest', { offset } or { datetime }, got ${JSON.stringify(to)}`);
    const spec =
      typeof to === 'string'
        ? { to }
        : 'offset' in to
          ? { to: 'offset', offset: to.offset }
          : { to: 'datetime', datetime: to.datetime instanceof Date ? to.datetime.toISOString() : to.datetime };
    const response = await this.http.call('groups', 'POST', path(groupId, '/offsets/reset'), {
      json: { topic, partitions: options.partitions, dryRun: options.dryRun ?? false, ...spec },
      allowErrorStatus: true,
    });
    const body = JSON.parse(response.body.toString('utf8')) as { topics?: Nested<ResetResult> };
    if (!body.topics) throw errorFromResponse(response.status, response.body);
    const results = flatten(body.topics);
    const failed = results.find((r) => r.errorCode !== 'NONE');
    if (failed) throw new FloeError(failed.errorCode, failed.errorMessage ?? `reset of ${failed.topic}/${failed.partition} failed`);
    return results;
  }

  /**
   * Deletes committed offsets: of the given partitions of each topic, or of all its partitions.
   * Per-partition results: GROUP_SUBSCRIBED_TO_TOPIC while a live member consumes the topic.
   */
  async deleteOffsets(groupId: string, topics: Array<{ topic: string; partitions?: number[] }>): Promise<CommitPartitionResult[]> {
    const response = await this.http.call('groups', 'POST', path(groupId, '/offsets/delete'), { json: { topics }, allowErrorStatus: true });
    const body = JSON.parse(response.body.toString('utf8')) as { topics?: Nested<CommitPartitionResult> };
    if (!body.topics) throw errorFromResponse(response.status, response.body);
    return flatten(body.topics);
  }

  /** Refused with NON_EMPTY_GROUP while the group has live members; GROUP_ID_NOT_FOUND when it has nothing. */
  async delete(groupId: string): Promise<void> {
    await this.http.callJson('groups', 'DELETE', path(groupId));
  }
}

/** Consumer-group administration (kafka-consumer-groups): list, describe, reset and delete offsets, delete. */
export class GroupsAdmin {
  readonly api: GroupsApi;

  constructor(options: ({ bootstrap: string } & HttpClientOptions) | { http: FloeHttpClient }) {
    this.api = new GroupsApi('http' in options ? options.http : new FloeHttpClient(options.bootstrap, options));
  }

  listGroups(): Promise<GroupListing[]> {
    return this.api.list();
  }

  describeGroup(groupId: string): Promise<GroupDescription> {
    return this.api.describe(groupId);
  }

  listGroupOffsets(groupId: string, partitions?: TopicPartition[]): Promise<CommittedOffset[]> {
    return this.api.fetchOffsets(groupId, partitions);
  }

  resetOffsets(groupId: string, topic: string, to: ResetTo, options?: { partitions?: number[]; dryRun?: boolean }): Promise<ResetResult[]> {
    return this.api.resetOffsets(groupId, topic, to, options);
  }

  /**
   * kafka-consumer-groups --delete-offsets: a topic's committed offsets (all its partitions, or those
   * given), each answered NONE or GROUP_SUBSCRIBED_TO_TOPIC (a live member consumes the topic).
   */
  deleteOffsets(groupId: string, topic: string, partitions?: number[]): Promise<CommitPartitionResult[]> {
    return this.api.deleteOffsets(groupId, [{ topic, partitions }]);
  }

  /** kafka-consumer-groups --delete: the group and its committed offsets; only a group with no live member. */
  deleteGroup(groupId: string): Promise<void> {
    return this.api.delete(groupId);
  }
}
