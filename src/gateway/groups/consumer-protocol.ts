/**
 * Kafka's ConsumerProtocol v0 bytes (subscription and assignment), written for the members of
 * Floe-SDK groups when Kafka tools describe them. The classic protocol's own metadata travels
 * opaquely: the gateway never needs to read it.
 */
const str = (s: string): Buffer => {
  const bytes = Buffer.from(s, 'utf8');
  const out = Buffer.alloc(2 + bytes.length);
  out.writeInt16BE(bytes.length, 0);
  bytes.copy(out, 2);
  return out;
};
const int16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n, 0);
  return b;
};
const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n, 0);
  return b;
};
const NULL_BYTES = int32(-1);

export function encodeSubscription(topics: readonly string[]): Buffer {
  return Buffer.concat([int16(0), int32(topics.length), ...topics.map(str), NULL_BYTES]);
}

export function encodeAssignment(partitions: ReadonlyArray<{ topic: string; partition: number }>): Buffer {
  const byTopic = new Map<string, number[]>();
  for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
  const parts: Buffer[] = [int16(0), int32(byTopic.size)];
  for (const [topic, list] of byTopic) parts.push(str(topic), int32(list.length), ...list.map(int32));
  parts.push(NULL_BYTES);
  return Buffer.concat(parts);
}
