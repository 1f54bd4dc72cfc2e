/**
 * Every limit Floe enforces, named once. docs/configuration.md lists them.
 * Lambda Function URLs carry at most 6 MB per request and per buffered response,
 * and binary bodies travel base64-encoded (4/3 larger), which bounds the byte limits here.
 */
import { API_LIMITS } from '@floe/protocol';

export const LIMITS = {
  /** Kafka's topic name rule: [a-zA-Z0-9._-]{1,249}, not "." or "..". */
  maxTopicNameLength: 249,
  /** Partitions per topic. Creating one writes one DynamoDB item per partition. */
  maxPartitionsPerTopic: 4096,
  maxProduceRequestBytes: API_LIMITS.maxProduceRequestBytes,
  /** Topics x partitions in one produce or fetch request. */
  maxPartitionsPerRequest: 4096,
  /** Storage lookups one request keeps in flight (HTTP routes and gateway alike): bounds its memory and its share of the table's capacity. */
  lookupsInFlight: 16,
  defaultMaxMessageBytes: API_LIMITS.defaultMaxMessageBytes,
  /** Upper bound a topic may set for max.message.bytes: one batch must fit a produce request; readers bound decompression by it. */
  maxMessageBytesCeiling: API_LIMITS.maxMessageBytesCeiling,
  maxFetchResponseBytes: API_LIMITS.maxFetchResponseBytes,
  /**
   * Decompressed bytes any reader inflates for one stored batch (JSON fetch, ListOffsets by time, the
   * SDK's Consumer): produce refuses a batch that decompresses past its topic's max.message.bytes,
   * which is at most this, so only a batch stored before issue 13 can exceed it (then CORRUPT_MESSAGE).
   */
  readerMaxBatchBytes: API_LIMITS.maxMessageBytesCeiling,
  /** Server-side cap of fetch.max.wait.ms: an idle Lambda waiting is billed by the millisecond. */
  maxFetchWaitMs: 1000,
  /** How often a waiting fetch re-reads partition heads. */
  fetchPollIntervalMs: 100,
  /** Batch locations kept inline in a partition head before the oldest are spilled to an index item. */
  headInlineBatches: 8,
  /** Batch locations moved into one index item per spill. */
  spillChunkBatches: 4,
  /**
   * Bytes of a stripe's `recent` entries (decision 52, as DynamoDB bills them, roughly) past which an
   * append spills the oldest to a stripe chunk, down to half: keeps a stripe write near 3 write units
   * (its counters ride on every write too), and one spill per ~1 KB of entries.
   */
  stripeSpillBytes: 2048,
  /** Partitions per stripe of a striped topic (decision 53: an idempotent producer's sequences for a whole stripe fit one write). */
  stripeWidth: 64,
  /**
   * Idempotent producers whose state a partition head keeps inline (the most recently active);
   * the least recently active one is demoted to its own item to admit another. Bounds the head
   * (decision 27): with 12 inline batch locations it stays under 2 KB, 2 write units per append.
   */
  headInlineProducers: 6,
  /**
   * Idempotent producers a stripe keeps inline (decision 53): each adds its sequence list to every
   * write of the stripe. Not demoted yet: a producer past them takes an expired one's place, else
   * is refused on that stripe (POLICY_VIOLATION).
   */
  stripeInlineProducers: 4,
  /** Housekeeping moves inline producer states idle this long to their own items (a crowd that passed stops costing the head's writers). */
  producerInlineIdleMs: 5 * 60 * 1000,
  /** Demotion counters in a head, one per slot of producer ids: re-admissions of producers in other slots never race. */
  producerDemotionSlots: 16,
  /** Batches per producer and partition whose sequence numbers and offsets are kept: a retry of any returns its offsets (Kafka keeps 5). */
  producerWindowBatches: 5,
  /**
   * How long an append waits for a missing predecessor of its producer's batch (another request of
   * the same producer still on its way: produce is leaderless) before answering OUT_OF_ORDER_SEQUENCE_NUMBER.
   */
  sequenceGapWaitMs: 1000,
  /** Longest pause between two head reads while waiting for a predecessor (the first ones are shorter). */
  sequenceGapPollMaxMs: 20,
  /** A registry item lives this long after its epoch was issued (TTL); a producer idle longer takes a new id. */
  producerIdRegistryTtlMs: 7 * 24 * 60 * 60 * 1000,
  /** How long a handler instance trusts what it read of a producer id in the registry. */
  producerRegistryCacheMs: 60_000,
  /** Producer ids a handler instance remembers (least recently seen forgotten first). */
  producerRegistryCacheEntries: 10_000,
  /** Bytes of a JSON request body (admin, fetch, groups). */
  maxJsonBodyBytes: 1024 * 1024,
  /** Records in one JSON produce request (curl path). */
  maxJsonRecords: 10_000,
  /**
   * Per-record errors a refused batch's answer lists (INVALID_TIMESTAMP: the records out of the topic's
   * timestamp bounds); the partition's message counts them all. Bounds the answer of a batch of many small records.
   */
  maxRecordErrors: 100,
  /** A JSON record's timestamp: the last instant a JavaScript Date holds (year 275760). */
  maxJsonTimestampMs: 8_640_000_000_000_000,

  // Housekeeping (docs/housekeeping.md). Settings marked "env" can be changed per deployment.
  /** How long a housekeeping lease lasts without renewal; work renews it before every lease-fenced write. Env FLOE_LEASE_MS. */
  leaseDurationMs: 60_000,
  /** A lease item's TTL this long after its expiry (cleanup only; liveness is expiresAt vs now). */
  leaseCleanupAfterMs: 7 * 24 * 60 * 60 * 1000,
  /**
   * Grace before an unreferenced segment object is deleted: it must stay unreferenced this long
   * (two sweeps) and its key time must be this old. Longer than the longest produce (30 s Lambda
   * timeout; maxCommitAgeMs anywhere), fetch, and housekeeping invocation (4 min): 15 min + the housekeeping timeout. Env FLOE_GC_GRACE_MS.
   */
  gcGraceMs: 19 * 60 * 1000,
  /** A produce commits its batches to the heads only this soon after naming its segment object, else REQUEST_TIMED_OUT (retriable): the grace must exceed it. */
  maxCommitAgeMs: 2 * 60 * 1000,
  /** Size of the per-partition segment objects merging writes. Env FLOE_MERGE_TARGET_BYTES. */
  mergeTargetBytes: 16 * 1024 * 1024,
  /** Bytes one partition's pass may rewrite, so one large backlog does not starve the other partitions. */
  mergeMaxBytesPerPass: 64 * 1024 * 1024,
  /** Kafka's producer.id.expiration.ms: idle idempotent-producer state is pruned from the head after this. Env FLOE_PRODUCER_ID_EXPIRATION_MS. */
  producerIdExpirationMs: 24 * 60 * 60 * 1000,
  /** Partitions one housekeeping invocation works on at once. */
  housekeepingConcurrency: 4,
  /** Bytes of batches one partition's compaction pass may read (it continues from there on the next pass). Env FLOE_COMPACT_MAX_BYTES_PER_PASS. */
  compactMaxBytesPerPass: 256 * 1024 * 1024,
  /** Distinct keys one compaction round indexes (Kafka's dedupe buffer): the round's dirty range ends where it is full. */
  compactMaxKeys: 1_000_000,
} as const;

