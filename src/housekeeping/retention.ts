/**
 * Retention (Kafka's retention.ms and retention.bytes, "delete" cleanup policy), per partition
 * under its lease. The log start offset moves past the expired prefix of batches, at a batch
 * boundary; index chunks wholly below it are deleted afterwards. Segment objects are not
 * deleted here: the sweep deletes an object once no live batch of any partition references it.
 *
 * - time: a batch is expired when its max timestamp (Kafka uses a segment's largest timestamp)
 *   is older than now - retention.ms; expiry stops at the first batch that is not expired.
 * - bytes: the oldest batches go while what remains is still >= retention.bytes (Kafka's rule,
 *   per batch instead of per segment).
 */
import { DeleteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { logKeys } from '../storage/keys.js';
import { isConditionFailure, writeIf, type LogDeps } from '../log/deps.js';
import type { LeaseGuard } from '../leases/leases.js';
import type { LocatedBatch } from '../log/partition-head.js';
import type { TopicConfig } from '../log/limits.js';

/** -1 means unlimited for both settings. */
const isLimited = (value: number): boolean => value >= 0;

/** A batch's time for retention: its max timestamp, or its append time when the producer set none. */
export const retentionTime = (batch: Pick<LocatedBatch, 't' | 'a'>): number => (batch.t >= 0 ? batch.t : batch.a);

/**
 * The new log start offset for batches given in offset order from the current one.
 * Reads only as far as needed: the expired prefix for time, everything for bytes.
 */
export async function retentionCut(
  batches: AsyncIterable<LocatedBatch>,
  logStartOffset: number,
  configs: Pick<TopicConfig, 'retention.ms' | 'retention.bytes'>,
  now: number,
): Promise<number> {
  const byTime = isLimited(configs['retention.ms']);
  const byBytes = isLimited(configs['retention.bytes']);
  if (!byTime && !byBytes) return logStartOffset;
  const cutoff = now - configs['retention.ms'];
  let timeCut = logStartOffset;
  let timeDone = !byTime;
  const ends: number[] = [];
  const sizes: number[] = [];
  let total = 0;
  for await (const batch of batches) {
    const end = batch.baseOffset + batch.n;
    if (!timeDone) {
      if (retentionTime(batch) < cutoff) timeCut = end;
      else timeDone = true;
    }
    if (byBytes) {
      ends.push(end);
      sizes.push(batch.l);
      total += batch.l;
    } else if (timeDone) break;
  }
  let cut = timeCut;
  if (byBytes) {
    let remaining = total;
    for (let i = 0; i < sizes.length; i++) {
      const size = sizes[i] as number;
      if (remaining - size < configs['retention.bytes']) break;
      remaining -= size;
      cut = Math.max(cut, ends[i] as number);
    }
  }
  return cut;
}

/** Moves the log start offset forward (never back); false when it was already there or the write was fenced. */
export async function advanceLogStart(deps: LogDeps, guard: LeaseGuard, topicId: string, partition: number, newStart: number): Promise<boolean> {
  await guard.ensure();
  const fence = guard.fence;
  return writeIf(
    deps.dynamo,
    new UpdateCommand({
      TableName: deps.logTable,
      Key: logKeys.head(topicId, partition),
      UpdateExpression: `SET logStartOffset = :start, ${fence.set}`,
      ConditionExpression: `attribute_exists(nextOffset) AND logStartOffset < :start AND nextOffset >= :start AND ${fence.condition}`,
      ExpressionAttributeValues: { ':start': newStart, ...fence.values },
    }),
  );
}

/** Deletes the index chunks wholly below the log start offset (also those a crashed pass left). Returns how many. */
export async function deleteChunksBelow(deps: LogDeps, guard: LeaseGuard, topicId: string, partition: number, logStartOffset: number): Promise<number> {
  if (logStartOffset <= 0) return 0;
  const pk = logKeys.partitionPk(topicId, partition);
  let deleted = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await deps.dynamo.send(
      new QueryCommand({
        TableName: deps.logTable,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': pk, ':from': logKeys.indexChunkSk(0), ':to': logKeys.indexChunkSk(logStartOffset - 1) },
        ProjectionExpression: 'sk',
        ConsistentRead: true,
        ExclusiveStartKey: start,
        Limit: 100,
      }),
    );
    for (const item of page.Items ?? []) {
      await guard.ensure();
      const fence = guard.fence;
      try {
        await deps.dynamo.send(
          new DeleteCommand({
            TableName: deps.logTable,
            Key: { pk, sk: item.sk as string },
            ConditionExpression: fence.condition,
            ExpressionAttributeValues: fence.values,
          }),
        );
        deleted++;
      } catch (error) {
        if (!isConditionFailure(error)) throw error; // a newer holder owns it now
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return deleted;
}
