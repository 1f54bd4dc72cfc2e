/**
 * The join barrier's decisions: wait for every live known member up to the rebalance deadline
 * (not a short timeout), complete as soon as all rejoined, hold an empty group for the initial
 * delay - extended by a delay again while new members keep arriving, up to the deadline, as Kafka's
 * InitialDelayedJoin -, leave out and remove late members at the deadline, ignore dead ones, keep
 * the leader, and pick the protocol every member supports.
 */
import { describe, expect, it } from 'vitest';
import { chooseProtocol, decideJoin, joinNotBeforeOf } from '../../../src/gateway/groups/barrier.js';
import type { ClassicGroupItem, ClassicMemberItem, GroupView } from '../../../src/gateway/groups/model.js';

const NOW = 1_000_000;

function member(id: string, joinGeneration: number, overrides: Partial<ClassicMemberItem> = {}): ClassicMemberItem {
  return {
    memberId: id,
    clientId: id,
    clientHost: '/127.0.0.1',
    protocolType: 'consumer',
    protocols: [{ name: 'range' }, { name: 'roundrobin' }],
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 300_000,
    joinGeneration,
    expiresAt: NOW + 5000,
    joinedAt: NOW - 1000,
    ...overrides,
  };
}

function view(group: Partial<ClassicGroupItem>, members: ClassicMemberItem[]): GroupView {
  return {
    groupId: 'g',
    group: {
      groupId: 'g',
      protocolType: 'consumer',
      generation: 4,
      state: 'PreparingRebalance',
      protocol: 'range',
      leader: 'a',
      members: ['a', 'b'],
      assignments: {},
      instances: {},
      rebalanceDeadline: NOW + 250_000,
      joinNotBefore: 0,
      version: 9,
      createdAt: 0,
      updatedAt: NOW - 50_000,
      ...group,
    },
    members: new Map(members.map((m) => [m.memberId, m])),
    pending: new Map(),
    floeLiveMembers: 0,
    floeGroup: false,
    readAt: NOW,
  };
}

