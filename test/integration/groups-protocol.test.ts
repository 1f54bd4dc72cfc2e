/**
 * The groups protocol over HTTP against the local cluster (dynalite), with the
 * handlers' clock under the test's control so that sessions expire on demand.
 * Members here are scripted: `Member` is an honest client that stops consuming
 * a partition as soon as an answer no longer lists it and reports that at its
 * next heartbeat.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { GroupsApi, type HeartbeatResponse } from '../../packages/client/src/consumer/groups-api.js';
import type { FloeError } from '../../packages/protocol/src/errors.js';
import type { HandlerDeps } from '../../src/handlers/deps.js';
import { useTestCluster, uniqueName } from '../helpers/cluster.js';
import { readClaims } from '../fixtures/consumer-claims.js';
import { keysByPartition, produceKeyed } from '../fixtures/consumer-data.js';
import { sleep } from '../../packages/protocol/src/async.js';
import { deleteGroup } from '../../src/groups/delete.js';

const SESSION_MS = 10_000;
let clock = Date.now();
const env = useTestCluster({
  customizeDeps: (deps: HandlerDeps) => {
    deps.now = () => clock;
    const send = deps.dynamo.send.bind(deps.dynamo) as (command: unknown) => Promise<unknown>;
    (deps.dynamo as { send: unknown }).send = (command: { input: Record<string, unknown>; constructor: { name: string } }) => {
      if (failNext?.(command)) {
        failNext = undefined;
        return Promise.reject(new Error('injected crash'));
      }
      return send(command);
    };
  },
});

let api: GroupsApi;
/** When set, the next DynamoDB command it matches fails as if the handler died there. */
let failNext: ((command: { input: Record<string, unknown>; constructor: { name: string } }) => boolean) | undefined;

beforeAll(async () => {
  api = new GroupsApi(env.http);
});

const key = (p: { topic: string; partition: number }) => `${p.topic}:${p.partition}`;

class Member {
  id: string | undefined;
  epoch = 0;
  /** partitions this client consumes: what the last answer listed */
  consuming = new Map<string, { topic: string; partition: number; epoch: number }>();
  last: HeartbeatResponse | undefined;
  /** the client's lease: the handlers' clock when its last successful heartbeat was sent, plus the session */
  leaseUntil = 0;

  constructor(
    readonly group: string,
    readonly topics: string[],
    readonly extra: { instanceId?: string; assignors?: Array<'sticky' | 'range' | 'roundrobin'> } = {},
  ) {}

  async join(): Promise<HeartbeatResponse> {
    const sentAt = clock;
    return this.apply(sentAt,
      await api.heartbeat(this.group, { memberEpoch: 0, subscribedTopics: this.topics, sessionTimeoutMs: SESSION_MS, heartbeatIntervalMs: 1000, ...this.extra }),
    );
  }

  async beat(changes: { subscribedTopics?: string[] } = {}): Promise<HeartbeatResponse> {
    const owned = [...this.consuming.values()].map(({ topic, partition }) => ({ topic, partition }));
    const sentAt = clock;
    return this.apply(sentAt, await api.heartbeat(this.group, { memberId: this.id, memberEpoch: this.epoch, ownedPartitions: owned, ...changes }));
  }

  leave(epoch = -1): Promise<HeartbeatResponse> {
    return api.heartbeat(this.group, { memberId: this.id, memberEpoch: epoch, instanceId: this.extra.instanceId });
  }

  private apply(sentAt: number, response: HeartbeatResponse): HeartbeatResponse {
    this.leaseUntil = sentAt + SESSION_MS;
    this.id = response.memberId;
    this.epoch = response.memberEpoch;
    this.last = response;
    this.consuming = new Map(response.assignment.map((a) => [key(a), a]));
    return response;
  }

  partitions(): number[] {
    return [...this.consuming.values()].map((a) => a.partition).sort((a, b) => a - b);
  }

  commit(partition: number, offset: number, topic = this.topics[0] as string, epoch?: number) {
    const claim = this.consuming.get(`${topic}:${partition}`);
    return api.commit(this.group, { memberId: this.id, memberEpoch: this.epoch, partitions: [{ topic, partition, offset, epoch: epoch ?? claim?.epoch }] });
  }
}

