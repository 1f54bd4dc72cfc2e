/**
 * Kafka's classic consumer-group protocol (JoinGroup/SyncGroup) as items in the groups table,
 * beside Floe's own group items (docs/gateway.md#consumer-groups, decision 29):
 *
 *   classic  sk "classic"       generation, state, leader, protocol, members of the generation, the leader's assignments
 *   member   sk "c#<memberId>"  one per member: protocols (with metadata), lease (expiresAt), the generation it joined for
 *   pending  sk "c$<memberId>"  a member id handed out with MEMBER_ID_REQUIRED, acceptable until expiresAt (KIP-394)
 *
 * No coordinator process: whichever gateway instance holds a waiting JoinGroup or SyncGroup, or
 * serves a Heartbeat, moves the group along with a write conditional on the classic item's version.
 */

import { instancesOf, isLive } from '../../groups/model.js';
import { dict } from '../../storage/user-keyed.js';
import { KafkaCode } from '../kafka-codes.js';

export type ClassicState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable';

export interface ClassicGroupItem {
  groupId: string;
  protocolType: string;
  /** Generation of the last completed join phase (0 before the first). The pending one is generation + 1. */
  generation: number;
  state: ClassicState;
  /** Protocol (assignor) and leader chosen for `generation`. */
  protocol: string | null;
  leader: string | null;
  /** Members of `generation`, in join order. */
  members: string[];
  /** The leader's assignment per member of `generation`, once it synced (state Stable). Absent = empty. */
  assignments: Record<string, Uint8Array>;
  /**
   * Static members: group.instance.id -> its current member id. Written with the rest of this item,
   * so the generation and the mapping never disagree; a member item whose instance maps to another
   * member is a replaced incarnation, no longer a member (readGroup leaves it out).
   */
  instances: Record<string, string>;
  /** PreparingRebalance: the join phase ends by then, whoever has not rejoined is removed. */
  rebalanceDeadline: number;
  /** PreparingRebalance of an empty group: not before this (Kafka's group.initial.rebalance.delay.ms). */
  joinNotBefore: number;
  /**
   * The initial delay joinNotBefore ends (absent or 0: no initial delay, or an item of an older gateway).
   * With it the barrier extends the delay while new members keep arriving (barrier.ts, joinNotBeforeOf).
   */
  initialDelayMs?: number;
  /** Optimistic lock: every write of this item is conditional on it. */
  version: number;
  createdAt: number;
  updatedAt: number;
}

export interface ProtocolMetadata {
  name: string;
  /** Absent when empty (not every DynamoDB stand-in stores empty binary values). */
  metadata?: Uint8Array;
}

export interface ClassicMemberItem {
  memberId: string;
  instanceId?: string;
  clientId: string;
  clientHost: string;
  protocolType: string;
  protocols: ProtocolMetadata[];
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  /** The generation this member's last JoinGroup was for: it has rejoined once this is the pending generation. */
  joinGeneration: number;
  /** Lease: live while expiresAt > now. */
  expiresAt: number;
  joinedAt: number;
}

/** One strongly consistent read of a group: classic items, and whether Floe-protocol members are live. */
export interface GroupView {
  groupId: string;
  group?: ClassicGroupItem;
  members: Map<string, ClassicMemberItem>;
  /** Member ids handed out with MEMBER_ID_REQUIRED: id -> until when a JoinGroup may use it (expired ones included). */
  pending: Map<string, number>;
  /** Live members of Floe's own protocol (the SDK's consumers) under the same group id. */
  floeLiveMembers: number;
  /** Floe's group item exists (the id has been used by Floe consumers). */
  floeGroup: boolean;
  readAt: number;
}

/**
 * The protocol type of a group id that has no classic group, as Kafka lists it: "consumer" once
 * Floe's consumers joined it (a consumer group, as KIP-848's are), "" for a group known only by
 * its committed offsets (Kafka's group created by a standalone commit has no protocol type).
 */
export const floeProtocolType = (view: GroupView): string => (view.floeGroup || view.floeLiveMembers > 0 ? 'consumer' : '');

/** A Kafka member is live by Floe's one rule (it is never replaced, so its lease decides). */
export { isLive };

export const liveMembers = (view: GroupView, now: number): ClassicMemberItem[] => [...view.members.values()].filter((m) => isLive(m, now));

/**
 * Whether a dynamic member's JoinGroup names an id this group knows (Kafka, KIP-394): a member's
 * (its item is still there, live or not) or one handed out with MEMBER_ID_REQUIRED and not expired.
 * Anything else - an id the client made up, or one whose member was removed - is UNKNOWN_MEMBER_ID.
 */
export const isKnownMemberId = (view: GroupView, memberId: string, now: number): boolean => view.members.has(memberId) || (view.pending.get(memberId) ?? 0) > now;

/** Handed-out ids that may still join and have not: what maxPendingMembers bounds. */
export const openPending = (view: GroupView, now: number): number => [...view.pending].filter(([id, until]) => until > now && !view.members.has(id)).length;

/** Handed-out ids no join can use: expired, or used (their member's item is there; the join's delete of the pending item failed). */
export const stalePending = (view: GroupView, now: number): string[] => [...view.pending].filter(([id, until]) => until <= now || view.members.has(id)).map(([id]) => id);

/** The state clients see: a group whose members all left or died is Empty, whatever its item says. */
export function effectiveState(view: GroupView, now: number): ClassicState {
  const group = view.group;
  if (!group || group.state === 'Empty') return 'Empty';
  return liveMembers(view, now).length === 0 ? 'Empty' : group.state;
}

/**
 * Kafka's check of a request naming a group.instance.id: undefined when `memberId` is the
 * instance's current member; UNKNOWN_MEMBER_ID when the instance is not in the group;
 * FENCED_INSTANCE_ID when a newer incarnation replaced it - fatal for clients, so the old one
 * stops instead of rejoining and replacing its successor in turn.
 */
export function instanceError(group: ClassicGroupItem | undefined, instanceId: string | null, memberId: string): number | undefined {
  if (instanceId === null) return undefined;
  const current = group?.instances[instanceId];
  if (current === undefined) return KafkaCode.UNKNOWN_MEMBER_ID;
  return current === memberId ? undefined : KafkaCode.FENCED_INSTANCE_ID;
}

/** Each instance's newest member (by join time): the mapping of a group item written before instances were mapped. */
export { instancesOf };

/** The instance mapping without entries whose member has no item any more (it left or was removed). */
export function keptInstances(group: ClassicGroupItem | undefined, view: GroupView): Record<string, string> {
  return dict(Object.entries(group?.instances ?? {}).filter(([, memberId]) => view.members.has(memberId)));
}

export const metadataOf = (member: ClassicMemberItem, protocol: string | null): Buffer => {
  const found = member.protocols.find((p) => p.name === protocol)?.metadata;
  return found ? Buffer.from(found) : Buffer.alloc(0);
};

export function sameProtocols(a: readonly ProtocolMetadata[], b: readonly ProtocolMetadata[]): boolean {
  return (
    a.length === b.length &&
    a.every((p, i) => {
      const q = b[i] as ProtocolMetadata;
      return p.name === q.name && Buffer.compare(Buffer.from(p.metadata ?? []), Buffer.from(q.metadata ?? [])) === 0;
    })
  );
}
