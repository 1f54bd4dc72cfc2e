/**
 * What one member and one group may store (GROUP_LIMITS.maxSubscriptionBytes and
 * maxAssignmentBytes), so that no item nears DynamoDB's 400 KB and no member can make
 * the group item unwritable for the others. Members are admitted into the target
 * oldest first; a member that would push the group past its budget is refused.
 */
import { FloeError, GROUP_LIMITS, partitionKey } from '@floe/protocol';
import { dict } from '../storage/user-keyed.js';
import type { MemberItem } from './model.js';

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** UTF-8 bytes of a subscription's distinct topic names. */
export const subscriptionBytes = (topics: readonly string[]): number => [...new Set(topics)].reduce((sum, t) => sum + bytes(t), 0);

/** Bytes the group item spends on these topics: each name once, each partition's key once. */
export function assignmentBytes(meta: Readonly<Record<string, number>>): number {
  let total = 0;
  for (const [topic, partitions] of Object.entries(meta)) {
    total += bytes(topic);
    for (let p = 0; p < partitions; p++) total += bytes(partitionKey(topic, p));
  }
  return total;
}

export function requireSubscriptionWithinLimit(topics: readonly string[]): void {
  const size = subscriptionBytes(topics);
  if (size > GROUP_LIMITS.maxSubscriptionBytes) {
    throw new FloeError(
      'INVALID_REQUEST',
      `the subscription's topic names take ${size} bytes; the limit is ${GROUP_LIMITS.maxSubscriptionBytes} (maxSubscriptionBytes)`,
    );
  }
}

export function groupTooLarge(groupId: string, meta: Readonly<Record<string, number>>): FloeError {
  return new FloeError(
    'GROUP_MAX_SIZE_REACHED',
    `group "${groupId}" has no room for this subscription: the group's topics would be ${Object.keys(meta).length} ` +
      `(limit ${GROUP_LIMITS.maxSubscribedTopics}, maxSubscribedTopics) taking ${assignmentBytes(meta)} bytes with their partitions ` +
      `(limit ${GROUP_LIMITS.maxAssignmentBytes}, maxAssignmentBytes); subscribe to fewer topics or use another group`,
  );
}

const subscribedAt = (m: MemberItem): number => m.subscribedAt ?? m.joinedAt;
const bySubscriptionAge = (a: MemberItem, b: MemberItem): number =>
  subscribedAt(a) - subscribedAt(b) || (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0);

/** Whether these topics fit one group: at most maxSubscribedTopics distinct names and maxAssignmentBytes. */
export const fitsGroup = (meta: Readonly<Record<string, number>>): boolean =>
  Object.keys(meta).length <= GROUP_LIMITS.maxSubscribedTopics && assignmentBytes(meta) <= GROUP_LIMITS.maxAssignmentBytes;

/**
 * Splits live members into those the target covers and those refused: oldest subscription first,
 * a member is admitted while the topics of all admitted members fit the group. Checks at join and
 * at a subscription change make refusals rare; this settles racing ones and topics that grew,
 * always against the newest subscription, so nobody can push out a member that was there first.
 */
export function admitMembers(live: readonly MemberItem[], meta: Readonly<Record<string, number>>): { admitted: MemberItem[]; refused: MemberItem[] } {
  const admitted: MemberItem[] = [];
  const refused: MemberItem[] = [];
  const topics = dict<number>();
  for (const member of [...live].sort(bySubscriptionAge)) {
    const next = dict(Object.entries(topics));
    for (const t of member.topics) next[t] = meta[t] ?? 0;
    if (!fitsGroup(next)) refused.push(member);
    else {
      admitted.push(member);
      Object.assign(topics, next);
    }
  }
  return { admitted, refused };
}
