/** Kafka producer properties by their Kafka names (`floe produce --producer-property`, config files). */
import { type CompressionType, FloeError } from '@floe/protocol';
import { propertyBoolean, propertyInteger } from '../properties.js';
import type { Acks, ProducerConfig } from './config.js';

export const PRODUCER_PROPERTY_NAMES: Record<string, keyof ProducerConfig> = {
  'bootstrap.servers': 'bootstrap',
  'key.serializer': 'keySerializer',
  'value.serializer': 'valueSerializer',
  acks: 'acks',
  'batch.size': 'batchSize',
  'linger.ms': 'lingerMs',
  'buffer.memory': 'bufferMemory',
  'max.block.ms': 'maxBlockMs',
  'max.request.size': 'maxRequestSize',
  'compression.type': 'compressionType',
  retries: 'retries',
  'retry.backoff.ms': 'retryBackoffMs',
  'retry.backoff.max.ms': 'retryBackoffMaxMs',
  'request.timeout.ms': 'requestTimeoutMs',
  'delivery.timeout.ms': 'deliveryTimeoutMs',
  'enable.idempotence': 'enableIdempotence',
  'max.in.flight.requests.per.connection': 'maxInFlightRequestsPerConnection',
  'metadata.max.age.ms': 'metadataMaxAgeMs',
};

/** Kafka's serializer classes that have a built-in counterpart. */
const SERIALIZER_CLASSES: Record<string, 'bytes' | 'string'> = {
  'org.apache.kafka.common.serialization.ByteArraySerializer': 'bytes',
  'org.apache.kafka.common.serialization.StringSerializer': 'string',
};

const TEXT = new Set<keyof ProducerConfig>(['bootstrap', 'compressionType']);

export function producerConfigFromProperties(properties: Record<string, string>): Partial<ProducerConfig<unknown, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(properties)) {
    const option = Object.hasOwn(PRODUCER_PROPERTY_NAMES, name) ? PRODUCER_PROPERTY_NAMES[name] : undefined; // not Object.prototype's "constructor"
    if (!option) throw new FloeError('INVALID_CONFIG', `unknown or unsupported producer property "${name}"`);
    if (option === 'keySerializer' || option === 'valueSerializer') out[option] = (Object.hasOwn(SERIALIZER_CLASSES, raw) ? SERIALIZER_CLASSES[raw] : undefined) ?? raw;
    else if (option === 'acks') out[option] = (raw === 'all' ? 'all' : Number(raw)) as Acks;
    else if (option === 'enableIdempotence') out[option] = propertyBoolean(name, raw);
    else if (option === 'compressionType') out[option] = raw as CompressionType;
    else if (TEXT.has(option)) out[option] = raw;
    else out[option] = propertyInteger(name, raw);
  }
  return out as Partial<ProducerConfig<unknown, unknown>>;
}
