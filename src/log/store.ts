/**
 * The log table: every DynamoDB request the log, housekeeping and leases make is built here,
 * and only here (as src/groups/store.ts does for the groups table). Key formats come from
 * src/storage/keys.ts; what the items mean is in docs/architecture.md#data-model.
 *
 * - Reads return items (or undefined); queries page through `queryAll`, once.
 * - A write that can legitimately lose a race is a `ConditionalWrite`: sent with `applyWrite`,
 *   it returns false when its condition did not hold (never a hand-written catch elsewhere).
 * - Writes made under a housekeeping lease are *described* here and sent by the lease guard
 *   (src/leases/guard.ts), which adds the lease's fence to each of them: no fenced write can
 *   be sent without its fence.
 */
import { mapConcurrent } from '@floe/protocol';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { batchGetAll, batchWriteAll, queryAll } from '../storage/dynamo-batch.js';
import { logKeys, TTL_ATTRIBUTE } from '../storage/keys.js';
import { sendIf, writeIf, type LogDeps } from './deps.js';
import { spanOfAll, type IndexEntry, type Location, type PartitionHead } from './partition-head.js';
import { SEQUENCE_HORIZON, SEQUENCE_MODULUS, type ProducerState } from './producer-state.js';
import { newStripe, partitionView, stripeOf, stripesOf, type StripeChunk, type StripeEntry, type StripeItem, type TopicRef } from './stripe-head.js';

export type Item = Record<string, unknown>;
export interface Key {
  pk: string;
  sk: string;
}

