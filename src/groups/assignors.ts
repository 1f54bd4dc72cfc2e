import { type AssignorName, ASSIGNORS, parsePartitionKey, partitionKey, type PartitionKey } from '@floe/protocol';
import { dict } from '../storage/user-keyed.js';
/**
 * Server-side assignors (KIP-848 style: the group computes the target, members
 * only follow it). Pure functions of the live members, the topics' partition
 * counts and the previous target. Members are ordered by instance id when they
 * have one (static members keep their place across restarts), else by member id.
 *
 * - range:      per topic, contiguous ranges over the members subscribed to it (Kafka's RangeAssignor)
 * - roundrobin: all partitions in (topic, partition) order dealt to the subscribed members in turn
 * - sticky:     keep every previous assignment that is still valid, then balance by moving
 *               as few partitions as possible (Kafka's cooperative-sticky / KIP-848 "uniform")
 */

export interface AssignorMember {
  memberId: string;
  /** order key: instance id for static members, else member id */
  sortKey: string;
  topics: string[];
}

export type Assignment = Record<string, PartitionKey[]>;

/** Kafka's class names and KIP-848's server assignor names map onto Floe's three. */
const ALIASES = new Map<string, AssignorName>(Object.entries({
  sticky: 'sticky',
  'cooperative-sticky': 'sticky',
  uniform: 'sticky',
  'org.apache.kafka.clients.consumer.CooperativeStickyAssignor': 'sticky',
  'org.apache.kafka.clients.consumer.StickyAssignor': 'sticky',
  range: 'range',
  'org.apache.kafka.clients.consumer.RangeAssignor': 'range',
  roundrobin: 'roundrobin',
  'round-robin': 'roundrobin',
  'org.apache.kafka.clients.consumer.RoundRobinAssignor': 'roundrobin',
} as const));

export function assignorName(name: string): AssignorName | undefined {
  return ALIASES.get(name) ?? ALIASES.get(name.toLowerCase());
}

export const isAssignorName = (name: string): name is AssignorName => (ASSIGNORS as readonly string[]).includes(name);

const byKey = (a: AssignorMember, b: AssignorMember) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0);

function sortedPartitions(meta: Record<string, number>, topics: Iterable<string>): PartitionKey[] {
  const out: PartitionKey[] = [];
  for (const topic of [...new Set(topics)].sort()) {
    for (let p = 0; p < (meta[topic] ?? 0); p++) out.push(partitionKey(topic, p));
  }
  return out;
}

const emptyAssignment = (members: AssignorMember[]): Assignment => dict(members.map((m) => [m.memberId, [] as PartitionKey[]]));

export function rangeAssign(members: AssignorMember[], meta: Record<string, number>): Assignment {
  const out = emptyAssignment(members);
  const sorted = [...members].sort(byKey);
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
  for (const topic of topics) {
    const subscribers = sorted.filter((m) => m.topics.includes(topic));
    const count = meta[topic] ?? 0;
    const base = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    let next = 0;
    subscribers.forEach((member, i) => {
      const n = base + (i < extra ? 1 : 0);
      for (let k = 0; k < n; k++) out[member.memberId]?.push(partitionKey(topic, next++));
    });
  }
  return out;
}

export function roundRobinAssign(members: AssignorMember[], meta: Record<string, number>): Assignment {
  const out = emptyAssignment(members);
  const sorted = [...members].sort(byKey);
  if (sorted.length === 0) return out;
  let cursor = 0;
  for (const key of sortedPartitions(meta, members.flatMap((m) => m.topics))) {
    const { topic } = parsePartitionKey(key);
    // Deal to the next member subscribed to this topic (always exists: the topic came from someone's subscription).
    for (let tried = 0; tried < sorted.length; tried++) {
      const member = sorted[cursor % sorted.length] as AssignorMember;
      cursor++;
      if (member.topics.includes(topic)) {
        out[member.memberId]?.push(key);
        break;
      }
    }
  }
  return out;
}

export function stickyAssign(members: AssignorMember[], meta: Record<string, number>, previous: Assignment): Assignment {
  const sorted = [...members].sort(byKey);
  const subscribed = new Map(sorted.map((m) => [m.memberId, new Set(m.topics)]));
  const eligible = (memberId: string, key: PartitionKey) => subscribed.get(memberId)?.has(parsePartitionKey(key).topic) ?? false;
  const all = sortedPartitions(meta, members.flatMap((m) => m.topics));
  const exists = new Set(all);
  const owned = new Map<string, PartitionKey[]>(sorted.map((m) => [m.memberId, []]));
  const taken = new Set<PartitionKey>();

  // 1. Keep what each member had, if the partition still exists and the member still wants it.
  for (const member of sorted) {
    for (const key of previous[member.memberId] ?? []) {
      if (exists.has(key) && !taken.has(key) && eligible(member.memberId, key)) {
        owned.get(member.memberId)?.push(key);
        taken.add(key);
      }
    }
  }
  const load = (memberId: string) => owned.get(memberId)?.length ?? 0;

  // 2. Give every free partition to the least loaded member that wants it.
  for (const key of all) {
    if (taken.has(key)) continue;
    let best: AssignorMember | undefined;
    for (const member of sorted) {
      if (eligible(member.memberId, key) && (best === undefined || load(member.memberId) < load(best.memberId))) best = member;
    }
    if (best) {
      owned.get(best.memberId)?.push(key);
      taken.add(key);
    }
  }

  // 3. Balance: move one partition at a time from a member with at least two more than another that can take it.
  for (let moved = true; moved; ) {
    moved = false;
    const byLoad = [...sorted].sort((a, b) => load(b.memberId) - load(a.memberId) || byKey(a, b));
    outer: for (const over of byLoad) {
      for (const under of [...byLoad].reverse()) {
        if (load(over.memberId) < load(under.memberId) + 2) break;
        const list = owned.get(over.memberId) ?? [];
        for (let i = list.length - 1; i >= 0; i--) {
          const key = list[i] as PartitionKey;
          if (!eligible(under.memberId, key)) continue;
          list.splice(i, 1);
          owned.get(under.memberId)?.push(key);
          moved = true;
          break outer;
        }
      }
    }
  }
  return dict(sorted.map((m) => [m.memberId, [...(owned.get(m.memberId) ?? [])].sort(comparePartitionKeys)]));
}

export function comparePartitionKeys(a: PartitionKey, b: PartitionKey): number {
  const x = parsePartitionKey(a);
  const y = parsePartitionKey(b);
  return x.topic < y.topic ? -1 : x.topic > y.topic ? 1 : x.partition - y.partition;
}

export function assign(name: AssignorName, members: AssignorMember[], meta: Record<string, number>, previous: Assignment): Assignment {
  switch (name) {
    case 'range':
      return rangeAssign(members, meta);
    case 'roundrobin':
      return roundRobinAssign(members, meta);
    case 'sticky':
      return stickyAssign(members, meta, previous);
  }
}
