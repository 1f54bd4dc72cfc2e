/**
 * Kafka's classic group protocol over DynamoDB, for any number of gateway instances at once
 * (docs/gateway.md#consumer-groups). All state is in the groups table (model.ts); every request
 * reads the group with one Query and moves it along with single-item conditional writes:
 *
 *   JoinGroup   records the member (joinGeneration = pending generation), starts a rebalance if
 *               needed, then waits in the barrier until the join phase completes (barrier.ts);
 *   SyncGroup   the leader stores every member's assignment and marks the group Stable; followers
 *               wait for that - they are never answered UNKNOWN_MEMBER_ID or pushed to rejoin;
 *   Heartbeat   renews the lease; a dead member or leader starts a rebalance;
 *   LeaveGroup  removes the member and starts a rebalance for the others;
 *   OffsetCommit lands only from a live member of the current generation, and never over a
 *               later generation's commit.
 * A static member (group.instance.id) is the member its instance maps to in the classic item: a
 * new incarnation takes the mapping over, and the old one's requests get FENCED_INSTANCE_ID.
 */
import { randomUUID } from 'node:crypto';
import { FloeError, GROUP_LIMITS, isValidGroupId, mapConcurrent } from '@floe/protocol';
import { deleteGroup } from '../../groups/delete.js';
import type { GroupsDeps } from '../../groups/deps.js';
import { listGroup, listGroupIds } from '../../groups/store.js';
import { dict } from '../../storage/user-keyed.js';
import { KafkaCode, kafkaCodeOf } from '../kafka-codes.js';
import { GATEWAY_LIMITS, MAX_KNOWN_MEMBER_ID_LENGTH } from '../limits.js';
import type { GatewayLogger } from '../logger.js';
import { chooseProtocol, decideJoin, joinOrder } from './barrier.js';
import { effectiveState, floeProtocolType, instanceError, isKnownMemberId, isLive, keptInstances, liveMembers, metadataOf, openPending, sameProtocols, stalePending, type ClassicGroupItem, type ClassicMemberItem, type ClassicState, type GroupView, type ProtocolMetadata } from './model.js';
import { GroupPoller } from './poller.js';
import { commitOffset, deleteMember, deletePending, putGroup, putMember, putPending, listPendingGroup, readGroup, removeMemberAsSeen, renewMember } from './store.js';

const EMPTY = Buffer.alloc(0);
/** The classic item holds every assignment: keep it well below DynamoDB's 400 KB item limit. */
const MAX_ASSIGNMENT_BYTES = 300 * 1024;
/** Optimistic-lock rounds of one request before it answers REBALANCE_IN_PROGRESS (retriable). */
const MAX_ROUNDS = 16;

export interface ClassicGroupsOptions {
  deps: GroupsDeps;
  now: () => number;
  pollIntervalMs: number;
  initialRebalanceDelayMs: number;
  /** Aborted at shutdown: waiting requests answer NOT_COORDINATOR so clients rejoin elsewhere. */
  shutdown: AbortSignal;
  log: GatewayLogger;
}

export interface JoinRequest {
  groupId: string;
  /** "" for a new member. */
  memberId: string;
  instanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: ProtocolMetadata[];
  /** JoinGroup v4+ without an instance id: a new member first gets its id with MEMBER_ID_REQUIRED, then joins with it. */
  requireKnownMemberId: boolean;
  /** JoinGroup v9+ (KIP-814): the client reads skipAssignment, so a static leader's handover may tell it it leads. */
  canSkipAssignment: boolean;
  signal: AbortSignal;
}

export interface JoinResult {
  errorCode: number;
  generation: number;
  protocolType: string | null;
  protocol: string | null;
  leader: string;
  memberId: string;
  /** For the leader only: every member of the generation with its metadata for the chosen protocol. */
  members: Array<{ memberId: string; instanceId: string | null; metadata: Buffer }>;
  /** A static leader handed a stable group's place (v9+): it leads, but must not run the assignor. */
  skipAssignment?: true;
}

export interface SyncRequest {
  groupId: string;
  memberId: string;
  /** SyncGroup v3+. */
  instanceId: string | null;
  generation: number;
  protocolType: string | null;
  protocolName: string | null;
  assignments: Array<{ memberId: string; assignment: Buffer }>;
  signal: AbortSignal;
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface CommitRequest {
  groupId: string;
  /** "" and generation -1: a standalone ("simple") commit, allowed only while the group has no live member. */
  memberId: string;
  /** OffsetCommit v7+. */
  instanceId: string | null;
  generation: number;
  offsets: Array<{ topic: string; partition: number; offset: number; metadata: string | null }>;
}

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: Array<{ memberId: string; instanceId: string | null; clientId: string; clientHost: string; metadata: Buffer; assignment: Buffer }>;
}

