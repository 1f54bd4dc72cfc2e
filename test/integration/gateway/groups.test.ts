/**
 * Kafka's classic group protocol through two gateway instances sharing the groups table: the join
 * barrier, followers waiting for the leader's SyncGroup, rebalances on join, leave and expiry,
 * generation fencing of commits, offsets shared with Floe's groups, the one-kind-per-group rule,
 * and the group admin APIs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP_LIMITS } from '@floe/protocol';
import { Consumer } from '../../../packages/client/src/consumer/index.js';
import { describeGroup } from '../../../src/groups/describe.js';
import { fetchOffsets } from '../../../src/groups/offsets.js';
import { heartbeat as floeHeartbeat } from '../../../src/groups/heartbeat.js';
import { uniqueName } from '../../helpers/cluster.js';
import { startTestCluster } from '../../helpers/cluster.js';
import type { LocalCluster } from '../../../src/local/cluster.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { KafkaWire, type Body } from '../../helpers/kafka-wire.js';
import { encodeSubscription } from '../../../packages/protocol/src/kafka/consumer-protocol.js';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { resetOffsets } from '../../../src/groups/reset.js';
import { groupKeys } from '../../../src/storage/keys.js';
import { GATEWAY_LIMITS } from '../../../src/gateway/limits.js';

let a: TestGateway;
let b: TestGateway;
const conns: KafkaWire[] = [];

beforeAll(async () => {
  // A short initial delay, as Kafka's group.initial.rebalance.delay.ms: members joining together form one generation.
  [a, b] = await Promise.all([startTestGateway({ initialRebalanceDelayMs: 300 }), startTestGateway({ initialRebalanceDelayMs: 300 })]);
});

afterAll(async () => {
  for (const c of conns) c.close();
  await Promise.all([a?.close(), b?.close()]);
});

async function connect(gw: TestGateway): Promise<KafkaWire> {
  const conn = await KafkaWire.connect(gw.port);
  conns.push(conn);
  return conn;
}

async function topic(partitions: number): Promise<string> {
  const name = uniqueName('gwg');
  await a.deps.log.createTopic(name, partitions, {});
  return name;
}

const SESSION = 3000;

const joinBody = (groupId: string, memberId: string, metadata = 'meta', rebalanceTimeoutMs = 20_000) => ({
  groupId,
  sessionTimeoutMs: SESSION,
  rebalanceTimeoutMs,
  memberId,
  groupInstanceId: null,
  protocolType: 'consumer',
  protocols: [{ name: 'range', metadata: Buffer.from(metadata) }],
  reason: null,
});

/** JoinGroup v5 as a real client does it: first without an id (MEMBER_ID_REQUIRED), then with the one given. */
async function join(conn: KafkaWire, groupId: string, metadata = 'meta', memberId = ''): Promise<Body> {
  if (memberId === '') {
    const first = await conn.request(11, 5, joinBody(groupId, '', metadata));
    expect(first.errorCode).toBe(79);
    memberId = first.memberId;
  }
  return conn.request(11, 5, joinBody(groupId, memberId, metadata), 30_000);
}

const sync = (conn: KafkaWire, groupId: string, memberId: string, generationId: number, assignments: Array<{ memberId: string; assignment: Buffer }> = []) =>
  conn.request(14, 3, { groupId, generationId, memberId, groupInstanceId: null, assignments }, 30_000);

const beat = (conn: KafkaWire, groupId: string, memberId: string, generationId: number) =>
  conn.request(12, 3, { groupId, generationId, memberId, groupInstanceId: null }).then((r) => r.errorCode as number);

const commit = (conn: KafkaWire, groupId: string, memberId: string, generationId: number, name: string, offset: bigint) =>
  conn
    .request(8, 7, { groupId, generationIdOrMemberEpoch: generationId, memberId, groupInstanceId: null, topics: [{ name, partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: '' }] }] })
    .then((r) => r.topics[0].partitions[0].errorCode as number);

