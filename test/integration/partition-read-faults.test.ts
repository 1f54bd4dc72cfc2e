/**
 * A DynamoDB read that fails for one partition fails that partition alone (decision 49): a fetch
 * naming several partitions serves the others, whichever read failed (its head, its index chunks);
 * a duplicate's acknowledgement does not fail for its timestamp lookup, and the failure is logged.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { allocateProducerId, produceRaw } from '../../packages/client/src/log-client.js';
import { decodeRecordBatches, encodeRecordBatch } from '../../packages/protocol/src/records/record-batch.js';
import { readHead, spill } from '../../src/log/append.js';
import { fetchRecords, type FetchDeps } from '../../src/log/fetch.js';
import { produce } from '../../src/log/produce.js';
import { consoleErrorReporter } from '../../src/local/console-errors.js';
import { reportInternalErrorsTo } from '../../src/storage/errors.js';
import { logKeys } from '../../src/storage/keys.js';
import { useTestCluster, uniqueName } from '../helpers/cluster.js';
import { failingReads, isGetOf, isQueryOfPartition } from '../helpers/failing-reads.js';
import { produceValues, values } from '../helpers/log.js';

const env = useTestCluster();

/** What publicError logged while a test ran (the cluster's console reporter is put back after). */
function captureReports(): string[] {
  const reports: string[] = [];
  reportInternalErrorsTo((message) => reports.push(message));
  return reports;
}
afterEach(() => reportInternalErrorsTo(consoleErrorReporter()));

/** A topic with two partitions: `batches0` one-record batches on partition 0 (spilled to the index past the head's), two records on partition 1. */
async function twoPartitions(prefix: string, batches0: number) {
  const topic = uniqueName(prefix);
  const { topicId } = await env.admin.createTopic(topic, 2);
  for (let i = 0; i < batches0; i++) await produceValues(env.http, topic, 0, [`a${i}`]);
  await produceValues(env.http, topic, 1, ['c', 'd']);
  return { topic, topicId };
}

/** Both partitions from offset 0, waiting for more bytes than there are: only an answer for each ends the wait early. */
const fetchBoth = (deps: FetchDeps, topic: string) =>
  fetchRecords(deps, {
    maxWaitMs: 1000,
    minBytes: 1 << 20,
    maxBytes: 1 << 20,
    topics: [{ topic, partitions: [0, 1].map((partition) => ({ partition, fetchOffset: 0, partitionMaxBytes: 1 << 20 })) }],
  });

describe('a fetch of two partitions, one of whose reads fails', () => {
  it('its head read: that partition alone is answered STORAGE_UNAVAILABLE with no offsets, its head read once; the other is served', async () => {
    // Prepare
    const { topic, topicId } = await twoPartitions('head-fails', 2);
    const failing = failingReads(env.cluster.deps!, isGetOf(logKeys.head(topicId, 0)));

    // Act
    const [t] = await fetchBoth(failing, topic);

    // Assess: the failure answers partition 0 (no head: no offsets), so the wait ends rather than re-reading it
    const [p0, p1] = t!.partitions;
    expect(p0).toMatchObject({ errorCode: 'STORAGE_UNAVAILABLE', highWatermark: -1, logStartOffset: -1 });
    expect(p0!.records.length).toBe(0);
    expect(failing.failed).toBe(1);
    expect(p1).toMatchObject({ errorCode: 'NONE', highWatermark: 2 });
    expect(values(decodeRecordBatches(p1!.records).flatMap((b) => b.records))).toEqual(['c', 'd']);
  });

  it('its head read, failing with a bug rather than the storage: UNKNOWN_SERVER_ERROR on that partition, logged; the other is served', async () => {
    // Prepare
    const { topic, topicId } = await twoPartitions('head-bug', 1);
    const failing = failingReads(env.cluster.deps!, isGetOf(logKeys.head(topicId, 0)), () => new TypeError('a bug'));
    const reports = captureReports();

    // Act
    const [t] = await fetchBoth(failing, topic);

    // Assess
    const [p0, p1] = t!.partitions;
    expect(p0!.errorCode).toBe('UNKNOWN_SERVER_ERROR');
    expect(reports.filter((r) => r.startsWith('internal error during fetch of 0'))).toHaveLength(1);
    expect(values(decodeRecordBatches(p1!.records).flatMap((b) => b.records))).toEqual(['c', 'd']);
  });

  it('its index chunk Query: that partition alone is answered STORAGE_UNAVAILABLE; the other is served', async () => {
    // Prepare: partition 0's first batches spilled from its head, so offset 0 is found in a chunk
    const { topic, topicId } = await twoPartitions('chunk-fails', 10);
    const deps = env.cluster.deps!;
    const head = (await readHead(deps, { topicId }, 0))!;
    await spill(deps, topicId, 0, head.recentBase, head.recent);
    expect((await readHead(deps, { topicId }, 0))!.recentBase).toBeGreaterThan(0);
    const failing = failingReads(deps, isQueryOfPartition(topicId, 0));

    // Act
    const [t] = await fetchBoth(failing, topic);

    // Assess
    const [p0, p1] = t!.partitions;
    expect(failing.failed).toBe(1);
    expect(p0).toMatchObject({ errorCode: 'STORAGE_UNAVAILABLE', highWatermark: 10 });
    expect(p0!.records.length).toBe(0);
    expect(p1).toMatchObject({ errorCode: 'NONE', highWatermark: 2 });
    expect(values(decodeRecordBatches(p1!.records).flatMap((b) => b.records))).toEqual(['c', 'd']);
  });
});

describe("a duplicate's timestamp lookup that fails", () => {
  it('still acknowledges the retry, with timestamp -1, and logs the failure', async () => {
    // Prepare: on a LogAppendTime topic an idempotent batch, then enough others that its location is spilled to the index
    const topic = uniqueName('dup-lookup');
    const { topicId } = await env.admin.createTopic(topic, 1, { 'message.timestamp.type': 'LogAppendTime' });
    const { producerId, producerEpoch } = await allocateProducerId(env.http);
    const batch = encodeRecordBatch({ records: [{ key: null, value: Buffer.from('x') }], producerId, producerEpoch, baseSequence: 0 });
    const request = { acks: -1, timeoutMs: 10_000, topics: [{ topic, partitions: [{ partition: 0, records: batch }] }] };
    await produceRaw(env.http, request);
    for (let i = 0; i < 9; i++) await produceValues(env.http, topic, 0, [`v${i}`]);
    const deps = env.cluster.deps!;
    const head = (await readHead(deps, { topicId }, 0))!;
    await spill(deps, topicId, 0, head.recentBase, head.recent);
    const failing = failingReads(deps, isQueryOfPartition(topicId, 0));
    const reports = captureReports();

    // Act: the same batch again (its answer was lost), while the index Query fails
    const [t] = await produce(failing, request);

    // Assess
    expect(t!.partitions[0]).toMatchObject({ errorCode: 'NONE', baseOffset: 0, logAppendTime: -1 });
    expect(failing.failed).toBe(1);
    expect(reports.filter((r) => r.includes('timestamp lookup of a duplicate'))).toHaveLength(1);
  });
});