export class ClassicGroups {
  readonly poller: GroupPoller;
  private readonly deps: GroupsDeps;

  constructor(private readonly options: ClassicGroupsOptions) {
    this.deps = options.deps;
    this.poller = new GroupPoller(
      (groupId) => this.read(groupId),
      (view) => this.advance(view),
      options.pollIntervalMs,
      (error) => options.log.warn('group poll failed', { error: String(error) }),
    );
  }

  stop(): void {
    this.poller.stop();
  }

  read(groupId: string): Promise<GroupView> {
    return readGroup(this.deps, groupId, this.options.now());
  }

  // ---- JoinGroup ----

  async join(req: JoinRequest): Promise<JoinResult> {
    const fail = (errorCode: number, memberId = req.memberId): JoinResult => ({ errorCode, generation: -1, protocolType: null, protocol: null, leader: '', memberId, members: [] });
    if (!isValidGroupId(req.groupId)) return fail(KafkaCode.INVALID_GROUP_ID);
    if (req.sessionTimeoutMs < GROUP_LIMITS.minSessionTimeoutMs || req.sessionTimeoutMs > GROUP_LIMITS.maxSessionTimeoutMs) return fail(KafkaCode.INVALID_SESSION_TIMEOUT);
    if (req.protocolType === '' || req.protocols.length === 0) return fail(KafkaCode.INCONSISTENT_GROUP_PROTOCOL);
    // Sized by the client, checked before anything is written: too much for the member item is refused
    // (DynamoDB would refuse the write and the connection be closed), an id longer than any issued is unknown.
    if (protocolBytes(req) > GATEWAY_LIMITS.maxMemberProtocolBytes) return fail(KafkaCode.INVALID_REQUEST);
    if (req.instanceId !== null && req.instanceId.length > GROUP_LIMITS.maxInstanceIdLength) return fail(KafkaCode.INVALID_REQUEST);
    if (req.memberId.length > MAX_KNOWN_MEMBER_ID_LENGTH) return fail(KafkaCode.UNKNOWN_MEMBER_ID);
    let memberId = req.memberId;
    if (memberId === '') {
      memberId = `${(req.clientId || 'consumer').slice(0, GATEWAY_LIMITS.memberIdClientIdChars)}-${randomUUID()}`;
      if (req.requireKnownMemberId) return this.handOut(req, memberId);
    }
    // The barrier may legitimately wait the whole rebalance timeout; past it (plus a poll) the client is told to retry.
    const giveUpAt = this.options.now() + req.rebalanceTimeoutMs + 2 * this.options.pollIntervalMs;
    // A static member joining without a member id is a new incarnation: it takes its instance over (once).
    let claimed = req.instanceId === null || req.memberId !== '';
    for (let round = 0; round < MAX_ROUNDS && !req.signal.aborted; round++) {
      const now = this.options.now();
      const view = await this.read(req.groupId);
      const fenced = claimed ? instanceError(view.group, req.instanceId, memberId) : undefined;
      if (fenced !== undefined) return fail(fenced, memberId);
      const refused = admissionError(view, memberId, req, now);
      if (refused !== undefined) return fail(refused, memberId);
      // Only an id this group handed out joins (KIP-394); a static member's is checked by its instance above.
      // Checked once: a later round is this request going on, whatever the barrier did meanwhile.
      if (round === 0 && req.instanceId === null && req.memberId !== '' && !isKnownMemberId(view, memberId, now)) return fail(KafkaCode.UNKNOWN_MEMBER_ID, memberId);
      const group = view.group;
      const state = effectiveState(view, now);
      const me = view.members.get(memberId);
      if (!claimed && group && state === 'Stable') {
        const handed = await this.handOver(view, req, memberId, now);
        if (handed === 'raced') continue;
        if (handed) return handed;
      }
      if (
        group &&
        (state === 'Stable' || state === 'CompletingRebalance') &&
        isLive(me, now) &&
        group.members.includes(memberId) &&
        me.joinGeneration === group.generation &&
        group.leader !== memberId &&
        sameProtocols(me.protocols, req.protocols)
      ) {
        // A follower rejoining unchanged gets its generation back (no rebalance), as in Kafka.
        await renewMember(this.deps, req.groupId, memberId, now, req.sessionTimeoutMs);
        return joinAnswer(group, view, memberId);
      }
      const pending = (group?.generation ?? 0) + 1;
      await putMember(this.deps, req.groupId, memberItemOf(req, memberId, pending, now, me?.joinedAt ?? now));
      // The handed-out id is a member's now: once that member is gone, the id is unknown.
      if (view.pending.has(memberId)) await deletePending(this.deps, req.groupId, memberId).catch(() => undefined);
      // The claim is written with the rebalance it starts, in the classic item: the item is written
      // after the member's so the mapping never names a member without one.
      if ((!claimed || state !== 'PreparingRebalance') && !(await this.startRebalance(view, now, { ...req, id: memberId }))) continue; // raced: look again
      if (!claimed) {
        claimed = true;
        await this.removePredecessors(view, memberId, req.instanceId);
      }
      const outcome = await this.waitForJoin(req, memberId, pending, giveUpAt);
      if (outcome === 'again') continue;
      return outcome ?? fail(this.options.shutdown.aborted ? KafkaCode.NOT_COORDINATOR : KafkaCode.REBALANCE_IN_PROGRESS, memberId);
    }
    return fail(req.signal.aborted && this.options.shutdown.aborted ? KafkaCode.NOT_COORDINATOR : KafkaCode.REBALANCE_IN_PROGRESS, memberId);
  }