describe('the join barrier and SyncGroup', () => {
  it('forms one generation from members on two instances; the leader gets every member, followers wait for its SyncGroup', async () => {
    // Prepare
    const groupId = uniqueName('g');
    const [c1, c2] = [await connect(a), await connect(b)];

    // Act: both join concurrently, through different gateways
    const [j1, j2] = await Promise.all([join(c1, groupId, 'one'), join(c2, groupId, 'two')]);
    const leader = j1.leader === j1.memberId ? { conn: c1, join: j1 } : { conn: c2, join: j2 };
    const follower = leader.conn === c1 ? { conn: c2, join: j2 } : { conn: c1, join: j1 };
    const followerSync = sync(follower.conn, groupId, follower.join.memberId, follower.join.generationId);
    const early = await Promise.race([followerSync.then(() => 'answered'), new Promise((r) => setTimeout(() => r('waiting'), 400))]);
    const leaderSync = await sync(leader.conn, groupId, leader.join.memberId, leader.join.generationId, [
      { memberId: leader.join.memberId, assignment: Buffer.from('for-leader') },
      { memberId: follower.join.memberId, assignment: Buffer.from('for-follower') },
    ]);
    const followerAnswer = await followerSync;
    const beats = await Promise.all([beat(c1, groupId, j1.memberId, j1.generationId), beat(c2, groupId, j2.memberId, j2.generationId)]);

    // Assess
    expect([j1.errorCode, j2.errorCode]).toEqual([0, 0]);
    expect(j1.generationId).toBe(j2.generationId);
    expect(j1.leader).toBe(j2.leader);
    expect(j1.protocolName).toBe('range');
    expect(leader.join.members.map((m: Body) => m.metadata.toString()).sort()).toEqual(['one', 'two']);
    expect(follower.join.members).toEqual([]);
    expect(early).toBe('waiting');
    expect(leaderSync).toMatchObject({ errorCode: 0 });
    expect(leaderSync.assignment.toString()).toBe('for-leader');
    expect(followerAnswer.errorCode).toBe(0);
    expect(followerAnswer.assignment.toString()).toBe('for-follower');
    expect(beats).toEqual([0, 0]);
  });

  it('a new member makes the others rejoin: they learn it from heartbeats and the barrier waits for them', async () => {
    // Prepare: a stable group of one
    const groupId = uniqueName('g');
    const [c1, c2] = [await connect(a), await connect(b)];
    const first = await join(c1, groupId);
    await sync(c1, groupId, first.memberId, first.generationId, [{ memberId: first.memberId, assignment: Buffer.from('all') }]);

    // Act
    const second = join(c2, groupId);
    let code = 0;
    for (let i = 0; i < 50 && code === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      code = await beat(c1, groupId, first.memberId, first.generationId);
    }
    const secondWaiting = await Promise.race([second.then(() => 'answered'), new Promise((r) => setTimeout(() => r('waiting'), 300))]);
    const rejoined = await join(c1, groupId, 'meta', first.memberId);
    const joined = await second;

    // Assess
    expect(code).toBe(27);
    expect(secondWaiting).toBe('waiting');
    expect(rejoined.generationId).toBe(first.generationId + 1);
    expect(joined.generationId).toBe(rejoined.generationId);
    expect(rejoined.leader).toBe(first.memberId); // the leader is kept
    expect(rejoined.members).toHaveLength(2);
  });

  it('a member whose session ends is dropped: the survivor is told to rejoin and forms a generation alone', async () => {
    // Prepare
    const groupId = uniqueName('g');
    const [c1, c2] = [await connect(a), await connect(b)];
    const [j1, j2] = await Promise.all([join(c1, groupId), join(c2, groupId)]);
    const leader = j1.leader === j1.memberId ? j1 : j2;
    const [survivor, survivorConn] = leader === j1 ? [j2, c2] : [j1, c1];
    await Promise.all([
      sync(leader === j1 ? c1 : c2, groupId, leader.memberId, leader.generationId, []),
      sync(survivorConn, groupId, survivor.memberId, survivor.generationId),
    ]);

    // Act: only the survivor keeps heartbeating
    let code = 0;
    const started = Date.now();
    while (code === 0 && Date.now() - started < 10_000) {
      await new Promise((r) => setTimeout(r, 300));
      code = await beat(survivorConn, groupId, survivor.memberId, survivor.generationId);
    }
    const alone = await join(survivorConn, groupId, 'meta', survivor.memberId);
    const deadBeat = await beat(leader === j1 ? c1 : c2, groupId, leader.memberId, leader.generationId);

    // Assess
    expect(code).toBe(27);
    expect(Date.now() - started).toBeGreaterThanOrEqual(SESSION - 500);
    expect(alone).toMatchObject({ errorCode: 0, leader: survivor.memberId, generationId: survivor.generationId + 1 });
    expect(alone.members).toHaveLength(1);
    expect(deadBeat).toBe(25);
  });

  it('LeaveGroup starts a rebalance for the others; an unknown member gets UNKNOWN_MEMBER_ID', async () => {
    // Prepare
    const groupId = uniqueName('g');
    const [c1, c2] = [await connect(a), await connect(b)];
    const [j1, j2] = await Promise.all([join(c1, groupId), join(c2, groupId)]);

    // Act
    const left = await c2.request(13, 3, { groupId, members: [{ memberId: j2.memberId, groupInstanceId: null }] });
    const unknown = await c2.request(13, 1, { groupId, memberId: 'nobody' });
    const afterLeave = await beat(c1, groupId, j1.memberId, j1.generationId);

    // Assess
    expect(left.members[0].errorCode).toBe(0);
    expect(unknown.errorCode).toBe(25);
    expect(afterLeave).toBe(27);
  });
});

describe('static membership (group.instance.id)', () => {
  const staticJoin = (conn: KafkaWire, groupId: string, memberId: string, groupInstanceId: string) =>
    conn.request(11, 5, { ...joinBody(groupId, memberId), groupInstanceId }, 30_000);

  it('a new incarnation (empty member id) replaces the old one, whose every request then gets FENCED_INSTANCE_ID (82), on any instance', async () => {
    // Prepare: the first incarnation is a stable group of one, through gateway a
    const groupId = uniqueName('g');
    const name = await topic(1);
    const [c1, c2] = [await connect(a), await connect(b)];
    const old = await staticJoin(c1, groupId, '', 'pod-0');
    await c1.request(14, 3, { groupId, generationId: old.generationId, memberId: old.memberId, groupInstanceId: 'pod-0', assignments: [{ memberId: old.memberId, assignment: Buffer.from('all') }] });

    // Act: the new incarnation joins through gateway b; then the old one carries on through a
    const replacement = await staticJoin(c2, groupId, '', 'pod-0');
    const oldBeat = await c1.request(12, 3, { groupId, generationId: old.generationId, memberId: old.memberId, groupInstanceId: 'pod-0' });
    const oldSync = await c1.request(14, 3, { groupId, generationId: replacement.generationId, memberId: old.memberId, groupInstanceId: 'pod-0', assignments: [] });
    const oldCommit = await c1.request(8, 7, {
      groupId,
      generationIdOrMemberEpoch: old.generationId,
      memberId: old.memberId,
      groupInstanceId: 'pod-0',
      topics: [{ name, partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: '' }] }],
    });
    const oldRejoin = await staticJoin(c1, groupId, old.memberId, 'pod-0');
    const oldLeave = await c1.request(13, 3, { groupId, members: [{ memberId: old.memberId, groupInstanceId: 'pod-0' }] });
    const newBeat = await c2.request(12, 3, { groupId, generationId: replacement.generationId, memberId: replacement.memberId, groupInstanceId: 'pod-0' });
    const unknownInstance = await c2.request(12, 3, { groupId, generationId: replacement.generationId, memberId: replacement.memberId, groupInstanceId: 'pod-9' });
    const leaveByInstance = await c2.request(13, 3, { groupId, members: [{ memberId: '', groupInstanceId: 'pod-0' }] });
    const [committed] = await fetchOffsets(a.deps.groups, groupId, [{ topic: name, partition: 0 }]);

    // Assess
    expect(old).toMatchObject({ errorCode: 0, generationId: 1 }); // a static member gets its id at once, no MEMBER_ID_REQUIRED
    expect(replacement).toMatchObject({ errorCode: 0, generationId: 1 }); // the stable group's place, no rebalance
    expect(replacement.memberId).not.toBe(old.memberId);
    // It took the leader's place; before JoinGroup v9 Kafka names the predecessor as leader, so it runs no assignor
    expect(replacement.leader).toBe(old.memberId);
    expect(replacement.members).toEqual([]);
    expect([oldBeat.errorCode, oldSync.errorCode, oldCommit.topics[0].partitions[0].errorCode, oldRejoin.errorCode]).toEqual([82, 82, 82, 82]);
    expect(oldLeave.members[0].errorCode).toBe(82);
    expect(committed?.offset ?? -1).toBe(-1);
    expect(newBeat.errorCode).toBe(0);
    expect(unknownInstance.errorCode).toBe(25);
    expect(leaveByInstance.members[0].errorCode).toBe(0);
  });
});

