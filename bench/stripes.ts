/**
 * Striped heads vs today's partition heads (issue 15, wide requests): what DynamoDB bills for the
 * scaling bench's request shapes under each layout, measured on dynalite with CapacityMeter
 * (dynalite bills writes per KB of the larger of the old and new item, as DynamoDB does).
 *
 *   npm run bench -- stripes
 *
 * Shapes, on a 1,024-partition topic, each request ~512 KiB split evenly (bench/scaling.ts's batches):
 * 1 partition (rotating over the topic, as the scaling bench does), 16 consecutive (rotating),
 * 16 scattered (16 distinct random partitions: what a keyed producer's request looks like), 1,024.
 *
 * stripes: stripe items of G = 64 and 128 written with src/log/stripe-head.ts's planStripeAppend
 *   (one UpdateItem per stripe touched, ReturnValues UPDATED_NEW, base offsets checked). The spill is
 *   simulated (written before src/log/stripe-spill.ts, which moves entries down to half the limit and
 *   stores `ends` as a list of numbers, at about the same cost): once an append returns a `recent` list past
 *   BENCH_STRIPE_SPILL_BYTES (2 KB), the appender reads the stripe (consistent GetItem), puts one chunk
 *   item holding every entry it read plus each touched partition's end offset (varlongs), then trims
 *   those entries from the stripe (REMOVE recent[0..m-1], SET sp = sp + m, on condition sp is still
 *   what it read). The chunk is not split per partition: a per-partition split would cost one write
 *   per partition touched, what striping saves.
 * stripes, idempotent (decision 53): the same, each write made by bench/lib/stripe-producer.ts for one
 *   idempotent producer (its sequences checked and advanced per partition in the write), with 1 or 4
 *   producers' states inline in every stripe (the others idle): what the sequences cost every write.
 * built: produce() itself on a topic striped as the log stripes it (stripes of 64, real spills),
 *   1,024 partitions per request, plain and idempotent: the simulation's numbers checked on the code.
 * heads: today's path, appendBatch (src/log/append.ts) per partition, all at once as produce does,
 *   with its real spills; no S3 (the object PUT is one per request in both layouts).
 *
 * Counters start at realistic magnitudes (next offsets ~1,000,000, log start ~500,000: a number's size
 * is part of every write), and heads are warmed to their spill steady state (8 locations each), stripes
 * by a warm-up pass of the same shape. Contention: K appenders each appending 1-partition batches to
 * K partitions of one stripe vs K partitions' own heads; latencies are dynalite's (one process,
 * per-item locks), a stand-in for DynamoDB's per-item throughput, not a measurement of it.
 */
import { pathToFileURL } from 'node:url';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAwsClients } from '../src/aws/clients.js';
import { appendBatch } from '../src/log/append.js';
import { LIMITS } from '../src/log/limits.js';
import { baseAppend } from '../src/log/producer-state.js';
import { baseOffsetsOf, decodeRecords, planStripeAppend, stripeOf, type StripeBatch, type StripeEntry, type StripeWrite } from '../src/log/stripe-head.js';
import { createTopic, getTopic } from '../src/log/topics.js';
import { produce, type ProduceDeps } from '../src/log/produce.js';
import { initProducerId } from '../src/log/producer-ids.js';
import { stripeSpillsSettled } from '../src/log/stripe-spill.js';
import { decodeRecordBatches, encodeRecordBatch } from '../packages/protocol/src/records/record-batch.js';
import { ensureStorage, LOCAL_CREDENTIALS, localConfig } from '../src/local/storage.js';
import { logKeys, newSegmentKey } from '../src/storage/keys.js';
import { envInteger } from '../src/config/index.js';
import { sizeOfVarlong, writeVarlong } from '../packages/protocol/src/records/varint.js';
import { validateBatch } from '../packages/protocol/src/records/batch-header.js';
import { mapConcurrent } from '../packages/protocol/src/async.js';
import { planProducerStripeAppend } from '../src/log/stripe-producer.js';
import { CapacityMeter, diffCapacity, dynamoItemBytes, type CapacityTotals } from './lib/capacity.js';
import { perGiB, printResult, round, type BenchSink } from './lib/report.js';
import { quantile, summarize } from './lib/stats.js';
import { startStorageProcess } from './lib/storage-process.js';
import { batchFor, REQUEST_BYTES, TOPIC_PARTITIONS } from './scaling.js';

