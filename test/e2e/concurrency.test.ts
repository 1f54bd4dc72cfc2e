/**
 * Invariants 1 and 2 under concurrency: four independent handler processes on
 * one storage, many writers producing into 8 partitions at once. Every
 * acknowledged batch is read back exactly once, at the offsets it was given;
 * offsets are dense from 0; each partition's order is its commit order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { produceRaw } from '../../packages/client/src/log-client.js';
import { uniqueName } from '../helpers/cluster.js';
import { batchOf, readPartition, values } from '../helpers/log.js';
import { spawnServe, type ServeProcess } from '../helpers/processes.js';

const PROCESSES = 4;
const PARTITIONS = 8;
const WRITERS = 8;
const REQUESTS_PER_WRITER = 12;

let servers: ServeProcess[] = [];

beforeAll(async () => {
  servers = await Promise.all(Array.from({ length: PROCESSES }, () => spawnServe()));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

describe('concurrent produce through independent handler processes', () => {
  it('keeps every acknowledged batch exactly once, with dense offsets in commit order', async () => {
    // Prepare
    const clients = servers.map((s) => new FloeHttpClient(s.url));
    const topic = uniqueName('conc');
    await Admin.fromClient(clients[0]!).createTopic(topic, PARTITIONS);
    const acked = new Map<number, Array<{ baseOffset: number; values: string[] }>>();

    // Act: each request carries a batch for several partitions; writers spread over the processes
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, writer) => {
        for (let seq = 0; seq < REQUESTS_PER_WRITER; seq++) {
          const client = clients[(writer + seq) % clients.length]!;
          const partitions = Array.from({ length: PARTITIONS }, (_, p) => p).filter((p) => (p + seq + writer) % 3 !== 0);
          const batches = partitions.map((partition) => ({
            partition,
            vals: Array.from({ length: 1 + ((writer + seq) % 3) }, (_, i) => `w${writer}-s${seq}-p${partition}-${i}`),
          }));
          const [result] = await produceRaw(client, {
            acks: -1,
            timeoutMs: 30_000,
            topics: [{ topic, partitions: batches.map((b) => ({ partition: b.partition, records: batchOf(b.vals) })) }],
          });
          for (const p of result!.partitions) {
            expect(p.errorCode).toBe('NONE');
            const list = acked.get(p.partition) ?? [];
            list.push({ baseOffset: p.baseOffset, values: batches.find((b) => b.partition === p.partition)!.vals });
            acked.set(p.partition, list);
          }
        }
      }),
    );

    // Assess
    const reader = clients[PROCESSES - 1]!;
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const log = await readPartition(reader, topic, partition);
      const inCommitOrder = (acked.get(partition) ?? []).sort((a, b) => a.baseOffset - b.baseOffset);
      expect(log.map((r) => r.offset)).toEqual(log.map((_, i) => i)); // dense from 0
      expect(values(log)).toEqual(inCommitOrder.flatMap((a) => a.values)); // exactly the acked batches, in commit order
      let expectedBase = 0;
      for (const batch of inCommitOrder) {
        expect(batch.baseOffset).toBe(expectedBase); // acknowledged offsets are where the records are
        expectedBase += batch.values.length;
      }
    }
  });
});
