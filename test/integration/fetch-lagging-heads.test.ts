/**
 * Fetch reads partition heads eventually consistent (half the read units). A replica that
 * lags behind is simulated over the real store: eventually consistent reads of one head
 * return that head as it was a few records ago. Fetch must then serve what that head shows,
 * and never call an offset out of range that a newer head gave the consumer.
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { fetchRecords, type FetchDeps } from '../../src/log/fetch.js';
import { decodeRecordBatches } from '../../packages/protocol/src/records/record-batch.js';
import { logKeys } from '../../src/storage/keys.js';
import { useTestCluster, uniqueName } from '../helpers/cluster.js';
import { failingReads, isGetOf } from '../helpers/failing-reads.js';
import { installLaggingReplica, type LaggingReplica } from '../helpers/lagging-replica.js';
import { produceValues, values } from '../helpers/log.js';
import { fetchRaw } from '../../packages/client/src/log-client.js';

let replica: LaggingReplica;
const env = useTestCluster({ customizeDeps: (deps) => void (replica = installLaggingReplica(deps.clients.dynamo)) });

/** deps whose eventually consistent reads of `headKey` return `stale`; everything else reaches dynalite */
function lagging(deps: FetchDeps, headKey: Record<string, unknown>, stale: Record<string, unknown>): FetchDeps & { staleReads: number; consistentReads: number } {
  const out = { ...deps, staleReads: 0, consistentReads: 0 };
  const send = (command: unknown) => {
    if (command instanceof GetCommand && JSON.stringify(command.input.Key) === JSON.stringify(headKey)) {
      if (command.input.ConsistentRead === false) {
        out.staleReads++;
        return Promise.resolve({ Item: stale });
      }
      out.consistentReads++;
    }
    return deps.dynamo.send(command as GetCommand);
  };
  out.dynamo = { send } as unknown as DynamoDBDocumentClient;
  return out;
}

/** Partition 0's head as it is now (a strong read), for a replica to keep showing later. */
async function headNow(topic: string) {
  const deps = env.cluster.deps!;
  const resolved = await deps.resolveTopic(topic);
  const headKey = logKeys.head(resolved!.topicId, 0);
  const old = (await deps.dynamo.send(new GetCommand({ TableName: deps.logTable, Key: headKey, ConsistentRead: true }))).Item!;
  return { deps, headKey, old };
}

const fetchAt = (deps: FetchDeps, topic: string, fetchOffset: number) =>
  fetchRecords(deps, { maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, topics: [{ topic, partitions: [{ partition: 0, fetchOffset, partitionMaxBytes: 1 << 20 }] }] });