describe('decideJoin', () => {
  it('waits for a known live member that has not rejoined, long after any short timeout', () => {
    // Prepare: generation 4 -> 5 pending; b rejoined 50 s ago, a has not yet
    const state = view({}, [member('a', 4), member('b', 5)]);

    // Act
    const decision = decideJoin(state, NOW);

    // Assess
    expect(decision).toEqual({ kind: 'wait' });
  });

  it('completes as soon as every live member rejoined, keeping the previous leader', () => {
    // Prepare
    const state = view({}, [member('b', 5, { joinedAt: NOW - 5000 }), member('a', 5), member('c', 5, { joinedAt: NOW })]);

    // Act
    const decision = decideJoin(state, NOW);

    // Assess
    expect(decision).toMatchObject({ kind: 'complete', generation: 5, leader: 'a', protocol: 'range', members: ['b', 'a', 'c'], removed: [] });
  });

  it('does not wait for a member whose lease ended, and cleans it up', () => {
    // Prepare
    const dead = member('a', 4, { expiresAt: NOW - 1 });
    const state = view({}, [dead, member('b', 5)]);

    // Act
    const decision = decideJoin(state, NOW);

    // Assess
    expect(decision).toMatchObject({ kind: 'complete', members: ['b'], leader: 'b', dead: [dead] });
  });

  it('at the rebalance deadline completes with those who rejoined and removes the others', () => {
    // Prepare
    const late = member('a', 4);
    const state = view({ rebalanceDeadline: NOW }, [late, member('b', 5)]);

    // Act
    const decision = decideJoin(state, NOW);

    // Assess
    expect(decision).toMatchObject({ kind: 'complete', members: ['b'], removed: [late] });
  });

  it('holds a group that was empty for the initial delay, then completes with everyone who came', () => {
    // Prepare
    const members = [member('x', 1, { joinedAt: NOW - 100 }), member('y', 1, { joinedAt: NOW - 50 })];
    const empty = { generation: 0, leader: null, protocol: null, members: [], joinNotBefore: NOW + 2000 };

    // Act
    const during = decideJoin(view(empty, members), NOW);
    const after = decideJoin(view(empty, members), NOW + 2000);

    // Assess
    expect(during).toEqual({ kind: 'wait' });
    expect(after).toMatchObject({ kind: 'complete', generation: 1, members: ['x', 'y'], leader: 'x' });
  });

  it('extends the initial delay by the delay again while new members keep arriving, up to the rebalance deadline (Kafka\'s InitialDelayedJoin)', () => {
    // Prepare: a new group's rebalance started at NOW with a 2 s delay; y joins 1.5 s in, z 3 s in, nobody in the third window
    const start = NOW;
    const group = { generation: 0, leader: null, protocol: null, members: [], joinNotBefore: start + 2000, initialDelayMs: 2000, rebalanceDeadline: start + 60_000 };
    const live = { expiresAt: start + 100_000 };
    const members = [member('x', 1, { ...live, joinedAt: start }), member('y', 1, { ...live, joinedAt: start + 1500 }), member('z', 1, { ...live, joinedAt: start + 3000 })];
    const capped = { ...group, rebalanceDeadline: start + 5000 };
    const arriving = [...members, member('w', 1, { ...live, joinedAt: start + 4500 })];

    // Act
    const atFirstEnd = decideJoin(view(group, members), start + 2000);
    const atSecondEnd = decideJoin(view(group, members), start + 4000);
    const atThirdEnd = decideJoin(view(group, members), start + 6000);
    const beforeCap = decideJoin(view(capped, arriving), start + 4999);
    const atCap = decideJoin(view(capped, arriving), start + 5000);

    // Assess
    expect(joinNotBeforeOf(view(group, members).group as ClassicGroupItem, members)).toBe(start + 6000);
    expect([atFirstEnd.kind, atSecondEnd.kind, atThirdEnd.kind]).toEqual(['wait', 'wait', 'complete']);
    expect(atThirdEnd).toMatchObject({ members: ['x', 'y', 'z'], leader: 'x' });
    expect([beforeCap.kind, atCap.kind]).toEqual(['wait', 'complete']);
  });

  it('does not extend the delay of a group that completed a generation before, nor an item without the delay recorded (as Kafka, and an older gateway)', () => {
    // Prepare: members keep arriving during the delay
    const members = [member('x', 5, { joinedAt: NOW - 2000 }), member('y', 5, { joinedAt: NOW - 500 })];
    const emptiedBefore = { generation: 4, leader: null, protocol: null, members: [], joinNotBefore: NOW, initialDelayMs: 2000 };
    const older = { generation: 0, leader: null, protocol: null, members: [], joinNotBefore: NOW };
    const olderMembers = members.map((m) => ({ ...m, joinGeneration: 1 }));

    // Act
    const again = decideJoin(view(emptiedBefore, members), NOW);
    const fromOlder = decideJoin(view(older, olderMembers), NOW);

    // Assess
    expect(again).toMatchObject({ kind: 'complete', generation: 5 });
    expect(fromOlder).toMatchObject({ kind: 'complete', generation: 1 });
  });

  it('empties the group when nobody is left to join', () => {
    // Act
    const decision = decideJoin(view({}, [member('a', 4, { expiresAt: NOW - 1 })]), NOW);

    // Assess
    expect(decision.kind).toBe('empty');
  });

  it('decides nothing outside a rebalance', () => {
    // Act
    const stable = decideJoin(view({ state: 'Stable' }, [member('a', 4)]), NOW);

    // Assess
    expect(stable).toEqual({ kind: 'wait' });
  });
});

describe('chooseProtocol', () => {
  it('picks a protocol every member supports, by the members\' first choices', () => {
    // Prepare
    const members = [
      member('a', 1, { protocols: [{ name: 'cooperative-sticky' }, { name: 'range' }] }),
      member('b', 1, { protocols: [{ name: 'range' }, { name: 'cooperative-sticky' }] }),
      member('c', 1, { protocols: [{ name: 'range' }] }),
    ];

    // Act
    const chosen = chooseProtocol(members);
    const none = chooseProtocol([member('a', 1, { protocols: [{ name: 'x' }] }), member('b', 1, { protocols: [{ name: 'y' }] })]);

    // Assess
    expect(chosen).toBe('range');
    expect(none).toBeUndefined();
  });
});
