/**
 * JoinGroup accepts only member ids the group handed out (KIP-394), across gateway instances: a
 * v4+ dynamic member's first join records its id as pending (until its session timeout) and gets
 * MEMBER_ID_REQUIRED; an id the group does not know - made up, expired, or its member's gone - is
 * UNKNOWN_MEMBER_ID and writes nothing, in every version; v0-v3 get their id on the first join.
 * Pending ids are bounded per group (GATEWAY_LIMITS.maxPendingMembers). And a new group's initial
 * delay is extended while members keep arriving (Kafka's InitialDelayedJoin).
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_LIMITS } from '../../../src/gateway/limits.js';
import { batchWriteAll } from '../../../src/storage/dynamo-batch.js';
import { groupKeys, TTL_ATTRIBUTE } from '../../../src/storage/keys.js';
import { uniqueName } from '../../helpers/cluster.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { KafkaWire, type Body } from '../../helpers/kafka-wire.js';

let a: TestGateway;
let b: TestGateway;
const conns: KafkaWire[] = [];

beforeAll(async () => {
  [a, b] = await Promise.all([startTestGateway(), startTestGateway()]);
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

const SESSION = 10_000;

const joinBody = (groupId: string, memberId: string) => ({
  groupId,
  sessionTimeoutMs: SESSION,
  rebalanceTimeoutMs: 20_000,
  memberId,
  groupInstanceId: null,
  protocolType: 'consumer',
  protocols: [{ name: 'range', metadata: Buffer.from('meta') }],
  reason: null,
});

const join = (conn: KafkaWire, groupId: string, memberId: string, version = 5): Promise<Body> => conn.request(11, version, joinBody(groupId, memberId), 30_000);

const pendingItem = (groupId: string, memberId: string, expiresAt: number) => ({ ...groupKeys.classicPending(groupId, memberId), memberId, expiresAt });

/** What DynamoDB's TTL deletion does by `at` (epoch seconds) to these groups' items and groups-list entries. */
async function deleteExpiredByTtl(groupIds: string[], at: number): Promise<void> {
  const { dynamo, groupsTable } = a.deps.groups;
  for (const groupId of groupIds) {
    const { Items = [] } = await dynamo.send(new QueryCommand({ TableName: groupsTable, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': groupKeys.groupPk(groupId) }, ConsistentRead: true }));
    const entry = (await dynamo.send(new GetCommand({ TableName: groupsTable, Key: groupKeys.groupsListEntry(groupId), ConsistentRead: true }))).Item;
    const expired = [...Items, ...(entry ? [entry] : [])].filter((item) => typeof item[TTL_ATTRIBUTE] === 'number' && item[TTL_ATTRIBUTE] <= at);
    for (const item of expired) await dynamo.send(new DeleteCommand({ TableName: groupsTable, Key: { pk: item.pk, sk: item.sk } }));
  }
}

describe('member ids a JoinGroup may name', () => {
  it('accepts a handed-out id on another gateway instance, and refuses made-up ones without writing', async () => {
    // Prepare
    const groupId = uniqueName('ids');
    const [ca, cb] = [await connect(a), await connect(b)];

    // Act
    const inventedFirst = await join(ca, groupId, 'wire-test-0a0a0a0a-0000-4000-8000-000000000000');
    const handedOut = await join(ca, groupId, '');
    const joined = await join(cb, groupId, handedOut.memberId);
    const writesBefore = a.writes.length;
    const inventedLater = await join(ca, groupId, `${handedOut.memberId.slice(0, -1)}${handedOut.memberId.endsWith('0') ? '1' : '0'}`);
    const inventedV3 = await join(ca, groupId, 'made-up', 3);

    // Assess
    expect(inventedFirst).toMatchObject({ errorCode: 25, generationId: -1 });
    expect(handedOut.errorCode).toBe(79);
    expect(joined).toMatchObject({ errorCode: 0, generationId: 1, memberId: handedOut.memberId, leader: handedOut.memberId });
    expect([inventedLater.errorCode, inventedV3.errorCode]).toEqual([25, 25]);
    expect(a.writes.length).toBe(writesBefore);
  });

  it('refuses a handed-out id once its session timeout passed, and a member\'s id once it left; an empty id starts over', async () => {
    // Prepare: an id whose pending item expired; a member that joined, then left
    const groupId = uniqueName('ids');
    const ca = await connect(a);
    await a.deps.groups.dynamo.send(new PutCommand({ TableName: a.deps.groups.groupsTable, Item: pendingItem(groupId, 'wire-test-expired', Date.now() - 1) }));
    const first = await join(ca, groupId, '');
    const member = await join(ca, groupId, first.memberId);
    await ca.request(13, 3, { groupId, members: [{ memberId: member.memberId, groupInstanceId: null }] });

    // Act
    const expired = await join(ca, groupId, 'wire-test-expired');
    const afterLeave = await join(ca, groupId, member.memberId);
    const again = await join(ca, groupId, '');
    const rejoined = await join(ca, groupId, again.memberId);

    // Assess
    expect(member.errorCode).toBe(0);
    expect([expired.errorCode, afterLeave.errorCode]).toEqual([25, 25]);
    expect(again.errorCode).toBe(79);
    expect(again.memberId).not.toBe(member.memberId);
    expect(rejoined).toMatchObject({ errorCode: 0, memberId: again.memberId });
  });

  it('lets a handed-out id that has not joined leave, as Kafka\'s pending member: NONE, and the id is unknown after', async () => {
    // Prepare: an id handed out, not used yet
    const groupId = uniqueName('ids');
    const [ca, cb] = [await connect(a), await connect(b)];
    const handedOut = await join(ca, groupId, '');

    // Act
    const left = await cb.request(13, 3, { groupId, members: [{ memberId: handedOut.memberId, groupInstanceId: null }] });
    const joinAfter = await join(ca, groupId, handedOut.memberId);

    // Assess
    expect(handedOut.errorCode).toBe(79);
    expect(left.errorCode).toBe(0);
    expect(left.members).toEqual([expect.objectContaining({ memberId: handedOut.memberId, errorCode: 0 })]);
    expect(joinAfter.errorCode).toBe(25);
  });

  it('makes a group Empty and listed from its first hand-out, as Kafka creates the group then: DescribeGroups is not Dead, ListGroups shows it', async () => {
    // Prepare: a new group whose only item is the id handed out to its first member
    const groupId = uniqueName('ids');
    const [ca, cb] = [await connect(a), await connect(b)];
    const handedOut = await join(ca, groupId, '');

    // Act: asked on the other instance
    const described = await cb.request(15, 5, { groups: [groupId], includeAuthorizedOperations: false });
    const listed = await cb.request(16, 4, { statesFilter: ['Empty'] });

    // Assess: as Kafka's ClassicGroup with only a pending member: Empty, no protocol type yet, no members
    expect(handedOut.errorCode).toBe(79);
    expect(described.groups).toEqual([expect.objectContaining({ errorCode: 0, groupId, groupState: 'Empty', protocolType: '', protocolData: '', members: [] })]);
    expect(listed.groups).toContainEqual(expect.objectContaining({ groupId, groupState: 'Empty', protocolType: '' }));
  });

  it('unlists a group no member joined once its handed-out ids are gone by TTL, as Kafka cleans up an empty group; a group a member joined stays listed', async () => {
    // Prepare: two new groups' first hand-outs; a member joins the second with its id
    const [idle, joined] = [uniqueName('ids'), uniqueName('ids')];
    const ca = await connect(a);
    await join(ca, idle, '');
    const handedOut = await join(ca, joined, '');
    expect(await join(ca, joined, handedOut.memberId)).toMatchObject({ errorCode: 0 });

    // Act: DynamoDB's TTL deletion two days on (dynalite has none: done here over the real items), then ListGroups
    await deleteExpiredByTtl([idle, joined], Math.ceil(Date.now() / 1000) + 2 * 24 * 3600);
    const listed = await ca.request(16, 4, { statesFilter: [] });

    // Assess
    const ids = listed.groups.map((g: Body) => g.groupId);
    expect(ids).not.toContain(idle);
    expect(ids).toContain(joined);
  });

  it('keeps a group of handed-out ids listed while a later hand-out\'s id lives: the entry expires with the last one handed out', async () => {
    // Prepare: a hand-out with a 10 s session, then one with a 300 s session
    const groupId = uniqueName('ids');
    const ca = await connect(a);
    await join(ca, groupId, '');
    expect(await ca.request(11, 5, { ...joinBody(groupId, ''), sessionTimeoutMs: 300_000 }, 30_000)).toMatchObject({ errorCode: 79 });

    // Act: TTL deletion a day and a minute on: the first id's item is gone, the second's is not
    await deleteExpiredByTtl([groupId], Math.ceil(Date.now() / 1000) + 24 * 3600 + 60);
    const listed = await ca.request(16, 4, { statesFilter: [] });
    const described = await ca.request(15, 5, { groups: [groupId], includeAuthorizedOperations: false });

    // Assess
    expect(described.groups[0]).toMatchObject({ errorCode: 0, groupState: 'Empty' });
    expect(listed.groups.map((g: Body) => g.groupId)).toContain(groupId);
  });

  it('deletes a group of handed-out ids as Kafka deletes an Empty group: NONE, then Dead and unlisted', async () => {
    // Prepare
    const groupId = uniqueName('ids');
    const ca = await connect(a);
    await join(ca, groupId, '');

    // Act
    const deleted = await ca.request(42, 2, { groupsNames: [groupId] });
    const described = await ca.request(15, 5, { groups: [groupId], includeAuthorizedOperations: false });
    const listed = await ca.request(16, 4, { statesFilter: [] });

    // Assess
    expect(deleted.results).toEqual([expect.objectContaining({ groupId, errorCode: 0 })]);
    expect(described.groups[0]).toMatchObject({ errorCode: 0, groupState: 'Dead' });
    expect(listed.groups.map((g: Body) => g.groupId)).not.toContain(groupId);
  });

  it('JoinGroup v0-v3 gets its id on the first join, and rejoins with it', async () => {
    // Prepare
    const groupId = uniqueName('ids');
    const cb = await connect(b);

    // Act
    const first = await join(cb, groupId, '', 3);
    const rejoined = await join(cb, groupId, first.memberId, 3);

    // Assess
    expect(first).toMatchObject({ errorCode: 0, generationId: 1 });
    expect(rejoined).toMatchObject({ errorCode: 0, memberId: first.memberId });
  });

  it(`holds at most ${GATEWAY_LIMITS.maxPendingMembers} unused handed-out ids per group: past it a first join is REBALANCE_IN_PROGRESS and writes nothing`, async () => {
    // Prepare: the group's pending ids at the limit, plus an expired one; one is used (a member's now, no longer counted), another handed out
    const groupId = uniqueName('ids');
    const ca = await connect(a);
    const until = Date.now() + 60_000;
    const open = Array.from({ length: GATEWAY_LIMITS.maxPendingMembers }, (_, i) => pendingItem(groupId, `p-${i}`, until));
    await batchWriteAll(a.deps.groups.dynamo, a.deps.groups.groupsTable, [...open, pendingItem(groupId, 'p-expired', Date.now() - 1)].map((Item) => ({ PutRequest: { Item } })));
    const used = await join(ca, groupId, 'p-0');
    const last = await join(ca, groupId, '');
    const writesBefore = a.writes.length;

    // Act
    const refused = await join(ca, groupId, '');

    // Assess
    expect(used.errorCode).toBe(0);
    expect(last.errorCode).toBe(79);
    expect(refused).toMatchObject({ errorCode: 27, memberId: '' });
    expect(a.writes.length).toBe(writesBefore);
  });

  it('removes expired handed-out ids as it hands out new ones, so a client asking in a loop cannot pile them up', async () => {
    // Prepare: ten ids handed out earlier and never used, expired (TTL would take a day; a local cluster has none)
    const groupId = uniqueName('ids');
    const ca = await connect(a);
    const expired = Array.from({ length: 10 }, (_, i) => pendingItem(groupId, `gone-${i}`, Date.now() - 1));
    await batchWriteAll(a.deps.groups.dynamo, a.deps.groups.groupsTable, expired.map((Item) => ({ PutRequest: { Item } })));
    const pendingIds = async () => {
      const page = await a.deps.groups.dynamo.send(
        new QueryCommand({
          TableName: a.deps.groups.groupsTable,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':pk': groupKeys.groupPk(groupId), ':p': groupKeys.classicPendingPrefix },
          ConsistentRead: true,
        }),
      );
      return (page.Items ?? []).map((item) => String(item.memberId));
    };

    // Act: three new members ask for ids
    const handedOut = [await join(ca, groupId, ''), await join(ca, groupId, ''), await join(ca, groupId, '')];

    // Assess: each hand-out wrote one and removed two expired ones; the new ids are all there
    const left = await pendingIds();
    expect(handedOut.map((r) => r.errorCode)).toEqual([79, 79, 79]);
    expect(left).toHaveLength(10 - 3 * GATEWAY_LIMITS.pendingSweepPerHandOut + 3);
    expect(left).toEqual(expect.arrayContaining(handedOut.map((r) => r.memberId as string)));
  });
});

describe('the initial delay of a new group (group.initial.rebalance.delay.ms)', () => {
  it('is extended by the delay again while new members keep arriving, so they form one generation', async () => {
    // Prepare: a 1.5 s delay; members arrive 0.7 s and 2.2 s after the first (in the first and second windows)
    const slow = await startTestGateway({ initialRebalanceDelayMs: 1500 });
    try {
      const groupId = uniqueName('delay');
      const wires = [await KafkaWire.connect(slow.port), await KafkaWire.connect(slow.port), await KafkaWire.connect(slow.port)];
      const ids = await Promise.all(wires.map((w) => join(w, groupId, '').then((r) => r.memberId as string)));
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

      // Act
      const first = join(wires[0] as KafkaWire, groupId, ids[0] as string);
      await pause(700);
      const second = join(wires[1] as KafkaWire, groupId, ids[1] as string);
      await pause(1500);
      const third = join(wires[2] as KafkaWire, groupId, ids[2] as string);
      const answers = await Promise.all([first, second, third]);
      for (const w of wires) w.close();

      // Assess: one generation holding all three (a fixed delay ends before the third arrives)
      expect(answers.map((r) => [r.errorCode, r.generationId])).toEqual([
        [0, 1],
        [0, 1],
        [0, 1],
      ]);
      expect(answers.find((r) => r.leader === r.memberId)?.members).toHaveLength(3);
    } finally {
      await slow.close();
    }
  });
});