describe('fetch over a lagging replica', () => {
  it('serves what the old head shows, and re-reads strongly before calling a newer offset out of range', async () => {
    // Prepare
    const topic = uniqueName('lag');
    await env.admin.createTopic(topic, 1);
    await produceValues(env.http, topic, 0, ['a', 'b', 'c']);
    const { deps, headKey, old } = await headNow(topic);
    await produceValues(env.http, topic, 0, ['d', 'e']);
    const lag = lagging(deps, headKey, old);

    // Act
    const [fromStart] = await fetchAt(lag, topic, 0);
    const [atNewEnd] = await fetchAt(lag, topic, 5);
    const [pastEnd] = await fetchAt(lag, topic, 6);

    // Assess
    const p0 = fromStart!.partitions[0]!;
    expect(p0.errorCode).toBe('NONE');
    expect(p0.highWatermark).toBe(3); // the lagging head's
    expect(values(decodeRecordBatches(p0.records).flatMap((b) => b.records))).toEqual(['a', 'b', 'c']);
    // offset 5 is the true end: the stale head (end 3) alone would have called it out of range
    const p5 = atNewEnd!.partitions[0]!;
    expect(p5.errorCode).toBe('NONE');
    expect(p5.highWatermark).toBe(5);
    expect(p5.records.length).toBe(0);
    // beyond the true end is out of range, after a strong read
    expect(pastEnd!.partitions[0]!.errorCode).toBe('OFFSET_OUT_OF_RANGE');
    expect(lag.staleReads).toBe(3);
    // one per offset the stale head could not answer, and one for the log start of the records served (decision 49)
    expect(lag.consistentReads).toBe(3);
  });

  it('after DeleteRecords returned, a head a moment old does not serve records below the new log start: OFFSET_OUT_OF_RANGE; at the start, the batch it is inside, whole', async () => {
    // Prepare: batches [a b c] and [d e]; a replica that still shows the head from before the delete
    const topic = uniqueName('lag-del');
    await env.admin.createTopic(topic, 1);
    await produceValues(env.http, topic, 0, ['a', 'b', 'c']);
    await produceValues(env.http, topic, 0, ['d', 'e']);
    const { deps, headKey, old } = await headNow(topic);
    const [deleted] = await env.admin.deleteRecords(topic, [{ partition: 0, offset: 4 }]);
    const lag = lagging(deps, headKey, old);

    // Act
    const [below] = await fetchAt(lag, topic, 0);
    const [atStart] = await fetchAt(lag, topic, 4);

    // Assess: as Kafka's leader once its DeleteRecords answered
    expect(deleted).toMatchObject({ lowWatermark: 4 });
    expect(below!.partitions[0]).toMatchObject({ errorCode: 'OFFSET_OUT_OF_RANGE', logStartOffset: 4 });
    expect(below!.partitions[0]!.records.length).toBe(0);
    const p4 = atStart!.partitions[0]!;
    expect(p4).toMatchObject({ errorCode: 'NONE', logStartOffset: 4 });
    expect(values(decodeRecordBatches(p4.records).flatMap((b) => b.records))).toEqual(['d', 'e']);
    expect(lag.staleReads).toBe(2);
  });

  it('over HTTP: once delete-records answered, a fetch below the new start is OFFSET_OUT_OF_RANGE though the fetch function\'s head read lags', async () => {
    // Prepare: batches [a b c] and [d e]; the fetch function's eventually consistent head reads frozen before the delete
    const topic = uniqueName('lag-http');
    await env.admin.createTopic(topic, 1);
    await produceValues(env.http, topic, 0, ['a', 'b', 'c']);
    await produceValues(env.http, topic, 0, ['d', 'e']);
    const { topicId } = await env.admin.describeTopic(topic);
    await replica.freeze(env.cluster.deps!.logTable, logKeys.head(topicId, 0));
    try {
      const [deleted] = await env.admin.deleteRecords(topic, [{ partition: 0, offset: 3 }]);
      const staleBefore = replica.staleReads;

      // Act
      const [t] = await fetchRaw(env.http, { maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }] });

      // Assess
      expect(deleted).toMatchObject({ lowWatermark: 3 });
      expect(replica.staleReads).toBeGreaterThan(staleBefore);
      expect(t!.partitions[0]).toMatchObject({ errorCode: 'OFFSET_OUT_OF_RANGE', logStartOffset: 3 });
    } finally {
      replica.release();
    }
  });
});

describe('the strong log-start read of a fetch that serves records (decision 49)', () => {
  it('failing, fails only its own partition with a retriable code: the other partitions are served', async () => {
    // Prepare: records on both partitions; strong reads of partition 0's head fail
    const topic = uniqueName('lag-fail');
    await env.admin.createTopic(topic, 2);
    await produceValues(env.http, topic, 0, ['a', 'b']);
    await produceValues(env.http, topic, 1, ['c', 'd']);
    const deps = env.cluster.deps!;
    const resolved = await deps.resolveTopic(topic);
    const failing = failingReads(deps, isGetOf(logKeys.head(resolved!.topicId, 0), true));

    // Act
    const [t] = await fetchRecords(failing, {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      topics: [{ topic, partitions: [0, 1].map((partition) => ({ partition, fetchOffset: 0, partitionMaxBytes: 1 << 20 })) }],
    });

    // Assess: partition 0 is not served unchecked, partition 1 is served
    const [p0, p1] = t!.partitions;
    expect(failing.failed).toBeGreaterThan(0);
    expect(p0).toMatchObject({ errorCode: 'STORAGE_UNAVAILABLE' });
    expect(p0!.records.length).toBe(0);
    expect(p1!.errorCode).toBe('NONE');
    expect(values(decodeRecordBatches(p1!.records).flatMap((b) => b.records))).toEqual(['c', 'd']);
  });

  it('showing a log start past the old head\'s end: OFFSET_OUT_OF_RANGE with a high watermark not below that log start', async () => {
    // Prepare: the replica shows the head at end 3; the partition grew to 5 and DeleteRecords moved its start to 5
    const topic = uniqueName('lag-past');
    await env.admin.createTopic(topic, 1);
    await produceValues(env.http, topic, 0, ['a', 'b', 'c']);
    const { deps, headKey, old } = await headNow(topic);
    await produceValues(env.http, topic, 0, ['d', 'e']);
    const [deleted] = await env.admin.deleteRecords(topic, [{ partition: 0, offset: 5 }]);
    const lag = lagging(deps, headKey, old);

    // Act
    const [t] = await fetchAt(lag, topic, 0);

    // Assess: as Kafka, whose log start never passes its high watermark
    expect(deleted).toMatchObject({ lowWatermark: 5 });
    expect(lag.staleReads).toBe(1);
    expect(t!.partitions[0]).toMatchObject({ errorCode: 'OFFSET_OUT_OF_RANGE', logStartOffset: 5, highWatermark: 5 });
  });
});