  /**
   * A new dynamic member's first JoinGroup (v4+): the id is recorded as pending for the session
   * timeout, as Kafka does, and handed out with MEMBER_ID_REQUIRED. A join the group would refuse
   * anyway is refused now, without an id.
   */
  private async handOut(req: JoinRequest, memberId: string): Promise<JoinResult> {
    const fail = (errorCode: number, id = ''): JoinResult => ({ errorCode, generation: -1, protocolType: null, protocol: null, leader: '', memberId: id, members: [] });
    const view = await this.read(req.groupId);
    const now = this.options.now();
    const refused = admissionError(view, memberId, req, now);
    if (refused !== undefined) return fail(refused);
    // Ids no join can use any more are still read with the group until TTL (a day; never on a local
    // cluster): each hand-out removes a few, so a client asking for ids in a loop cannot pile them up.
    await Promise.all(stalePending(view, now).slice(0, GATEWAY_LIMITS.pendingSweepPerHandOut).map((id) => deletePending(this.deps, req.groupId, id).catch(() => undefined)));
    // Bounded: every read of the group reads these items (retriable: the oldest expire within their session timeout).
    if (openPending(view, now) >= GATEWAY_LIMITS.maxPendingMembers) return fail(KafkaCode.REBALANCE_IN_PROGRESS);
    await putPending(this.deps, req.groupId, memberId, now + req.sessionTimeoutMs);
    // Kafka creates the group (Empty) with its first pending member, so it is listed from now on:
    // after the pending item, so a listed group always has an item; the entry expires with the ids
    // unless a member joins (decision 49), as Kafka's cleanup removes an empty group without offsets.
    if (!view.group && !view.floeGroup) await listPendingGroup(this.deps, req.groupId, now, now + req.sessionTimeoutMs);
    return fail(KafkaCode.MEMBER_ID_REQUIRED, memberId);
  }

  /** Waits in the barrier: the answer for the completed generation, 'again' when left out of it. */
  private waitForJoin(req: JoinRequest, memberId: string, pending: number, giveUpAt: number): Promise<JoinResult | 'again' | undefined> {
    return this.poller.watch<JoinResult | 'again'>(
      req.groupId,
      async (view) => {
        const now = this.options.now();
        const group = view.group;
        const me = view.members.get(memberId);
        if (!group || !me || me.joinGeneration !== pending) return 'again';
        if (group.state === 'PreparingRebalance' && group.generation + 1 === pending) {
          if (now >= giveUpAt) return { ...joinAnswer(group, view, memberId), errorCode: KafkaCode.REBALANCE_IN_PROGRESS, generation: -1, members: [] };
          // The request is open, so the member is alive: its lease must not end while it waits.
          if (me.expiresAt - now < (me.sessionTimeoutMs * 2) / 3 && !(await renewMember(this.deps, req.groupId, memberId, now, me.sessionTimeoutMs))) return 'again';
          return undefined;
        }
        if (group.generation === pending && group.state !== 'PreparingRebalance' && group.state !== 'Empty' && group.members.includes(memberId)) {
          return joinAnswer(group, view, memberId);
        }
        return 'again';
      },
      req.signal,
    );
  }