describe('a static member restarting into a stable group (KIP-345)', () => {
  const staticJoin = (conn: KafkaWire, groupId: string, groupInstanceId: string, protocols = ['range', 'roundrobin'], memberId = '') =>
    conn.request(11, 5, { ...joinBody(groupId, memberId), groupInstanceId, protocols: protocols.map((name) => ({ name, metadata: Buffer.from(`${groupInstanceId}-v2`) })) }, 30_000);
  const staticSync = (conn: KafkaWire, groupId: string, j: Body, groupInstanceId: string, assignments: Array<{ memberId: string; assignment: Buffer }> = []) =>
    conn.request(14, 3, { groupId, generationId: j.generationId, memberId: j.memberId, groupInstanceId, assignments }, 30_000);

  /** pod-0 (the leader, through gateway a) and pod-1 (through b) in one stable generation, each with its own assignment. */
  async function stableGroup(): Promise<{ groupId: string; c1: KafkaWire; c2: KafkaWire; pod0: Body; pod1: Body }> {
    const groupId = uniqueName('g');
    const [c1, c2] = [await connect(a), await connect(b)];
    // One after the other, so the generations do not depend on timing: pod-0 alone, then pod-1 makes it rejoin.
    const alone = await staticJoin(c1, groupId, 'pod-0');
    await staticSync(c1, groupId, alone, 'pod-0');
    const joining = staticJoin(c2, groupId, 'pod-1');
    await eventuallyCode(() => c1.request(12, 3, { groupId, generationId: alone.generationId, memberId: alone.memberId, groupInstanceId: 'pod-0' }), 27);
    const pod0: Body = { ...(await staticJoin(c1, groupId, 'pod-0', undefined, alone.memberId)), instance: 'pod-0' };
    const pod1: Body = { ...(await joining), instance: 'pod-1' };
    const assignments = [pod0, pod1].map((j) => ({ memberId: j.memberId as string, assignment: Buffer.from(`partitions of ${j.instance}`) }));
    await Promise.all([staticSync(c1, groupId, pod0, 'pod-0', assignments), staticSync(c2, groupId, pod1, 'pod-1')]);
    expect([pod0.leader, pod0.generationId, pod1.generationId]).toEqual([pod0.memberId, alone.generationId + 1, alone.generationId + 1]);
    return { groupId, c1, c2, pod0, pod1 };
  }

  it("a follower's new incarnation gets its predecessor's assignment in the same generation; the leader is not disturbed", async () => {
    // Prepare
    const { groupId, c1, c2, pod0, pod1 } = await stableGroup();
    const c3 = await connect(a);

    // Act: the follower's pod restarts (a new connection, no member id) and syncs; the leader heartbeats
    const restarted = await staticJoin(c3, groupId, pod1.instance);
    const synced = await staticSync(c3, groupId, restarted, pod1.instance);
    const committed = await commit(c3, groupId, restarted.memberId, restarted.generationId, await topic(1), 7n);
    const leaderBeat = await c1.request(12, 3, { groupId, generationId: pod0.generationId, memberId: pod0.memberId, groupInstanceId: pod0.instance });
    const oldBeat = await c2.request(12, 3, { groupId, generationId: pod1.generationId, memberId: pod1.memberId, groupInstanceId: pod1.instance });
    const described = await c1.request(15, 5, { groups: [groupId], includeAuthorizedOperations: false });

    // Assess
    expect(restarted).toMatchObject({ errorCode: 0, generationId: pod0.generationId, leader: pod0.memberId, members: [] });
    expect(restarted.memberId).not.toBe(pod1.memberId);
    expect(synced.errorCode).toBe(0);
    expect(Buffer.from(synced.assignment).toString()).toBe(`partitions of ${pod1.instance}`);
    expect(committed).toBe(0);
    expect(leaderBeat.errorCode).toBe(0);
    expect(oldBeat.errorCode).toBe(82);
    expect(described.groups[0].groupState).toBe('Stable');
    expect(described.groups[0].members.map((m: Body) => m.memberId).sort()).toEqual([pod0.memberId, restarted.memberId].sort());
  });

  it("the leader's new incarnation (JoinGroup v5) is told the predecessor leads, so it runs no assignor, syncs as a follower and keeps its assignment, as Kafka before v9", async () => {
    // Prepare
    const { groupId, c2, pod0, pod1 } = await stableGroup();
    const c3 = await connect(b);

    // Act
    const restarted = await staticJoin(c3, groupId, pod0.instance);
    const synced = await staticSync(c3, groupId, restarted, pod0.instance);
    const followerBeat = await c2.request(12, 3, { groupId, generationId: pod1.generationId, memberId: pod1.memberId, groupInstanceId: pod1.instance });
    const followerSync = await staticSync(c2, groupId, pod1, pod1.instance);

    // Assess: a leader's assignments would be dropped by the stable group, so it is not made to compute them
    expect(restarted).toMatchObject({ errorCode: 0, generationId: pod0.generationId, leader: pod0.memberId, members: [] });
    expect(restarted.memberId).not.toBe(pod0.memberId);
    expect(Buffer.from(synced.assignment).toString()).toBe(`partitions of ${pod0.instance}`);
    expect(followerBeat.errorCode).toBe(0);
    expect(Buffer.from(followerSync.assignment).toString()).toBe(`partitions of ${pod1.instance}`);
  });

  it("the leader's new incarnation (JoinGroup v9) leads the same generation with every member's metadata and skipAssignment (KIP-814), and keeps its assignment", async () => {
    // Prepare
    const { groupId, pod0, pod1 } = await stableGroup();
    const c3 = await connect(b);

    // Act
    const restarted = await c3.request(11, 9, { ...joinBody(groupId, ''), groupInstanceId: pod0.instance, protocols: [{ name: 'range', metadata: Buffer.from(`${pod0.instance}-v2`) }] }, 30_000);
    const synced = await staticSync(c3, groupId, restarted, pod0.instance, [{ memberId: pod1.memberId, assignment: Buffer.from('ignored: the group is stable') }]);

    // Assess
    expect(restarted).toMatchObject({ errorCode: 0, generationId: pod0.generationId, skipAssignment: true });
    expect(restarted.leader).toBe(restarted.memberId);
    expect(restarted.members.map((m: Body) => [m.memberId, Buffer.from(m.metadata).toString()]).sort()).toEqual(
      [[restarted.memberId, `${pod0.instance}-v2`], [pod1.memberId, `${pod1.instance}-v2`]].sort(),
    );
    expect(Buffer.from(synced.assignment).toString()).toBe(`partitions of ${pod0.instance}`);
  });

  it("incarnations whose new preferences win the group's protocol vote rebalance it onto that protocol, as Kafka's selectProtocol", async () => {
    // Prepare: both members offer range, then roundrobin; the group uses range
    const { groupId, pod0, pod1 } = await stableGroup();
    const [c3, c4] = [await connect(a), await connect(b)];

    // Act: pod-1 restarts preferring roundrobin (one vote each: range stays, no rebalance); then pod-0 does too
    const first = await staticJoin(c3, groupId, pod1.instance, ['roundrobin', 'range']);
    await staticSync(c3, groupId, first, pod1.instance);
    const second = staticJoin(c4, groupId, pod0.instance, ['roundrobin', 'range']);
    await eventuallyCode(() => c3.request(12, 3, { groupId, generationId: first.generationId, memberId: first.memberId, groupInstanceId: pod1.instance }), 27);
    const rejoined = await staticJoin(c3, groupId, pod1.instance, ['roundrobin', 'range'], first.memberId);
    const switched = await second;

    // Assess
    expect(first).toMatchObject({ errorCode: 0, generationId: pod1.generationId, protocolName: 'range' });
    expect(switched).toMatchObject({ errorCode: 0, generationId: pod1.generationId + 1, protocolName: 'roundrobin' });
    expect(rejoined).toMatchObject({ errorCode: 0, generationId: pod1.generationId + 1, protocolName: 'roundrobin' });
  });

  it('an incarnation that no longer speaks the group\'s protocol rebalances the group instead', async () => {
    // Prepare
    const { groupId, c1, pod0, pod1 } = await stableGroup();
    const c3 = await connect(a);

    // Act: pod-1 comes back with only another assignor; the leader learns of the rebalance by heartbeat
    const restarting = staticJoin(c3, groupId, pod1.instance, ['roundrobin']);
    await eventuallyCode(() => c1.request(12, 3, { groupId, generationId: pod0.generationId, memberId: pod0.memberId, groupInstanceId: pod0.instance }), 27);
    const leaderRejoin = await c1.request(11, 5, { ...joinBody(groupId, pod0.memberId), groupInstanceId: pod0.instance, protocols: [{ name: 'range', metadata: Buffer.from('m') }, { name: 'roundrobin', metadata: Buffer.from('m') }] }, 30_000);
    const restarted = await restarting;

    // Assess
    expect(restarted).toMatchObject({ errorCode: 0, generationId: pod1.generationId + 1, protocolName: 'roundrobin' });
    expect(leaderRejoin).toMatchObject({ errorCode: 0, generationId: pod1.generationId + 1 });
  });
});

