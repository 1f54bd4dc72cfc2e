/** Key -> partition must match Kafka's Java client (through kafkajs's Java-compatible DefaultPartitioner). */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { murmur2 } from '../../../../packages/protocol/src/partitioning/murmur2.js';
import { BuiltInPartitioner } from '../../../../packages/client/src/producer/partitioner.js';

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer | string) => number;

const PARTITION_COUNTS = [1, 2, 3, 6, 12, 50, 97, 1000];

/** Keys of every length 0..64 (all four tail cases), random bytes and random strings. */
function randomKeys(count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) =>
    i % 2 === 0 ? randomBytes(i % 65) : Buffer.from(`user-${randomBytes(6).toString('base64')}-${i}`, 'utf8'),
  );
}

describe('murmur2 partitioning', () => {
  it('agrees with kafkajs DefaultPartitioner for 2,000 random keys and several partition counts', () => {
    // Prepare
    const keys = randomKeys(2000);
    const ours = new BuiltInPartitioner(16_384);

    for (const count of PARTITION_COUNTS) {
      const theirs = Partitioners.DefaultPartitioner();
      const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
      // Act
      const mismatches = keys.filter(
        (key) =>
          ours.partition({ topic: 't', key, value: null, partitionCount: count }) !==
          theirs({ topic: 't', partitionMetadata, message: { key, value: null } }),
      );
      // Assess
      expect(mismatches, `partition count ${count}`).toEqual([]);
    }
  });

  it('computes the same 32-bit hash as kafkajs for every key', () => {
    // Prepare
    const keys = randomKeys(1000);
    // Act
    const differing = keys.filter((key) => murmur2(key) !== kafkajsMurmur2(key));
    // Assess
    expect(differing).toEqual([]);
  });

  it("matches the vectors of Kafka's own UtilsTest.testMurmur2", () => {
    // Prepare: org.apache.kafka.common.utils.UtilsTest
    const vectors: Array<[string, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    // Act
    const hashes = vectors.map(([key]) => murmur2(Buffer.from(key)));
    // Assess
    expect(hashes).toEqual(vectors.map(([, hash]) => hash));
  });

  it('maps negative hashes with toPositive (h & 0x7fffffff), not Math.abs', () => {
    // Prepare: a key whose hash is negative and where the two mappings disagree
    const key = randomKeys(5000).find((k) => {
      const h = murmur2(k);
      return h < 0 && (h & 0x7fffffff) % 7 !== Math.abs(h) % 7;
    });
    expect(key).toBeDefined();
    // Act
    const partition = new BuiltInPartitioner(16_384).partition({ topic: 't', key: key!, value: null, partitionCount: 7 });
    // Assess
    expect(partition).toBe((murmur2(key!) & 0x7fffffff) % 7);
  });
});
