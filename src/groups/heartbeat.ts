/**
 * The consumer-group heartbeat (KIP-848's ConsumerGroupHeartbeat over HTTP):
 * memberEpoch 0 joins, -1 leaves, -2 leaves temporarily (static members),
 * anything else renews the lease and reconciles the member with the target:
 *
 *   1. partitions the member stopped reporting as owned are released;
 *   2. target partitions it does not hold yet are claimed, each with one
 *      conditional write on its offset item that succeeds only if the
 *      partition is free or its owner is dead (a live owner must revoke first:
 *      that is the cooperative part);
 *   3. the answer lists what the member may consume now, with claim epochs.
 *
 * A steady heartbeat costs one Query (group + members) and one UpdateItem.
 */
import { type AssignorName, FloeError, GROUP_LIMITS, type HeartbeatRequest, type HeartbeatResponse, JOIN_EPOCH, LEAVE_EPOCH, parsePartitionKey, partitionKey, type PartitionKey, STATIC_LEAVE_EPOCH } from '@floe/protocol';
import { randomUUID } from 'node:crypto';
import { nowOf, type GroupsDeps } from './deps.js';
import { liveKafkaMembers } from './kafka-members.js';
import { isDead, isLive, renewableAfter, type MemberItem } from './model.js';
import {
  claimPartition,
  createMember,
  deleteMember,
  getMember,
  readMembership,
  readOffsets,
  releasePartition,
  tombstoneMember,
  updateMember,
  type Membership,
} from './store.js';
import { fitsGroup, groupTooLarge } from './budget.js';
import { admittedMembers, ensureTarget, liveMembers, resolveMeta } from './target.js';

export async function heartbeat(deps: GroupsDeps, groupId: string, request: HeartbeatRequest): Promise<HeartbeatResponse> {
  const now = nowOf(deps);
  if (request.memberEpoch === JOIN_EPOCH) return join(deps, groupId, request, now);
  const memberId = request.memberId;
  if (!memberId) throw new FloeError('UNKNOWN_MEMBER_ID', `memberEpoch ${request.memberEpoch} needs a memberId (join with memberEpoch 0)`);
  if (request.memberEpoch === LEAVE_EPOCH) return leave(deps, groupId, memberId, now);
  if (request.memberEpoch === STATIC_LEAVE_EPOCH) return leaveTemporarily(deps, groupId, memberId, now);
  if (request.memberEpoch < 0) throw new FloeError('INVALID_REQUEST', `memberEpoch ${request.memberEpoch} is not valid`);

  const state = await readMembership(deps, groupId);
  let member = requireRenewable(state.members.get(memberId), memberId, now);
  if (request.memberEpoch !== member.memberEpoch && request.memberEpoch !== member.prevEpoch) {
    throw new FloeError('FENCED_MEMBER_EPOCH', `member epoch ${request.memberEpoch} is fenced; the member is at epoch ${member.memberEpoch}`);
  }
  if (request.subscribedTopics && !sameTopics(request.subscribedTopics, member.topics)) {
    const topics = [...new Set(request.subscribedTopics)].sort();
    await requireRoom(deps, groupId, state, { ...member, topics }, now);
    const renewed = { topics, subscribedAt: now, expiresAt: now + member.sessionTimeoutMs, heartbeatAt: now };
    if (!(await updateMember(deps, groupId, member, now, renewed))) await failedMemberWrite(deps, groupId, memberId, now);
    member = { ...member, ...renewed, version: member.version + 1 };
    state.members.set(memberId, member);
  }
  const reported = request.ownedPartitions?.map((p) => partitionKey(p.topic, p.partition));
  return reconcile(deps, groupId, state, member, reported, now);
}