  /**
   * A static member's new incarnation joining a Stable group takes its predecessor's place - member
   * id, leadership, assignment - in the same generation, without a rebalance, as Kafka does (KIP-345:
   * a restarted pod gets its partitions back and nobody else moves). Only when the group's protocol
   * still wins the vote with the incarnation's preferences; otherwise (and when its instance holds no
   * place in the generation) undefined, and the join rebalances. 'raced' when the group item changed first.
   */
  private async handOver(view: GroupView, req: JoinRequest, memberId: string, now: number): Promise<JoinResult | 'raced' | undefined> {
    const group = view.group;
    const instanceId = req.instanceId;
    const previous = instanceId === null ? undefined : group?.instances[instanceId];
    if (!group || instanceId === null || previous === undefined || !group.members.includes(previous)) return undefined;
    if (req.protocolType !== group.protocolType) return undefined;
    // As Kafka (selectProtocol): the generation's members vote again, the joiner in its predecessor's
    // place with its new preferences; a protocol other than the group's would make it rebalance.
    const voters = group.members
      .flatMap((id) => {
        const m = view.members.get(id);
        if (id === previous) return [{ ...(m ?? { memberId: id, joinedAt: now }), protocols: req.protocols } as ClassicMemberItem];
        return m ? [m] : [];
      })
      .sort(joinOrder);
    if (chooseProtocol(voters) !== group.protocol) return undefined;
    const member = memberItemOf(req, memberId, group.generation, now, now);
    await putMember(this.deps, req.groupId, member);
    const renamed = (id: string): string => (id === previous ? memberId : id);
    const next: ClassicGroupItem = {
      ...group,
      leader: group.leader === null ? null : renamed(group.leader),
      members: group.members.map(renamed),
      assignments: dict(Object.entries(group.assignments).map(([id, assignment]) => [renamed(id), assignment])),
      instances: dict([...Object.entries(keptInstances(group, view)), [instanceId, memberId]]),
      version: group.version + 1,
      updatedAt: now,
    };
    if (!(await putGroup(this.deps, next, group.version))) return 'raced';
    await this.removePredecessors(view, memberId, instanceId);
    // A stable group ignores a leader's SyncGroup assignments, so a leader must not run its assignor
    // (assignors are not free of side effects, and its result would be dropped). As Kafka: v9+ is told
    // it leads, with the members, and skipAssignment; an older client is told the leader is the
    // predecessor's id, so it acts as a follower and gets its stored assignment.
    if (next.leader !== memberId) return joinAnswer(next, view, memberId);
    if (!req.canSkipAssignment) return { ...joinAnswer(next, view, memberId), leader: previous, members: [] };
    // The leader's answer lists the members with their metadata: the new incarnation's is the item it just wrote.
    return { ...joinAnswer(next, { ...view, members: new Map(view.members).set(memberId, member) }, memberId), skipAssignment: true };
  }

  /**
   * Tidies the items of the incarnations a new one replaced, once the mapping names the new one
   * (their requests already get FENCED_INSTANCE_ID; deleting first would tell them UNKNOWN_MEMBER_ID,
   * and they would rejoin and replace it in turn).
   */
  private async removePredecessors(view: GroupView, memberId: string, instanceId: string | null): Promise<void> {
    for (const m of view.members.values()) {
      if (instanceId !== null && m.instanceId === instanceId && m.memberId !== memberId) await deleteMember(this.deps, view.groupId, m.memberId).catch(() => undefined);
    }
  }

  /** Puts the group into PreparingRebalance (conditional on its version); false if someone wrote it first. */
  private async startRebalance(view: GroupView, now: number, joiner?: JoinRequest & { id: string }): Promise<boolean> {
    const group = view.group;
    const instanceId = joiner?.instanceId ?? null;
    // A static joiner's earlier incarnation is being replaced, not waited for.
    const others = liveMembers(view, now).filter((m) => m.memberId !== joiner?.id && (instanceId === null || m.instanceId !== instanceId));
    const timeouts = [...others.map((m) => m.rebalanceTimeoutMs), joiner?.rebalanceTimeoutMs ?? 0];
    const empty = others.length === 0;
    // The delay the barrier may extend while new members arrive (Kafka's InitialDelayedJoin); kept by a claim's rewrite.
    const initialDelayMs = empty ? this.options.initialRebalanceDelayMs : group?.state === 'PreparingRebalance' ? (group.initialDelayMs ?? 0) : 0;
    const next: ClassicGroupItem = {
      groupId: view.groupId,
      protocolType: empty && joiner ? joiner.protocolType : (group?.protocolType ?? joiner?.protocolType ?? 'consumer'),
      generation: group?.generation ?? 0,
      state: 'PreparingRebalance',
      protocol: group?.protocol ?? null,
      leader: group?.leader ?? null,
      members: group?.members ?? [],
      assignments: group?.assignments ?? dict(),
      // A static joiner is its instance's member from this write on (a new incarnation's claim).
      instances: instanceId === null || !joiner ? keptInstances(group, view) : dict([...Object.entries(keptInstances(group, view)), [instanceId, joiner.id]]),
      rebalanceDeadline: now + Math.max(...timeouts, 1000),
      // A group that had nobody waits a little for more members, so three starting consumers make one rebalance, not three.
      // A static joiner's claim rewrites a rebalance already under way: it keeps that rebalance's delay.
      joinNotBefore: empty ? now + this.options.initialRebalanceDelayMs : group?.state === 'PreparingRebalance' ? group.joinNotBefore : 0,
      ...(initialDelayMs > 0 ? { initialDelayMs } : {}),
      version: (group?.version ?? 0) + 1,
      createdAt: group?.createdAt ?? now,
      updatedAt: now,
    };
    return putGroup(this.deps, next, group?.version);
  }