interface Expression {
  condition?: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

/** One conditional single-item write, not yet sent. */
export type ConditionalWrite =
  | (Expression & { kind: 'update'; key: Key; set: string[]; remove?: string[] })
  | (Expression & { kind: 'put'; item: Item })
  | (Expression & { kind: 'delete'; key: Key });

const nonEmpty = <T extends object>(o: T | undefined): T | undefined => (o && Object.keys(o).length > 0 ? o : undefined);

function commandOf(table: string, w: ConditionalWrite): UpdateCommand | PutCommand | DeleteCommand {
  const common = {
    TableName: table,
    ConditionExpression: w.condition,
    ExpressionAttributeNames: nonEmpty(w.names),
    ExpressionAttributeValues: nonEmpty(w.values),
  };
  if (w.kind === 'put') return new PutCommand({ ...common, Item: w.item });
  if (w.kind === 'delete') return new DeleteCommand({ ...common, Key: w.key });
  const set = w.set.length > 0 ? `SET ${w.set.join(', ')}` : '';
  const remove = w.remove && w.remove.length > 0 ? ` REMOVE ${w.remove.join(', ')}` : '';
  return new UpdateCommand({ ...common, Key: w.key, UpdateExpression: `${set}${remove}`.trim() });
}

/** Sends a conditional write: false when its condition did not hold; any other failure throws. */
export const applyWrite = (deps: LogDeps, w: ConditionalWrite): Promise<boolean> => writeIf(deps.dynamo, commandOf(deps.logTable, w));

async function getItem(deps: LogDeps, key: Key, consistent = true): Promise<Item | undefined> {
  const result = await deps.dynamo.send(new GetCommand({ TableName: deps.logTable, Key: key, ConsistentRead: consistent }));
  return result.Item;
}

const query = (deps: LogDeps, input: Omit<QueryCommandInput, 'TableName'>): AsyncGenerator<Item> =>
  queryAll(deps.dynamo, { TableName: deps.logTable, ...input });

// --- topics -------------------------------------------------------------------

export const getTopicItem = (deps: LogDeps, name: string): Promise<Item | undefined> => getItem(deps, logKeys.topic(name));

/** Creates the topic item; false if a topic of that name exists. */
export const createTopicItem = (deps: LogDeps, name: string, attributes: Item): Promise<boolean> =>
  applyWrite(deps, { kind: 'put', item: { ...logKeys.topic(name), ...attributes }, condition: 'attribute_not_exists(pk)' });

/** The topic items of these names that exist. */
export const getTopicItems = (deps: LogDeps, names: string[]): Promise<Item[]> =>
  batchGetAll(deps.dynamo, deps.logTable, names.map((name) => logKeys.topic(name)));

export const topicItems = (deps: LogDeps): AsyncGenerator<Item> =>
  query(deps, { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': logKeys.topicsPk } });

/** Raises the partition count of the topic with this id from `from` to `to`; false if it changed meanwhile. */
export const setTopicPartitions = (deps: LogDeps, name: string, topicId: string, from: number, to: number): Promise<boolean> =>
  applyWrite(deps, {
    kind: 'update',
    key: logKeys.topic(name),
    set: ['#partitions = :new'],
    condition: '#partitions = :old AND topicId = :id',
    names: { '#partitions': 'partitions' },
    values: { ':new': to, ':old': from, ':id': topicId },
  });

/**
 * Replaces the configs of the topic with this id, and the names of those set on it, if nobody
 * changed them since version `version` was read (`cv`, absent until the first alter); false if
 * the topic is gone or another alter came first (each writes the whole set it computed).
 */
export const setTopicConfigs = (deps: LogDeps, name: string, topicId: string, configs: Item, overrides: string[], version: number | undefined): Promise<boolean> =>
  applyWrite(deps, {
    kind: 'update',
    key: logKeys.topic(name),
    set: ['#configs = :c', '#overrides = :o', 'cv = :next'],
    condition: `topicId = :id AND ${version === undefined ? 'attribute_not_exists(cv)' : 'cv = :cv'}`,
    names: { '#configs': 'configs', '#overrides': 'overrides' },
    values: { ':c': configs, ':o': overrides, ':id': topicId, ':next': (version ?? 0) + 1, ...(version === undefined ? {} : { ':cv': version }) },
  });

/** Deletes the topic item if it is still this id; its partition count as it was then, or undefined when it was not. */
export async function deleteTopicItem(deps: LogDeps, name: string, topicId: string): Promise<number | undefined> {
  const command = commandOf(deps.logTable, { kind: 'delete', key: logKeys.topic(name), condition: 'topicId = :id', values: { ':id': topicId } }) as DeleteCommand;
  command.input.ReturnValues = 'ALL_OLD';
  const result = await sendIf(deps.dynamo, command);
  return result === undefined ? undefined : Number(result.Attributes?.partitions);
}

// --- partition heads ------------------------------------------------------------

/** Heads of partitions [from, to) of a new topic: one item each, or its stripes (decision 52). */
export async function putHeads(deps: LogDeps, topic: TopicRef, from: number, to: number, head: () => PartitionHead): Promise<void> {
  const width = topic.stripeWidth;
  const writes = [];
  if (width === undefined) for (let p = from; p < to; p++) writes.push({ PutRequest: { Item: { ...logKeys.head(topic.topicId, p), ...head() } } });
  else for (const s of stripesOf(to, width).filter((s) => s.first >= from)) writes.push({ PutRequest: { Item: { ...logKeys.stripe(topic.topicId, s.first), ...newStripe(s.size) } } });
  await batchWriteAll(deps.dynamo, deps.logTable, writes);
}

/** Writes in flight while adding partitions' heads one by one. */
const HEAD_PUTS_IN_FLIGHT = 16;

/**
 * Heads of partitions being added, each only where none exists (conditional puts, not a batch):
 * a concurrent add of partitions may have made one and taken appends on it, which an
 * unconditional put would erase. A striped topic's stripes that hold added partitions are made
 * at least as wide as `to` needs (growStripe).
 */
export async function putMissingHeads(deps: LogDeps, topic: TopicRef, from: number, to: number, head: () => PartitionHead): Promise<void> {
  const width = topic.stripeWidth;
  if (width !== undefined) {
    const touched = stripesOf(to, width).filter((s) => s.first + s.size > from);
    await mapConcurrent(touched, HEAD_PUTS_IN_FLIGHT, (s) => growStripe(deps, topic.topicId, s.first, s.size, s.first >= from));
    return;
  }
  const partitions = Array.from({ length: to - from }, (_, i) => from + i);
  // A head that exists already (another add won the race) keeps its records.
  await mapConcurrent(partitions, HEAD_PUTS_IN_FLIGHT, (p) =>
    writeIf(deps.dynamo, new PutCommand({ TableName: deps.logTable, Item: { ...logKeys.head(topic.topicId, p), ...head() }, ConditionExpression: 'attribute_not_exists(pk)' })),
  );
}

/**
 * Makes the stripe at `first` hold at least `size` partitions: put if absent (`fresh`: a stripe of
 * added partitions only; one the topic had is absent only when the topic was deleted), else grown
 * by the zeros it lacks, from the size it was read at. Another add (racing to another count, or one
 * that crashed before writing its count) may have put or grown it narrower than this add needs, so
 * "exists" is not "wide enough"; counters already there are never reset. Each lost write means
 * another add grew it, and sizes only grow up to the width, so the loop ends.
 */
async function growStripe(deps: LogDeps, topicId: string, first: number, size: number, fresh: boolean): Promise<void> {
  const key = logKeys.stripe(topicId, first);
  for (;;) {
    const item = (await getItem(deps, key)) as StripeItem | undefined;
    const have = item?.o.length;
    if (have === undefined ? !fresh : have >= size) return;
    const written =
      have === undefined
        ? await applyWrite(deps, { kind: 'put', item: { ...key, ...newStripe(size) }, condition: 'attribute_not_exists(pk)' })
        : await applyWrite(deps, {
            kind: 'update',
            key,
            set: ['o = list_append(o, :zeros)', 'l = list_append(l, :zeros)'],
            condition: 'size(o) = :size',
            values: { ':zeros': new Array<number>(size - have).fill(0), ':size': have },
          });
    if (written) return;
  }
}

export async function deleteHeads(deps: LogDeps, topic: TopicRef, partitions: number): Promise<void> {
  const width = topic.stripeWidth;
  const keys = width === undefined ? Array.from({ length: partitions }, (_, p) => logKeys.head(topic.topicId, p)) : stripesOf(partitions, width).map((s) => logKeys.stripe(topic.topicId, s.first));
  await batchWriteAll(deps.dynamo, deps.logTable, keys.map((Key) => ({ DeleteRequest: { Key } })));
}

/**
 * A partition head (of a striped topic: its view of the stripe item, decision 52). consistent false:
 * half the read units, but the head may be a moment old (never newer than the latest write, never
 * pointing at anything not yet durable).
 */
export async function getHead(deps: LogDeps, topic: TopicRef, partition: number, consistent = true): Promise<PartitionHead | undefined> {
  if (topic.stripeWidth === undefined) return (await getItem(deps, logKeys.head(topic.topicId, partition), consistent)) as PartitionHead | undefined;
  return headReader(deps, consistent)(topic, partition);
}

/** Partition `index` of a stripe item read, if the item exists and holds it (an add may not have grown it yet). */
const viewOf = (item: StripeItem | undefined, index: number): PartitionHead | undefined => (item && index < item.o.length ? partitionView(item, index) : undefined);

export type HeadReader = (topic: TopicRef, partition: number) => Promise<PartitionHead | undefined>;

/**
 * getHead for a batch of reads made together (a fetch's round): partitions of one stripe share one
 * read of its item, so a fetch of a stripe's partitions costs one item read, not one per partition
 * (decision 52). A reader remembers its reads: make one per round, never keep it.
 */
export function headReader(deps: LogDeps, consistent: boolean): HeadReader {
  const stripes = new Map<string, Promise<StripeItem | undefined>>();
  return async (topic, partition) => {
    if (topic.stripeWidth === undefined) return getHead(deps, topic, partition, consistent);
    const { stripe, index } = stripeOf(partition, topic.stripeWidth);
    const key = logKeys.stripe(topic.topicId, stripe * topic.stripeWidth);
    let read = stripes.get(key.pk);
    if (read === undefined) {
      read = getItem(deps, key, consistent) as Promise<StripeItem | undefined>;
      stripes.set(key.pk, read);
    }
    return viewOf(await read, index);
  };
}

/** Several heads of one topic (strongly consistent), by partition. */
export async function getHeads(deps: LogDeps, topic: TopicRef, partitions: number[]): Promise<Map<number, PartitionHead>> {
  const heads = new Map<number, PartitionHead>();
  const width = topic.stripeWidth;
  if (width === undefined) {
    const items = await batchGetAll(deps.dynamo, deps.logTable, partitions.map((p) => logKeys.head(topic.topicId, p)));
    for (const item of items) heads.set(Number(String(item.pk).split('#').pop()), item as unknown as PartitionHead);
    return heads;
  }
  const stripes = [...new Set(partitions.map((p) => stripeOf(p, width).stripe))];
  const items = await batchGetAll(deps.dynamo, deps.logTable, stripes.map((stripe) => logKeys.stripe(topic.topicId, stripe * width)));
  const byFirst = new Map(items.map((item) => [Number(String(item.pk).split('#').pop()), item as unknown as StripeItem]));
  for (const p of partitions) {
    const { stripe, index } = stripeOf(p, width);
    const head = viewOf(byFirst.get(stripe * width), index);
    if (head) heads.set(p, head);
  }
  return heads;
}

export interface HeadUpdate {
  set: string[];
  remove?: string[];
  condition: string;
  names?: Record<string, string>;
  values: Record<string, unknown>;
}

/**
 * One conditional UpdateItem on a partition head (an append, a spill's trim, a producer-state
 * change). Returns the updated attributes' new values, or undefined when the condition failed.
 */
export async function updateHead(deps: LogDeps, topicId: string, partition: number, update: HeadUpdate): Promise<Item | undefined> {
  const command = commandOf(deps.logTable, { kind: 'update', key: logKeys.head(topicId, partition), ...update }) as UpdateCommand;
  command.input.ReturnValues = 'UPDATED_NEW';
  const result = await sendIf(deps.dynamo, command);
  return result === undefined ? undefined : (result.Attributes ?? {});
}

/**
 * One conditional UpdateItem on a stripe item (a striped topic's append). Returns the whole item as
 * the write left it (ALL_NEW: the counters give the batches' offsets, decision 52), or undefined
 * when the condition failed.
 */
export async function updateStripe(deps: LogDeps, topicId: string, first: number, update: HeadUpdate): Promise<StripeItem | undefined> {
  const command = commandOf(deps.logTable, { kind: 'update', key: logKeys.stripe(topicId, first), ...update }) as UpdateCommand;
  command.input.ReturnValues = 'ALL_NEW';
  const result = await sendIf(deps.dynamo, command);
  return result?.Attributes as StripeItem | undefined;
}

/** A stripe item as stored (strongly consistent), or undefined once its topic is deleted. */
export const getStripe = async (deps: LogDeps, topicId: string, first: number): Promise<StripeItem | undefined> =>
  (await getItem(deps, logKeys.stripe(topicId, first))) as StripeItem | undefined;

// --- stripe chunks (decision 52: entries spilled from a stripe, stripe-spill.ts) ----------

const toStripeChunk = (item: Item): StripeChunk => ({ seq: logKeys.stripeChunkSeq(item.sk as string), entries: item.entries as StripeEntry[], ends: item.ends as number[] });

/** Writes a spill's chunk unless one is at its seq already (a racing spiller's: the caller then trims by that one). */
export const putStripeChunkIfAbsent = (deps: LogDeps, topicId: string, first: number, chunk: StripeChunk): Promise<boolean> =>
  applyWrite(deps, {
    kind: 'put',
    item: { ...logKeys.stripeChunk(topicId, first, chunk.seq), entries: chunk.entries, ends: chunk.ends },
    condition: 'attribute_not_exists(sk)',
  });

export const getStripeChunk = async (deps: LogDeps, topicId: string, first: number, seq: number): Promise<StripeChunk | undefined> => {
  const item = await getItem(deps, logKeys.stripeChunk(topicId, first, seq));
  return item && toStripeChunk(item);
};

/** Deletes a chunk a spill wrote, for a stripe that turned out to be gone (see putStripeChunkIfAbsent). */
export const deleteStripeChunk = (deps: LogDeps, topicId: string, first: number, seq: number): Promise<void> => deleteItem(deps, logKeys.stripeChunk(topicId, first, seq));

/**
 * Removes a stripe's `count` oldest entries after they were spilled, if nobody trimmed it since `sp`
 * was read (absent: a stripe written before spills). Highest index first, as trimHead.
 */
export const trimStripe = (deps: LogDeps, topicId: string, first: number, sp: number | undefined, count: number): Promise<boolean> =>
  applyWrite(deps, {
    kind: 'update',
    key: logKeys.stripe(topicId, first),
    set: ['sp = :next'],
    remove: Array.from({ length: count }, (_, i) => `recent[${count - 1 - i}]`),
    condition: sp === undefined ? 'attribute_exists(o) AND attribute_not_exists(sp)' : 'sp = :sp',
    values: { ':next': (sp ?? 0) + count, ...(sp === undefined ? {} : { ':sp': sp }) },
  });

const LAST_SEQ = Number.MAX_SAFE_INTEGER;

/** The stripe chunk at the greatest seq <= `seq` (`before`), or at the least seq >= `seq`: one Query of one item. */
export async function stripeChunkNear(deps: LogDeps, topicId: string, first: number, seq: number, before: boolean): Promise<StripeChunk | undefined> {
  const page = await deps.dynamo.send(
    new QueryCommand({
      TableName: deps.logTable,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': logKeys.partitionPk(topicId, first),
        ':from': logKeys.stripeChunkSk(before ? 0 : seq),
        ':to': logKeys.stripeChunkSk(before ? seq : LAST_SEQ),
      },
      ScanIndexForward: !before,
      ConsistentRead: true,
      Limit: 1,
    }),
  );
  const item = page.Items?.[0];
  return item && toStripeChunk(item);
}

/** Stripe chunks from seq `from` on, ascending, page by page (chunkPages: readers near the stripe stop early). */
export async function* stripeChunks(deps: LogDeps, topicId: string, first: number, from: number): AsyncGenerator<StripeChunk> {
  for await (const item of chunkPages(deps, logKeys.partitionPk(topicId, first), logKeys.stripeChunkSk(from), logKeys.stripeChunkSk(LAST_SEQ))) yield toStripeChunk(item);
}

// --- producer ids and demoted producer state -------------------------------------------

/** Registers a newly issued producer id; false if the id exists (a collision of random ids). */
export const createProducerIdItem = (deps: LogDeps, producerId: string, epoch: number, issuedAt: number, ttl: number): Promise<boolean> =>
  applyWrite(deps, {
    kind: 'put',
    item: { ...logKeys.producerId(producerId), e: epoch, at: issuedAt, [TTL_ATTRIBUTE]: ttl },
    condition: 'attribute_not_exists(pk)',
  });

/** Bumps a registered id's epoch from `epoch` to `epoch + 1`; false if the id is unknown or its epoch is not `epoch`. */
export const bumpProducerEpochItem = (deps: LogDeps, producerId: string, epoch: number, issuedAt: number, ttl: number): Promise<boolean> =>
  applyWrite(deps, {
    kind: 'update',
    key: logKeys.producerId(producerId),
    set: ['e = :next', '#at = :at', '#ttl = :ttl'],
    condition: 'e = :e',
    names: { '#at': 'at', '#ttl': TTL_ATTRIBUTE },
    values: { ':e': epoch, ':next': epoch + 1, ':at': issuedAt, ':ttl': ttl },
  });

export const getProducerIdItem = (deps: LogDeps, producerId: string): Promise<Item | undefined> => getItem(deps, logKeys.producerId(producerId));

export const getProducerStateItem = (deps: LogDeps, topicId: string, partition: number, producerId: string): Promise<Item | undefined> =>
  getItem(deps, logKeys.producerState(topicId, partition, producerId));

/**
 * Writes a producer's state demoted from a head, unless a newer one is there: a slow demoter never
 * puts an older state over a newer one. Newer is told by the producer's own order — a later epoch,
 * or the same epoch at or past the stored last sequence (within half the sequence space, around the
 * wrap) — not by `t`: append times come from the clocks of different handlers, and one running
 * ahead would make a newer state look older, refused, while the head still dropped it. A stored
 * state that expired (`t` before `expiredBefore`) counts for nothing.
 */
export function putProducerStateItem(deps: LogDeps, topicId: string, partition: number, producerId: string, state: ProducerState, ttl: number, expiredBefore: number): Promise<boolean> {
  const lowest = state.s - SEQUENCE_HORIZON + 1;
  const behind = lowest >= 0 ? 's BETWEEN :low AND :s' : '(s <= :s OR s >= :low)';
  return applyWrite(deps, {
    kind: 'put',
    item: { ...logKeys.producerState(topicId, partition, producerId), ...state, [TTL_ATTRIBUTE]: ttl },
    condition: `attribute_not_exists(sk) OR e < :e OR t < :expired OR (e = :e AND ${behind})`,
    values: { ':e': state.e, ':s': state.s, ':low': lowest >= 0 ? lowest : lowest + SEQUENCE_MODULUS, ':expired': expiredBefore },
  });
}

/** Keys and last-append times of a partition's demoted producer states. */
export async function* producerStateItems(deps: LogDeps, topicId: string, partition: number): AsyncGenerator<Item> {
  yield* query(deps, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :s)',
    ExpressionAttributeValues: { ':pk': logKeys.partitionPk(topicId, partition), ':s': logKeys.producerStatePrefix },
    ProjectionExpression: 'pk, sk, t',
    ConsistentRead: true,
  });
}

