/**
 * Leftovers of deleted topics. Deleting a topic removes its topic item and partition heads;
 * its index chunks stay (and its segment objects, which the sweep collects once nothing
 * references them). Housekeeping remembers every topic id it has seen (pk "hk-topics"; a
 * delete records its topic's final partition count there too), so it can find those chunks without a Scan: a remembered id that is no longer the id of a
 * topic of that name has been deleted, and all items under its partitions' keys go (a striped
 * topic's stripe chunks too: they live under their stripe's first partition's key).
 */
import { logKeys } from '../storage/keys.js';
import type { LogDeps } from '../log/deps.js';
import { deleteItem, forgetKnownTopic, knownTopicItems, partitionItemKeys, rememberTopicItem } from '../log/store.js';
import { acquireLease, releaseLease, LeaseGuard } from '../leases/leases.js';
import { getTopic, type Topic } from '../log/topics.js';

interface KnownTopic {
  topicId: string;
  name: string;
  partitions: number;
}

async function readKnown(deps: LogDeps): Promise<KnownTopic[]> {
  const known: KnownTopic[] = [];
  for await (const item of knownTopicItems(deps)) known.push({ topicId: item.sk as string, name: item.name as string, partitions: item.partitions as number });
  return known;
}

/** Records live topics (and partition counts that grew). */
export async function rememberTopics(deps: LogDeps, topics: Topic[], known: KnownTopic[]): Promise<void> {
  const byId = new Map(known.map((k) => [k.topicId, k]));
  for (const topic of topics) {
    if ((byId.get(topic.topicId)?.partitions ?? 0) >= topic.partitions) continue;
    await rememberTopicItem(deps, topic.topicId, topic.name, topic.partitions); // false: another pass recorded it first
  }
}

async function deletePartitionItems(deps: LogDeps, topicId: string, partition: number): Promise<number> {
  let deleted = 0;
  for await (const key of partitionItemKeys(deps, topicId, partition)) {
    // Nothing writes a deleted topic's items any more, except a late spill: it deletes the chunks it wrote once it finds the head gone.
    await deleteItem(deps, key);
    deleted++;
  }
  return deleted;
}

export interface DeletedTopicsOutcome {
  deletedTopicsCleaned: number;
  itemsDeleted: number;
  takeovers: number;
}

/** Remembers `live` topics and removes what deleted topics left in the table. */
export async function cleanDeletedTopics(deps: LogDeps, live: Topic[], holder: string, leaseMs: number): Promise<DeletedTopicsOutcome> {
  const outcome: DeletedTopicsOutcome = { deletedTopicsCleaned: 0, itemsDeleted: 0, takeovers: 0 };
  const known = await readKnown(deps);
  await rememberTopics(deps, live, known);
  const liveIds = new Set(live.map((t) => t.topicId));
  for (const topic of known) {
    if (liveIds.has(topic.topicId)) continue;
    // Created after our topic list was read? Then the name still maps to this id.
    if ((await getTopic(deps, topic.name))?.topicId === topic.topicId) continue;
    const lease = await acquireLease(deps, logKeys.topicCleanupLeaseName(topic.topicId), holder, leaseMs);
    if (!lease) continue;
    if (lease.takeover) outcome.takeovers++;
    const guard = new LeaseGuard(deps, lease, leaseMs);
    for (let p = 0; p < topic.partitions; p++) {
      await guard.ensure();
      outcome.itemsDeleted += await deletePartitionItems(deps, topic.topicId, p);
    }
    await forgetKnownTopic(deps, topic.topicId);
    await releaseLease(deps, lease);
    outcome.deletedTopicsCleaned++;
  }
  return outcome;
}