/** Repeats a request until it answers `code` (a rebalance is seen by the next heartbeat). */
async function eventuallyCode(request: () => Promise<Body>, code: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await request()).errorCode === code) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`never answered ${code}`);
}

describe('static members starting together', () => {
  it('form one generation within the initial delay: a second static joiner does not cut the delay short', async () => {
    // Prepare: a gateway with a 2 s initial delay (Kafka's group.initial.rebalance.delay.ms); pods start 0.4 s apart
    const slow = await startTestGateway({ initialRebalanceDelayMs: 2000 });
    try {
      const groupId = uniqueName('g');
      const conns = [await KafkaWire.connect(slow.port), await KafkaWire.connect(slow.port), await KafkaWire.connect(slow.port)];
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      const joinAs = (i: number) => (conns[i] as KafkaWire).request(11, 5, { ...joinBody(groupId, '', 'meta', 5000), groupInstanceId: `pod-${i}` }, 30_000);

      // Act
      const first = joinAs(0);
      await pause(400);
      const second = joinAs(1);
      await pause(400);
      const third = joinAs(2);
      const answers = await Promise.all([first, second, third]);
      for (const c of conns) c.close();

      // Assess: one generation holding all three
      expect(answers.map((r) => [r.errorCode, r.generationId])).toEqual([
        [0, 1],
        [0, 1],
        [0, 1],
      ]);
      const leader = answers.find((r) => r.leader === r.memberId);
      expect(leader?.members).toHaveLength(3);
    } finally {
      await slow.close();
    }
  });
});

describe('a replaced static member whose item outlived it', () => {
  it('is no live member for Floe\'s reset, OffsetDelete or DeleteGroups (decision 40), however long its lease', async () => {
    // Prepare: pod-r's first incarnation is replaced; its item is back as if its delete had failed, with a long lease; the new one leaves
    const groupId = uniqueName('g');
    const name = await topic(1);
    const c1 = await connect(a);
    const staticJoin = (memberId: string) => c1.request(11, 5, { ...joinBody(groupId, memberId), groupInstanceId: 'pod-r' }, 30_000);
    const old = await staticJoin('');
    await c1.request(14, 3, { groupId, generationId: old.generationId, memberId: old.memberId, groupInstanceId: 'pod-r', assignments: [] });
    await commit(c1, groupId, old.memberId, old.generationId, name, 3n);
    const { groups } = a.deps;
    const oldItem = (await groups.dynamo.send(new GetCommand({ TableName: groups.groupsTable, Key: groupKeys.classicMember(groupId, old.memberId) }))).Item;
    const replacement = await staticJoin('');
    await groups.dynamo.send(new PutCommand({ TableName: groups.groupsTable, Item: { ...oldItem, expiresAt: Date.now() + 120_000 } }));
    await c1.request(13, 3, { groupId, members: [{ memberId: replacement.memberId, groupInstanceId: 'pod-r' }] });

    // Act
    const reset = await resetOffsets(groups, groupId, { topic: name, spec: { to: 'earliest' } }).then(
      (results) => results.map((r) => [r.errorCode, r.previousOffset, r.newOffset]),
      (error: { code: string }) => error.code,
    );
    const offsetDelete = await c1.request(47, 0, { groupId, topics: [{ name, partitions: [{ partitionIndex: 0 }] }] });
    const deleted = await c1.request(42, 2, { groupsNames: [groupId] });

    // Assess
    expect(oldItem).toBeDefined();
    expect(replacement.memberId).not.toBe(old.memberId);
    expect(reset).toEqual([['NONE', 3, 0]]);
    expect([offsetDelete.errorCode, offsetDelete.topics[0].partitions[0].errorCode]).toEqual([0, 0]);
    expect(deleted.results[0].errorCode).toBe(0);
  });
});

describe('a live static member whose group.instance.id is a prototype name (decision 41)', () => {
  it('counts as live for Floe\'s reset: the stored mapping is read back with the escaped key', async () => {
    // Prepare: a stable static member "__proto__" with a committed offset
    const groupId = uniqueName('g');
    const name = await topic(1);
    const c1 = await connect(a);
    const joined = await c1.request(11, 5, { ...joinBody(groupId, ''), groupInstanceId: '__proto__' }, 30_000);
    await c1.request(14, 3, { groupId, generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: '__proto__', assignments: [] });
    await commit(c1, groupId, joined.memberId, joined.generationId, name, 3n);

    // Act
    const reset = await resetOffsets(a.deps.groups, groupId, { topic: name, spec: { to: 'earliest' } }).then(
      () => 'reset',
      (error: { code: string }) => error.code,
    );

    // Assess
    expect(joined.errorCode).toBe(0);
    expect(reset).toBe('NON_EMPTY_GROUP');
  });
});