const failure = (promise: Promise<unknown>): Promise<{ code: string; status: number } | 'ok'> =>
  promise.then(
    () => 'ok' as const,
    (error: FloeError) => ({ code: error.code, status: error.status }),
  );

/** Two members never consume the same partition at the same time (a client whose lease ran out has stopped consuming). */
function expectExclusive(members: Member[]): void {
  const all = members.filter((m) => m.leaseUntil > clock).flatMap((m) => [...m.consuming.keys()]);
  expect(all.length, `duplicated: ${all.join(' ')}`).toBe(new Set(all).size);
}

async function setup(partitions: number) {
  const topic = uniqueName('t');
  const group = uniqueName('g');
  await env.admin.createTopic(topic, partitions);
  return { topic, group };
}

/** Offset items as stored: the claim owner of every partition. */
async function claims(group: string): Promise<Map<string, string | undefined>> {
  return new Map([...(await readClaims(env.cluster, group))].map(([k, c]) => [k, c.owner]));
}

describe('membership and cooperative rebalancing', () => {
  it('a joining member gets a partition only after its owner revoked it, and the owner keeps the rest meanwhile', async () => {
    // Prepare
    const { topic, group } = await setup(6);
    const a = new Member(group, [topic]);
    await a.join();
    const b = new Member(group, [topic]);

    // Act
    const bJoined = await b.join();
    const aTold = await a.beat(); // learns the new target: the answer omits what it must give up, and it stops consuming those
    const bBeforeRelease = await b.beat();
    const aReleased = await a.beat(); // reports it no longer holds them: released
    const bAfterRelease = await b.beat();

    // Assess
    expect(bJoined.assignment).toEqual([]);
    expect(bJoined.pending).toBe(3);
    expect(aTold.assignment).toHaveLength(3);
    expect(bBeforeRelease.assignment).toEqual([]); // the claims are still a's until it reports the revocation
    expect(aReleased.assignment.map((p) => p.partition)).toEqual(aTold.assignment.map((p) => p.partition));
    expect(bAfterRelease.assignment).toHaveLength(3);
    expect([...a.partitions(), ...b.partitions()].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expectExclusive([a, b]);
    const owners = await claims(group);
    for (const [k, owner] of owners) expect(owner).toBe(a.consuming.has(k) ? a.id : b.id);
    expect((await api.describe(group)).state).toBe('Stable');
  });

  it('an expired member: its partitions go to the others, its heartbeats and commits are refused with UNKNOWN_MEMBER_ID', async () => {
    // Prepare
    const { topic, group } = await setup(4);
    const a = new Member(group, [topic]);
    const b = new Member(group, [topic]);
    await a.join();
    await b.join();
    await a.beat();
    await b.beat();
    expect(a.partitions()).toHaveLength(2);
    const lost = a.partitions();

    // Act: b keeps heartbeating, a falls silent past its session
    clock += SESSION_MS / 2;
    await b.beat();
    clock += SESSION_MS / 2 + 500;
    const taken = await b.beat();
    const heartbeat = await failure(a.beat());
    const commit = await failure(a.commit(lost[0] as number, 5));

    // Assess
    expect(taken.assignment.map((p) => p.partition)).toEqual([0, 1, 2, 3]);
    expect(heartbeat).toEqual({ code: 'UNKNOWN_MEMBER_ID', status: 409 });
    expect(commit).toEqual({ code: 'UNKNOWN_MEMBER_ID', status: 409 });
    const offsets = await api.fetchOffsets(group, lost.map((partition) => ({ topic, partition })));
    expect(offsets.map((o) => o.offset)).toEqual([-1, -1]);
  });

  it('a member that revoked a partition cannot commit it once another member claimed it (FENCED_MEMBER_EPOCH); an old claim epoch is STALE_MEMBER_EPOCH', async () => {
    // Prepare
    const { topic, group } = await setup(2);
    const a = new Member(group, [topic]);
    await a.join();
    const claimsOfA = new Map([...a.consuming.values()].map((c) => [c.partition, c.epoch]));
    const b = new Member(group, [topic]);
    await b.join();
    await a.beat(); // told to give one partition up
    await a.beat(); // and released it
    await b.beat(); // b claimed it
    const moved = b.partitions()[0] as number;
    const kept = a.partitions()[0] as number;
    expect((await b.commit(moved, 20))[0]?.errorCode).toBe('NONE');

    // Act: a (still live) commits the partition it gave away, and one it holds but under an older claim epoch
    const late = await a.commit(moved, 15, topic, claimsOfA.get(moved));
    const stale = await a.commit(kept, 7, topic, (claimsOfA.get(kept) as number) - 1);

    // Assess
    expect(late[0]?.errorCode).toBe('FENCED_MEMBER_EPOCH');
    expect(stale[0]?.errorCode).toBe('STALE_MEMBER_EPOCH');
    const offsets = await api.fetchOffsets(group, [{ topic, partition: moved }, { topic, partition: kept }]);
    expect(offsets.map((o) => o.offset)).toEqual([20, -1]);
  });

  it('a static member restarting within its session keeps its partitions and nobody else moves; the old incarnation is fenced', async () => {
    // Prepare
    const { topic, group } = await setup(4);
    const a = new Member(group, [topic], { instanceId: 'worker-1' });
    const b = new Member(group, [topic], { instanceId: 'worker-2' });
    await a.join();
    await b.join();
    await a.beat(); // told to give two up
    await a.beat(); // released them
    await b.beat();
    expect(b.partitions()).toHaveLength(2);
    const epochBefore = (await api.describe(group)).groupEpoch;
    const aPartitions = a.partitions();
    const bPartitions = b.partitions();

    // Act: a leaves temporarily (-2), its next incarnation joins; then a crash-restart without any leave
    await a.leave(-2);
    const restarted = new Member(group, [topic], { instanceId: 'worker-1' });
    const again = await restarted.join();
    const afterCrash = new Member(group, [topic], { instanceId: 'worker-1' });
    const crashed = await afterCrash.join();
    const stillB = await b.beat();
    const oldIncarnation = await failure(restarted.beat());

    // Assess
    expect(again.assignment.map((p) => p.partition)).toEqual(aPartitions);
    expect(crashed.assignment.map((p) => p.partition)).toEqual(aPartitions);
    expect(stillB.assignment.map((p) => p.partition)).toEqual(bPartitions);
    expect((await api.describe(group)).groupEpoch).toBe(epochBefore);
    expect(oldIncarnation).toEqual({ code: 'FENCED_INSTANCE_ID', status: 409 });
  });

  it('leaving, changing the subscription and adding partitions each lead to a new target', async () => {
    // Prepare
    const { topic, group } = await setup(2);
    const other = (await setup(2)).topic;
    const a = new Member(group, [topic]);
    const b = new Member(group, [topic]);
    await a.join();
    await b.join();
    await a.beat();
    await b.beat();

    // Act
    await b.leave();
    const alone = await a.beat();
    const both = await a.beat({ subscribedTopics: [topic, other] });
    await env.admin.createPartitions(topic, 3);
    env.cluster.deps!.topics.invalidate(topic);
    const grown = await a.beat();

    // Assess
    expect(alone.assignment.map(key)).toEqual([`${topic}:0`, `${topic}:1`]);
    expect(both.assignment.map(key).sort()).toEqual([`${other}:0`, `${other}:1`, `${topic}:0`, `${topic}:1`].sort());
    expect(grown.assignment.map(key)).toContain(`${topic}:2`);
    expect((await api.describe(group)).members).toHaveLength(1);
  });

  it('members joining, heartbeating, leaving and expiring concurrently never consume one partition twice, and end with one owner per partition', async () => {
    // Prepare
    const { topic, group } = await setup(12);
    let members: Member[] = [];
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

    // Act: rounds of concurrent heartbeats with joins, leaves and silent members mixed in
    for (let round = 0; round < 12; round++) {
      if (members.length < 6) members.push(new Member(group, [topic]));
      const silent = new Set(members.filter(() => random() < 0.15));
      const leaving = members.find((m) => m.id && !silent.has(m) && random() < 0.15);
      await Promise.all(
        members.map(async (m) => {
          if (silent.has(m)) return;
          if (m === leaving) {
            await m.leave();
            m.consuming.clear();
            return;
          }
          await (m.id ? m.beat() : m.join()).catch((error: FloeError) => {
            if (error.code !== 'UNKNOWN_MEMBER_ID') throw error;
            m.consuming.clear(); // expired: it rejoins next round
            m.id = undefined;
          });
        }),
      );
      members = members.filter((m) => m !== leaving);
      expectExclusive(members);
      clock += random() < 0.3 ? SESSION_MS / 2 + 1 : 200;
    }
    for (let i = 0; i < 4; i++) await Promise.all(members.map((m) => (m.id ? m.beat() : m.join())));

    // Assess
    expectExclusive(members);
    const all = members.flatMap((m) => m.partitions());
    expect(all.sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, p) => p));
    const owners = await claims(group);
    for (const m of members) for (const k of m.consuming.keys()) expect(owners.get(k)).toBe(m.id);
    expect((await api.describe(group)).state).toBe('Stable');
  });

  it('a retried join (same joinId) finds the member its first attempt made instead of adding a ghost member', async () => {
    // Prepare
    const { topic, group } = await setup(2);
    const join = { memberEpoch: 0, joinId: 'join-1', subscribedTopics: [topic], sessionTimeoutMs: SESSION_MS, heartbeatIntervalMs: 1000 };
    const first = await api.heartbeat(group, join);

    // Act: the client never saw the first answer and sends the join again
    const retry = await api.heartbeat(group, join);
    const fresh = await api.heartbeat(group, { ...join, joinId: 'join-2' });

    // Assess
    expect(retry.memberId).toBe(first.memberId);
    expect(retry.assignment.map((p) => p.partition)).toEqual([0, 1]);
    expect(fresh.memberId).not.toBe(first.memberId);
    expect((await api.describe(group)).members).toHaveLength(2);
  });

  it('a heartbeat that dies between its claims and its last write leaves no orphan claim: the retry adopts it', async () => {
    // Prepare: b waits for a partition that a is releasing
    const { topic, group } = await setup(2);
    const a = new Member(group, [topic]);
    const b = new Member(group, [topic]);
    await a.join();
    await b.join();
    await a.beat();
    await a.beat();

    // Act: b's heartbeat claims the partition, then dies before writing down that it holds it; b retries
    failNext = (command) => command.constructor.name === 'UpdateCommand' && String(command.input.UpdateExpression).includes('#owned');
    const crashed = await failure(b.beat());
    const ownersAfterCrash = await claims(group);
    const retried = await b.beat();

    // Assess
    expect(crashed).toMatchObject({ status: 500 });
    expect([...ownersAfterCrash.values()].filter((o) => o === b.id)).toHaveLength(1);
    expect(retried.assignment).toHaveLength(1);
    const [k] = [...b.consuming.keys()];
    expect((await claims(group)).get(k as string)).toBe(b.id);
    const described = await api.describe(group);
    expect(described.members.find((m) => m.memberId === b.id)?.assignment.map(key)).toEqual([k]);
    expect(described.state).toBe('Stable');
  });
});