// --- index chunks -----------------------------------------------------------------

/** The first page is small: retention by time and fetches from near the head usually stop at the first chunk. */
const FIRST_CHUNK_PAGE = 8;
const CHUNK_PAGE = 100;

/** The items of a chunk Query (strongly consistent), page by page: a small first page, then larger ones. */
async function* chunkPages(deps: LogDeps, pk: string, from: string, to: string): AsyncGenerator<Item> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await deps.dynamo.send(
      new QueryCommand({
        TableName: deps.logTable,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': pk, ':from': from, ':to': to },
        ConsistentRead: true,
        ExclusiveStartKey: start,
        Limit: start ? CHUNK_PAGE : FIRST_CHUNK_PAGE,
      }),
    );
    yield* page.Items ?? [];
    start = page.LastEvaluatedKey;
  } while (start);
}

/** Index chunk items whose last offset is in [from, to], ascending, page by page. */
export const chunkItems = (deps: LogDeps, topicId: string, partition: number, from: number, to: number): AsyncGenerator<Item> =>
  chunkPages(deps, logKeys.partitionPk(topicId, partition), logKeys.indexChunkSk(from), logKeys.indexChunkSk(to));

/** Keys of the index chunks whose last offset is below `offset`. */
export async function* chunkKeysBelow(deps: LogDeps, topicId: string, partition: number, offset: number): AsyncGenerator<Key> {
  if (offset <= 0) return;
  const items = query(deps, {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': logKeys.partitionPk(topicId, partition), ':from': logKeys.indexChunkSk(0), ':to': logKeys.indexChunkSk(offset - 1) },
    ProjectionExpression: 'pk, sk',
    ConsistentRead: true,
    Limit: CHUNK_PAGE,
  });
  for await (const item of items) yield { pk: item.pk as string, sk: item.sk as string };
}