const WIDTHS = [64, 128];
/** Idempotent producers inline per stripe, measured at each width (decision 53): the one appending alone, and beside 3 idle ones. */
const INLINE_PRODUCERS = [1, 4];
const producerId = (j: number): string => String(1_000_000_007 + j);
const SPILL_BYTES = envInteger(process.env, 'BENCH_STRIPE_SPILL_BYTES', 2048, 1);
/** Measured requests per shape, times this (the warm-up runs half as many more): 1 keeps the suite's time in bounds (~3 min). */
const SCALE = envInteger(process.env, 'BENCH_STRIPE_SCALE', 1, 1);
const CONTENDERS = [1, 16];
const CONTENTION_APPENDS = 100;
const NEXT_OFFSET = 1_000_000;
const LOG_START = 500_000;
/** Heads sampled per request for their size (a 1,024-partition request would read 1,024). */
const SIZE_SAMPLES = 16;

interface Shape {
  name: string;
  partitions: number;
  requests: number;
  pick: (r: number) => number[];
}

const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => (from + i) % TOPIC_PARTITIONS);

/** 16 distinct partitions at random (seeded: both layouts see the same requests). */
function scattered(r: number, count: number): number[] {
  let x = (r + 1) * 2654435761;
  const picked = new Set<number>();
  while (picked.size < count) {
    x = (x * 1103515245 + 12345) % 2147483648;
    picked.add(x % TOPIC_PARTITIONS);
  }
  return [...picked];
}

const SHAPES: Shape[] = [
  { name: '1 partition', partitions: 1, requests: 256 * SCALE, pick: (r) => range(r, 1) },
  { name: '16 consecutive', partitions: 16, requests: 128 * SCALE, pick: (r) => range(r * 16, 16) },
  { name: '16 scattered', partitions: 16, requests: 128 * SCALE, pick: (r) => scattered(r, 16) },
  { name: '1,024', partitions: 1024, requests: 16 * SCALE, pick: () => range(0, TOPIC_PARTITIONS) },
];

/** The request's batches as laid out in its segment object (offset, length, count, span). */
function requestOf(partitions: number[], now: number): StripeBatch[] {
  const batch = batchFor(Math.floor(REQUEST_BYTES / partitions.length));
  const header = validateBatch(batch);
  return partitions.map((partition, j) => ({ partition, s: j * batch.length, l: batch.length, n: header.recordCount, w: header.lastOffsetDelta + 1, t: now - 5 }));
}

interface Clients {
  metered: DynamoDBDocumentClient;
  /** for setup and size samples: not billed to the layouts */
  plain: DynamoDBDocumentClient;
  meter: CapacityMeter;
  table: string;
}

interface Sizes {
  items: number[];
  expressionBytes: number[];
  operators: number[];
}

/** Striped heads of one topic, written as planStripeAppend says, with the simulated spill. */
class StripedTopic {
  private readonly spilling = new Set<number>();
  readonly spills = { count: 0 };
  readonly bases = new Map<number, number[]>();

  /** idempotent: producer 0's last sequence per partition (it is the only one appending) */
  private readonly sequences = new Map<number, number>();

  constructor(
    private readonly c: Clients,
    private readonly prefix: string,
    readonly width: number,
    /** idempotent producers inline in every stripe (decision 53; producer 0 appends, the others hold state); 0: plain */
    readonly producers = 0,
  ) {}

  key = (stripe: number) => ({ pk: `${this.prefix}#${stripe}`, sk: 'stripe' });

