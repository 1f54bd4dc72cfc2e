/**
 * The cost model: measured request counts → dollars, from the one price table
 * (bench/lib/prices.ts). Pure functions only (unit-tested in
 * test/unit/bench/cost-model.test.ts); the measurements come from bench/cost.ts.
 *
 * Units: AWS bills data in "GB" of 2^30 bytes; here GB = GiB. A month is
 * PRICES.hoursPerMonth hours.
 */
import { PEER_ASSUMPTIONS, PRICES } from './prices.js';

export type Prices = typeof PRICES;
export type PeerAssumptions = typeof PEER_ASSUMPTIONS;

/** What one produce request of `requestBytes` costs in requests and compute (measured). */
export interface ProduceUnits {
  requestBytes: number;
  partitionsPerRequest: number;
  s3PutsPerRequest: number;
  /** DynamoDB write request units (per 1 KB of item written) per request */
  wruPerRequest: number;
  /** DynamoDB read request units per request (condition-failure reads, topic lookups) */
  rruPerRequest: number;
  /** handler wall time per request, ms (Lambda bills per 1 ms) */
  durationMsPerRequest: number;
}

/** What reading 1 GiB costs (measured on catch-up reads with a cold cache: every byte from S3). */
export interface FetchUnits {
  s3GetsPerGiB: number;
  rruPerGiB: number;
  invocationsPerGiB: number;
  durationMsPerGiB: number;
}

/** What one idle consumer costs per hour of polling an empty partition (measured). */
export interface IdlePollUnits {
  invocationsPerHour: number;
  rruPerHour: number;
  s3GetsPerHour: number;
  durationMsPerHour: number;
}

export interface FloeUnits {
  produce: ProduceUnits[];
  fetch: FetchUnits;
  idlePoll: IdlePollUnits;
  /** Lambda memory of the produce and fetch functions, MB (cdk FUNCTION_DEFAULTS) */
  produceMemoryMB: number;
  fetchMemoryMB: number;
}

export interface Breakdown {
  s3Requests: number;
  s3Storage: number;
  dynamodb: number;
  lambda: number;
  total: number;
}

export interface Workload {
  name: string;
  /** producer traffic, MiB/s, steady */
  ingestMiBps: number;
  /** size of one produce request (set by linger.ms / batch.size and the number of producers) */
  requestBytes: number;
  /** partitions written by one produce request */
  partitionsPerRequest: number;
  /** consumer groups reading everything */
  consumerGroups: number;
  /** consumers in each group (each polls continuously) */
  consumersPerGroup: number;
  /** consumers polling topics that receive nothing */
  idleConsumers: number;
  retentionHours: number;
}

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const secondsPerMonth = (p: Prices) => p.hoursPerMonth * 3600;

export const gibPerMonth = (ingestMiBps: number, p: Prices = PRICES): number => (ingestMiBps * MiB * secondsPerMonth(p)) / GiB;

/** Lambda cost of `invocations` invocations running `durationMs` in total at `memoryMB`. */
export function lambdaCost(invocations: number, durationMs: number, memoryMB: number, p: Prices = PRICES): number {
  return (invocations / 1e6) * p.lambda.perMillionRequests + (durationMs / 1000) * (memoryMB / 1024) * p.lambda.perGBSecondX86;
}

const sum = (b: Omit<Breakdown, 'total'>): Breakdown => ({ ...b, total: b.s3Requests + b.s3Storage + b.dynamodb + b.lambda });

export interface RequestShape {
  requestBytes: number;
  partitionsPerRequest: number;
}

/**
 * Request and compute cost of ingesting 1 GiB (storage excluded) in requests of
 * `shape`, from units measured at `u`'s shape: S3 PUTs, invocations and handler
 * time are per request; DynamoDB units are per partition written (one head update
 * each, plus spills), as the scaling bench shows.
 */
export function produceCostPerGiB(u: ProduceUnits, memoryMB: number, p: Prices = PRICES, shape: RequestShape = u): Breakdown {
  const requests = GiB / shape.requestBytes;
  const perPartition = shape.partitionsPerRequest / u.partitionsPerRequest;
  return sum({
    s3Requests: ((requests * u.s3PutsPerRequest) / 1000) * p.s3Standard.putPer1000,
    s3Storage: 0,
    dynamodb:
      ((requests * u.wruPerRequest * perPartition) / 1e6) * p.dynamodbOnDemand.perMillionWRU +
      ((requests * u.rruPerRequest * perPartition) / 1e6) * p.dynamodbOnDemand.perMillionRRU,
    lambda: lambdaCost(requests, requests * u.durationMsPerRequest, memoryMB, p),
  });
}

