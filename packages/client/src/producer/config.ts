/**
 * Producer configuration: one option per Kafka producer setting, Kafka's defaults,
 * and Kafka's cross-checks (idempotence needs acks=all, retries > 0 and at most
 * 5 requests in flight). docs/configuration.md ("Producer") is the reference table.
 */
import { API_LIMITS, COMPRESSION_CODECS, type CompressionType, FloeError } from '@floe/protocol';
import { normalizeBootstrap } from '../bootstrap-url.js';
import { MAX_TIMER_MS } from '../properties.js';
import type { RequestSigner } from '../http-client.js';
import type { SigV4Options } from '../sigv4.js';
import type { Partitioner } from './partitioner.js';
import type { SerializerOption } from './serializers.js';

export type Acks = 0 | 1 | -1 | 'all';

export interface ProducerConfig<K = Buffer | null, V = Buffer | null> {
  /** bootstrap.servers: the bootstrap (admin) Function URL or the local cluster URL. */
  bootstrap: string;
  /** key.serializer (default 'bytes'). */
  keySerializer?: SerializerOption<K>;
  /** value.serializer (default 'bytes'). */
  valueSerializer?: SerializerOption<V>;
  /** acks (default 'all'). */
  acks?: Acks;
  /** batch.size in bytes (default 16384). */
  batchSize?: number;
  /** linger.ms (default 5). */
  lingerMs?: number;
  /** buffer.memory in bytes (default 33554432). */
  bufferMemory?: number;
  /** max.block.ms (default 60000). */
  maxBlockMs?: number;
  /** max.request.size in bytes (default 1048576, at most 4 MiB). */
  maxRequestSize?: number;
  /** compression.type (default 'none'). */
  compressionType?: CompressionType;
  /** retries (default 2147483647). */
  retries?: number;
  /** retry.backoff.ms (default 100). */
  retryBackoffMs?: number;
  /** retry.backoff.max.ms (default 1000). */
  retryBackoffMaxMs?: number;
  /** request.timeout.ms (default 30000). */
  requestTimeoutMs?: number;
  /** delivery.timeout.ms (default 120000; at least linger.ms + request.timeout.ms). */
  deliveryTimeoutMs?: number;
  /** enable.idempotence (default true when acks=all, retries > 0 and max in flight <= 5). */
  enableIdempotence?: boolean;
  /** max.in.flight.requests.per.connection (default 5). */
  maxInFlightRequestsPerConnection?: number;
  /** partitioner.class: 'default' (murmur2 keys, sticky null keys) or your own. */
  partitioner?: 'default' | Partitioner;
  /** metadata.max.age.ms (default 300000). */
  metadataMaxAgeMs?: number;
  /** Request signing: 'auto' (SigV4 for *.lambda-url.*.on.aws hosts), 'sigv4', 'none', or a custom signer. */
  sign?: 'auto' | 'sigv4' | 'none' | RequestSigner;
  /** Region and credentials for SigV4 (defaults: the URL's region or AWS_REGION; the default credential chain). */
  aws?: SigV4Options;
}

export interface ResolvedProducerConfig {
  bootstrap: string;
  /** 0, 1 or -1 (all), as on the wire. */
  acks: 0 | 1 | -1;
  batchSize: number;
  lingerMs: number;
  bufferMemory: number;
  maxBlockMs: number;
  maxRequestSize: number;
  compressionType: CompressionType;
  retries: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  requestTimeoutMs: number;
  deliveryTimeoutMs: number;
  enableIdempotence: boolean;
  maxInFlightRequestsPerConnection: number;
  metadataMaxAgeMs: number;
}

export const PRODUCER_DEFAULTS = {
  acks: 'all',
  batchSize: 16_384,
  lingerMs: 5,
  bufferMemory: 33_554_432,
  maxBlockMs: 60_000,
  maxRequestSize: 1_048_576,
  compressionType: 'none',
  retries: 2_147_483_647,
  retryBackoffMs: 100,
  retryBackoffMaxMs: 1_000,
  requestTimeoutMs: 30_000,
  deliveryTimeoutMs: 120_000,
  maxInFlightRequestsPerConnection: 5,
  metadataMaxAgeMs: 300_000,
} as const;

/** Kafka's limit for idempotent producers: the broker remembers the last 5 batches per producer. */
export const MAX_IN_FLIGHT_FOR_IDEMPOTENCE = 5;

const invalid = (message: string) => new FloeError('INVALID_CONFIG', message);