  /**
   * Moves a group along from what one read shows; true when it wrote. Run by every polling round
   * and every heartbeat, so any instance serving any member of the group does it.
   */
  async advance(view: GroupView): Promise<boolean> {
    const group = view.group;
    if (!group) return false;
    const now = this.options.now();
    const live = liveMembers(view, now);
    switch (group.state) {
      case 'PreparingRebalance': {
        const decision = decideJoin(view, now);
        if (decision.kind === 'wait') return false;
        if (decision.kind === 'empty') {
          const ok = await putGroup(this.deps, toEmpty(group, now), group.version);
          if (ok) await this.cleanUp(view.groupId, decision.dead, now);
          return ok;
        }
        const next: ClassicGroupItem = {
          ...group,
          generation: decision.generation,
          state: 'CompletingRebalance',
          protocol: decision.protocol,
          leader: decision.leader,
          members: decision.members,
          assignments: dict(),
          instances: keptInstances(group, view),
          version: group.version + 1,
          updatedAt: now,
        };
        if (!(await putGroup(this.deps, next, group.version))) return false;
        for (const m of decision.removed) await removeMemberAsSeen(this.deps, view.groupId, m).catch(() => false);
        await this.cleanUp(view.groupId, decision.dead, now);
        return true;
      }
      case 'CompletingRebalance': {
        // The leader died, or did not sync within the rebalance timeout: the followers would wait for ever.
        const leader = group.leader === null ? undefined : view.members.get(group.leader);
        const syncBy = group.updatedAt + Math.max(1000, ...live.map((m) => m.rebalanceTimeoutMs));
        if (live.length > 0 && (!isLive(leader, now) || now > syncBy)) return this.startRebalance(view, now);
        return false;
      }
      case 'Stable': {
        const lost = group.members.some((id) => !isLive(view.members.get(id), now));
        if (live.length > 0 && lost) return this.startRebalance(view, now);
        return false;
      }
      case 'Empty':
        return false;
    }
  }

  private async cleanUp(groupId: string, dead: ClassicMemberItem[], now: number): Promise<void> {
    for (const m of dead) await removeMemberAsSeen(this.deps, groupId, m, now).catch(() => false);
  }

  // ---- SyncGroup ----