  async create(): Promise<void> {
    await mapConcurrent(Array.from({ length: TOPIC_PARTITIONS / this.width }, (_, s) => s), 16, async (s) => {
      const o = Array.from({ length: this.width }, (_, i) => NEXT_OFFSET + s * this.width + i);
      // Producers' sequences at the magnitude of the offsets: a number's size is part of every write.
      const P = Object.fromEntries(Array.from({ length: this.producers }, (_, j) => [producerId(j), { e: 3, t: Date.now(), s: o.map((n) => n - LOG_START + j) }]));
      for (let i = 0; i < this.width; i++) this.sequences.set(s * this.width + i, (o[i] as number) - LOG_START);
      await this.c.plain.send(new PutCommand({ TableName: this.c.table, Item: { ...this.key(s), o, l: o.map((n) => n - LOG_START), recent: [], sp: 0, ...(this.producers > 0 ? { P } : {}) } }));
    });
  }

  /** One request: its stripe writes at once; spills awaited (`background`: not, as the real head's). */
  async append(partitions: number[], sizes?: Sizes, background = false): Promise<void> {
    const now = Date.now();
    const key = newSegmentKey(new Date(now));
    const batches = requestOf(partitions, now);
    if (this.producers === 0) {
      await Promise.all(planStripeAppend(key, now, batches, this.width).map((w) => this.write(w, sizes, background)));
      return;
    }
    const sequenced = batches.map((b) => {
      const first = (this.sequences.get(b.partition) as number) + 1;
      this.sequences.set(b.partition, first + b.n - 1);
      return { ...b, first, last: first + b.n - 1 };
    });
    const writes = planProducerStripeAppend(key, now, sequenced, this.width, { id: producerId(0), epoch: 3 });
    await Promise.all(
      writes.map((w) => {
        sizes?.expressionBytes.push(Math.max(w.updateBytes, w.conditionBytes));
        sizes?.operators.push(Math.max(w.updateOperators, w.conditionOperators));
        return this.write({ ...w, expressionBytes: w.updateBytes, operators: w.updateOperators } as unknown as StripeWrite, undefined, background);
      }),
    );
  }