export function fetchCostPerGiB(u: FetchUnits, memoryMB: number, p: Prices = PRICES): Breakdown {
  return sum({
    s3Requests: (u.s3GetsPerGiB / 1000) * p.s3Standard.getPer1000,
    s3Storage: 0,
    dynamodb: (u.rruPerGiB / 1e6) * p.dynamodbOnDemand.perMillionRRU,
    lambda: lambdaCost(u.invocationsPerGiB, u.durationMsPerGiB, memoryMB, p),
  });
}

/** One consumer polling an empty partition for a month. */
export function idleConsumerMonthly(u: IdlePollUnits, memoryMB: number, p: Prices = PRICES): Breakdown {
  const h = p.hoursPerMonth;
  return sum({
    s3Requests: ((u.s3GetsPerHour * h) / 1000) * p.s3Standard.getPer1000,
    s3Storage: 0,
    dynamodb: ((u.rruPerHour * h) / 1e6) * p.dynamodbOnDemand.perMillionRRU,
    lambda: lambdaCost(u.invocationsPerHour * h, u.durationMsPerHour * h, memoryMB, p),
  });
}

/** The measured produce shape closest (in log scale) to the workload's request size. */
export function nearestProduceUnits(units: readonly ProduceUnits[], requestBytes: number): ProduceUnits {
  if (units.length === 0) throw new Error('no produce measurements');
  let best = units[0]!;
  for (const u of units) if (Math.abs(Math.log(u.requestBytes / requestBytes)) < Math.abs(Math.log(best.requestBytes / requestBytes))) best = u;
  return best;
}

/**
 * Floe's monthly bill for a workload. Consumers tailing the log are charged as
 * polling as an idle consumer does plus reading every byte from S3 with a cold
 * cache; a consumer tailing small requests fetches more often than that (see
 * docs/cost-model.md, "The arithmetic").
 */
export function floeMonthly(w: Workload, m: FloeUnits, p: Prices = PRICES): Breakdown {
  const gib = gibPerMonth(w.ingestMiBps, p);
  const produce = produceCostPerGiB(nearestProduceUnits(m.produce, w.requestBytes), m.produceMemoryMB, p, w);
  const read = fetchCostPerGiB(m.fetch, m.fetchMemoryMB, p);
  const poll = idleConsumerMonthly(m.idlePoll, m.fetchMemoryMB, p);
  const pollers = w.consumerGroups * w.consumersPerGroup + w.idleConsumers;
  const groups = w.consumerGroups;
  const storedGiB = w.ingestMiBps > 0 ? (w.ingestMiBps * MiB * w.retentionHours * 3600) / GiB : 0;
  return sum({
    s3Requests: gib * (produce.s3Requests + groups * read.s3Requests) + pollers * poll.s3Requests,
    s3Storage: storedGiB * p.s3Standard.storageGBMonth,
    dynamodb: gib * (produce.dynamodb + groups * read.dynamodb) + pollers * poll.dynamodb,
    lambda: gib * (produce.lambda + groups * read.lambda) + pollers * poll.lambda,
  });
}

export interface PeerCost {
  total: number;
  /** the line items, for the docs */
  items: Record<string, number>;
}

const peer = (items: Record<string, number>): PeerCost => ({ items, total: Object.values(items).reduce((a, b) => a + b, 0) });

/** Kinesis Data Streams on-demand: one stream, records ≥ 1 KB (no rounding loss), shared-throughput consumers. */
export function kinesisMonthly(w: Workload, p: Prices = PRICES): PeerCost {
  const gib = gibPerMonth(w.ingestMiBps, p);
  const k = p.kinesisOnDemand;
  return peer({
    streamHours: p.hoursPerMonth * k.streamHour,
    dataIn: gib * k.dataInPerGB,
    dataOut: gib * w.consumerGroups * k.dataOutPerGB,
  });
}

