/** What one member and one group may store: sizes, and who is refused when the group has no room. */
import { describe, expect, it } from 'vitest';
import { GROUP_LIMITS } from '../../../packages/protocol/src/api/groups.js';
import { admitMembers, assignmentBytes, fitsGroup, requireSubscriptionWithinLimit, subscriptionBytes } from '../../../src/groups/budget.js';
import type { MemberItem } from '../../../src/groups/model.js';

const member = (memberId: string, topics: string[], subscribedAt: number): MemberItem =>
  ({ memberId, topics, subscribedAt, joinedAt: 0 }) as MemberItem;
const names = (prefix: string, count: number, length = 249) => Array.from({ length: count }, (_, i) => `${prefix}${i}`.padEnd(length, 'x'));

describe('sizes', () => {
  it('count each topic name once and each partition key once', () => {
    // Act
    const subscription = subscriptionBytes(['ab', 'ab', 'cde']);
    const assignment = assignmentBytes({ ab: 2, cde: 0 });

    // Assess
    expect(subscription).toBe(5);
    expect(assignment).toBe(2 + 'ab:0'.length + 'ab:1'.length + 3);
  });

  it('refuse a subscription of 1,000 names of 249 characters, naming the limit', () => {
    // Act
    const act = () => requireSubscriptionWithinLimit(names('t', 1000));

    // Assess
    expect(act).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST', message: expect.stringContaining('maxSubscriptionBytes') }));
  });

  it('fit a group up to maxSubscribedTopics names and maxAssignmentBytes', () => {
    // Act and Assess
    expect(fitsGroup(Object.fromEntries(names('a', GROUP_LIMITS.maxSubscribedTopics, 5).map((t) => [t, 1])))).toBe(true);
    expect(fitsGroup(Object.fromEntries(names('a', GROUP_LIMITS.maxSubscribedTopics + 1, 5).map((t) => [t, 0])))).toBe(false);
    expect(fitsGroup({ [names('big', 1)[0] as string]: 1000 })).toBe(false);
  });
});

describe('admitMembers', () => {
  it('admits the oldest subscriptions while the group has room and refuses the newest', () => {
    // Prepare: each member's 120 long names fit alone; four of them do not fit together
    const members = [member('d', names('d', 120), 4), member('a', names('a', 120), 1), member('c', names('c', 120), 3), member('b', names('b', 120), 2)];

    // Act
    const { admitted, refused } = admitMembers(members, {});

    // Assess
    expect(admitted.map((m) => m.memberId)).toEqual(['a', 'b', 'c']);
    expect(refused.map((m) => m.memberId)).toEqual(['d']);
  });

  it('refuses an old member whose new subscription is the newest, not the member that was there first', () => {
    // Prepare: a joined first, then b; then a changed its subscription to something large
    const members = [member('a', names('a', 120), 5), member('b', names('b', 120), 2), member('c', names('c', 120), 3), member('e', names('e', 40), 4)];

    // Act
    const { refused } = admitMembers(members, {});

    // Assess
    expect(refused.map((m) => m.memberId)).toEqual(['a']);
  });
});