  async sync(req: SyncRequest): Promise<SyncResult> {
    const fail = (errorCode: number): SyncResult => ({ errorCode, protocolType: null, protocolName: null, assignment: EMPTY });
    if (!isValidGroupId(req.groupId)) return fail(KafkaCode.INVALID_GROUP_ID);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const now = this.options.now();
      const view = await this.read(req.groupId);
      const group = view.group;
      const me = view.members.get(req.memberId);
      const fenced = instanceError(group, req.instanceId, req.memberId);
      if (fenced !== undefined) return fail(fenced);
      if (!group || !isLive(me, now)) return fail(KafkaCode.UNKNOWN_MEMBER_ID);
      if (group.state === 'PreparingRebalance') return fail(KafkaCode.REBALANCE_IN_PROGRESS);
      if (req.generation !== group.generation) return fail(KafkaCode.ILLEGAL_GENERATION);
      if (!group.members.includes(req.memberId) || group.state === 'Empty') return fail(KafkaCode.UNKNOWN_MEMBER_ID);
      if ((req.protocolType !== null && req.protocolType !== group.protocolType) || (req.protocolName !== null && req.protocolName !== group.protocol)) {
        return fail(KafkaCode.INCONSISTENT_GROUP_PROTOCOL);
      }
      if (!(await renewMember(this.deps, req.groupId, req.memberId, now, me.sessionTimeoutMs))) return fail(KafkaCode.UNKNOWN_MEMBER_ID);
      if (group.state === 'Stable') return syncAnswer(group, req.memberId);
      if (group.leader === req.memberId) {
        const assignments = dict<Uint8Array>();
        let bytes = 0;
        for (const a of req.assignments) {
          if (!group.members.includes(a.memberId) || a.assignment.length === 0) continue;
          assignments[a.memberId] = Buffer.from(a.assignment); // a copy: the request frame is reused
          bytes += a.assignment.length + a.memberId.length;
        }
        if (bytes > MAX_ASSIGNMENT_BYTES) return fail(KafkaCode.INVALID_REQUEST);
        const next: ClassicGroupItem = { ...group, state: 'Stable', assignments, version: group.version + 1, updatedAt: now };
        if (await putGroup(this.deps, next, group.version)) return syncAnswer(next, req.memberId);
        continue;
      }
      // A follower waits for the leader's SyncGroup (or for the group to move on without it).
      const answer = await this.poller.watch<SyncResult>(
        req.groupId,
        async (v) => {
          const at = this.options.now();
          const g = v.group;
          const m = v.members.get(req.memberId);
          const replaced = instanceError(g, req.instanceId, req.memberId);
          if (replaced !== undefined) return fail(replaced);
          if (!g || !isLive(m, at)) return fail(KafkaCode.UNKNOWN_MEMBER_ID);
          if (g.generation !== req.generation || g.state === 'PreparingRebalance' || g.state === 'Empty') return fail(KafkaCode.REBALANCE_IN_PROGRESS);
          if (g.state === 'Stable') return syncAnswer(g, req.memberId);
          if (m.expiresAt - at < (m.sessionTimeoutMs * 2) / 3) await renewMember(this.deps, req.groupId, req.memberId, at, m.sessionTimeoutMs);
          return undefined;
        },
        req.signal,
      );
      return answer ?? fail(this.options.shutdown.aborted ? KafkaCode.NOT_COORDINATOR : KafkaCode.REBALANCE_IN_PROGRESS);
    }
    return fail(KafkaCode.REBALANCE_IN_PROGRESS);
  }

  // ---- Heartbeat ----

  async heartbeat(groupId: string, memberId: string, generation: number, instanceId: string | null = null): Promise<number> {
    if (!isValidGroupId(groupId)) return KafkaCode.INVALID_GROUP_ID;
    let view = await this.read(groupId);
    if (await this.advance(view)) view = await this.read(groupId);
    const now = this.options.now();
    const group = view.group;
    const me = view.members.get(memberId);
    const fenced = instanceError(group, instanceId, memberId);
    if (fenced !== undefined) return fenced;
    if (!group || !isLive(me, now) || effectiveState(view, now) === 'Empty') return KafkaCode.UNKNOWN_MEMBER_ID;
    if (generation !== group.generation) return KafkaCode.ILLEGAL_GENERATION;
    if (!(await renewMember(this.deps, groupId, memberId, now, me.sessionTimeoutMs))) return KafkaCode.UNKNOWN_MEMBER_ID;
    if (group.state === 'PreparingRebalance' || !group.members.includes(memberId)) return KafkaCode.REBALANCE_IN_PROGRESS;
    return KafkaCode.NONE;
  }

  // ---- LeaveGroup ----

  async leave(groupId: string, leaving: Array<{ memberId: string; instanceId: string | null }>): Promise<number[]> {
    if (!isValidGroupId(groupId)) return leaving.map(() => KafkaCode.INVALID_GROUP_ID);
    const view = await this.read(groupId);
    const codes: number[] = [];
    let removed = 0;
    for (const l of leaving) {
      // A static member leaves by its instance id (its member id, if given, must be the current one).
      const fenced = l.memberId === '' ? undefined : instanceError(view.group, l.instanceId, l.memberId);
      const memberId = l.instanceId !== null ? view.group?.instances[l.instanceId] : l.memberId;
      const member = memberId === undefined ? undefined : view.members.get(memberId);
      // Kafka: a pending member (handed its id, not joined yet) may leave; its id is then unknown.
      if (fenced === undefined && !member && l.instanceId === null && isKnownMemberId(view, l.memberId, this.options.now())) {
        await deletePending(this.deps, groupId, l.memberId);
        codes.push(KafkaCode.NONE);
        continue;
      }
      if (fenced !== undefined || !member) {
        codes.push(fenced ?? KafkaCode.UNKNOWN_MEMBER_ID);
        continue;
      }
      await deleteMember(this.deps, groupId, member.memberId);
      removed++;
      codes.push(KafkaCode.NONE);
    }
    // The others rebalance without the leavers (or the group is empty now).
    for (let round = 0; removed > 0 && round < MAX_ROUNDS; round++) {
      const now = this.options.now();
      const after = await this.read(groupId);
      const group = after.group;
      if (!group || group.state === 'Empty') break;
      if (liveMembers(after, now).length === 0) {
        if (await putGroup(this.deps, toEmpty(group, now), group.version)) break;
      } else if (group.state === 'PreparingRebalance' || (await this.startRebalance(after, now))) break;
    }
    return codes;
  }

  // ---- OffsetCommit ----

  /** Error codes per offset, in request order. Offsets that failed validation carry their code already (non-zero `preset`). */
  async commit(req: CommitRequest, preset: number[]): Promise<number[]> {
    if (!isValidGroupId(req.groupId)) return req.offsets.map(() => KafkaCode.INVALID_GROUP_ID);
    const now = this.options.now();
    const view = await this.read(req.groupId);
    const all = (code: number) => req.offsets.map((_, i) => (preset[i] ? (preset[i] as number) : code));
    let generation: number;
    if (req.generation < 0 && req.memberId === '') {
      if (liveMembers(view, now).length > 0 || view.floeLiveMembers > 0) return all(KafkaCode.UNKNOWN_MEMBER_ID);
      generation = view.group?.generation ?? 0;
    } else {
      const group = view.group;
      const fenced = instanceError(group, req.instanceId, req.memberId);
      if (fenced !== undefined) return all(fenced);
      if (!group || !isLive(view.members.get(req.memberId), now)) return all(KafkaCode.UNKNOWN_MEMBER_ID);
      if (req.generation !== group.generation) return all(KafkaCode.ILLEGAL_GENERATION);
      if (group.state === 'CompletingRebalance') return all(KafkaCode.REBALANCE_IN_PROGRESS);
      if (!group.members.includes(req.memberId)) return all(KafkaCode.UNKNOWN_MEMBER_ID);
      generation = req.generation;
    }
    // A group known only by its offsets (standalone commits) still shows in `floe groups list`.
    if (!view.group && !view.floeGroup && preset.some((code) => code === 0)) await listGroup(this.deps, req.groupId, now);
    // A partition named twice gets the last copy that passed its checks, as Kafka 4's coordinator, which
    // writes every valid copy in order (decision 49): writing each here would land in any order.
    const partitionOf = (o: { topic: string; partition: number }) => `${o.partition}:${o.topic}`;
    const last = new Map<string, number>();
    req.offsets.forEach((o, i) => {
      if (!preset[i]) last.set(partitionOf(o), i);
    });
    // One write per partition, lookupsInFlight at a time: the request's size is the client's.
    const codes = await mapConcurrent(req.offsets, GATEWAY_LIMITS.lookupsInFlight, async (o, i) => {
      if (preset[i]) return preset[i] as number;
      if (last.get(partitionOf(o)) !== i) return undefined;
      const landed = await commitOffset(this.deps, req.groupId, { ...o, metadata: o.metadata ?? '' }, generation, now);
      // A later generation committed this partition already: this commit is stale.
      return landed ? KafkaCode.NONE : KafkaCode.ILLEGAL_GENERATION;
    });
    return req.offsets.map((o, i) => codes[i] ?? (codes[last.get(partitionOf(o)) as number] as number));
  }

  // ---- ListGroups, DescribeGroups, DeleteGroups ----

  async list(): Promise<Array<{ groupId: string; protocolType: string; state: string }>> {
    const ids = await listGroupIds(this.deps);
    const out: Array<{ groupId: string; protocolType: string; state: string }> = [];
    for (let i = 0; i < ids.length; i += 8) {
      const views = await Promise.all(ids.slice(i, i + 8).map((id) => this.read(id)));
      const now = this.options.now();
      for (const view of views) {
        if (view.group && (liveMembers(view, now).length > 0 || view.floeLiveMembers === 0)) {
          out.push({ groupId: view.groupId, protocolType: view.group.protocolType, state: effectiveState(view, now) });
        } else {
          out.push({ groupId: view.groupId, protocolType: floeProtocolType(view), state: view.floeLiveMembers > 0 ? 'Stable' : 'Empty' });
        }
      }
    }
    return out;
  }

  /** A classic group's description, or (the id has no classic group: the caller asks Floe's side) the protocol type Floe's side has. */
  async describe(groupId: string): Promise<DescribedGroup | { floeProtocolType: string }> {
    const view = await this.read(groupId);
    const group = view.group;
    const now = this.options.now();
    // Only handed-out ids so far: Kafka's group with pending members only is Empty, protocol type "" (decision 49).
    if (!group && !view.floeGroup && view.floeLiveMembers === 0 && view.pending.size > 0) return { errorCode: 0, groupId, state: 'Empty', protocolType: '', protocol: '', members: [] };
    if (!group || (view.floeLiveMembers > 0 && liveMembers(view, now).length === 0)) return { floeProtocolType: floeProtocolType(view) };
    const state: ClassicState = effectiveState(view, now);
    const ids = state === 'PreparingRebalance' ? liveMembers(view, now).map((m) => m.memberId) : group.members;
    // As Kafka: the protocol and each member's metadata and assignment only while Stable. Mid-rebalance the
    // previous generation's are stale and the next one's not chosen yet: protocol "", both empty.
    const stable = state === 'Stable';
    const members = ids
      .map((id) => view.members.get(id))
      .filter((m) => isLive(m, now))
      .map((m) => ({
        memberId: m.memberId,
        instanceId: m.instanceId ?? null,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable ? metadataOf(m, group.protocol) : EMPTY,
        assignment: stable ? Buffer.from(group.assignments[m.memberId] ?? EMPTY) : EMPTY,
      }));
    return { errorCode: 0, groupId, state, protocolType: group.protocolType, protocol: stable ? (group.protocol ?? '') : '', members };
  }

  /** Kafka's DeleteGroups: only a group with no live member (of either kind); removes its offsets too. */
  async delete(groupId: string): Promise<number> {
    if (!isValidGroupId(groupId)) return KafkaCode.INVALID_GROUP_ID;
    try {
      await deleteGroup(this.deps, groupId);
      return KafkaCode.NONE;
    } catch (error) {
      if (error instanceof FloeError) return kafkaCodeOf(error.code);
      throw error;
    }
  }
}

