/** The producer SDK's public surface. */
export { Producer, type CloseOptions, type ProducerHeaders, type ProducerRecord, type SendCallback } from './producer.js';
export type { RecordMetadata } from './pending-record.js';
export { PRODUCER_DEFAULTS, type Acks, type ProducerConfig } from './config.js';
export type { Partitioner, PartitionerContext } from './partitioner.js';
export { PRODUCER_PROPERTY_NAMES, producerConfigFromProperties } from './properties.js';
export type { ProducerMetrics } from './sender.js';
export { Serializers, type Serializer, type SerializerFunction, type SerializerOption } from './serializers.js';
