/** Topic-partition identities shared by the SDK, the handlers and the groups domain. */

/** "topic:partition" (topic names cannot contain ':'). Used as map keys in items and in memory. */
export type PartitionKey = string;

export interface TopicPartition {
  topic: string;
  partition: number;
}

export const partitionKey = (topic: string, partition: number): PartitionKey => `${topic}:${partition}`;

export function parsePartitionKey(key: PartitionKey): TopicPartition {
  const at = key.lastIndexOf(':');
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) };
}