/** Writes a spilled chunk unless it exists (racing spillers write identical entries; decision 15). */
export const putChunkIfAbsent = (deps: LogDeps, topicId: string, partition: number, base: number, entries: Location[]): Promise<boolean> => {
  return applyWrite(deps, {
    kind: 'put',
    item: { pk: logKeys.partitionPk(topicId, partition), sk: logKeys.indexChunkSk(base + spanOfAll(entries) - 1), base, entries },
    condition: 'attribute_not_exists(sk)',
  });
};

/** Deletes a chunk a spill wrote (see putChunkIfAbsent), for a partition that turned out to be gone. */
export const deleteChunkItem = (deps: LogDeps, topicId: string, partition: number, base: number, entries: Location[]): Promise<void> =>
  deleteItem(deps, { pk: logKeys.partitionPk(topicId, partition), sk: logKeys.indexChunkSk(base + spanOfAll(entries) - 1) });

/**
 * Removes the `count` oldest inline locations of a head after they were spilled, if nobody trimmed
 * it since `recentBase` was read. Highest index first: DynamoDB resolves all indices against the
 * old list, dynalite one after another; in descending order both remove the same elements.
 */
export const trimHead = (deps: LogDeps, topicId: string, partition: number, recentBase: number, newBase: number, count: number): Promise<boolean> =>
  applyWrite(deps, {
    kind: 'update',
    key: logKeys.head(topicId, partition),
    set: ['recentBase = :newBase'],
    remove: Array.from({ length: count }, (_, i) => `recent[${count - 1 - i}]`),
    condition: 'recentBase = :base',
    values: { ':base': recentBase, ':newBase': newBase },
  });

