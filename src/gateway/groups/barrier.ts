/**
 * The join barrier's decisions, pure (no I/O), so they are tested on their own. A rebalance
 * (state PreparingRebalance, pending generation = generation + 1) completes when every live
 * member has rejoined for the pending generation - waiting for them up to the rebalance deadline,
 * never a short timeout - and, for a group that was empty, not before the initial delay.
 * At the deadline, members that did not rejoin are left out (and removed), as Kafka does.
 */
import { isLive, type ClassicGroupItem, type ClassicMemberItem, type GroupView } from './model.js';

export type JoinDecision =
  | { kind: 'wait' }
  | { kind: 'empty'; dead: ClassicMemberItem[] }
  | {
      kind: 'complete';
      generation: number;
      /** Members of the new generation, in join order. */
      members: string[];
      leader: string;
      protocol: string;
      /** Live members that did not rejoin by the deadline: removed from the group. */
      removed: ClassicMemberItem[];
      /** Members whose lease ended: their items are cleaned up. */
      dead: ClassicMemberItem[];
    };

/** The protocol every member supports, by votes of each member's first such choice (Kafka's rule). */
export function chooseProtocol(members: readonly ClassicMemberItem[]): string | undefined {
  const first = members[0];
  if (!first) return undefined;
  const common = first.protocols.map((p) => p.name).filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
  if (common.length === 0) return undefined;
  const votes = new Map<string, number>(common.map((name) => [name, 0]));
  for (const m of members) {
    const vote = m.protocols.find((p) => votes.has(p.name))?.name as string;
    votes.set(vote, (votes.get(vote) ?? 0) + 1);
  }
  // Ties go to the candidate the first member prefers (common keeps its order).
  return common.reduce((best, name) => ((votes.get(name) ?? 0) > (votes.get(best) ?? 0) ? name : best), common[0] as string);
}

/** Members ordered by when they joined, then id: the order of the generation and of the leader choice. */
export const joinOrder = (a: ClassicMemberItem, b: ClassicMemberItem): number => a.joinedAt - b.joinedAt || (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0);

/**
 * When the join phase of a group that was empty may end: Kafka's InitialDelayedJoin, from stored
 * state. The delay runs in windows of initialDelayMs from the rebalance's start; a window in which
 * a new member joined (joinedAt inside it) is followed by another, up to the rebalance deadline.
 * As in Kafka, only a group that never completed a generation extends it (Kafka sets
 * newMemberAdded only at generation 0); the first member, which started the rebalance, does not.
 */
export function joinNotBeforeOf(group: ClassicGroupItem, members: readonly ClassicMemberItem[]): number {
  const delay = group.initialDelayMs ?? 0;
  if (delay <= 0 || group.generation !== 0) return group.joinNotBefore;
  const start = group.joinNotBefore - delay;
  const arrivals = members.map((m) => m.joinedAt).filter((t) => t > start);
  let [from, end] = [start, group.joinNotBefore];
  while (end < group.rebalanceDeadline && arrivals.some((t) => t >= from && t < end)) [from, end] = [end, Math.min(end + delay, group.rebalanceDeadline)];
  return end;
}

export function decideJoin(view: GroupView, now: number): JoinDecision {
  const group = view.group;
  if (!group || group.state !== 'PreparingRebalance') return { kind: 'wait' };
  const pending = group.generation + 1;
  const all = [...view.members.values()];
  const dead = all.filter((m) => !isLive(m, now));
  const live = all.filter((m) => isLive(m, now));
  const joined = live.filter((m) => m.joinGeneration === pending).sort(joinOrder);
  const waiting = live.filter((m) => m.joinGeneration !== pending);
  const pastDeadline = now >= group.rebalanceDeadline;
  if (joined.length === 0) return live.length === 0 || pastDeadline ? { kind: 'empty', dead } : { kind: 'wait' };
  if (!pastDeadline && (waiting.length > 0 || now < joinNotBeforeOf(group, all))) return { kind: 'wait' };

  let members = joined;
  let protocol = chooseProtocol(joined);
  if (protocol === undefined) {
    // Two members with nothing in common slipped in concurrently: keep those that share the first one's choice.
    protocol = (joined[0] as ClassicMemberItem).protocols[0]?.name ?? '';
    members = joined.filter((m) => m.protocols.some((p) => p.name === protocol));
  }
  const ids = members.map((m) => m.memberId);
  const leader = group.leader !== null && ids.includes(group.leader) ? group.leader : (ids[0] as string);
  return { kind: 'complete', generation: pending, members: ids, leader, protocol, removed: waiting, dead };
}