/** The member, if it may still heartbeat; otherwise the Kafka error that tells the client to rejoin (or stop). */
export function requireLive(member: MemberItem | undefined, memberId: string, now: number): MemberItem {
  if (!member) throw new FloeError('UNKNOWN_MEMBER_ID', `member ${memberId} is not in the group (it left, or its session expired and it was removed)`);
  if (member.fencedBy !== undefined) {
    throw new FloeError('FENCED_INSTANCE_ID', `member ${memberId} was replaced by a new member with group.instance.id "${member.instanceId}"`);
  }
  if (member.leftAt !== undefined) throw new FloeError('UNKNOWN_MEMBER_ID', `member ${memberId} left the group`);
  if (!isLive(member, now)) throw new FloeError('UNKNOWN_MEMBER_ID', `member ${memberId}'s session expired`);
  return member;
}

/** requireLive, and with enough lease left to be renewed (a heartbeat in the lease's last moments is too late). */
function requireRenewable(member: MemberItem | undefined, memberId: string, now: number): MemberItem {
  const live = requireLive(member, memberId, now);
  if (live.expiresAt <= renewableAfter(now)) throw new FloeError('UNKNOWN_MEMBER_ID', `member ${memberId}'s session expired`);
  return live;
}

const sameTopics = (a: string[], b: string[]) => {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((t, i) => t === y[i]);
};

/**
 * Refuses a join or a subscription change (changing nothing) unless every member the target
 * covers still fits the group with it: a member cannot push out the others.
 */
async function requireRoom(deps: GroupsDeps, groupId: string, state: Membership, candidate: MemberItem, now: number): Promise<void> {
  const members = [...admittedMembers(state, now).filter((m) => m.memberId !== candidate.memberId), candidate];
  const meta = await resolveMeta(deps, members.flatMap((m) => m.topics), false);
  if (!fitsGroup(meta)) throw groupTooLarge(groupId, meta);
}

/** A conditional member write failed: say why (the member changed state), or ask the client to retry. */
async function failedMemberWrite(deps: GroupsDeps, groupId: string, memberId: string, now: number): Promise<never> {
  requireRenewable(await getMember(deps, groupId, memberId), memberId, now);
  throw new FloeError('REBALANCE_IN_PROGRESS', `member ${memberId} was updated concurrently (a retried heartbeat?); retry`);
}

