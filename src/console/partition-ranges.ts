/** "0-3, 7, 9-10": a member's partitions of one topic, short enough for a table cell. */
export function partitionRanges(partitions: readonly number[]): string {
  const sorted = [...new Set(partitions)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    const start = sorted[i] as number;
    let end = start;
    while (sorted[i + 1] === end + 1) end = sorted[++i] as number;
    parts.push(start === end ? String(start) : `${start}-${end}`);
    i++;
  }
  return parts.join(', ');
}

/** One "topic: ranges" line per topic, topics in name order. */
export function assignmentSummary(assignment: ReadonlyArray<{ topic: string; partition: number }>): string[] {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of assignment) byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
  return [...byTopic.keys()].sort().map((topic) => `${topic}: ${partitionRanges(byTopic.get(topic) ?? [])}`);
}
