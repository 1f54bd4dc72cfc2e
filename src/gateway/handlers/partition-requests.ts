/**
 * The per-partition shape of ListOffsets and DeleteRecords: topics, each with partitions, answered
 * in the order asked. One bounded lookup list for the whole request (GATEWAY_LIMITS.lookupsInFlight),
 * so a request naming 100,000 partitions does not start 100,000 reads at once.
 */
import { mapConcurrent } from '@floe/protocol';
import { GATEWAY_LIMITS } from '../limits.js';

interface RequestedTopic<P> {
  name?: string | null;
  partitions?: P[] | null;
}

/** Whether a partition is named more than once in the request (Kafka answers each copy INVALID_REQUEST). */
export function namedTwice<P extends { partitionIndex?: number | null }>(topics: ReadonlyArray<RequestedTopic<P>>): (name: string, partition: number) => boolean {
  const keyOf = (name: string, partition: number) => `${name}\u0000${partition}`;
  const counts = new Map<string, number>();
  for (const t of topics) {
    for (const p of t.partitions ?? []) {
      const key = keyOf(t.name ?? '', p.partitionIndex ?? -1);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return (name, partition) => (counts.get(keyOf(name, partition)) ?? 0) > 1;
}

/** `answer` for every partition, at most lookupsInFlight at a time, grouped back by topic as requested. */
export async function answerPartitions<P, A>(topics: ReadonlyArray<RequestedTopic<P>>, answer: (name: string, partition: P) => Promise<A>): Promise<Array<{ name: string; partitions: A[] }>> {
  const lookups = topics.flatMap((t) => (t.partitions ?? []).map((p) => ({ name: t.name ?? '', p })));
  const answers = await mapConcurrent(lookups, GATEWAY_LIMITS.lookupsInFlight, ({ name, p }) => answer(name, p));
  let start = 0;
  return topics.map((t) => ({ name: t.name ?? '', partitions: answers.slice(start, (start += (t.partitions ?? []).length)) }));
}