// --- writes made under a housekeeping lease (sent by LeaseGuard.write, which adds the fence) ---

export const fencedWrites = {
  /**
   * Moves the log start offset forward, never back, never past the high watermark. On a striped
   * topic the write goes to the partition's stripe (whose fence, under housekeeping, must then be a
   * lease on the stripe: several partitions share the item).
   */
  advanceLogStart: (topic: TopicRef, partition: number, newStart: number): ConditionalWrite => {
    if (topic.stripeWidth === undefined) {
      return {
        kind: 'update',
        key: logKeys.head(topic.topicId, partition),
        set: ['logStartOffset = :start'],
        condition: 'attribute_exists(nextOffset) AND logStartOffset < :start AND nextOffset >= :start',
        values: { ':start': newStart },
      };
    }
    const { stripe, index } = stripeOf(partition, topic.stripeWidth);
    return fencedWrites.advanceStripeLogStarts(topic.topicId, stripe * topic.stripeWidth, [[index, newStart]]);
  },
  /**
   * Moves several log start offsets of one stripe forward in one write (striped housekeeping): each
   * on advanceLogStart's condition, so one that fails (a DeleteRecords went further) fails them all.
   * `starts`: [index in the stripe, new start], at most STRIPE_LOG_STARTS_PER_WRITE of them.
   */
  advanceStripeLogStarts: (topicId: string, first: number, starts: ReadonlyArray<readonly [index: number, start: number]>): ConditionalWrite => ({
    kind: 'update',
    key: logKeys.stripe(topicId, first),
    set: starts.map(([i]) => `l[${i}] = :s${i}`),
    condition: ['attribute_exists(o)', ...starts.map(([i]) => `l[${i}] < :s${i} AND o[${i}] >= :s${i}`)].join(' AND '),
    values: Object.fromEntries(starts.map(([i, start]) => [`:s${i}`, start])),
  }),
  deleteChunk: (key: Key): ConditionalWrite => ({ kind: 'delete', key }),
  /** Deletes a demoted producer state idle since `t`, unless it was written again since. */
  deleteProducerState: (key: Key, t: number): ConditionalWrite => ({ kind: 'delete', key, condition: 't = :t', values: { ':t': t } }),
  /** Removes an idle producer's state from a head, if it is still exactly the state read. */
  removeProducer: (topicId: string, partition: number, producerId: string, state: { e: number; s: number; t: number }, hasAdm: boolean): ConditionalWrite => ({
    kind: 'update',
    key: logKeys.head(topicId, partition),
    set: [],
    remove: hasAdm ? ['producers.#pid', 'adm.#pid'] : ['producers.#pid'],
    condition: 'producers.#pid.e = :e AND producers.#pid.s = :s AND producers.#pid.t = :t',
    names: { '#pid': producerId },
    values: { ':e': state.e, ':s': state.s, ':t': state.t },
  }),
  /**
   * Removes a producer's state from a head after it was written to its own item (a demotion), if it
   * is still exactly the state read, counting the demotion in its slot (`pv`, see producer-state.ts).
   */
  demoteProducer: (
    topicId: string,
    partition: number,
    producerId: string,
    state: { e: number; s: number; t: number },
    hasAdm: boolean,
    slot: number,
    counters: number[] | undefined,
    slots: number,
  ): ConditionalWrite => ({
    kind: 'update',
    key: logKeys.head(topicId, partition),
    set: counters === undefined ? ['pv = :pvInit'] : [`pv[${slot}] = pv[${slot}] + :one`],
    remove: hasAdm ? ['producers.#pid', 'adm.#pid'] : ['producers.#pid'],
    condition: `producers.#pid.e = :e AND producers.#pid.s = :s AND producers.#pid.t = :t${counters === undefined ? ' AND attribute_not_exists(pv)' : ''}`,
    names: { '#pid': producerId },
    values: {
      ':e': state.e,
      ':s': state.s,
      ':t': state.t,
      ...(counters === undefined ? { ':pvInit': Array.from({ length: slots }, (_, i) => (i === slot ? 1 : 0)) } : { ':one': 1 }),
    },
  }),
  /** Points a chunk's locations elsewhere (merging), if the chunk is unchanged since version `v` was read. */
  rewriteChunk: (key: Key, version: number | undefined, entries: IndexEntry[]): ConditionalWrite => ({
    kind: 'update',
    key,
    set: ['entries = :entries', 'v = :next'],
    condition: `attribute_exists(sk) AND ${version === undefined ? 'attribute_not_exists(v)' : 'v = :v'}`,
    values: { ':entries': entries, ':next': (version ?? 0) + 1, ...(version === undefined ? {} : { ':v': version }) },
  }),
  /**
   * Adds the offset span to inline locations written before decision 32 (span = record count then), if
   * the head was not trimmed since: `recent[i]` is then still the location read (appends only add at the end).
   */
  addHeadSpans: (topicId: string, partition: number, recentBase: number, missing: Array<{ index: number; n: number }>): ConditionalWrite => ({
    kind: 'update',
    key: logKeys.head(topicId, partition),
    set: missing.map((m, i) => `recent[${m.index}].w = :w${i}`),
    condition: ['recentBase = :base', ...missing.map((m, i) => `recent[${m.index}].n = :w${i} AND attribute_not_exists(recent[${m.index}].w)`)].join(' AND '),
    values: { ':base': recentBase, ...Object.fromEntries(missing.map((m, i) => [`:w${i}`, m.n])) },
  }),
  markCandidate: (shard: string, objectKey: string, since: number, size: number, ttl: number): ConditionalWrite => ({
    kind: 'put',
    item: { ...logKeys.gcCandidate(shard, objectKey), since, size, [TTL_ATTRIBUTE]: ttl },
  }),
  forgetCandidate: (shard: string, objectKey: string): ConditionalWrite => ({ kind: 'delete', key: logKeys.gcCandidate(shard, objectKey) }),
};

