/** The consumer-group domain: what the groups handler calls. */
export { heartbeat, type AssignedPartition, type HeartbeatRequest, type HeartbeatResponse } from './heartbeat.js';
export { commitOffsets, fetchOffsets, type CommitPartition, type CommitRequest, type CommitResult, type CommittedOffset } from './offsets.js';
export { resetOffsets, type ResetRequest, type ResetResult, type ResetSpec } from './reset.js';
export { describeGroup, listGroups, type GroupDescription, type GroupListing, type GroupState, type MemberDescription, type PartitionLag } from './describe.js';
export type { GroupsDeps } from './deps.js';
export * from './model.js';
export { assignorName } from './assignors.js';