  private async write(w: StripeWrite, sizes: Sizes | undefined, background: boolean): Promise<void> {
    sizes?.expressionBytes.push(w.expressionBytes);
    sizes?.operators.push(w.operators + 1);
    const result = await this.c.metered.send(
      new UpdateCommand({
        TableName: this.c.table,
        Key: this.key(w.stripe),
        UpdateExpression: `SET ${w.update.set.join(', ')}`,
        ConditionExpression: w.update.condition,
        ExpressionAttributeNames: w.update.names,
        ExpressionAttributeValues: w.update.values,
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const attrs = result.Attributes ?? {};
    baseOffsetsOf(w, attrs).forEach((base, j) => {
      const p = w.stripe * this.width + (w.indexes[j] as number);
      this.bases.set(p, [...(this.bases.get(p) ?? []), base]);
    });
    if (dynamoItemBytes({ recent: attrs.recent }) > SPILL_BYTES) {
      const spill = this.spill(w.stripe);
      if (!background) await spill;
    }
  }

  private async spill(stripe: number): Promise<void> {
    if (this.spilling.has(stripe)) return;
    this.spilling.add(stripe);
    try {
      const item = (await this.c.metered.send(new GetCommand({ TableName: this.c.table, Key: this.key(stripe), ConsistentRead: true }))).Item!;
      const entries = item.recent as StripeEntry[];
      const o = item.o as number[];
      const touched = [...new Set(entries.flatMap((e) => decodeRecords(e).map((r) => r.i)))].sort((a, b) => a - b);
      // Each touched partition's end offset: every entry read is spilled, so it is the counter read with them.
      const ends = touched.flatMap((i) => [i, o[i] as number]);
      const packed = new Uint8Array(ends.reduce((s, v) => s + sizeOfVarlong(v), 0));
      ends.reduce((pos, v) => writeVarlong(packed, pos, v), 0);
      const sp = item.sp as number;
      await this.c.metered.send(new PutCommand({ TableName: this.c.table, Item: { pk: this.key(stripe).pk, sk: `c#${sp}`, recent: entries, x: packed }, ConditionExpression: 'attribute_not_exists(pk)' }));
      await this.c.metered.send(
        new UpdateCommand({
          TableName: this.c.table,
          Key: this.key(stripe),
          // Highest index first, as store.ts's trimHead: DynamoDB removes by the list as read, dynalite one after another.
          UpdateExpression: `REMOVE ${entries.map((_, i) => `recent[${entries.length - 1 - i}]`).join(', ')} SET sp = sp + :m`,
          ConditionExpression: 'sp = :sp',
          ExpressionAttributeValues: { ':m': entries.length, ':sp': sp },
        }),
      );
      this.spills.count++;
    } finally {
      this.spilling.delete(stripe);
    }
  }

  async sampleSizes(partitions: number[], sizes: Sizes): Promise<void> {
    const stripes = [...new Set(partitions.map((p) => stripeOf(p, this.width).stripe))].slice(0, SIZE_SAMPLES);
    for (const s of stripes) {
      const item = (await this.c.plain.send(new GetCommand({ TableName: this.c.table, Key: this.key(s) }))).Item;
      if (item) sizes.items.push(dynamoItemBytes(item));
    }
  }
}

/** Today's heads: appendBatch per partition, as produce calls it. */
class HeadTopic {
  constructor(
    private readonly c: Clients,
    private readonly deps: { dynamo: DynamoDBDocumentClient; logTable: string; store: never },
    readonly topicId: string,
  ) {}

  static async create(c: Clients, name: string): Promise<HeadTopic> {
    const setup = { dynamo: c.plain, logTable: c.table, store: undefined as never };
    const topic = await createTopic(setup, name, TOPIC_PARTITIONS);
    await mapConcurrent(range(0, TOPIC_PARTITIONS), 16, (p) =>
      c.plain.send(
        new UpdateCommand({
          TableName: c.table,
          Key: logKeys.head(topic.topicId, p),
          UpdateExpression: 'SET nextOffset = :n, recentBase = :n, logStartOffset = :ls',
          ExpressionAttributeValues: { ':n': NEXT_OFFSET + p, ':ls': NEXT_OFFSET + p - LOG_START },
        }),
      ),
    );
    const heads = new HeadTopic(c, { dynamo: c.metered, logTable: c.table, store: undefined as never }, topic.topicId);
    // Warm to the spill steady state: every head holds headInlineBatches locations or a few more, so that
    // heads are spread over the spill cycle (one append in spillChunkBatches spills) rather than all due at once.
    const warm = (p: number) => LIMITS.headInlineBatches + (p % LIMITS.spillChunkBatches);
    for (let i = 0; i < warm(LIMITS.spillChunkBatches - 1); i++) {
      await mapConcurrent(range(0, TOPIC_PARTITIONS).filter((p) => i < warm(p)), 32, (p) => heads.appendOne(p, Date.now()));
    }
    return heads;
  }

  appendOne(partition: number, now: number, batch?: StripeBatch): Promise<unknown> {
    const b = batch ?? requestOf([partition], now)[0]!;
    return appendBatch(this.deps, this.topicId, partition, { k: newSegmentKey(new Date(now)), s: b.s, l: b.l, n: b.n, w: b.w, t: b.t, a: now }, undefined);
  }

  async append(partitions: number[]): Promise<void> {
    const now = Date.now();
    const batches = requestOf(partitions, now);
    await Promise.all(batches.map((b) => this.appendOne(b.partition, now, b)));
  }

  async sampleSizes(partitions: number[], sizes: Sizes): Promise<void> {
    for (const p of partitions.slice(0, SIZE_SAMPLES)) {
      const item = (await this.c.plain.send(new GetCommand({ TableName: this.c.table, Key: logKeys.head(this.topicId, p) }))).Item;
      if (item) sizes.items.push(dynamoItemBytes(item));
    }
  }
}

const settle = () => new Promise((r) => setTimeout(r, 300)); // background spills of today's heads

interface Measured {
  d: CapacityTotals;
  spills: number;
  bytes: number;
  requests: number;
  sizes: Sizes;
}

interface Layout {
  append: (p: number[], s?: Sizes) => Promise<void>;
  sampleSizes: (p: number[], s: Sizes) => Promise<void>;
  spills?: { count: number };
}

async function measure(c: Clients, shape: Shape, layout: Layout): Promise<Measured> {
  for (let r = 0; r < shape.requests / 2; r++) await layout.append(shape.pick(r + shape.requests));
  await settle();
  const sizes: Sizes = { items: [], expressionBytes: [], operators: [] };
  const before = c.meter.snapshot();
  const spillsBefore = layout.spills?.count ?? 0;
  let bytes = 0;
  for (let r = 0; r < shape.requests; r++) {
    const partitions = shape.pick(r);
    await layout.append(partitions, sizes);
    bytes += requestOf(partitions, 0).reduce((s, b) => s + b.l, 0);
    await layout.sampleSizes(partitions, sizes);
  }
  await settle();
  return { d: diffCapacity(c.meter.snapshot(), before), spills: (layout.spills?.count ?? 0) - spillsBefore, bytes, requests: shape.requests, sizes };
}

function report(sink: BenchSink, layout: string, width: number | undefined, shape: Shape, m: Measured, extra: Record<string, unknown>): number {
  const wruPerGiB = perGiB(m.d.writeUnits, m.bytes);
  const exprMax = m.sizes.expressionBytes.length > 0 ? Math.max(...m.sizes.expressionBytes) : undefined;
  sink({
    name: 'stripes.append',
    params: { layout, stripeWidth: width, shape: shape.name, partitionsPerRequest: shape.partitions, requests: m.requests, requestBytes: Math.round(m.bytes / m.requests), spillAtBytes: width ? SPILL_BYTES : undefined },
    value: wruPerGiB,
    unit: 'DynamoDB write units per GiB',
    writesPerRequest: round(m.d.writeRequests / m.requests, 2),
    writeUnitsPerRequest: round(m.d.writeUnits / m.requests, 2),
    readUnitsPerRequest: round(m.d.readUnits / m.requests, 2),
    writesPerGiB: perGiB(m.d.writeRequests, m.bytes),
    itemBytesP50: quantile(m.sizes.items, 0.5),
    itemBytesMax: Math.max(...m.sizes.items),
    expressionBytesP50: exprMax === undefined ? undefined : quantile(m.sizes.expressionBytes, 0.5),
    expressionBytesMax: exprMax,
    operatorsMax: m.sizes.operators.length > 0 ? Math.max(...m.sizes.operators) : undefined,
    ...extra,
  });
  return wruPerGiB;
}

/** K appenders, each `appends` 1-partition requests in turn, one partition each; latency per append (ms). */
async function contention(k: number, append: (partition: number) => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: k }, async (_, j) => {
      for (let i = 0; i < CONTENTION_APPENDS; i++) {
        const started = performance.now();
        await append(j);
        latencies.push(performance.now() - started);
      }
    }),
  );
  return latencies;
}