describe('static membership across an upgrade', () => {
  it('a group item without the instance mapping (written before it existed, or by an older gateway mid-deploy) keeps its static members: no UNKNOWN_MEMBER_ID, no forced rejoin', async () => {
    // Prepare: a stable static member, then its group item rewritten without `instances`
    const groupId = uniqueName('g');
    const c1 = await connect(a);
    const joined = await c1.request(11, 5, { ...joinBody(groupId, ''), groupInstanceId: 'pod-0' }, 30_000);
    await c1.request(14, 3, { groupId, generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: 'pod-0', assignments: [{ memberId: joined.memberId, assignment: Buffer.from('all') }] });
    const { groups } = a.deps;
    await groups.dynamo.send(new UpdateCommand({ TableName: groups.groupsTable, Key: groupKeys.classicGroup(groupId), UpdateExpression: 'REMOVE instances' }));

    // Act
    const beatAsStatic = await c1.request(12, 3, { groupId, generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: 'pod-0' });
    const described = await c1.request(15, 5, { groups: [groupId], includeAuthorizedOperations: false });

    // Assess
    expect(joined.errorCode).toBe(0);
    expect(beatAsStatic.errorCode).toBe(0);
    expect(described.groups[0]).toMatchObject({ groupState: 'Stable' });
    expect(described.groups[0].members.map((m: Body) => m.memberId)).toEqual([joined.memberId]);
  });
});

describe('offset commits', () => {
  it('fences commits by generation and member, and never lets an older generation overwrite a newer one', async () => {
    // Prepare: generation g with one member
    const groupId = uniqueName('g');
    const name = await topic(1);
    const c1 = await connect(a);
    const j = await join(c1, groupId);

    // Act
    const inCompleting = await commit(c1, groupId, j.memberId, j.generationId, name, 1n);
    await sync(c1, groupId, j.memberId, j.generationId, []);
    const ok = await commit(c1, groupId, j.memberId, j.generationId, name, 5n);
    const wrongGeneration = await commit(c1, groupId, j.memberId, j.generationId - 1, name, 2n);
    const stranger = await commit(c1, groupId, 'stranger', j.generationId, name, 2n);
    const standaloneWhileLive = await commit(c1, groupId, '', -1, name, 2n);
    const rejoined = await join(c1, groupId, 'changed', j.memberId); // changed metadata: a new generation
    await sync(c1, groupId, j.memberId, rejoined.generationId, []);
    const newer = await commit(c1, groupId, j.memberId, rejoined.generationId, name, 9n);
    const { commitOffset } = await import('../../../src/gateway/groups/store.js');
    const lateOld = await commitOffset(a.deps.groups, groupId, { topic: name, partition: 0, offset: 3, metadata: '' }, j.generationId, Date.now());
    const fetched = await c1.request(9, 7, { groupId, topics: [{ name, partitionIndexes: [0] }], requireStable: false });

    // Assess
    expect(inCompleting).toBe(27);
    expect(ok).toBe(0);
    expect(wrongGeneration).toBe(22);
    expect(stranger).toBe(25);
    expect(standaloneWhileLive).toBe(25);
    expect(rejoined.generationId).toBe(j.generationId + 1);
    expect(newer).toBe(0);
    expect(lateOld).toBe(false);
    expect(fetched.topics[0].partitions[0].committedOffset).toBe(9n);
  });

  it('shares committed offsets with Floe: describe shows the lag of a Kafka group', async () => {
    // Prepare
    const groupId = uniqueName('g');
    const name = await topic(2);
    const { encodeRecordBatch } = await import('../../../packages/protocol/src/index.js');
    const c1 = await connect(a);
    await c1.request(0, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name, partitionData: [{ index: 1, records: encodeRecordBatch({ records: [{ key: null, value: Buffer.from('x') }, { key: null, value: Buffer.from('y') }] }) }] }] });

    // Act: a standalone commit (no live member), as kafka-python's assign() + commit does
    const code = await c1
      .request(8, 2, { groupId, generationIdOrMemberEpoch: -1, memberId: '', retentionTimeMs: -1n, topics: [{ name, partitions: [{ partitionIndex: 1, committedOffset: 1n, committedMetadata: 'm' }] }] })
      .then((r) => r.topics[0].partitions[0].errorCode);
    const described = await describeGroup(a.deps.groups, groupId);
    const listed = await c1.request(16, 4, { statesFilter: [] });

    // Assess
    expect(code).toBe(0);
    expect(described.partitions).toEqual([expect.objectContaining({ topic: name, partition: 1, committedOffset: 1, logEndOffset: 2, lag: 1 })]);
    expect(listed.groups.map((g: Body) => g.groupId)).toContain(groupId);
  });

  it('a negative commit (kafkajs resetOffsets commits -2) is answered back by OffsetFetch, as Kafka stores it, and is no commit to Floe', async () => {
    // Prepare: a one-partition topic with 4 records and a standalone commit of 3
    const { encodeRecordBatch } = await import('../../../packages/protocol/src/index.js');
    const groupId = uniqueName('g');
    const name = await topic(1);
    const c1 = await connect(a);
    await c1.request(0, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name, partitionData: [{ index: 0, records: encodeRecordBatch({ records: ['a', 'b', 'c', 'd'].map((v) => ({ key: null, value: Buffer.from(v) })) }) }] }] });
    await commit(c1, groupId, '', -1, name, 3n);
    const fetch = () => c1.request(9, 7, { groupId, topics: [{ name, partitionIndexes: [0] }], requireStable: false }).then((r) => r.topics[0].partitions[0]);
    const fetchAll = () => c1.request(9, 7, { groupId, topics: null, requireStable: false }).then((r) => r.topics.flatMap((t: Body) => t.partitions));

    // Act
    const code = await c1
      .request(8, 7, { groupId, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: [{ name, partitions: [{ partitionIndex: 0, committedOffset: -2n, committedLeaderEpoch: -1, committedMetadata: 'reset' }] }] })
      .then((r) => r.topics[0].partitions[0].errorCode);
    const [named, all] = [await fetch(), await fetchAll()];
    const floe = await fetchOffsets(a.deps.groups, groupId, [{ topic: name, partition: 0 }]);
    const floeAll = await fetchOffsets(a.deps.groups, groupId);
    const described = await describeGroup(a.deps.groups, groupId);
    // A later commit (Kafka's, then Floe's reset) replaces the sentinel.
    await commit(c1, groupId, '', -1, name, 2n);
    const recommitted = await fetch();
    await commit(c1, groupId, '', -1, name, -1n);
    const latest = await fetch();
    await resetOffsets(a.deps.groups, groupId, { topic: name, spec: { to: 'earliest' } });
    const afterFloeReset = await fetch();

    // Assess
    expect(code).toBe(0);
    expect(named).toMatchObject({ errorCode: 0, committedOffset: -2n, metadata: 'reset' });
    expect(all).toEqual([expect.objectContaining({ partitionIndex: 0, committedOffset: -2n })]);
    expect(floe).toEqual([expect.objectContaining({ offset: -1, metadata: '' })]);
    expect(floeAll).toEqual([]);
    expect(described.partitions.filter((p) => p.committedOffset !== null)).toEqual([]);
    expect(recommitted).toMatchObject({ committedOffset: 2n });
    expect(latest).toMatchObject({ committedOffset: -1n });
    expect(afterFloeReset).toMatchObject({ committedOffset: 0n });
  });

  it('a partition named several times in one OffsetCommit gets the last offset, as in Kafka', async () => {
    // Prepare: 20 groups, each committing partition 0 at 1, 2, ..., 8 in one request (the writes raced: any could land last)
    const c1 = await connect(a);
    const name = await topic(1);
    const groups = Array.from({ length: 20 }, () => uniqueName('g'));
    const partitions = Array.from({ length: 8 }, (_, k) => ({ partitionIndex: 0, committedOffset: BigInt(k + 1), committedLeaderEpoch: -1, committedMetadata: `m${k + 1}` }));

    // Act
    const answers = await Promise.all(groups.map((groupId) => c1.request(8, 8, { groupId, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: [{ name, partitions }] })));
    const committed = await Promise.all(groups.map(async (groupId) => (await fetchOffsets(a.deps.groups, groupId, [{ topic: name, partition: 0 }]))[0]));

    // Assess
    expect(answers.flatMap((r) => r.topics[0].partitions.map((p: Body) => p.errorCode))).toEqual(Array(20 * 8).fill(0));
    expect(committed.map((o) => [o?.offset, o?.metadata])).toEqual(Array(20).fill([8, 'm8']));
  });

  it('a partition named twice whose last copy is refused commits the earlier copy and answers each, as Kafka 4\'s coordinator (OffsetMetadataManager) does', async () => {
    // Prepare: copies of partition 0 at 5 (valid) and 6 (metadata past the limit)
    const groupId = uniqueName('g');
    const name = await topic(1);
    const c1 = await connect(a);
    const tooLarge = 'x'.repeat(GROUP_LIMITS.maxOffsetMetadataBytes + 1);
    const partitions = [
      { partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: 'ok' },
      { partitionIndex: 0, committedOffset: 6n, committedLeaderEpoch: -1, committedMetadata: tooLarge },
    ];

    // Act
    const answer = await c1.request(8, 8, { groupId, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: [{ name, partitions }] });
    const fetched = await c1.request(9, 7, { groupId, topics: [{ name, partitionIndexes: [0] }], requireStable: false });

    // Assess
    expect(answer.topics[0].partitions.map((p: Body) => p.errorCode)).toEqual([0, 12]);
    expect(fetched.topics[0].partitions[0]).toMatchObject({ errorCode: 0, committedOffset: 5n, metadata: 'ok' });
  });

  it('a topic deleted and created again does not inherit its namesake\'s committed offsets', async () => {
    // Prepare: a standalone commit of 3 on the first topic of the name
    const groupId = uniqueName('g');
    const name = await topic(1);
    const c1 = await connect(a);
    await commit(c1, groupId, '', -1, name, 3n);

    // Act
    await a.deps.log.deleteTopic(name);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await a.deps.log.createTopic(name, 1, {});
    const fetched = await c1.request(9, 7, { groupId, topics: [{ name, partitionIndexes: [0] }], requireStable: false });
    const all = await c1.request(9, 7, { groupId, topics: null, requireStable: false });

    // Assess
    expect(fetched.topics[0].partitions[0]).toMatchObject({ errorCode: 0, committedOffset: -1n });
    expect(all.topics).toEqual([]);
  });
});

