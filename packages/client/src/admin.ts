/** Admin client: topics, metadata and offsets (Kafka's AdminClient, the parts Floe serves). */
import { ACL_FILTER_FIELDS, type AclFilter, type AclRule, type ErrorCode } from '@floe/protocol';
import { FloeHttpClient, type HttpClientOptions } from './http-client.js';

export interface TopicInfo {
  name: string;
  topicId: string;
  partitions: number;
  /** numbers, and cleanup.policy's list as a string */
  configs: Record<string, number | string>;
  /** the configs set on the topic, at creation or by an alter (Kafka's overrides); the others are the deployment's defaults. Absent from older servers. */
  overrides?: string[];
}

export interface TopicDescription extends TopicInfo {
  /** bytes: batch bytes written since the partition was created (absent from servers older than the field) */
  partitionDetails: Array<{ partition: number; logStartOffset: number; highWatermark: number; bytes?: number }>;
}

export interface OffsetResult {
  partition: number;
  errorCode: ErrorCode;
  errorMessage?: string;
  offset: number;
  timestamp: number;
}

export type OffsetSpec = 'earliest' | 'latest' | number | Date;

export interface DeleteRecordsResult {
  partition: number;
  errorCode: ErrorCode;
  errorMessage?: string;
  /** the partition's log start offset after the delete (Kafka's low watermark); -1 on an error */
  lowWatermark: number;
}

const filterQuery = (filter: AclFilter): string => {
  const query = new URLSearchParams();
  for (const field of ACL_FILTER_FIELDS) if (filter[field] !== undefined) query.set(field, String(filter[field]));
  const text = query.toString();
  return text ? `?${text}` : '';
};

export class Admin {
  readonly http: FloeHttpClient;

  constructor(options: { bootstrap: string } & HttpClientOptions) {
    this.http = new FloeHttpClient(options.bootstrap, options);
  }

  static fromClient(http: FloeHttpClient): Admin {
    const admin = Object.create(Admin.prototype) as Admin;
    (admin as { http: FloeHttpClient }).http = http;
    return admin;
  }

  createTopic(name: string, partitions = 1, configs?: Record<string, number | string>): Promise<TopicInfo> {
    return this.http.callJson('admin', 'POST', '/v1/topics', { name, partitions, configs });
  }

  async listTopics(): Promise<TopicInfo[]> {
    return (await this.http.callJson<{ topics: TopicInfo[] }>('admin', 'GET', '/v1/topics')).topics;
  }

  describeTopic(name: string): Promise<TopicDescription> {
    return this.http.callJson('admin', 'GET', `/v1/topics/${encodeURIComponent(name)}`);
  }

  deleteTopic(name: string): Promise<{ deleted: string }> {
    return this.http.callJson('admin', 'DELETE', `/v1/topics/${encodeURIComponent(name)}`);
  }

  createPartitions(name: string, count: number): Promise<TopicInfo> {
    return this.http.callJson('admin', 'POST', `/v1/topics/${encodeURIComponent(name)}/partitions`, { count });
  }

  /** Sets configs; one given as null goes back to its default (Kafka's DELETE). */
  alterTopicConfigs(name: string, configs: Record<string, number | string | null>): Promise<TopicInfo> {
    return this.http.callJson('admin', 'PUT', `/v1/topics/${encodeURIComponent(name)}/configs`, { configs });
  }

  async metadata(topics?: string[]): Promise<Array<TopicInfo & { errorCode: ErrorCode }>> {
    const query = topics ? `?topics=${topics.map(encodeURIComponent).join(',')}` : '';
    return (await this.http.callJson<{ topics: Array<TopicInfo & { errorCode: ErrorCode }> }>('admin', 'GET', `/v1/metadata${query}`)).topics;
  }

  /** Kafka's listOffsets: earliest, latest, or the first offset at or after a time. */
  async listOffsets(topic: string, partitions: number[], spec: OffsetSpec): Promise<OffsetResult[]> {
    const timestamp = spec instanceof Date ? spec.getTime() : spec;
    const response = await this.http.callJson<{ topics: Array<{ topic: string; partitions: OffsetResult[] }> }>('fetch', 'POST', '/v1/offsets', {
      topics: [{ topic, partitions: partitions.map((partition) => ({ partition, timestamp })) }],
    });
    return response.topics[0]?.partitions ?? [];
  }

  /**
   * Kafka's deleteRecords: moves each partition's log start offset to `offset` (-1: the high
   * watermark); records below it are gone for readers. Never moves it back (a smaller offset answers
   * the current one). Needs Delete on the topic. Per-partition errors are in the results; when every
   * partition failed, it throws the first one's error.
   */
  async deleteRecords(topic: string, partitions: Array<{ partition: number; offset: number }>): Promise<DeleteRecordsResult[]> {
    const body = { partitions: partitions.map(({ partition, offset }) => ({ partition, offset })) };
    return (await this.http.callJson<{ partitions: DeleteRecordsResult[] }>('admin', 'POST', `/v1/topics/${encodeURIComponent(topic)}/delete-records`, body)).partitions;
  }

  /** Kafka's describeAcls: the rules a filter selects (Describe on the cluster). */
  async describeAcls(filter: AclFilter = {}): Promise<AclRule[]> {
    return (await this.http.callJson<{ acls: AclRule[] }>('admin', 'GET', `/v1/acls${filterQuery(filter)}`)).acls;
  }

  /** Kafka's createAcls (Alter on the cluster): `added` is false for a rule that was there already. */
  async createAcls(rules: AclRule[]): Promise<Array<AclRule & { added: boolean }>> {
    return (await this.http.callJson<{ acls: Array<AclRule & { added: boolean }> }>('admin', 'POST', '/v1/acls', { rules })).acls;
  }

  /** Kafka's deleteAcls (Alter on the cluster): removes what the filter selects (at least one field named) and returns it. */
  async deleteAcls(filter: AclFilter): Promise<AclRule[]> {
    return (await this.http.callJson<{ removed: AclRule[] }>('admin', 'DELETE', `/v1/acls${filterQuery(filter)}`)).removed;
  }
}