// --- object collection and deleted topics -----------------------------------------------

export const gcCandidateItems = (deps: LogDeps, shard: string): AsyncGenerator<Item> =>
  query(deps, { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': logKeys.gcCandidatesPk(shard) }, ConsistentRead: true });

export const knownTopicItems = (deps: LogDeps): AsyncGenerator<Item> =>
  query(deps, { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': logKeys.knownTopicsPk }, ConsistentRead: true });

/** Records a topic id housekeeping has seen (or its grown partition count). */
export const rememberTopicItem = (deps: LogDeps, topicId: string, name: string, partitions: number): Promise<boolean> =>
  applyWrite(deps, {
    kind: 'put',
    item: { ...logKeys.knownTopic(topicId), name, partitions },
    condition: 'attribute_not_exists(pk) OR #partitions < :n',
    names: { '#partitions': 'partitions' },
    values: { ':n': partitions },
  });

export async function forgetKnownTopic(deps: LogDeps, topicId: string): Promise<void> {
  await deps.dynamo.send(new DeleteCommand({ TableName: deps.logTable, Key: logKeys.knownTopic(topicId) }));
}

/** Keys of every item under a partition's key (head, chunks, producer state). */
export async function* partitionItemKeys(deps: LogDeps, topicId: string, partition: number): AsyncGenerator<Key> {
  const items = query(deps, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': logKeys.partitionPk(topicId, partition) },
    ProjectionExpression: 'pk, sk',
    ConsistentRead: true,
  });
  for await (const item of items) yield { pk: item.pk as string, sk: item.sk as string };
}

export async function deleteItem(deps: LogDeps, key: Key): Promise<void> {
  await deps.dynamo.send(new DeleteCommand({ TableName: deps.logTable, Key: key }));
}

// --- leases ------------------------------------------------------------------------

export const getLeaseItem = (deps: LogDeps, name: string): Promise<Item | undefined> => getItem(deps, logKeys.lease(name));

/**
 * Takes a lease item if it is free or expired (`epoch` grows by one; a lease item TTL removed starts
 * again from the current time). Returns the item as it was, or undefined when someone else holds it.
 */
export async function takeLeaseItem(deps: LogDeps, name: string, holder: string, now: number, expiresAt: number, ttl: number): Promise<Item | undefined> {
  const result = await sendIf(
    deps.dynamo,
    new UpdateCommand({
      TableName: deps.logTable,
      Key: logKeys.lease(name),
      UpdateExpression: 'SET holder = :h, epoch = if_not_exists(epoch, :first) + :one, expiresAt = :exp, #ttl = :ttl',
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
      ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
      ExpressionAttributeValues: { ':h': holder, ':first': now, ':one': 1, ':exp': expiresAt, ':ttl': ttl, ':now': now },
      ReturnValues: 'ALL_OLD',
    }),
  );
  return result === undefined ? undefined : (result.Attributes ?? {});
}

/** Extends a lease held by `holder` at `epoch`; false when someone else holds it now. */
export const extendLeaseItem = (deps: LogDeps, name: string, holder: string, epoch: number, expiresAt: number, ttl: number): Promise<boolean> =>
  applyWrite(deps, {
    kind: 'update',
    key: logKeys.lease(name),
    set: ['expiresAt = :exp', '#ttl = :ttl'],
    condition: 'holder = :h AND epoch = :e',
    names: { '#ttl': TTL_ATTRIBUTE },
    values: { ':h': holder, ':e': epoch, ':exp': expiresAt, ':ttl': ttl },
  });

/** Frees a lease held by `holder` at `epoch` (the item stays: its epoch must keep growing) and stores work state on it. */
export function freeLeaseItem(deps: LogDeps, name: string, holder: string, epoch: number, state: Item): Promise<boolean> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':h': holder, ':e': epoch, ':zero': 0 };
  const set = ['expiresAt = :zero'];
  Object.entries(state).forEach(([key, value], i) => {
    names[`#s${i}`] = key;
    values[`:s${i}`] = value;
    set.push(`#s${i} = :s${i}`);
  });
  return applyWrite(deps, { kind: 'update', key: logKeys.lease(name), set, remove: ['holder'], condition: 'holder = :h AND epoch = :e', names, values });
}
