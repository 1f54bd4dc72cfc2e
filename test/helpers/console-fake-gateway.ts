/**
 * An in-memory FloeGateway for console tests: clusters of any size (1,000
 * topics and 10,000 partitions in milliseconds) and records with exact
 * offsets, with Floe's error codes for what the real API refuses.
 */
import { FloeError } from '../../src/index.js';
import type {
  FetchAnswer,
  FloeGateway,
  GatewayDeleteRecordsResult,
  GatewayGroupDescription,
  GatewayGroupListing,
  GatewayProduceRecord,
  GatewayResetTo,
  GatewayTopic,
  GatewayTopicDescription,
  RawRecord,
} from '../../src/console/gateway.js';

interface FakePartition {
  logStartOffset: number;
  records: RawRecord[];
  bytes: number;
}

interface FakeTopic extends GatewayTopic {
  data: FakePartition[];
}

export class FakeGateway implements FloeGateway {
  readonly topics = new Map<string, FakeTopic>();
  readonly groups = new Map<string, GatewayGroupDescription>();
  /** calls per method, to check what the console asks for */
  readonly calls = new Map<string, number>();
  /** records returned per fetch at most (small, to exercise multi-fetch pages) */
  fetchBatch = 50;

  private count(method: string): void {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
  }

  private topic(name: string): FakeTopic {
    const topic = this.topics.get(name);
    if (!topic) throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `unknown topic "${name}"`);
    return topic;
  }

  private partition(topic: string, partition: number): FakePartition {
    const p = this.topic(topic).data[partition];
    if (!p) throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `unknown partition ${topic}/${partition}`);
    return p;
  }

  /** Seeds topics named `${prefix}-0000`… each with `partitions` empty partitions. */
  seed(topicCount: number, partitions: number, prefix = 'topic'): void {
    for (let i = 0; i < topicCount; i++) {
      const name = `${prefix}-${String(i).padStart(4, '0')}`;
      this.topics.set(name, {
        name,
        topicId: `id-${i}`,
        partitions,
        configs: { 'retention.ms': 604800000 },
        data: Array.from({ length: partitions }, () => ({ logStartOffset: 0, records: [], bytes: 0 })),
      });
    }
  }

  /** Appends records (offsets assigned densely) and returns the first offset. */
  append(topic: string, partition: number, records: Array<Omit<RawRecord, 'offset'>>): number {
    const p = this.partition(topic, partition);
    const base = p.logStartOffset + p.records.length;
    records.forEach((r, i) => {
      p.records.push({ ...r, offset: base + i });
      p.bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0) + 20;
    });
    return base;
  }

  /** Drops records below `offset` (what retention does). */
  truncate(topic: string, partition: number, offset: number): void {
    const p = this.partition(topic, partition);
    p.records = p.records.filter((r) => r.offset >= offset);
    p.logStartOffset = offset;
  }

  private logEnd(p: FakePartition): number {
    return p.logStartOffset + p.records.length;
  }

  async listTopics(): Promise<GatewayTopic[]> {
    this.count('listTopics');
    return [...this.topics.values()].map(({ name, topicId, partitions, configs }) => ({ name, topicId, partitions, configs }));
  }

  async describeTopic(name: string): Promise<GatewayTopicDescription> {
    this.count('describeTopic');
    const t = this.topic(name);
    return {
      name: t.name,
      topicId: t.topicId,
      partitions: t.partitions,
      configs: t.configs,
      ...(t.overrides ? { overrides: t.overrides } : {}),
      partitionDetails: t.data.map((p, partition) => ({ partition, logStartOffset: p.logStartOffset, highWatermark: this.logEnd(p), bytes: p.bytes })),
    };
  }

  async createTopic(name: string, partitions: number): Promise<GatewayTopic> {
    this.count('createTopic');
    if (this.topics.has(name)) throw new FloeError('TOPIC_ALREADY_EXISTS', `topic "${name}" already exists`);
    const topic = { name, topicId: `id-${name}`, partitions, configs: {}, data: Array.from({ length: partitions }, () => ({ logStartOffset: 0, records: [], bytes: 0 })) };
    this.topics.set(name, topic);
    return { name, topicId: topic.topicId, partitions, configs: {} };
  }

  async addPartitions(name: string, count: number): Promise<GatewayTopic> {
    this.count('addPartitions');
    const t = this.topic(name);
    if (count <= t.partitions) throw new FloeError('INVALID_PARTITIONS', 'the new count must be larger');
    while (t.data.length < count) t.data.push({ logStartOffset: 0, records: [], bytes: 0 });
    t.partitions = count;
    return { name, topicId: t.topicId, partitions: count, configs: t.configs };
  }

  async alterTopicConfigs(name: string, configs: Record<string, number | string | null>): Promise<GatewayTopic> {
    this.count('alterTopicConfigs');
    const t = this.topic(name);
    const overrides = new Set(t.overrides ?? []);
    for (const [key, value] of Object.entries(configs)) {
      if (value === null) {
        delete t.configs[key];
        overrides.delete(key);
      } else {
        t.configs[key] = value;
        overrides.add(key);
      }
    }
    t.overrides = [...overrides];
    return { name, topicId: t.topicId, partitions: t.partitions, configs: t.configs, overrides: t.overrides };
  }

  async deleteRecords(topic: string, partitions: Array<{ partition: number; offset: number }>): Promise<GatewayDeleteRecordsResult[]> {
    this.count('deleteRecords');
    return partitions.map(({ partition, offset }) => {
      const p = this.partition(topic, partition);
      const target = offset === -1 ? this.logEnd(p) : offset;
      if (target > this.logEnd(p)) return { partition, errorCode: 'OFFSET_OUT_OF_RANGE', errorMessage: `offset ${offset} is above the high watermark`, lowWatermark: -1 };
      if (target > p.logStartOffset) this.truncate(topic, partition, target);
      return { partition, errorCode: 'NONE', lowWatermark: p.logStartOffset };
    });
  }

  async offsetFor(topic: string, partition: number, spec: 'earliest' | 'latest' | number): Promise<number> {
    this.count('offsetFor');
    const p = this.partition(topic, partition);
    if (spec === 'earliest') return p.logStartOffset;
    if (spec === 'latest') return this.logEnd(p);
    return p.records.find((r) => r.timestamp >= spec)?.offset ?? -1;
  }

  async fetch(topic: string, partition: number, offset: number): Promise<FetchAnswer> {
    this.count('fetch');
    const p = this.partition(topic, partition);
    if (offset < p.logStartOffset || offset > this.logEnd(p)) throw new FloeError('OFFSET_OUT_OF_RANGE', `offset ${offset} out of range`);
    const from = offset - p.logStartOffset;
    return { records: p.records.slice(from, from + this.fetchBatch), highWatermark: this.logEnd(p), logStartOffset: p.logStartOffset };
  }

  async produce(topic: string, record: GatewayProduceRecord): Promise<{ partition: number; offset: number }> {
    this.count('produce');
    const partition = record.partition ?? 0;
    const headers = Object.entries(record.headers).map(([key, value]) => ({ key, value }));
    const offset = this.append(topic, partition, [{ timestamp: Date.now(), key: record.key, value: record.value, headers }]);
    return { partition, offset };
  }

  async listGroups(): Promise<GatewayGroupListing[]> {
    this.count('listGroups');
    return [...this.groups.values()].map((g) => ({ groupId: g.groupId, state: g.state, members: g.members.length }));
  }

  async describeGroup(groupId: string): Promise<GatewayGroupDescription> {
    this.count('describeGroup');
    const g = this.groups.get(groupId);
    if (!g) throw new FloeError('GROUP_ID_NOT_FOUND', `group "${groupId}" not found`);
    return structuredClone(g);
  }

  async resetOffsets(groupId: string, topic: string, to: GatewayResetTo, options: { partitions?: number[]; dryRun: boolean }) {
    this.count('resetOffsets');
    const g = this.groups.get(groupId);
    if (g && g.members.length > 0) throw new FloeError('NON_EMPTY_GROUP', `group "${groupId}" has live members`);
    const t = this.topic(topic);
    const partitions = options.partitions ?? t.data.map((_, i) => i);
    return partitions.map((partition) => {
      const p = this.partition(topic, partition);
      const newOffset = to === 'earliest' ? p.logStartOffset : to === 'latest' ? this.logEnd(p) : 'offset' in to ? to.offset : p.logStartOffset;
      const row = g?.partitions.find((x) => x.topic === topic && x.partition === partition);
      const previousOffset = row?.committedOffset ?? -1;
      if (!options.dryRun && row) row.committedOffset = newOffset;
      return { topic, partition, previousOffset, newOffset };
    });
  }
}
