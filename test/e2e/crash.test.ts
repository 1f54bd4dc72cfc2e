/**
 * Invariant 5: a handler process that dies after the segment PUT and before the
 * commit leaves nothing visible; the next produce gets the next dense offset.
 */
import { describe, expect, it } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { produceRaw } from '../../packages/client/src/log-client.js';
import { SEGMENT_PREFIX } from '../../src/storage/keys.js';
import { S3ObjectStore } from '../../src/storage/object-store.js';
import { useTestCluster, uniqueName } from '../helpers/cluster.js';
import { batchOf, produceValues, readPartition, values } from '../helpers/log.js';
import { spawnServe } from '../helpers/processes.js';

const env = useTestCluster();

async function countSegments(): Promise<number> {
  const store = new S3ObjectStore(env.cluster.deps!.clients.s3, env.cluster.config.bucket);
  let n = 0;
  for await (const _ of store.list(SEGMENT_PREFIX)) n++;
  return n;
}

describe('a produce that dies mid-way', () => {
  it('after the segment PUT and before the commit: nothing visible, the object is an orphan, the next offset is dense', async () => {
    // Prepare
    const topic = uniqueName('crash');
    await Admin.fromClient(env.http).createTopic(topic, 2);
    await produceValues(env.http, topic, 0, ['a', 'b']);
    const doomed = await spawnServe(['--crash-point', 'after-segment-put']);
    const segmentsBefore = await countSegments();

    // Act
    const attempt = await produceRaw(new FloeHttpClient(doomed.url), {
      acks: -1,
      timeoutMs: 5_000,
      topics: [{ topic, partitions: [0, 1].map((partition) => ({ partition, records: batchOf(['lost']) })) }],
    }).then(
      () => 'acknowledged',
      (error: { code?: string }) => error.code ?? 'failed',
    );
    const exitCode = await doomed.exited;
    const next = await produceValues(env.http, topic, 0, ['c']);

    // Assess
    expect(attempt).toBe('NETWORK_ERROR');
    expect(exitCode).toBe(-1); // killed by its own SIGKILL
    expect(await countSegments()).toBeGreaterThanOrEqual(segmentsBefore + 2); // the orphan and the next produce
    expect(next).toMatchObject({ errorCode: 'NONE', baseOffset: 2 });
    expect(values(await readPartition(env.http, topic, 0))).toEqual(['a', 'b', 'c']);
    expect(await readPartition(env.http, topic, 1)).toEqual([]);
  });

  it('after the commit and before the answer: the unacknowledged records are visible once and offsets stay dense', async () => {
    // Prepare
    const topic = uniqueName('crash-commit');
    await Admin.fromClient(env.http).createTopic(topic, 1);
    const doomed = await spawnServe(['--crash-point', 'after-commit']);

    // Act
    const attempt = await produceRaw(new FloeHttpClient(doomed.url), {
      acks: -1,
      timeoutMs: 5_000,
      topics: [{ topic, partitions: [{ partition: 0, records: batchOf(['maybe']) }] }],
    }).then(
      () => 'acknowledged',
      (error: { code?: string }) => error.code ?? 'failed',
    );
    await doomed.exited;
    const next = await produceValues(env.http, topic, 0, ['after']);

    // Assess: committed but never acknowledged — a producer without idempotence would resend it (at-least-once)
    expect(attempt).toBe('NETWORK_ERROR');
    expect(next.baseOffset).toBe(1);
    expect(values(await readPartition(env.http, topic, 0))).toEqual(['maybe', 'after']);
  });
});
