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
import { produceValues, values } from '../helpers/log.js';

const env = useTestCluster();

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

const fetchAt = (deps: FetchDeps, topic: string, fetchOffset: number) =>
  fetchRecords(deps, { maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, topics: [{ topic, partitions: [{ partition: 0, fetchOffset, partitionMaxBytes: 1 << 20 }] }] });

describe('fetch over a lagging replica', () => {
  it('serves what the old head shows, and re-reads strongly before calling a newer offset out of range', async () => {
    // Prepare
    const topic = uniqueName('lag');
    await env.admin.createTopic(topic, 1);
    await produceValues(env.http, topic, 0, ['a', 'b', 'c']);
    const deps = env.cluster.deps!;
    const resolved = await deps.resolveTopic(topic);
    const headKey = logKeys.head(resolved!.topicId, 0);
    const old = (await deps.dynamo.send(new GetCommand({ TableName: deps.logTable, Key: headKey, ConsistentRead: true }))).Item!;
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
    expect(lag.consistentReads).toBe(2);
  });
});