async function join(deps: GroupsDeps, groupId: string, request: HeartbeatRequest, now: number): Promise<HeartbeatResponse> {
  const sessionTimeoutMs = request.sessionTimeoutMs ?? GROUP_LIMITS.defaultSessionTimeoutMs;
  const assignors = request.assignors?.length ? request.assignors : (['sticky'] as AssignorName[]);
  if ((await liveKafkaMembers(deps, groupId, now)) > 0) {
    throw new FloeError('INCONSISTENT_GROUP_PROTOCOL', `group "${groupId}" has live Kafka-protocol members; one group id serves one kind of consumer at a time`);
  }
  for (let attempt = 0; attempt < GROUP_LIMITS.maxWriteAttempts; attempt++) {
    const state = await readMembership(deps, groupId);
    const live = liveMembers(state, now);
    const joined = request.joinId === undefined ? undefined : live.find((m) => m.joinId === request.joinId && m.leftAt === undefined);
    if (joined) return reconcile(deps, groupId, state, joined, [], now); // a retry whose first attempt got through
    const previous = request.instanceId === undefined ? undefined : live.find((m) => m.instanceId === request.instanceId);
    const others = live.filter((m) => m !== previous);
    if (state.group && others.length > 0 && !assignors.includes(state.group.assignor)) {
      throw new FloeError(
        'INCONSISTENT_GROUP_PROTOCOL',
        `group "${groupId}" uses the ${state.group.assignor} assignor; this member accepts only ${assignors.join(', ')}`,
      );
    }
    if (others.length >= GROUP_LIMITS.maxMembers) {
      throw new FloeError('GROUP_MAX_SIZE_REACHED', `group "${groupId}" already has ${others.length} members; the limit is ${GROUP_LIMITS.maxMembers} (maxMembers)`);
    }
    const member: MemberItem = {
      memberId: randomUUID(),
      ...(request.instanceId === undefined ? {} : { instanceId: request.instanceId }),
      clientId: request.clientId ?? '',
      ...(request.joinId === undefined ? {} : { joinId: request.joinId }),
      topics: [...new Set(request.subscribedTopics ?? [])].sort(),
      subscribedAt: now,
      assignors,
      memberEpoch: previous?.memberEpoch ?? 0,
      prevEpoch: previous?.memberEpoch ?? 0,
      version: 1,
      owned: {},
      claiming: [],
      sessionTimeoutMs,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs ?? GROUP_LIMITS.defaultRebalanceTimeoutMs,
      heartbeatIntervalMs: request.heartbeatIntervalMs ?? GROUP_LIMITS.defaultHeartbeatIntervalMs,
      expiresAt: now + sessionTimeoutMs,
      ttl: 0,
      joinedAt: now,
      heartbeatAt: now,
    };
    await requireRoom(deps, groupId, { ...state, members: new Map([...state.members].filter(([id]) => id !== previous?.memberId)) }, member, now);
    // A static member's new incarnation fences the old one first: a crash right after leaves a dead member, never two live ones.
    if (previous && !(await tombstoneMember(deps, groupId, previous, member.memberId, now))) continue;
    await createMember(deps, groupId, member);
    if (previous) state.members.set(previous.memberId, { ...previous, fencedBy: member.memberId, expiresAt: 0 });
    state.members.set(member.memberId, member);
    try {
      return await reconcile(deps, groupId, state, member, [], now);
    } catch (error) {
      // The client never learns this member id: remove it rather than let it hold a place in the target until it expires.
      await deleteMember(deps, groupId, member).catch(() => false);
      throw error;
    }
  }
  throw new FloeError('REBALANCE_IN_PROGRESS', `group "${groupId}" is changing concurrently; retry the join`);
}

async function reconcile(
  deps: GroupsDeps,
  groupId: string,
  initial: Membership,
  joined: MemberItem,
  reportedKeys: PartitionKey[] | undefined,
  now: number,
): Promise<HeartbeatResponse> {
  const state = await ensureTarget(deps, groupId, initial, now);
  const member = requireRenewable(state.members.get(joined.memberId), joined.memberId, now);
  if (state.group.refused?.includes(member.memberId)) {
    // Racing joins or subscription changes left no room for this one (budget.ts): it leaves, and says why.
    await leave(deps, groupId, member.memberId, now);
    throw groupTooLarge(groupId, await resolveMeta(deps, [...Object.keys(state.group.meta), ...member.topics], false));
  }
  const me = member.memberId;
  const target = new Set(state.group.target[me] ?? []);
  const held = member.owned;
  const reported = new Set(reportedKeys ?? Object.keys(held));
  const toRelease = Object.keys(held).filter((k) => !reported.has(k));
  const owned: Record<PartitionKey, number> = {};
  for (const k of Object.keys(held)) if (reported.has(k)) owned[k] = held[k] as number;
  const toClaim = [...target].filter((k) => owned[k] === undefined);
  const recover = member.claiming.filter((k) => !target.has(k) && owned[k] === undefined);
  const expiresAt = now + member.sessionTimeoutMs;
  let version = member.version;
  let pending = 0;

  await Promise.all(toRelease.map((k) => releasePartition(deps, groupId, k, me, held[k] as number)));
  if (toClaim.length > 0 || recover.length > 0) {
    // Record the intent first, so a crash between a claim and the final write cannot leave a claim nobody knows about.
    const intent = { claiming: [...new Set([...toClaim, ...member.claiming])], expiresAt, heartbeatAt: now };
    if (!(await updateMember(deps, groupId, { memberId: me, version }, now, intent))) await failedMemberWrite(deps, groupId, me, now);
    version++;
    const claims = await readOffsets(deps, groupId, [...toClaim, ...recover]);
    await Promise.all(
      recover.map(async (k) => {
        const claim = claims.get(k);
        if (claim?.owner === me) await releasePartition(deps, groupId, k, me, claim.claimEpoch);
      }),
    );
    await Promise.all(
      toClaim.map(async (k) => {
        const claim = claims.get(k);
        let epoch: number | undefined;
        if (claim?.owner === me) epoch = claim.claimEpoch;
        else if (claim?.owner === undefined || isDead(state.members.get(claim.owner), now)) {
          epoch = await claimPartition(deps, groupId, k, me, claim, now);
        }
        if (epoch === undefined) pending++;
        else owned[k] = epoch;
      }),
    );
  }

  const memberEpoch = state.group.epoch;
  const update: Partial<MemberItem> = {
    owned,
    claiming: [],
    memberEpoch,
    prevEpoch: memberEpoch === member.memberEpoch ? member.prevEpoch : member.memberEpoch,
    expiresAt,
    heartbeatAt: now,
  };
  if (!(await updateMember(deps, groupId, { memberId: me, version }, now, update))) await failedMemberWrite(deps, groupId, me, now);
  const assignment = Object.entries(owned)
    .filter(([k]) => target.has(k))
    .map(([k, epoch]) => ({ ...parsePartitionKey(k), epoch }))
    .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  return {
    memberId: me,
    memberEpoch,
    heartbeatIntervalMs: member.heartbeatIntervalMs,
    sessionTimeoutMs: member.sessionTimeoutMs,
    assignment,
    pending,
  };
}