/** MSK Serverless: one cluster, PEER_ASSUMPTIONS.partitions partitions, retention as the workload's. */
export function mskServerlessMonthly(w: Workload, p: Prices = PRICES, a: PeerAssumptions = PEER_ASSUMPTIONS): PeerCost {
  const gib = gibPerMonth(w.ingestMiBps, p);
  const m = p.mskServerless;
  const storedGiB = (w.ingestMiBps * MiB * w.retentionHours * 3600) / GiB;
  return peer({
    clusterHours: p.hoursPerMonth * m.clusterHour,
    partitionHours: p.hoursPerMonth * a.partitions * m.partitionHour,
    dataIn: gib * m.dataInPerGB,
    dataOut: gib * w.consumerGroups * m.dataOutPerGB,
    storage: storedGiB * m.storageGBMonth,
  });
}

/**
 * Self-managed Kafka over 3 AZs on EC2: brokers sized by ingest, RF=3 on gp3 with
 * headroom, clients spread evenly over AZs without rack-aware fetching, so 2/3 of
 * produce and consume traffic crosses an AZ, and each byte is replicated to two
 * other AZs. Operations staff are not counted.
 */
export function kafkaMonthly(w: Workload, p: Prices = PRICES, a: PeerAssumptions = PEER_ASSUMPTIONS): PeerCost {
  const gib = gibPerMonth(w.ingestMiBps, p);
  const k = p.kafkaOnEc2;
  const brokers = Math.max(a.kafkaMinBrokers, a.kafkaMinBrokers * Math.ceil(w.ingestMiBps / (a.kafkaIngestMiBpsPerBroker * a.kafkaMinBrokers)));
  const storedGiB = (w.ingestMiBps * MiB * w.retentionHours * 3600) / GiB;
  const crossAzGiB = gib * ((2 / 3) * (1 + w.consumerGroups) + (a.kafkaReplicationFactor - 1));
  return peer({
    brokers: brokers * p.hoursPerMonth * k.brokerHour,
    ebs: Math.max(storedGiB * a.kafkaReplicationFactor * a.kafkaDiskHeadroom, brokers * 100) * k.ebsGp3GBMonth,
    crossAz: crossAzGiB * k.crossAzPerGB,
  });
}

/**
 * The named workloads of the cost report. Request sizes follow from linger.ms at
 * the workload's rate: one producer at 1 MiB/s with linger.ms 100 sends ~100 KiB
 * requests; at 100 MiB/s producers fill 1 MiB requests (batch.size 64 KiB × 16 partitions).
 */
export const WORKLOADS: Workload[] = [
  { name: '1 MiB/s, 1 group + 10 idle consumers', ingestMiBps: 1, requestBytes: 100 * 1024, partitionsPerRequest: 4, consumerGroups: 1, consumersPerGroup: 1, idleConsumers: 10, retentionHours: 24 },
  // The settings docs/cost-model.md recommends for small workloads: linger.ms 250 fills ~256 KiB requests at 1 MiB/s.
  { name: '1 MiB/s, 1 group + 10 idle consumers, linger.ms 250', ingestMiBps: 1, requestBytes: 256 * 1024, partitionsPerRequest: 4, consumerGroups: 1, consumersPerGroup: 1, idleConsumers: 10, retentionHours: 24 },
    { name: '100 MiB/s, 3 groups of 4', ingestMiBps: 100, requestBytes: 1024 * 1024, partitionsPerRequest: 16, consumerGroups: 3, consumersPerGroup: 4, idleConsumers: 0, retentionHours: 24 },
  { name: 'idle: 1 consumer, no traffic', ingestMiBps: 0, requestBytes: 100 * 1024, partitionsPerRequest: 1, consumerGroups: 0, consumersPerGroup: 0, idleConsumers: 1, retentionHours: 24 },
];

/**
 * The first workload at each measured request size, with the linger.ms that fills such
 * requests at its rate (one producer): $/month against linger.ms, for the report's chart.
 */
export function lingerSweep(w: Workload, units: FloeUnits, p: Prices = PRICES): Array<{ lingerMs: number; requestBytes: number; floe: number; kinesis: number }> {
  const kinesis = kinesisMonthly(w, p).total;
  return units.produce.map((u) => ({
    lingerMs: Math.round((u.requestBytes / (w.ingestMiBps * MiB)) * 1000),
    requestBytes: u.requestBytes,
    floe: floeMonthly({ ...w, requestBytes: u.requestBytes }, units, p).total,
    kinesis,
  }));
}
