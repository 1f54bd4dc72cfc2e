/**
 * Nobody can lock a consumer group by subscribing to huge topic lists. Reproduces the
 * attack that once did: subscriptions of up to 1,000 names of 249 characters stored in the
 * group item pushed it past DynamoDB's 400 KB, the group stuck in "Assigning", joins were
 * answered 500 and a healthy member got nothing for 30 minutes. Now each member and the
 * group have a byte budget, refusals are 4xx naming the limit, and the others carry on.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { GroupsAdmin, GroupsApi, type HeartbeatResponse } from '../../packages/client/src/consumer/groups-api.js';
import { FloeError } from '../../packages/protocol/src/errors.js';
import { createMember } from '../../src/groups/store.js';
import type { MemberItem } from '../../src/groups/model.js';
import { groupKeys } from '../../src/storage/keys.js';
import { useTestCluster, uniqueName } from '../helpers/cluster.js';

const env = useTestCluster();
let api: GroupsApi;
let groupsAdmin: GroupsAdmin;

beforeAll(async () => {
  api = new GroupsApi(env.http);
  groupsAdmin = new GroupsAdmin({ http: env.http });
});
/** `count` valid topic names of 249 characters (the longest Kafka allows). */
const longNames = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i}-`.padEnd(249, 'z'));
const join = (group: string, topics: string[]) => api.heartbeat(group, { memberEpoch: 0, subscribedTopics: topics, sessionTimeoutMs: 30_000, heartbeatIntervalMs: 1000 });
const beat = (group: string, m: HeartbeatResponse) =>
  api.heartbeat(group, { memberId: m.memberId, memberEpoch: m.memberEpoch, ownedPartitions: m.assignment.map(({ topic, partition }) => ({ topic, partition })) });
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => (e instanceof FloeError ? { code: e.code, status: e.status, message: e.message } : e));

async function groupItemBytes(group: string): Promise<number> {
  const deps = env.cluster.deps!;
  const { Item } = await deps.dynamo.send(new GetCommand({ TableName: deps.groupsTable, Key: groupKeys.group(group) }));
  return Buffer.byteLength(JSON.stringify(Item ?? {}));
}

describe('group limits', () => {
  it('refuse oversized subscriptions with a 4xx naming the limit, while the members already there keep consuming', async () => {
    // Prepare: a healthy member consuming a real topic
    const topic = uniqueName('gl');
    const group = uniqueName('gl-g');
    await env.admin.createTopic(topic, 2);
    let healthy = await join(group, [topic]);
    healthy = await beat(group, healthy);

    // Act: the attacks
    const huge = await failure(join(group, longNames('a', 1000))); // 249 KB of names
    const fits: unknown[] = [];
    for (let i = 0; i < 4; i++) fits.push(await failure(join(group, longNames(`m${i}`, 120)))); // 30 KB each: the group fills up
    const afterAttack = await beat(group, healthy);
    const newcomer = await join(group, [topic]);
    const described = await groupsAdmin.describeGroup(group);

    // Assess
    expect(huge).toMatchObject({ code: 'INVALID_REQUEST', status: 400, message: expect.stringContaining('maxSubscriptionBytes') });
    expect(fits.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(fits[3]).toMatchObject({ code: 'GROUP_MAX_SIZE_REACHED', status: 409, message: expect.stringContaining('maxAssignmentBytes') });
    expect(afterAttack.assignment.length + newcomer.assignment.length + newcomer.pending).toBeGreaterThan(0);
    expect(described.members).toHaveLength(5); // healthy, three that fit, the newcomer: the refused ones left nothing behind
    expect(await groupItemBytes(group)).toBeLessThan(200 * 1024);
  });

  it('tell a member that raced past the check to leave, and the others never notice', async () => {
    // Prepare: a healthy member, then a member item written as a racing join would leave it (no check)
    const topic = uniqueName('gl');
    const group = uniqueName('gl-g');
    await env.admin.createTopic(topic, 2);
    let healthy = await join(group, [topic]);
    healthy = await beat(group, healthy);
    const fillers = [await join(group, longNames('f', 120)), await join(group, longNames('g', 120)), await join(group, longNames('h', 120))];
    const now = Date.now();
    const raced = {
      memberId: uniqueName('raced'),
      clientId: '',
      topics: longNames('r', 130), // 32 KB: within one member's limit, past the group's with the others
      subscribedAt: now + 1,
      assignors: ['sticky'],
      memberEpoch: 1,
      prevEpoch: 1,
      version: 1,
      owned: {},
      claiming: [],
      sessionTimeoutMs: 30_000,
      rebalanceTimeoutMs: 300_000,
      heartbeatIntervalMs: 1000,
      expiresAt: now + 30_000,
      ttl: 0,
      joinedAt: now,
      heartbeatAt: now,
    } satisfies MemberItem;
    await createMember(env.cluster.deps!, group, raced);

    // Act
    const healthyAfter = await beat(group, healthy);
    const racedAnswer = await failure(api.heartbeat(group, { memberId: raced.memberId, memberEpoch: 1 }));
    const described = await groupsAdmin.describeGroup(group);

    // Assess
    expect(healthyAfter.assignment.map((p) => p.partition).sort()).toEqual([0, 1]);
    expect(racedAnswer).toMatchObject({ code: 'GROUP_MAX_SIZE_REACHED', status: 409 });
    expect(described.members.map((m) => m.memberId)).not.toContain(raced.memberId);
    expect(described.members.map((m) => m.memberId).sort()).toEqual([healthy.memberId, ...fillers.map((f) => f.memberId)].sort());
    expect(described.state).not.toBe('Assigning');
  });
});