/** Every partition's base offsets, in the order written, follow each other by the span (sole writers here). */
function checkContiguous(bases: Map<number, number[]>, span: (p: number) => number): void {
  for (const [p, list] of bases) {
    const sorted = [...list].sort((a, b) => a - b);
    sorted.forEach((b, i) => {
      if (i > 0 && b !== sorted[i - 1]! + span(p)) throw new Error(`partition ${p}: base offsets ${sorted[i - 1]} then ${b}`);
    });
  }
}

/**
 * The built path, side by side with the simulation above: `produce()` (src/log/produce.ts) on a
 * striped topic (stripes of LIMITS.stripeWidth, src/log/stripe-append.ts) with its real spills
 * (src/log/stripe-spill.ts, awaited after each request), plain and idempotent, 1,024 partitions per
 * request of the same batches. The segment PUT is not counted (one per request in every layout).
 */
async function measureBuilt(c: Clients, run: number, idempotent: boolean): Promise<Measured> {
  const deps = { dynamo: c.metered, logTable: c.table, store: { put: async () => undefined } as unknown as ProduceDeps['store'], stripes: { width: LIMITS.stripeWidth, above: 128 } } as ProduceDeps;
  deps.resolveTopic = (name) => getTopic(deps, name);
  const name = `bench-stripes-built-${idempotent ? 'idempotent' : 'plain'}-${run}`;
  await createTopic(deps, name, TOPIC_PARTITIONS);
  const producer = idempotent ? await initProducerId(deps) : undefined;
  const sequences = new Array<number>(TOPIC_PARTITIONS).fill(0);
  const value = batchFor(Math.floor(REQUEST_BYTES / TOPIC_PARTITIONS));
  const header = validateBatch(value);
  const request = () => ({
    acks: -1 as const,
    timeoutMs: 30_000,
    topics: [
      {
        topic: name,
        partitions: range(0, TOPIC_PARTITIONS).map((p) => {
          const records = producer ? withProducer(value, producer.producerId, producer.producerEpoch, sequences[p]!) : value;
          sequences[p]! += header.recordCount;
          return { partition: p, records };
        }),
      },
    ],
  });
  const send = async () => {
    const [t] = await produce(deps, request());
    const failed = t?.partitions.find((p) => p.errorCode !== 'NONE');
    if (failed) throw new Error(`built stripes: partition ${failed.partition} answered ${failed.errorCode} ${failed.errorMessage ?? ''}`);
    await stripeSpillsSettled();
  };
  const requests = 16 * SCALE;
  for (let r = 0; r < requests / 2; r++) await send();
  const before = c.meter.snapshot();
  for (let r = 0; r < requests; r++) await send();
  return { d: diffCapacity(c.meter.snapshot(), before), spills: 0, bytes: requests * TOPIC_PARTITIONS * value.length, requests, sizes: { items: [0], expressionBytes: [], operators: [] } };
}

