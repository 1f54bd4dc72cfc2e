/**
 * Keeping the group's target assignment current. Any handler serving any
 * member may notice that the target is stale (a member joined, left, expired
 * or changed its subscription, a topic gained partitions) and recompute it;
 * the group item's version makes exactly one of several racing handlers win,
 * the others re-read and find it fresh.
 */
import { type AssignorName, FloeError, GROUP_LIMITS, mapConcurrent } from '@floe/protocol';
import { getTopic } from '../log/topics.js';
import { dict } from '../storage/user-keyed.js';
import { assign, type AssignorMember } from './assignors.js';
import { admitMembers } from './budget.js';
import type { GroupsDeps } from './deps.js';
import { isDead, isLive, subscriptionSignature, type GroupItem, type MemberItem } from './model.js';
import { deleteMember, putGroup, readMembership, type Membership } from './store.js';

export const liveMembers = (state: Membership, now: number): MemberItem[] => [...state.members.values()].filter((m) => isLive(m, now));

/** Topic reads one group computation keeps in flight. */
const META_READS_IN_FLIGHT = 16;

/** Partition counts of the topics (0 for a topic that does not exist). `fresh` bypasses the handler's topic cache. */
export async function resolveMeta(deps: GroupsDeps, topics: Iterable<string>, fresh: boolean): Promise<Record<string, number>> {
  const names = [...new Set(topics)].sort();
  const found = await mapConcurrent(names, META_READS_IN_FLIGHT, (name) => (fresh ? getTopic(deps, name) : deps.resolveTopic(name)));
  return dict(names.map((name, i) => [name, found[i]?.partitions ?? 0]));
}

/** The live members the group's target covers (not refused for lack of room). */
export const admittedMembers = (state: Membership, now: number): MemberItem[] => {
  const refused = new Set(state.group?.refused ?? []);
  return liveMembers(state, now).filter((m) => !refused.has(m.memberId));
};

const sameRecord = (a: Record<string, unknown>, b: Record<string, unknown>): boolean => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
};

/** Target entries of replaced static members carried over to their new incarnation (no rebalance for anyone else). */
function renameReplaced(group: GroupItem, state: Membership, now: number): { target: GroupItem['target']; subs: GroupItem['subs'] } {
  const target = dict(Object.entries(group.target));
  const subs = dict(Object.entries(group.subs));
  for (const old of state.members.values()) {
    const next = old.fencedBy === undefined ? undefined : state.members.get(old.fencedBy);
    if (!next || !isLive(next, now) || target[old.memberId] === undefined || target[next.memberId] !== undefined) continue;
    target[next.memberId] = target[old.memberId] as string[];
    subs[next.memberId] = subs[old.memberId] as string;
    delete target[old.memberId];
    delete subs[old.memberId];
  }
  return { target, subs };
}

/** The assignor every live member accepts: the current one if possible, else the most preferred. */
function chooseAssignor(current: AssignorName | undefined, live: MemberItem[]): AssignorName {
  if (current && live.every((m) => m.assignors.includes(current))) return current;
  const votes = new Map<AssignorName, number>();
  for (const m of live) {
    const first = m.assignors[0];
    if (first) votes.set(first, (votes.get(first) ?? 0) + 1);
  }
  const ranked = [...votes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return ranked[0]?.[0] ?? current ?? 'sticky';
}

/** The next group item, or undefined if the current one is still right for these members. */
export async function planTarget(deps: GroupsDeps, groupId: string, state: Membership, now: number): Promise<GroupItem | undefined> {
  const live = liveMembers(state, now);
  const group = state.group;
  if (group) {
    const renamed = renameReplaced(group, state, now);
    const subs = dict(live.map((m) => [m.memberId, subscriptionSignature(m)]));
    const assignor = chooseAssignor(group.assignor, live);
    const membersSame = sameRecord(subs, renamed.subs) && assignor === group.assignor;
    if (membersSame) {
      // Only metadata could have changed: the cache may be stale, so confirm with fresh reads before moving anything.
      const topics = admittedMembers(state, now).flatMap((m) => m.topics);
      const cached = await resolveMeta(deps, topics, false);
      const metaSame = sameRecord(cached, group.meta) || sameRecord(await resolveMeta(deps, topics, true), group.meta);
      if (metaSame) {
        const renames = !sameRecord(renamed.subs, group.subs);
        return renames ? { ...group, ...renamed, version: group.version + 1, updatedAt: now } : undefined;
      }
    }
    return compute(deps, { ...group, ...renamed }, live, assignor, now);
  }
  const empty: GroupItem = {
    groupId,
    epoch: 0,
    version: 0,
    assignor: chooseAssignor(undefined, live),
    target: dict(),
    subs: dict(),
    meta: dict(),
    createdAt: now,
    updatedAt: now,
  };
  return live.length === 0 ? { ...empty, version: 1 } : compute(deps, empty, live, empty.assignor, now);
}

async function compute(deps: GroupsDeps, previous: GroupItem, live: MemberItem[], assignor: AssignorName, now: number): Promise<GroupItem> {
  const all = await resolveMeta(deps, live.flatMap((m) => m.topics), true);
  const { admitted, refused } = admitMembers(live, all);
  const wanted = new Set(admitted.flatMap((m) => m.topics));
  const meta = dict(Object.entries(all).filter(([topic]) => wanted.has(topic)));
  const members: AssignorMember[] = admitted.map((m) => ({ memberId: m.memberId, sortKey: m.instanceId ?? m.memberId, topics: m.topics }));
  return {
    ...previous,
    epoch: previous.epoch + 1,
    version: previous.version + 1,
    assignor,
    target: assign(assignor, members, meta, previous.target),
    // Every live member, refused ones too: a refusal must not look like a change at the next heartbeat.
    subs: dict(live.map((m) => [m.memberId, subscriptionSignature(m)])),
    meta,
    refused: refused.length > 0 ? refused.map((m) => m.memberId) : undefined,
    updatedAt: now,
  };
}

/**
 * Returns a membership whose group item is current, writing a new target if
 * needed. Dead members are deleted afterwards (best effort: TTL would too).
 */
export async function ensureTarget(deps: GroupsDeps, groupId: string, initial: Membership, now: number): Promise<Membership & { group: GroupItem }> {
  let state = initial;
  for (let attempt = 0; attempt < GROUP_LIMITS.maxWriteAttempts; attempt++) {
    const next = await planTarget(deps, groupId, state, now);
    if (!next) return state as Membership & { group: GroupItem };
    if (await putGroup(deps, next, state.group?.version)) {
      await removeDead(deps, groupId, state, now);
      return { ...state, group: next };
    }
    state = await readMembership(deps, groupId);
  }
  throw new FloeError('REBALANCE_IN_PROGRESS', `group "${groupId}" is changing concurrently; retry`);
}

async function removeDead(deps: GroupsDeps, groupId: string, state: Membership, now: number): Promise<void> {
  const dead = [...state.members.values()].filter((m) => m.fencedBy === undefined && isDead(m, now));
  await Promise.all(dead.map((m) => deleteMember(deps, groupId, m).catch(() => false)));
  for (const m of dead) state.members.delete(m.memberId);
}
