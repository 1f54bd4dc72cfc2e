/**
 * Finding the batches that hold offsets >= `fromOffset`: the head first, then
 * (only if older offsets are asked for) one Query on the index items. Reading
 * the head before the index matters: a location trimmed from the head was
 * written to the index before the trim, so it is visible to the later Query.
 *
 * Retention deletes index chunks below the log start offset after advancing it, so
 * a chunk can vanish between the head read and the Query: the batches found must
 * then not start after the requested offset (a skip). Selection stops at such a
 * gap; when nothing before it was selected, the offset is no longer in the log.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { FloeError } from '../errors.js';
import { logKeys } from '../storage/keys.js';
import type { LogDeps } from './deps.js';
import { withOffsets, type Location, type LocatedBatch, type PartitionHead } from './partition-head.js';

export interface LocateOptions {
  fromOffset: number;
  /** Stop once this many bytes are selected. */
  maxBytes: number;
  /** Include the first batch even if it alone exceeds maxBytes (Kafka does so for the first non-empty partition). */
  forceFirst: boolean;
}

export async function locateBatches(
  deps: LogDeps,
  topicId: string,
  partition: number,
  head: PartitionHead,
  options: LocateOptions,
): Promise<LocatedBatch[]> {
  const selected: LocatedBatch[] = [];
  let bytes = 0;
  let next = Math.max(options.fromOffset, head.logStartOffset);
  const take = (batch: LocatedBatch): boolean => {
    if (batch.baseOffset + batch.n <= next) return true; // before the position, or overlap between chunks
    if (batch.baseOffset > next) {
      // Chunks below a newer log start offset were deleted after the head was read.
      if (selected.length === 0) {
        throw new FloeError('OFFSET_OUT_OF_RANGE', `offset ${next} is no longer in the log (retention moved the log start offset)`);
      }
      return false;
    }
    if ((selected.length > 0 || !options.forceFirst) && bytes + batch.l > options.maxBytes) return false;
    selected.push(batch);
    bytes += batch.l;
    next = batch.baseOffset + batch.n;
    return true;
  };

  if (options.fromOffset < head.recentBase) {
    let start: Record<string, unknown> | undefined;
    let full = false;
    do {
      const page = await deps.dynamo.send(
        new QueryCommand({
          TableName: deps.logTable,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': logKeys.partitionPk(topicId, partition),
            ':from': logKeys.indexChunkSk(options.fromOffset),
            ':to': logKeys.indexChunkSk(Math.max(options.fromOffset, head.recentBase - 1)),
          },
          ConsistentRead: true,
          ExclusiveStartKey: start,
          Limit: 32,
        }),
      );
      for (const item of page.Items ?? []) {
        for (const batch of withOffsets(item.base as number, item.entries as Location[])) {
          if (batch.baseOffset >= head.recentBase) break;
          if (!take(batch)) {
            full = true;
            break;
          }
        }
        if (full) break;
      }
      start = full ? undefined : page.LastEvaluatedKey;
    } while (start);
    if (full) return selected;
  }
  for (const batch of withOffsets(head.recentBase, head.recent)) {
    if (!take(batch)) break;
  }
  return selected;
}
