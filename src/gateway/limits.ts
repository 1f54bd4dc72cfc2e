/**
 * The gateway's own bounds on work a request sized by the client may cause (docs/configuration.md#gateway-limits).
 * Listener limits an operator may change (frame size, in-flight requests, connections) are settings (settings.ts).
 */
import { GROUP_LIMITS } from '@floe/protocol';
import { LIMITS } from '../log/limits.js';

export const GATEWAY_LIMITS = {
  /** Storage lookups one request keeps in flight: the HTTP routes' bound (LIMITS.lookupsInFlight). */
  lookupsInFlight: LIMITS.lookupsInFlight,
  /**
   * Distinct names a Metadata request may name and still be read one by one (with the topic cache);
   * past it, the topic list is read once: one Query instead of a read per name, as a Kafka broker answers from memory.
   */
  metadataNamesReadOneByOne: 64,
  /**
   * UTF-8 bytes of what a JoinGroup asks its member item to hold: protocol type, and every protocol's
   * name and metadata. The item must stay under DynamoDB's 400 KB beside a client id of up to 32 KiB
   * (a larger join was refused by DynamoDB and the connection closed). Past it: INVALID_REQUEST.
   */
  maxMemberProtocolBytes: 256 * 1024,
  /**
   * Characters of the client id that start a member id the gateway issues (Kafka's "<client id>-<uuid>"):
   * member ids are keys (DynamoDB: 1 KB) and the classic item lists every member's.
   */
  memberIdClientIdChars: 64,
  /**
   * Member ids a group has handed out with MEMBER_ID_REQUIRED (JoinGroup v4+) and not seen join yet,
   * each a small item read with the group until its session timeout ends: enough for a group of
   * GROUP_LIMITS.maxMembers starting at once. Past it a new member's first JoinGroup is answered
   * REBALANCE_IN_PROGRESS (retriable) and nothing is written, so a client asking for ids in a loop
   * cannot grow what every heartbeat of the group reads.
   */
  maxPendingMembers: GROUP_LIMITS.maxMembers,
  /**
   * Expired (or used) pending ids each hand-out deletes: more than the one it writes, so the
   * group's pending items never outgrow maxPendingMembers by much, TTL or not.
   */
  pendingSweepPerHandOut: 2,
} as const;

/**
 * A JoinGroup naming a longer member id gets UNKNOWN_MEMBER_ID: no gateway issued it (ids issued before
 * memberIdClientIdChars began with up to 255 characters of client id), and as a key it could pass DynamoDB's 1 KB.
 */
export const MAX_KNOWN_MEMBER_ID_LENGTH = GROUP_LIMITS.maxClientIdLength + 1 + 36;
