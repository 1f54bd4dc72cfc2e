/**
 * The console's only door into Floe: the SDK's public exports (Admin,
 * GroupsAdmin, signerFor) and Floe's HTTP API through the SDK's client.
 * Calls are SigV4-signed in this process when the bootstrap is a deployed
 * Function URL, so credentials never reach the browser.
 */
import { Admin, FloeError, functionUrlRegion, GroupsAdmin, normalizeBootstrap, signerFor, type ErrorCode, type SigningMode } from '@floe/client';
import type {
  FetchAnswer,
  FloeGateway,
  GatewayGroupDescription,
  GatewayProduceRecord,
  GatewayResetTo,
  GatewayTopicDescription,
  RawRecord,
} from './gateway.js';

interface FetchJsonPartition {
  errorCode: ErrorCode;
  errorMessage?: string;
  highWatermark: number;
  logStartOffset: number;
  nextOffset?: number;
  records?: Array<{ offset: number; timestamp: number; key: string | null; value: string | null; headers?: Record<string, string | null> }>;
}

const fromBase64 = (text: string | null): Buffer | null => (text === null ? null : Buffer.from(text, 'base64'));
const toBase64 = (bytes: Buffer | null): string | null => (bytes === null ? null : bytes.toString('base64'));

export interface HttpGatewayOptions {
  bootstrap: string;
  /** 'auto' (default) signs only requests to deployed Function URLs */
  signing?: SigningMode;
  requestTimeoutMs?: number;
}

export class HttpGateway implements FloeGateway {
  readonly admin: Admin;
  readonly groups: GroupsAdmin;
  /** true when requests to this bootstrap are signed */
  readonly signed: boolean;

  constructor(options: HttpGatewayOptions) {
    const signing = options.signing ?? 'auto';
    this.admin = new Admin({ bootstrap: options.bootstrap, sign: signerFor(signing), requestTimeoutMs: options.requestTimeoutMs ?? 15_000 });
    this.groups = new GroupsAdmin({ http: this.admin.http });
    // Kafka's host:port form is a bootstrap too (the Admin above took it): a URL only once normalised.
    this.signed = signing === 'sigv4' || typeof signing === 'function' || (signing === 'auto' && functionUrlRegion(normalizeBootstrap(options.bootstrap)) !== undefined);
  }

  listTopics() {
    return this.admin.listTopics();
  }

  describeTopic(name: string): Promise<GatewayTopicDescription> {
    return this.admin.describeTopic(name);
  }

  createTopic(name: string, partitions: number, configs?: Record<string, number | string>) {
    return this.admin.createTopic(name, partitions, configs);
  }

  addPartitions(name: string, count: number) {
    return this.admin.createPartitions(name, count);
  }

  alterTopicConfigs(name: string, configs: Record<string, number | string | null>) {
    return this.admin.alterTopicConfigs(name, configs);
  }

  deleteRecords(topic: string, partitions: Array<{ partition: number; offset: number }>) {
    return this.admin.deleteRecords(topic, partitions);
  }

  async offsetFor(topic: string, partition: number, spec: 'earliest' | 'latest' | number): Promise<number> {
    const [result] = await this.admin.listOffsets(topic, [partition], spec);
    if (!result) throw new FloeError('UNKNOWN_SERVER_ERROR', `no offset answer for ${topic}/${partition}`);
    if (result.errorCode !== 'NONE') throw new FloeError(result.errorCode, result.errorMessage ?? `offsets of ${topic}/${partition}: ${result.errorCode}`);
    return result.offset;
  }

  async fetch(topic: string, partition: number, offset: number, maxBytes: number): Promise<FetchAnswer> {
    const body = {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes,
      encoding: 'base64',
      topics: [{ topic, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: maxBytes }] }],
    };
    const answer = await this.admin.http.callJson<{ topics: Array<{ partitions: FetchJsonPartition[] }> }>('fetch', 'POST', '/v1/fetch', body);
    const p = answer.topics[0]?.partitions[0];
    if (!p) throw new FloeError('UNKNOWN_SERVER_ERROR', `no fetch answer for ${topic}/${partition}`);
    if (p.errorCode !== 'NONE') throw new FloeError(p.errorCode, p.errorMessage ?? `fetch of ${topic}/${partition}: ${p.errorCode}`);
    const records = (p.records ?? []).map(
      (r): RawRecord => ({
        offset: r.offset,
        timestamp: r.timestamp,
        key: fromBase64(r.key),
        value: fromBase64(r.value),
        headers: Object.entries(r.headers ?? {}).map(([key, value]) => ({ key, value: fromBase64(value) })),
      }),
    );
    return { records, highWatermark: p.highWatermark, logStartOffset: p.logStartOffset, ...(p.nextOffset !== undefined ? { nextOffset: p.nextOffset } : {}) };
  }

  async produce(topic: string, record: GatewayProduceRecord): Promise<{ partition: number; offset: number }> {
    const body = {
      acks: -1,
      encoding: 'base64',
      records: [
        {
          topic,
          partition: record.partition,
          key: toBase64(record.key),
          value: toBase64(record.value),
          headers: Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, v.toString('base64')])),
        },
      ],
    };
    const answer = await this.admin.http.callJson<{ records?: Array<{ partition: number; offset: number }> }>('produce', 'POST', '/v1/produce', body);
    const written = answer.records?.[0];
    if (!written) throw new FloeError('UNKNOWN_SERVER_ERROR', 'the produce answer named no record');
    return { partition: written.partition, offset: written.offset };
  }

  listGroups() {
    return this.groups.listGroups();
  }

  async describeGroup(groupId: string): Promise<GatewayGroupDescription> {
    const d = await this.groups.describeGroup(groupId);
    return { ...d, assignor: d.assignor ?? null };
  }

  async resetOffsets(groupId: string, topic: string, to: GatewayResetTo, options: { partitions?: number[]; dryRun: boolean }) {
    const results = await this.groups.resetOffsets(groupId, topic, to, options);
    return results.map(({ topic: t, partition, previousOffset, newOffset }) => ({ topic: t, partition, previousOffset, newOffset }));
  }
}