describe('bad input is refused with a Kafka-style code and changes nothing', () => {
  it.each([
    ['an invalid group id', (g: string) => api.heartbeat(`${g}/x y`, { memberEpoch: 0 }), 'INVALID_GROUP_ID', 400],
    ['a session timeout below the minimum', (g: string) => api.heartbeat(g, { memberEpoch: 0, sessionTimeoutMs: 10 }), 'INVALID_SESSION_TIMEOUT', 400],
    ['a heartbeat interval over a third of the session', (g: string) => api.heartbeat(g, { memberEpoch: 0, sessionTimeoutMs: 3000, heartbeatIntervalMs: 2000 }), 'INVALID_REQUEST', 400],
    ['an unknown assignor', (g: string) => api.heartbeat(g, { memberEpoch: 0, assignors: ['fancy' as 'range'] }), 'INVALID_REQUEST', 400],
    ['a bad topic name', (g: string) => api.heartbeat(g, { memberEpoch: 0, subscribedTopics: ['no spaces'] }), 'INVALID_TOPIC_EXCEPTION', 400],
    ['a join without subscribedTopics (the member would never be assigned anything)', (g: string) => api.heartbeat(g, { memberEpoch: 0 }), 'INVALID_REQUEST', 400],
    ['a heartbeat of an unknown member', (g: string) => api.heartbeat(g, { memberId: 'nobody', memberEpoch: 3 }), 'UNKNOWN_MEMBER_ID', 409],
  ])('heartbeat with %s', async (_what, call, code, status) => {
    // Prepare
    const { topic, group } = await setup(2);
    const a = new Member(group, [topic]);
    await a.join();
    const before = await api.describe(group);

    // Act
    const outcome = await failure(call(group));

    // Assess
    expect(outcome).toEqual({ code, status });
    const after = await api.describe(group);
    expect(after.members.map((m) => [m.memberId, m.memberEpoch, m.assignment])).toEqual(before.members.map((m) => [m.memberId, m.memberEpoch, m.assignment]));
    expect(after.groupEpoch).toBe(before.groupEpoch);
  });

  it('a reset naming no partition, or a partition twice, is INVALID_REQUEST and creates no group', async () => {
    // Prepare
    const { topic, group } = await setup(2);

    // Act
    const empty = await failure(api.resetOffsets(group, topic, { offset: 0 }, { partitions: [] }));
    const twice = await failure(api.resetOffsets(group, topic, { offset: 0 }, { partitions: [1, 1] }));

    // Assess
    expect(empty).toEqual({ code: 'INVALID_REQUEST', status: 400 });
    expect(twice).toEqual({ code: 'INVALID_REQUEST', status: 400 });
    expect(await failure(api.describe(group))).toEqual({ code: 'GROUP_ID_NOT_FOUND', status: 404 });
    expect((await api.list()).map((g) => g.groupId)).not.toContain(group);
  });

  it('a reset or an offset delete with a field it does not take (misspelt dryRun or partitions) is INVALID_REQUEST and changes no offset', async () => {
    // Prepare: committed offsets 1 and 1 on two partitions of a group without members
    const { topic, group } = await setup(2);
    await api.commit(group, { partitions: [{ topic, partition: 0, offset: 1 }, { topic, partition: 1, offset: 1 }] });
    const post = async (suffix: string, json: unknown) => {
      const response = await env.http.call('groups', 'POST', `/v1/groups/${group}${suffix}`, { json, allowErrorStatus: true });
      return { status: response.status, code: (JSON.parse(response.body.toString('utf8')) as { error?: { code: string } }).error?.code };
    };

    // Act
    const dryrun = await post('/offsets/reset', { topic, to: 'earliest', dryrun: true });
    const partition = await post('/offsets/reset', { topic, to: 'offset', offset: 0, partition: [1] });
    const deleted = await post('/offsets/delete', { topics: [{ topic, partition: [1] }] });

    // Assess
    expect([dryrun, partition, deleted]).toEqual(Array(3).fill({ status: 400, code: 'INVALID_REQUEST' }));
    expect((await api.fetchOffsets(group, [{ topic, partition: 0 }, { topic, partition: 1 }])).map((o) => o.offset)).toEqual([1, 1]);
  });

  it('a heartbeat with a fenced epoch, a commit naming an unknown partition or a negative offset: refused, nothing written', async () => {
    // Prepare
    const { topic, group } = await setup(2);
    const a = new Member(group, [topic]);
    await a.join();

    // Act
    const fenced = await failure(api.heartbeat(group, { memberId: a.id, memberEpoch: a.epoch + 5 }));
    const unknown = await failure(api.commit(group, { memberId: a.id, partitions: [{ topic, partition: 0, offset: 1 }, { topic, partition: 9, offset: 1 }] }));
    const negative = await failure(api.commit(group, { memberId: a.id, partitions: [{ topic, partition: 0, offset: -1 }] }));
    const raw = await env.http.call('groups', 'POST', `/v1/groups/${group}/offsets/commit`, { body: Buffer.from('{not json'), contentType: 'application/json', allowErrorStatus: true });

    // Assess
    expect(fenced).toEqual({ code: 'FENCED_MEMBER_EPOCH', status: 409 });
    expect(unknown).toEqual({ code: 'UNKNOWN_TOPIC_OR_PARTITION', status: 404 });
    expect(negative).toEqual({ code: 'INVALID_REQUEST', status: 400 });
    expect(raw.status).toBe(400);
    expect((await api.fetchOffsets(group, [{ topic, partition: 0 }]))[0]?.offset).toBe(-1);
    expect((await a.beat()).assignment).toHaveLength(2); // the member is unharmed
  });

  it('a member that accepts only an assignor the group does not use gets INCONSISTENT_GROUP_PROTOCOL', async () => {
    // Prepare
    const { topic, group } = await setup(2);
    await new Member(group, [topic], { assignors: ['range'] }).join();

    // Act
    const outcome = await failure(new Member(group, [topic], { assignors: ['roundrobin'] }).join());

    // Assess
    expect(outcome).toEqual({ code: 'INCONSISTENT_GROUP_PROTOCOL', status: 409 });
    expect((await api.describe(group)).members).toHaveLength(1);
  });
});