function integer(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(`${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

function normalizeAcks(acks: Acks): 0 | 1 | -1 {
  if (acks === 'all' || acks === -1) return -1;
  if (acks === 0 || acks === 1) return acks;
  throw invalid(`acks must be 0, 1, -1 or 'all', got ${String(acks)}`);
}

export function resolveProducerConfig(config: ProducerConfig<unknown, unknown>): ResolvedProducerConfig {
  const bootstrap = normalizeBootstrap(config.bootstrap);
  const acks = normalizeAcks(config.acks ?? PRODUCER_DEFAULTS.acks);
  const compressionType = config.compressionType ?? PRODUCER_DEFAULTS.compressionType;
  if (!COMPRESSION_CODECS.includes(compressionType)) {
    throw invalid(`compressionType must be one of ${COMPRESSION_CODECS.join(', ')}, got ${String(compressionType)}`);
  }
  const lingerMs = integer('lingerMs', config.lingerMs ?? PRODUCER_DEFAULTS.lingerMs, 0, MAX_TIMER_MS);
  const requestTimeoutMs = integer('requestTimeoutMs', config.requestTimeoutMs ?? PRODUCER_DEFAULTS.requestTimeoutMs, 1, MAX_TIMER_MS);
  const retries = integer('retries', config.retries ?? PRODUCER_DEFAULTS.retries, 0, 2_147_483_647);
  const maxInFlight = integer(
    'maxInFlightRequestsPerConnection',
    config.maxInFlightRequestsPerConnection ?? PRODUCER_DEFAULTS.maxInFlightRequestsPerConnection,
    1,
  );

  // Kafka: an explicit delivery.timeout.ms below linger + request timeout is an error; the default is raised instead.
  let deliveryTimeoutMs = integer('deliveryTimeoutMs', config.deliveryTimeoutMs ?? PRODUCER_DEFAULTS.deliveryTimeoutMs, 1, MAX_TIMER_MS);
  if (deliveryTimeoutMs < lingerMs + requestTimeoutMs) {
    if (config.deliveryTimeoutMs !== undefined) {
      throw invalid(`deliveryTimeoutMs (${deliveryTimeoutMs}) must be at least lingerMs + requestTimeoutMs (${lingerMs + requestTimeoutMs})`);
    }
    deliveryTimeoutMs = lingerMs + requestTimeoutMs;
    // Raised past a timer's longest delay it would fire at once.
    if (deliveryTimeoutMs > MAX_TIMER_MS) throw invalid(`lingerMs + requestTimeoutMs (${deliveryTimeoutMs}) must be at most ${MAX_TIMER_MS}: the delivery timeout is raised to it`);
  }

  // Kafka: idempotence is on by default only when the other settings allow it; asking for it explicitly with conflicting settings fails.
  const conflicts = [
    acks !== -1 ? `acks must be 'all' (got ${acks})` : undefined,
    retries === 0 ? 'retries must be > 0' : undefined,
    maxInFlight > MAX_IN_FLIGHT_FOR_IDEMPOTENCE ? `maxInFlightRequestsPerConnection must be <= ${MAX_IN_FLIGHT_FOR_IDEMPOTENCE}` : undefined,
  ].filter((c): c is string => c !== undefined);
  if (config.enableIdempotence === true && conflicts.length > 0) {
    throw invalid(`enableIdempotence requires: ${conflicts.join('; ')}`);
  }
  const enableIdempotence = (config.enableIdempotence ?? true) && conflicts.length === 0;

  return {
    bootstrap,
    acks,
    batchSize: integer('batchSize', config.batchSize ?? PRODUCER_DEFAULTS.batchSize, 0),
    lingerMs,
    bufferMemory: integer('bufferMemory', config.bufferMemory ?? PRODUCER_DEFAULTS.bufferMemory, 1),
    maxBlockMs: integer('maxBlockMs', config.maxBlockMs ?? PRODUCER_DEFAULTS.maxBlockMs, 0, MAX_TIMER_MS),
    // A request must fit one Lambda invocation (see API_LIMITS.maxProduceRequestBytes).
    maxRequestSize: integer('maxRequestSize', config.maxRequestSize ?? PRODUCER_DEFAULTS.maxRequestSize, 1, API_LIMITS.maxProduceRequestBytes),
    compressionType,
    retries,
    retryBackoffMs: integer('retryBackoffMs', config.retryBackoffMs ?? PRODUCER_DEFAULTS.retryBackoffMs, 0, MAX_TIMER_MS),
    retryBackoffMaxMs: integer('retryBackoffMaxMs', config.retryBackoffMaxMs ?? PRODUCER_DEFAULTS.retryBackoffMaxMs, 0, MAX_TIMER_MS),
    requestTimeoutMs,
    deliveryTimeoutMs,
    enableIdempotence,
    maxInFlightRequestsPerConnection: maxInFlight,
    metadataMaxAgeMs: integer('metadataMaxAgeMs', config.metadataMaxAgeMs ?? PRODUCER_DEFAULTS.metadataMaxAgeMs, 0, MAX_TIMER_MS),
  };
}
