/** Decision 40's rule for who is a classic group's member, as Floe's reset and group delete read it. */
import { describe, expect, it } from 'vitest';
import { isMappedIncarnation } from '../../../src/groups/model.js';
import { dict } from '../../../src/storage/user-keyed.js';

describe('isMappedIncarnation', () => {
  const old = { memberId: 'pod-0-a', instanceId: 'pod-0' };

  it('counts a static member only while the mapping names it, once the replacing member was read too', () => {
    // Prepare
    const instances = dict([['pod-0', 'pod-0-b']]);

    // Act
    const replaced = isMappedIncarnation(old, instances, new Set(['pod-0-a', 'pod-0-b']));
    const current = isMappedIncarnation({ memberId: 'pod-0-b', instanceId: 'pod-0' }, instances, new Set(['pod-0-a', 'pod-0-b']));

    // Assess
    expect([replaced, current]).toEqual([false, true]);
  });

  it('counts the member read when the mapping names one written after the members were read (a join in between)', () => {
    // Act
    const counted = isMappedIncarnation(old, dict([['pod-0', 'pod-0-b']]), new Set(['pod-0-a']));

    // Assess
    expect(counted).toBe(true);
  });

  it('counts dynamic members, members of a group without a classic item, and never an instance the mapping lost', () => {
    // Act
    const dynamic = isMappedIncarnation({ memberId: 'm' }, dict(), new Set(['m']));
    const noClassicItem = isMappedIncarnation(old, undefined, new Set(['pod-0-a']));
    const unmapped = isMappedIncarnation(old, dict(), new Set(['pod-0-a']));
    const prototypeName = isMappedIncarnation({ memberId: 'x', instanceId: 'constructor' }, dict(), new Set(['x']));

    // Assess
    expect([dynamic, noClassicItem, unmapped, prototypeName]).toEqual([true, true, false, false]);
  });
});