/** `batch` as an idempotent producer's, at `baseSequence` (the header fields a producer sets; the CRC covers them). */
function withProducer(batch: Buffer, producerId: bigint, epoch: number, baseSequence: number): Buffer {
  const decoded = decodeRecordBatches(batch)[0]!;
  return encodeRecordBatch({ records: decoded.records.map((r) => ({ key: r.key, value: r.value })), producerId, producerEpoch: epoch, baseSequence });
}

export async function runStripesBench(sink: BenchSink = printResult): Promise<void> {
  const storage = await startStorageProcess();
  try {
    const config = localConfig(storage);
    await ensureStorage(config);
    // The stand-ins' fixed credentials, as the local cluster sets them (src/local/cluster.ts).
    process.env.AWS_ACCESS_KEY_ID ??= LOCAL_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY ??= LOCAL_CREDENTIALS.secretAccessKey;
    const metered = createAwsClients(config).dynamo;
    const c: Clients = { metered, plain: createAwsClients(config).dynamo, meter: new CapacityMeter().attach(metered), table: config.logTable };
    const run = Date.now();
    const ratios: Record<string, Record<string, number>> = {};
    const exprHeads = baseAppend({ k: newSegmentKey(), s: 0, l: 1, n: 1, w: 1, t: 0, a: 0 });
    const headsExpression = `SET ${exprHeads.set.join(', ')}`;

    for (const width of WIDTHS) {
      const perShape: Record<string, number> = {};
      for (const shape of SHAPES) {
        const topic = new StripedTopic(c, `bench-stripes#${run}#${width}#${shape.name}`, width);
        await topic.create();
        const m = await measure(c, shape, topic);
        perShape[shape.name] = report(sink, 'stripes', width, shape, m, { spillsPerRequest: round(m.spills / m.requests, 3) });
      }
      ratios[`stripes G=${width}`] = perShape;
    }

    for (const width of WIDTHS) {
      for (const inline of INLINE_PRODUCERS) {
        const perShape: Record<string, number> = {};
        for (const shape of SHAPES) {
          const topic = new StripedTopic(c, `bench-stripes#${run}#${width}#idempotent-${inline}#${shape.name}`, width, inline);
          await topic.create();
          const m = await measure(c, shape, topic);
          perShape[shape.name] = report(sink, `stripes, idempotent, ${inline} inline`, width, shape, m, { spillsPerRequest: round(m.spills / m.requests, 3) });
        }
        ratios[`stripes G=${width}, idempotent, ${inline} inline`] = perShape;
      }
    }

    const heads = await HeadTopic.create(c, `bench-stripes-heads-${run}`);
    const perShape: Record<string, number> = {};
    for (const shape of SHAPES) {
      const m = await measure(c, shape, heads);
      perShape[shape.name] = report(sink, 'heads', undefined, shape, m, { expressionBytes: headsExpression.length, operators: 6 });
    }
    ratios.heads = perShape;

    for (const idempotent of [false, true]) {
      const m = await measureBuilt(c, run, idempotent);
      const wruPerGiB = perGiB(m.d.writeUnits, m.bytes);
      sink({
        name: 'stripes.built',
        params: { layout: `produce() on stripes of ${LIMITS.stripeWidth}, ${idempotent ? 'idempotent (1 producer)' : 'plain'}`, partitionsPerRequest: TOPIC_PARTITIONS, requests: m.requests, requestBytes: Math.round(m.bytes / m.requests), spills: 'real (stripe-spill.ts)' },
        value: wruPerGiB,
        unit: 'DynamoDB write units per GiB',
        writesPerRequest: round(m.d.writeRequests / m.requests, 2),
        writeUnitsPerRequest: round(m.d.writeUnits / m.requests, 2),
        readUnitsPerRequest: round(m.d.readUnits / m.requests, 2),
        vsToday16Consecutive: round(wruPerGiB / ratios.heads['16 consecutive']!, 2),
        vsToday1024: round(wruPerGiB / ratios.heads['1,024']!, 4),
      });
    }

    for (const [layout, r] of Object.entries(ratios)) {
      sink({
        name: 'stripes.ratio',
        params: { layout, target: 4 },
        value: round(r['1,024']! / r['16 consecutive']!, 2),
        unit: 'write units per GiB, 1,024 partitions per request / 16 consecutive',
        vs16Scattered: round(r['1,024']! / r['16 scattered']!, 2),
        onePartitionVs16Consecutive: round(r['1 partition']! / r['16 consecutive']!, 3),
        vsToday16Consecutive: round(r['1,024']! / ratios.heads!['16 consecutive']!, 2),
      });
    }

    for (const k of CONTENDERS) {
      const stripes = new StripedTopic(c, `bench-stripes#${run}#contention#${k}`, 128);
      await stripes.create();
      const striped = await contention(k, (j) => stripes.append([j], undefined, true));
      const batch = requestOf([0], 0)[0]!;
      checkContiguous(stripes.bases, () => batch.w);
      const own = await contention(k, (j) => heads.appendOne(j, Date.now()));
      await settle();
      for (const [layout, latencies] of [['one stripe (G = 128)', striped], ['own heads', own]] as const) {
        const s = summarize(latencies);
        sink({
          name: 'stripes.contention',
          params: { layout, appenders: k, appendsEach: CONTENTION_APPENDS, partitionsPerAppend: 1, store: 'dynalite (stand-in: one process, per-item locks)' },
          value: s.p50,
          unit: 'ms per append, p50',
          p99: s.p99,
          max: s.max,
        });
      }
    }
  } finally {
    await storage.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runStripesBench();
}
