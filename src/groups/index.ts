/** The consumer-group domain: what the groups handler calls. Request and answer shapes live in @floe/protocol. */
export { heartbeat } from './heartbeat.js';
export { commitOffsets, fetchOffsets } from './offsets.js';
export { resetOffsets } from './reset.js';
export { describeGroup, listGroups } from './describe.js';
export { deleteGroup, deleteOffsets, type DeletedOffset } from './delete.js';
export type { GroupsDeps } from './deps.js';
export * from './model.js';
export { assignorName } from './assignors.js';
export { requireSubscriptionWithinLimit } from './budget.js';