const left = (memberId: string, memberEpoch: number): HeartbeatResponse => ({
  memberId,
  memberEpoch,
  heartbeatIntervalMs: 0,
  sessionTimeoutMs: 0,
  assignment: [],
  pending: 0,
});

/** Leaving: the member item goes first (so the member is dead for ever), then its claims, then the target is recomputed without it. */
async function leave(deps: GroupsDeps, groupId: string, memberId: string, now: number): Promise<HeartbeatResponse> {
  for (let attempt = 0; attempt < GROUP_LIMITS.maxWriteAttempts; attempt++) {
    const state = await readMembership(deps, groupId);
    const member = state.members.get(memberId);
    if (!member || member.fencedBy !== undefined) return left(memberId, LEAVE_EPOCH); // already gone: leaving is idempotent
    if (!(await deleteMember(deps, groupId, member))) continue;
    state.members.delete(memberId);
    await Promise.all(Object.entries(member.owned).map(([k, epoch]) => releasePartition(deps, groupId, k, memberId, epoch)));
    // The others would notice at their next heartbeat anyway; doing it now makes the handover prompt.
    await ensureTarget(deps, groupId, state, now).catch(() => undefined);
    return left(memberId, LEAVE_EPOCH);
  }
  throw new FloeError('REBALANCE_IN_PROGRESS', `member ${memberId} is changing concurrently; retry the leave`);
}

/**
 * A static member's temporary leave (closing to restart): its claims are
 * released but it keeps its target until its session times out, so an
 * incarnation that comes back in time gets the same partitions and nobody else moves.
 */
async function leaveTemporarily(deps: GroupsDeps, groupId: string, memberId: string, now: number): Promise<HeartbeatResponse> {
  const member = await getMember(deps, groupId, memberId);
  if (!member || !isLive(member, now)) return left(memberId, STATIC_LEAVE_EPOCH);
  if (member.instanceId === undefined) return leave(deps, groupId, memberId, now);
  await Promise.all(Object.entries(member.owned).map(([k, epoch]) => releasePartition(deps, groupId, k, memberId, epoch)));
  await updateMember(deps, groupId, member, now, { owned: {}, claiming: [], leftAt: now });
  return left(memberId, STATIC_LEAVE_EPOCH);
}
