/** The server-side assignors: coverage, exclusivity, balance and stickiness as properties, plus Kafka's reference layouts. */
import { type AssignorName, ASSIGNORS, parsePartitionKey } from '@floe/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assign, assignorName, rangeAssign, roundRobinAssign, stickyAssign, type AssignorMember, type Assignment } from '../../../src/groups/assignors.js';

const TOPICS = ['a', 'b', 'c'];

const groupArb = fc.record({
  meta: fc.record({ a: fc.integer({ min: 0, max: 12 }), b: fc.integer({ min: 0, max: 12 }), c: fc.integer({ min: 0, max: 12 }) }),
  members: fc.uniqueArray(
    fc.record({ id: fc.uuid(), topics: fc.subarray(TOPICS, { minLength: 1 }) }),
    { minLength: 1, maxLength: 8, selector: (m) => m.id },
  ),
});

const toMembers = (members: Array<{ id: string; topics: string[] }>): AssignorMember[] =>
  members.map((m) => ({ memberId: m.id, sortKey: m.id, topics: m.topics }));

const counts = (assignment: Assignment) => Object.values(assignment).map((list) => list.length);

describe('every assignor', () => {
  it.each(ASSIGNORS)('%s gives every subscribed partition to exactly one member that subscribes to its topic, and nothing else', (name) => {
    fc.assert(
      fc.property(groupArb, ({ meta, members }) => {
        // Prepare
        const list = toMembers(members);

        // Act
        const result = assign(name as AssignorName, list, meta, {});

        // Assess
        const given = Object.entries(result).flatMap(([memberId, keys]) => keys.map((key) => ({ memberId, key })));
        const expected = TOPICS.filter((t) => list.some((m) => m.topics.includes(t))).flatMap((t) => Array.from({ length: meta[t as 'a'] }, (_, p) => `${t}:${p}`));
        expect(given.map((g) => g.key).sort()).toEqual(expected.sort());
        for (const g of given) expect(list.find((m) => m.memberId === g.memberId)?.topics).toContain(parsePartitionKey(g.key).topic);
        expect(Object.keys(result).sort()).toEqual(list.map((m) => m.memberId).sort());
      }),
    );
  });
});

describe('balance with equal subscriptions', () => {
  it.each(['roundrobin', 'sticky'] as const)('%s: member loads differ by at most one', (name) => {
    fc.assert(
      fc.property(groupArb, fc.array(fc.uuid(), { maxLength: 4 }), ({ meta, members }, previousOwners) => {
        // Prepare: everyone on every topic; sticky also starts from an arbitrary previous target
        const list = toMembers(members.map((m) => ({ id: m.id, topics: TOPICS })));
        const previous: Assignment = Object.fromEntries(previousOwners.map((id, i) => [id, [`a:${i}`, `b:${i}`]]));

        // Act
        const result = name === 'sticky' ? stickyAssign(list, meta, previous) : roundRobinAssign(list, meta);

        // Assess
        expect(Math.max(...counts(result)) - Math.min(...counts(result))).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('sticky', () => {
  it('a member joining takes partitions only from others, and exactly as many move as it receives', () => {
    fc.assert(
      fc.property(groupArb, fc.uuid(), ({ meta, members }, newcomer) => {
        // Prepare
        fc.pre(!members.some((m) => m.id === newcomer));
        const list = toMembers(members);
        const before = stickyAssign(list, meta, {});

        // Act
        const after = stickyAssign([...list, { memberId: newcomer, sortKey: newcomer, topics: TOPICS }], meta, before);

        // Assess: every partition that changed owner went to the newcomer
        for (const m of list) {
          const lostByM = (before[m.memberId] ?? []).filter((k) => !(after[m.memberId] ?? []).includes(k));
          for (const k of lostByM) expect(after[newcomer]).toContain(k);
          const gainedByM = (after[m.memberId] ?? []).filter((k) => !(before[m.memberId] ?? []).includes(k));
          expect(gainedByM).toEqual([]);
        }
      }),
    );
  });

  // With unequal subscriptions balance may need one more move (as in Kafka's sticky assignor), so this holds for equal ones.
  it('a member leaving a group with equal subscriptions: only its partitions move', () => {
    fc.assert(
      fc.property(groupArb, ({ meta, members }) => {
        // Prepare
        fc.pre(members.length >= 2);
        const list = toMembers(members.map((m) => ({ id: m.id, topics: TOPICS })));
        const before = stickyAssign(list, meta, {});
        const [leaver, ...rest] = list;

        // Act
        const after = stickyAssign(rest, meta, before);

        // Assess
        for (const m of rest) for (const k of before[m.memberId] ?? []) expect(after[m.memberId]).toContain(k);
        expect(leaver && after[leaver.memberId]).toBeUndefined();
      }),
    );
  });
});

describe("Kafka's reference layouts", () => {
  const two: AssignorMember[] = [
    { memberId: 'm1', sortKey: 'm1', topics: ['t0', 't1'] },
    { memberId: 'm0', sortKey: 'm0', topics: ['t0', 't1'] },
  ];

  it('range: contiguous ranges per topic, the first members get the extra partition', () => {
    expect(rangeAssign(two, { t0: 3, t1: 3 })).toEqual({ m0: ['t0:0', 't0:1', 't1:0', 't1:1'], m1: ['t0:2', 't1:2'] });
  });

  it('roundrobin: partitions in (topic, partition) order dealt in turn', () => {
    expect(roundRobinAssign(two, { t0: 3, t1: 2 })).toEqual({ m0: ['t0:0', 't0:2', 't1:1'], m1: ['t0:1', 't1:0'] });
  });

  it('static members are ordered by instance id, so a restart with a new member id keeps the layout', () => {
    const members = [
      { memberId: 'zzz', sortKey: 'host-1', topics: ['t'] },
      { memberId: 'aaa', sortKey: 'host-2', topics: ['t'] },
    ];
    expect(rangeAssign(members, { t: 4 })).toEqual({ zzz: ['t:0', 't:1'], aaa: ['t:2', 't:3'] });
  });

  it("accepts Kafka's class names and KIP-848's names", () => {
    expect(assignorName('org.apache.kafka.clients.consumer.CooperativeStickyAssignor')).toBe('sticky');
    expect(assignorName('uniform')).toBe('sticky');
    expect(assignorName('org.apache.kafka.clients.consumer.RangeAssignor')).toBe('range');
    expect(assignorName('RoundRobin')).toBe('roundrobin');
    expect(assignorName('fancy')).toBeUndefined();
  });
});
