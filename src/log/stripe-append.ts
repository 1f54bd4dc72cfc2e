/**
 * Committing a request's batches to a striped topic (decision 52): one UpdateItem per stripe it
 * touches (more where a stripe's partitions would not fit one expression) and no read. Each batch's
 * base offset is its partition's counter in the item the write returns, minus its span. Plain
 * producers only: idempotent state in stripes is the next step of decision 52's build order. A
 * write that leaves its stripe's entries past the limit spills them in the background (stripe-spill.ts).
 */
import { FloeError } from '@floe/protocol';
import { refuseLateCommit } from './append.js';
import type { LogDeps } from './deps.js';
import { updateStripe } from './store.js';
import { baseOffsetsIn, planStripeAppend, type StripeBatch, type TopicRef } from './stripe-head.js';
import { spillStripeInBackground } from './stripe-spill.js';

export interface StripeAppendResult {
  baseOffset: number;
  logStartOffset: number;
}

/**
 * Appends `batches` (one per partition, all in the segment object `key`, appended at `appendTime`)
 * to the stripes of `topic`. Answers each partition's offsets, or the error of the write that
 * carried it: the writes are independent, so one stripe's failure leaves the others committed.
 */
export async function appendToStripes(
  deps: LogDeps,
  topic: TopicRef & { stripeWidth: number },
  key: string,
  appendTime: number,
  batches: readonly StripeBatch[],
): Promise<Map<number, StripeAppendResult | Error>> {
  const width = topic.stripeWidth;
  const results = new Map<number, StripeAppendResult | Error>();
  await Promise.all(
    planStripeAppend(key, appendTime, batches, width).map(async (write) => {
      const partitions = write.indexes.map((i) => write.stripe * width + i);
      try {
        refuseLateCommit(deps, key, appendTime);
        const item = await updateStripe(deps, topic.topicId, write.stripe * width, write.update);
        if (!item) throw new FloeError('UNKNOWN_TOPIC_OR_PARTITION', `partitions ${partitions[0]}-${partitions.at(-1)} do not exist`);
        // The item as this write left it tells whether its entries passed the spill limit (no read).
        spillStripeInBackground(deps, topic.topicId, write.stripe * width, item);
        const bases = baseOffsetsIn(write, item);
        write.indexes.forEach((index, j) => results.set(partitions[j] as number, { baseOffset: bases[j] as number, logStartOffset: item.l[index] ?? 0 }));
      } catch (error) {
        for (const p of partitions) results.set(p, error instanceof Error ? error : new Error(String(error)));
      }
    }),
  );
  return results;
}