/** UTF-8 bytes a join asks its member item to hold for its protocols. */
function protocolBytes(req: JoinRequest): number {
  return req.protocols.reduce((sum, p) => sum + Buffer.byteLength(p.name) + (p.metadata?.length ?? 0), Buffer.byteLength(req.protocolType));
}

/** Why a member may not join this group now, as a Kafka error code; undefined when it may. */
function admissionError(view: GroupView, memberId: string, req: JoinRequest, now: number): number | undefined {
  // One group id serves one kind of member at a time (docs/consumer-groups.md#kafka-clients).
  if (view.floeLiveMembers > 0) return KafkaCode.INCONSISTENT_GROUP_PROTOCOL;
  const others = liveMembers(view, now).filter((m) => m.memberId !== memberId && (req.instanceId === null || m.instanceId !== req.instanceId));
  if (others.length === 0) return undefined;
  if ((view.group?.protocolType ?? others[0]?.protocolType) !== req.protocolType) return KafkaCode.INCONSISTENT_GROUP_PROTOCOL;
  const shared = req.protocols.some((p) => others.every((o) => o.protocols.some((q) => q.name === p.name)));
  if (!shared) return KafkaCode.INCONSISTENT_GROUP_PROTOCOL;
  if (others.length >= GROUP_LIMITS.maxMembers) return KafkaCode.GROUP_MAX_SIZE_REACHED;
  return undefined;
}

