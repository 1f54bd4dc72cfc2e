/**
 * Kafka's ConsumerProtocol bytes (subscription and assignment): written (v0) for the members of
 * Floe-SDK groups when Kafka tools describe them, and a subscription's topics read back for
 * OffsetDelete. Otherwise the classic protocol's metadata travels opaquely.
 *
 *   Subscription => version:int16 topics:[string] user_data:bytes (v1+: owned partitions, v2+: generation, v3+: rack)
 *   Assignment   => version:int16 [topic:string partitions:[int32]] user_data:bytes
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

/**
 * The topics of a Kafka member's ConsumerProtocolSubscription (every version starts with
 * version int16, topics [string]); undefined when the bytes are not one (another protocol type).
 */
export function subscribedTopics(metadata: Uint8Array): string[] | undefined {
  const bytes = Buffer.from(metadata.buffer, metadata.byteOffset, metadata.byteLength);
  if (bytes.length < 6) return undefined;
  const count = bytes.readInt32BE(2);
  if (count < 0 || count > (bytes.length - 6) / 2) return undefined; // each topic takes at least its 2-byte length
  const topics: string[] = [];
  let at = 6;
  for (let i = 0; i < count; i++) {
    if (at + 2 > bytes.length) return undefined;
    const length = bytes.readInt16BE(at);
    if (length < 0 || at + 2 + length > bytes.length) return undefined;
    topics.push(bytes.toString('utf8', at + 2, at + 2 + length));
    at += 2 + length;
  }
  return topics;
}