describe('offsets: standalone commits, reset, describe and list', () => {
  it('commits without a member id are accepted only while the group has no live member', async () => {
    // Prepare
    const { topic, group } = await setup(2);

    // Act
    const empty = await api.commit(group, { partitions: [{ topic, partition: 0, offset: 4 }] });
    const a = new Member(group, [topic]);
    await a.join();
    const busy = await failure(api.commit(group, { partitions: [{ topic, partition: 0, offset: 1 }] }));

    // Assess
    expect(empty[0]?.errorCode).toBe('NONE');
    expect(busy).toEqual({ code: 'UNKNOWN_MEMBER_ID', status: 409 });
    expect((await api.fetchOffsets(group, [{ topic, partition: 0 }]))[0]?.offset).toBe(4);
  });

  it('a topic deleted and created again has no committed offsets from before, as in Kafka; commits made since count', async () => {
    // Prepare: a group committed 3 on the first topic of the name
    const { topic, group } = await setup(1);
    await api.commit(group, { partitions: [{ topic, partition: 0, offset: 3 }] });
    clock += 1000;

    // Act
    await env.admin.deleteTopic(topic);
    const whileGone = await api.fetchOffsets(group);
    clock += 1000;
    await env.admin.createTopic(topic, 1);
    const fetched = (await api.fetchOffsets(group, [{ topic, partition: 0 }]))[0]?.offset;
    const described = (await api.describe(group)).partitions;
    clock += 1000;
    await api.commit(group, { partitions: [{ topic, partition: 0, offset: 1 }] });
    const recommitted = await api.fetchOffsets(group);

    // Assess
    expect(whileGone).toEqual([]);
    expect(fetched).toBe(-1);
    expect(described.map((p) => p.committedOffset ?? null)).toEqual([]);
    expect(recommitted.map((o) => [o.topic, o.partition, o.offset])).toEqual([[topic, 0, 1]]);
  });

  it('reset-offsets is refused while a member is live, then resets to earliest, latest, a time and a clamped offset; a dry run writes nothing', async () => {
    // Prepare
    const { topic, group } = await setup(1);
    await produceKeyed(env.http, topic, [{ key: 'a', value: '0' }, { key: 'a', value: '1' }]);
    // Timestamps come from the records (CreateTime = now of the producing process): wait a tick of real time.
    await sleep(5);
    const cut = Date.now();
    await produceKeyed(env.http, topic, [{ key: 'a', value: '2' }, { key: 'a', value: '3' }, { key: 'a', value: '4' }]);
    const a = new Member(group, [topic]);
    await a.join();
    await a.commit(0, 1);

    // Act
    const refused = await failure(api.resetOffsets(group, topic, 'earliest'));
    const unsupported = await api.resetOffsets(group, topic, { shiftBy: -1 } as never).then(
      () => 'accepted',
      (e: FloeError) => `${e.code}: ${e.message}`,
    );
    const afterRefusal = (await api.fetchOffsets(group, [{ topic, partition: 0 }]))[0]?.offset;
    await a.leave();
    const latest = await api.resetOffsets(group, topic, 'latest');
    const dry = await api.resetOffsets(group, topic, 'earliest', { dryRun: true });
    const afterDry = (await api.fetchOffsets(group, [{ topic, partition: 0 }]))[0]?.offset;
    const earliest = await api.resetOffsets(group, topic, 'earliest');
    const atTime = await api.resetOffsets(group, topic, { datetime: new Date(cut) });
    const clamped = await api.resetOffsets(group, topic, { offset: 99 });
    const exact = await api.resetOffsets(group, topic, { offset: 3 });

    // Assess
    expect(refused).toEqual({ code: 'NON_EMPTY_GROUP', status: 409 });
    expect(unsupported).toBe(`INVALID_REQUEST: resetOffsets takes 'earliest', 'latest', { offset } or { datetime }, got {"shiftBy":-1}`);
    expect(afterRefusal).toBe(1);
    expect(latest[0]).toMatchObject({ previousOffset: 1, newOffset: 5 });
    expect(dry[0]).toMatchObject({ newOffset: 0 });
    expect(afterDry).toBe(5);
    expect(earliest[0]?.newOffset).toBe(0);
    expect(atTime[0]?.newOffset).toBe(2);
    expect(clamped[0]?.newOffset).toBe(5);
    expect(exact[0]?.newOffset).toBe(3);
    expect((await api.fetchOffsets(group, [{ topic, partition: 0 }]))[0]?.offset).toBe(3);
  });

  it('delete is refused while a member is live and changes nothing; then removes the group and its offsets, and a group of that name starts afresh', async () => {
    // Prepare
    const { topic, group } = await setup(2);
    const a = new Member(group, [topic]);
    await a.join();
    await a.commit(0, 2);

    // Act
    const refused = await failure(api.delete(group));
    const afterRefusal = await api.fetchOffsets(group);
    await a.leave();
    await api.delete(group);
    const listed = (await api.list()).map((g) => g.groupId);
    const described = await failure(api.describe(group));
    const again = await failure(api.delete(group));
    const unknown = await failure(api.delete(uniqueName('none')));
    const b = new Member(group, [topic]);
    const rejoined = await b.join();
    const offsetsAfter = await api.fetchOffsets(group);

    // Assess
    expect(refused).toEqual({ code: 'NON_EMPTY_GROUP', status: 409 });
    expect(afterRefusal.map((o) => [o.partition, o.offset])).toEqual([[0, 2]]);
    expect(listed).not.toContain(group);
    expect(described).toEqual({ code: 'GROUP_ID_NOT_FOUND', status: 404 });
    expect(again).toEqual({ code: 'GROUP_ID_NOT_FOUND', status: 404 });
    expect(unknown).toEqual({ code: 'GROUP_ID_NOT_FOUND', status: 404 });
    expect(rejoined.assignment).toHaveLength(2);
    expect(offsetsAfter).toEqual([]);
  });

  it('a member joining while its group is deleted, after the group item went, keeps its membership and claims, and the group stays listed', async () => {
    // Prepare: an empty group with a committed offset; the delete pauses after the group item's delete
    const { topic, group } = await setup(1);
    await api.commit(group, { partitions: [{ topic, partition: 0, offset: 3 }] });
    const deps = env.cluster.deps!;
    const send = deps.dynamo.send.bind(deps.dynamo) as (command: unknown) => Promise<unknown>;
    const b = new Member(group, [topic]);
    let joined: HeartbeatResponse | undefined;
    const pausing = {
      send: async (command: { constructor: { name: string }; input: { Key?: { sk?: string } } }) => {
        const result = await send(command);
        if (command.constructor.name === 'DeleteCommand' && command.input.Key?.sk === 'group' && !joined) joined = await b.join();
        return result;
      },
    };

    // Act
    await deleteGroup({ ...deps, dynamo: pausing as unknown as typeof deps.dynamo }, group);
    const listed = (await api.list()).map((g) => g.groupId);
    const described = await api.describe(group);
    const claims = await readClaims(env.cluster, group);

    // Assess
    expect(joined?.assignment).toHaveLength(1);
    expect(listed).toContain(group);
    expect(described.members.map((m) => m.memberId)).toEqual([b.id]);
    expect([...claims].map(([k, c]) => [k, c.owner])).toEqual([[`${topic}:0`, b.id]]);
  });

  it('delete-offsets removes the offsets of topics no live member consumes; those of a subscribed topic stay (GROUP_SUBSCRIBED_TO_TOPIC)', async () => {
    // Prepare: offsets on two topics; then a member joins that subscribes to the first only
    const { topic, group } = await setup(2);
    const other = uniqueName('other');
    await env.admin.createTopic(other, 2);
    await api.commit(group, { partitions: [{ topic, partition: 0, offset: 1 }, { topic: other, partition: 0, offset: 2 }, { topic: other, partition: 1, offset: 3 }] });
    const a = new Member(group, [topic]);
    await a.join();

    // Act
    const subscribed = await api.deleteOffsets(group, [{ topic }]);
    const partly = await api.deleteOffsets(group, [{ topic: other, partitions: [1] }]);
    const left = await api.fetchOffsets(group);
    const unknownGroup = await failure(api.deleteOffsets(uniqueName('none'), [{ topic }]));
    const unknownPartition = await failure(api.deleteOffsets(group, [{ topic: other, partitions: [7] }]));
    const twice = await failure(api.deleteOffsets(group, [{ topic: other, partitions: [0] }, { topic: other, partitions: [0] }]));

    // Assess
    expect(subscribed.map((r) => [r.partition, r.errorCode])).toEqual([[0, 'GROUP_SUBSCRIBED_TO_TOPIC'], [1, 'GROUP_SUBSCRIBED_TO_TOPIC']]);
    expect(partly.map((r) => [r.topic, r.partition, r.errorCode])).toEqual([[other, 1, 'NONE']]);
    expect(left.map((o) => [o.topic, o.partition, o.offset]).sort()).toEqual([[other, 0, 2], [topic, 0, 1]].sort());
    expect(unknownGroup).toEqual({ code: 'GROUP_ID_NOT_FOUND', status: 404 });
    expect(unknownPartition).toEqual({ code: 'UNKNOWN_TOPIC_OR_PARTITION', status: 404 });
    expect(twice).toEqual({ code: 'INVALID_REQUEST', status: 400 });
  });

  it('describe shows state, epoch, members with their partitions, committed and end offsets and lag; list shows the group; unknown groups are GROUP_ID_NOT_FOUND', async () => {
    // Prepare
    const { topic, group } = await setup(2);
    const [zero, one] = keysByPartition(2, 3) as [string[], string[]];
    await produceKeyed(env.http, topic, [...zero, ...one.slice(0, 2)].map((k) => ({ key: k, value: k })));
    const a = new Member(group, [topic]);
    await a.join();
    await a.commit(0, 1);

    // Act
    const described = await api.describe(group);
    const listed = await api.list();
    const missing = await failure(api.describe(uniqueName('none')));

    // Assess
    const ends = [3, 2];
    expect(described).toMatchObject({ groupId: group, state: 'Stable', assignor: 'sticky' });
    expect(described.groupEpoch).toBeGreaterThan(0);
    expect(described.members).toHaveLength(1);
    expect(described.members[0]?.assignment).toEqual([{ topic, partition: 0 }, { topic, partition: 1 }]);
    expect(described.partitions.map((p) => [p.partition, p.committedOffset, p.logEndOffset, p.lag, p.owner])).toEqual([
      [0, 1, ends[0], (ends[0] as number) - 1, a.id],
      [1, null, ends[1], null, a.id],
    ]);
    expect(listed.find((g) => g.groupId === group)).toEqual({ groupId: group, state: 'Stable', members: 1 });
    expect(missing).toEqual({ code: 'GROUP_ID_NOT_FOUND', status: 404 });
  });
});