function toEmpty(group: ClassicGroupItem, now: number): ClassicGroupItem {
  // No member is left, so no instance is anyone's any more.
  return { ...group, state: 'Empty', leader: null, protocol: null, members: [], assignments: dict(), instances: dict(), version: group.version + 1, updatedAt: now };
}

function joinAnswer(group: ClassicGroupItem, view: GroupView, memberId: string): JoinResult {
  const isLeader = group.leader === memberId;
  return {
    errorCode: KafkaCode.NONE,
    generation: group.generation,
    protocolType: group.protocolType,
    protocol: group.protocol,
    leader: group.leader ?? '',
    memberId,
    members: isLeader
      ? group.members.flatMap((id) => {
          const m = view.members.get(id);
          return m ? [{ memberId: id, instanceId: m.instanceId ?? null, metadata: metadataOf(m, group.protocol) }] : [];
        })
      : [],
  };
}

function syncAnswer(group: ClassicGroupItem, memberId: string): SyncResult {
  const assignment = group.assignments[memberId];
  return { errorCode: KafkaCode.NONE, protocolType: group.protocolType, protocolName: group.protocol, assignment: assignment ? Buffer.from(assignment) : EMPTY };
}

/** The member item a join writes: what the request says, joined into `joinGeneration`, live for its session timeout. */
const memberItemOf = (req: JoinRequest, memberId: string, joinGeneration: number, now: number, joinedAt: number): ClassicMemberItem => ({
  memberId,
  ...(req.instanceId === null ? {} : { instanceId: req.instanceId }),
  clientId: req.clientId,
  clientHost: req.clientHost,
  protocolType: req.protocolType,
  protocols: req.protocols,
  sessionTimeoutMs: req.sessionTimeoutMs,
  rebalanceTimeoutMs: req.rebalanceTimeoutMs,
  joinGeneration,
  expiresAt: now + req.sessionTimeoutMs,
  joinedAt,
});