/** Kafka's cleanup.policy: a list of delete and compact, kept in this one spelling. */
export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';

/** Kafka's message.timestamp.type: the producer's timestamps, or the time the log appended the batch (stamped into it). */
export type TimestampType = 'CreateTime' | 'LogAppendTime';

export const TOPIC_CONFIG_DEFAULTS = {
  'retention.ms': 7 * 24 * 60 * 60 * 1000,
  'retention.bytes': -1,
  'max.message.bytes': LIMITS.defaultMaxMessageBytes,
  'cleanup.policy': 'delete' as CleanupPolicy,
  'min.cleanable.dirty.ratio': 0.5,
  'min.compaction.lag.ms': 0,
  /** Kafka: Long.MAX_VALUE */
  'max.compaction.lag.ms': Number.MAX_SAFE_INTEGER,
  'delete.retention.ms': 24 * 60 * 60 * 1000,
  'segment.ms': 7 * 24 * 60 * 60 * 1000,
  'segment.bytes': 1024 * 1024 * 1024,
  'message.timestamp.type': 'CreateTime' as TimestampType,
  /** Kafka: Long.MAX_VALUE (no bound on how old a CreateTime record may be) */
  'message.timestamp.before.max.ms': Number.MAX_SAFE_INTEGER,
  /** Kafka 4.0's (KIP-1030): a CreateTime record at most an hour ahead of the log's clock */
  'message.timestamp.after.max.ms': 60 * 60 * 1000,
  /**
   * Kafka's: how many replicas must have a batch before acks=all answers. Kept for the tools that set
   * it (Terraform, Kafka Streams' topic.min.insync.replicas); a Floe ack always waits for S3 and
   * DynamoDB, which keep the data in several zones, so it changes nothing here (decision 51).
   */
  'min.insync.replicas': 1,
} as const;

export type TopicConfigName = keyof typeof TOPIC_CONFIG_DEFAULTS;
/** The configs whose values are words, not numbers. */
export type TopicWordConfigName = 'cleanup.policy' | 'message.timestamp.type';
export type TopicConfig = { [K in TopicConfigName]: K extends 'cleanup.policy' ? CleanupPolicy : K extends 'message.timestamp.type' ? TimestampType : number };

// Spelled out so that anything unexpected (an item from before cleanup.policy existed) reads as "delete": never compacted by accident.
export const compacts = (configs: Pick<TopicConfig, 'cleanup.policy'>): boolean => configs['cleanup.policy'] === 'compact' || configs['cleanup.policy'] === 'compact,delete';
export const deletes = (configs: Pick<TopicConfig, 'cleanup.policy'>): boolean => configs['cleanup.policy'] !== 'compact';
export const stampsAppendTime = (configs: Pick<TopicConfig, 'message.timestamp.type'>): boolean => configs['message.timestamp.type'] === 'LogAppendTime';