describe('one kind of member per group id', () => {
  let cluster: LocalCluster;
  beforeAll(async () => {
    cluster = await startTestCluster();
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it('refuses a Kafka join while Floe consumers are live, and a Floe join while Kafka members are', async () => {
    // Prepare: a Floe SDK consumer in group f; a Kafka member in group k
    const name = await topic(1);
    const [floeGroup, kafkaGroup] = [uniqueName('f'), uniqueName('k')];
    const consumer = new Consumer({ bootstrap: cluster.url, groupId: floeGroup, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1000 });
    consumer.subscribe([name]);
    await consumer.poll(500);
    const c1 = await connect(a);
    const kafkaMember = await join(c1, kafkaGroup);

    // Act
    const kafkaIntoFloe = await c1.request(11, 5, joinBody(floeGroup, `x-${Date.now()}`));
    const floeIntoKafka = await floeHeartbeat(a.deps.groups, kafkaGroup, { memberEpoch: 0, subscribedTopics: [name] }).then(
      () => 'joined',
      (error: { code: string }) => error.code,
    );
    await consumer.close();

    // Assess
    expect(kafkaMember.errorCode).toBe(0);
    expect(kafkaIntoFloe.errorCode).toBe(23);
    expect(floeIntoKafka).toBe('INCONSISTENT_GROUP_PROTOCOL');
  });
});

describe('group admin', () => {
  it('lists and describes a classic group; deletes it only once empty, offsets included', async () => {
    // Prepare
    const groupId = uniqueName('g');
    const name = await topic(1);
    const c1 = await connect(a);
    const j = await join(c1, groupId, 'sub');
    await sync(c1, groupId, j.memberId, j.generationId, [{ memberId: j.memberId, assignment: Buffer.from('asg') }]);
    await commit(c1, groupId, j.memberId, j.generationId, name, 1n);

    // Act
    const described = await c1.request(15, 5, { groups: [groupId, uniqueName('none')], includeAuthorizedOperations: false });
    const listed = await c1.request(16, 4, { statesFilter: ['Stable'] });
    const whileLive = await c1.request(42, 2, { groupsNames: [groupId] });
    await c1.request(13, 3, { groupId, members: [{ memberId: j.memberId, groupInstanceId: null }] });
    const deleted = await c1.request(42, 2, { groupsNames: [groupId, uniqueName('none')] });
    const offsets = await c1.request(9, 7, { groupId, topics: [{ name, partitionIndexes: [0] }], requireStable: false });

    // Assess
    const [mine, none] = described.groups;
    expect(mine).toMatchObject({ errorCode: 0, groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' });
    expect(mine.members[0].memberMetadata.toString()).toBe('sub');
    expect(mine.members[0].memberAssignment.toString()).toBe('asg');
    expect(none.groupState).toBe('Dead');
    expect(listed.groups).toContainEqual({ groupId, protocolType: 'consumer', groupState: 'Stable' });
    expect(whileLive.results[0].errorCode).toBe(68);
    expect(deleted.results.map((r: Body) => r.errorCode)).toEqual([0, 69]);
    expect(offsets.topics[0].partitions[0].committedOffset).toBe(-1n);
  });

  it('a group known only by its commits has protocol type "" (Kafka\'s offsets-only group); one that members joined, Kafka\'s or Floe\'s, keeps "consumer" once empty', async () => {
    // Prepare: a standalone commit only; a classic member that joined and left; a Floe member that joined and left
    const [commitsOnly, kafkaLeft, floeLeft] = [uniqueName('g'), uniqueName('g'), uniqueName('g')];
    const name = await topic(1);
    const c1 = await connect(a);
    await commit(c1, commitsOnly, '', -1, name, 2n);
    const j = await join(c1, kafkaLeft);
    await c1.request(13, 3, { groupId: kafkaLeft, members: [{ memberId: j.memberId, groupInstanceId: null }] });
    const floeMember = await floeHeartbeat(a.deps.groups, floeLeft, { memberEpoch: 0, subscribedTopics: [name] });
    await floeHeartbeat(a.deps.groups, floeLeft, { memberId: floeMember.memberId, memberEpoch: -1 });

    // Act
    const listed = await c1.request(16, 4, { statesFilter: [] });
    const described = await c1.request(15, 5, { groups: [commitsOnly, kafkaLeft, floeLeft], includeAuthorizedOperations: false });

    // Assess
    const mine = listed.groups.filter((g: Body) => [commitsOnly, kafkaLeft, floeLeft].includes(g.groupId));
    expect(mine).toEqual(
      expect.arrayContaining([
        { groupId: commitsOnly, protocolType: '', groupState: 'Empty' },
        { groupId: kafkaLeft, protocolType: 'consumer', groupState: 'Empty' },
        { groupId: floeLeft, protocolType: 'consumer', groupState: 'Empty' },
      ]),
    );
    expect(described.groups.map((g: Body) => [g.errorCode, g.groupState, g.protocolType, g.protocolData, g.members.length])).toEqual([
      [0, 'Empty', '', '', 0],
      [0, 'Empty', 'consumer', '', 0],
      [0, 'Empty', 'consumer', '', 0],
    ]);
  });

  it('ListGroups v5 filters by type (every group is "classic", case-insensitive) and by state, and answers each group\'s type', async () => {
    // Prepare: a Stable classic group, and an Empty one known by a commit
    const [stableGroup, emptyGroup] = [uniqueName('g'), uniqueName('g')];
    const name = await topic(1);
    const c1 = await connect(a);
    const j = await join(c1, stableGroup);
    await sync(c1, stableGroup, j.memberId, j.generationId, [{ memberId: j.memberId, assignment: Buffer.from('asg') }]);
    await commit(c1, emptyGroup, '', -1, name, 1n);
    const mine = (listed: Body) => listed.groups.filter((g: Body) => [stableGroup, emptyGroup].includes(g.groupId));

    // Act
    const all = await c1.request(16, 5, { statesFilter: [], typesFilter: [] });
    const classic = await c1.request(16, 5, { statesFilter: [], typesFilter: ['CLASSIC'] });
    const consumer = await c1.request(16, 5, { statesFilter: [], typesFilter: ['consumer'] });
    const stableClassic = await c1.request(16, 5, { statesFilter: ['stable'], typesFilter: ['classic', 'consumer'] });
    const v4 = await c1.request(16, 4, { statesFilter: ['Empty'] });

    // Assess
    expect(mine(all)).toEqual(
      expect.arrayContaining([
        { groupId: stableGroup, protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' },
        { groupId: emptyGroup, protocolType: '', groupState: 'Empty', groupType: 'classic' },
      ]),
    );
    expect(mine(classic)).toHaveLength(2);
    expect(consumer).toEqual({ throttleTimeMs: 0, errorCode: 0, groups: [] });
    expect(mine(stableClassic).map((g: Body) => g.groupId)).toEqual([stableGroup]);
    expect(mine(v4)).toEqual([{ groupId: emptyGroup, protocolType: '', groupState: 'Empty' }]);
  });

  it('DescribeGroups during a rebalance answers the protocol type, protocol "" and empty member metadata and assignments, as Kafka; Stable again, all of them', async () => {
    // Prepare: a stable group of one, whose member's metadata and assignment are known
    const groupId = uniqueName('g');
    const [c1, c2] = [await connect(a), await connect(b)];
    const first = await join(c1, groupId, 'first-sub');
    await sync(c1, groupId, first.memberId, first.generationId, [{ memberId: first.memberId, assignment: Buffer.from('all') }]);
    const describe = async () => (await c1.request(15, 5, { groups: [groupId], includeAuthorizedOperations: false })).groups[0] as Body;
    const shape = (g: Body) => ({
      state: g.groupState,
      protocolType: g.protocolType,
      protocol: g.protocolData,
      members: g.members.map((m: Body) => [m.memberId, m.memberMetadata.toString(), m.memberAssignment.toString()]).sort(),
    });

    // Act: a second member joins (PreparingRebalance until the first rejoins), then the first rejoins
    // (CompletingRebalance until the leader syncs), then the leader syncs (Stable)
    const second = join(c2, groupId, 'second-sub');
    let code = 0;
    while (code === 0) code = await beat(c1, groupId, first.memberId, first.generationId);
    const preparing = await describe();
    const [rejoined, joined] = await Promise.all([join(c1, groupId, 'first-sub', first.memberId), second]);
    const completing = await describe();
    const followerSync = sync(c2, groupId, joined.memberId, joined.generationId);
    await sync(c1, groupId, rejoined.memberId, rejoined.generationId, [
      { memberId: rejoined.memberId, assignment: Buffer.from('p0') },
      { memberId: joined.memberId, assignment: Buffer.from('p1') },
    ]);
    await followerSync;
    const stable = await describe();

    // Assess
    expect(code).toBe(27);
    expect(shape(preparing)).toEqual({ state: 'PreparingRebalance', protocolType: 'consumer', protocol: '', members: [[first.memberId, '', ''], [joined.memberId, '', '']].sort() });
    expect(shape(completing)).toEqual({ state: 'CompletingRebalance', protocolType: 'consumer', protocol: '', members: [[first.memberId, '', ''], [joined.memberId, '', '']].sort() });
    expect(shape(stable)).toEqual({
      state: 'Stable',
      protocolType: 'consumer',
      protocol: 'range',
      members: [[first.memberId, 'first-sub', 'p0'], [joined.memberId, 'second-sub', 'p1']].sort(),
    });
  });

  it('OffsetDelete removes offsets of topics no live member subscribes to; a subscribed topic is GROUP_SUBSCRIBED_TO_TOPIC (86), a group of another protocol NON_EMPTY_GROUP', async () => {
    // Prepare: a member subscribed to one topic (ConsumerProtocol bytes), offsets committed on two
    const groupId = uniqueName('g');
    const [mine, other] = [await topic(1), await topic(1)];
    const c1 = await connect(a);
    const first = await c1.request(11, 5, { ...joinBody(groupId, ''), protocols: [{ name: 'range', metadata: encodeSubscription([mine]) }] });
    const j = await c1.request(11, 5, { ...joinBody(groupId, first.memberId), protocols: [{ name: 'range', metadata: encodeSubscription([mine]) }] }, 30_000);
    await sync(c1, groupId, j.memberId, j.generationId, [{ memberId: j.memberId, assignment: Buffer.alloc(0) }]);
    await commit(c1, groupId, j.memberId, j.generationId, mine, 4n);
    await commit(c1, groupId, j.memberId, j.generationId, other, 5n);
    const offsetDelete = (names: string[], group = groupId) =>
      c1.request(47, 0, { groupId: group, topics: names.map((name) => ({ name, partitions: [{ partitionIndex: 0 }] })) });
    const committed = async (name: string) =>
      (await c1.request(9, 7, { groupId, topics: [{ name, partitionIndexes: [0] }], requireStable: false })).topics[0].partitions[0].committedOffset as bigint;

    // Act
    const whileSubscribed = await offsetDelete([mine, other, uniqueName('none')]);
    const [mineKept, otherGone] = [await committed(mine), await committed(other)];
    await c1.request(13, 3, { groupId, members: [{ memberId: j.memberId, groupInstanceId: null }] });
    const afterLeave = await offsetDelete([mine]);
    const mineGone = await committed(mine);
    const noGroup = await offsetDelete([mine], uniqueName('none'));
    const connectGroup = uniqueName('g'); // a live member whose metadata is not a consumer subscription (Kafka Connect's protocol, say)
    const cj = await join(c1, connectGroup, 'not a subscription');
    await sync(c1, connectGroup, cj.memberId, cj.generationId, [{ memberId: cj.memberId, assignment: Buffer.alloc(0) }]);
    const otherProtocol = await offsetDelete([mine], connectGroup);

    // Assess
    expect(whileSubscribed.errorCode).toBe(0);
    expect(whileSubscribed.topics.map((t: Body) => t.partitions[0].errorCode)).toEqual([86, 0, 3]);
    expect([mineKept, otherGone]).toEqual([4n, -1n]);
    expect(afterLeave.topics[0].partitions[0].errorCode).toBe(0);
    expect(mineGone).toBe(-1n);
    expect(noGroup.errorCode).toBe(69);
    expect(otherProtocol.errorCode).toBe(68);
  });

  it('JoinGroup v0 (no rebalance timeout: the session timeout stands in) gets a member id at once', async () => {
    // Prepare
    const c1 = await connect(b);
    const groupId = uniqueName('g');

    // Act
    const joined = await c1.request(11, 0, { groupId, sessionTimeoutMs: SESSION, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from('v0') }] });

    // Assess
    expect(joined).toMatchObject({ errorCode: 0, generationId: 1, protocolName: 'range' });
    expect(joined.leader).toBe(joined.memberId);
    expect(joined.memberId).toMatch(/^wire-test-/);
  });

  it('refuses a JoinGroup whose member could not be stored (protocols past 256 KiB, an instance id past 249 characters, a member id never given out) with a Kafka code, keeps the connection and writes nothing', async () => {
    // Prepare: a subscription of ~9,000 topics (a broad regex), sent once per assignor as librdkafka does; Kafka's longest client id.
    const c1 = await connect(a);
    const groupId = uniqueName('g');
    const subscription = encodeSubscription(Array.from({ length: 9000 }, (_, i) => `orders.region-${String(i).padStart(6, '0')}`));
    const huge = { ...joinBody(groupId, ''), protocols: [{ name: 'range', metadata: subscription }, { name: 'roundrobin', metadata: subscription }] };
    const fits = { ...joinBody(uniqueName('g'), ''), protocols: [{ name: 'range', metadata: Buffer.alloc(60 * 1024, 1) }, { name: 'roundrobin', metadata: Buffer.alloc(60 * 1024, 1) }] };
    const longClientId = 'c'.repeat(32_000);

    // Act
    const tooBig = await c1.request(11, 5, huge);
    const longInstance = await c1.request(11, 5, { ...joinBody(groupId, ''), groupInstanceId: 'i'.repeat(250) });
    const madeUpMember = await c1.request(11, 5, joinBody(groupId, 'm'.repeat(10_000)));
    const described = await c1.request(15, 5, { groups: [groupId], includeAuthorizedOperations: false });
    const allowed = await c1.request(11, 5, fits);
    c1.send(11, 5, joinBody(uniqueName('g'), ''), longClientId);
    const longClient = (await c1.read(11, 5)).body;

    // Assess
    expect(tooBig.errorCode).toBe(42);
    expect(longInstance.errorCode).toBe(42);
    expect(madeUpMember.errorCode).toBe(25);
    expect(c1.closed).toBe(false);
    expect(described.groups[0]).toMatchObject({ errorCode: 0, groupState: 'Dead', members: [] });
    expect(allowed).toMatchObject({ errorCode: 79 });
    expect(longClient.errorCode).toBe(79);
    expect(longClient.memberId.length).toBe(GATEWAY_LIMITS.memberIdClientIdChars + 37);
  });

  it('rejects invalid group ids and session timeouts', async () => {
    // Prepare
    const c1 = await connect(a);

    // Act
    const badId = await c1.request(11, 5, joinBody('bad id with spaces', 'm'));
    const badSession = await c1.request(11, 5, { ...joinBody(uniqueName('g'), 'm'), sessionTimeoutMs: 10 });

    // Assess
    expect(badId.errorCode).toBe(24);
    expect(badSession.errorCode).toBe(26);
  });
});
