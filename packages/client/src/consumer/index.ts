/** The Consumer SDK and consumer-group administration, as exported from the package root. */
export { Consumer, type GroupMetadata } from './consumer.js';
export { CONSUMER_DEFAULTS, CONSUMER_PROPERTY_NAMES, consumerConfigFromProperties, type ConsumerConfig, type ConsumerLogger, type OffsetResetPolicy } from './config.js';
export { Deserializers, type Deserializer, type DeserializerContext, type DeserializerOption } from './deserializers.js';
export { GroupsAdmin, GroupsApi, type CommitPartitionResult, type ResetTo } from './groups-api.js';
export type { CommittedOffset, GroupDescription, GroupListing, HeartbeatRequest, HeartbeatResponse, ResetResult } from './groups-api.js';
export { CorruptRecordError } from './types.js';
export type {
  CommitCallback,
  ConsumerRebalanceListener,
  ConsumerRecord,
  OffsetAndMetadata,
  PartitionLag,
  RecordHeader,
  TopicPartition,
  TopicPartitionOffset,
} from './types.js';
