/**
 * THE table of outside numbers the benchmarks and the cost model use: AWS list
 * prices, the storage latency models, and peers' published latency figures.
 * Nothing else in bench/ may hard-code a price or a peer's figure; every entry
 * names its source. docs/cost-model.md and docs/performance.md print this table.
 *
 * Prices: us-east-1 (N. Virginia) list prices, on-demand, no free tier, no
 * savings plans, transcribed from the AWS pricing pages below as of PRICES_AS_OF.
 * Re-check them before relying on the totals: AWS changes prices (S3 Express One
 * Zone fell by up to 85% in April 2025; DynamoDB on-demand by 50% in November 2024).
 */
import type { LatencyDist } from '../../src/faults/storage-faults.js';

export const PRICES_AS_OF = '2026-11-26';

export interface Source {
  url: string;
  /** what the page says that the number is taken from */
  note?: string;
}

export const PRICES = {
  region: 'us-east-1',
  s3Standard: {
    putPer1000: 0.005, // PUT, COPY, POST, LIST per 1,000 requests
    getPer1000: 0.0004, // GET, SELECT and all other requests per 1,000
    storageGBMonth: 0.023, // first 50 TB / month
    source: { url: 'https://aws.amazon.com/s3/pricing/', note: 'S3 Standard, requests & data retrievals, storage' },
  },
  s3Express: {
    putPer1000: 0.00113,
    getPer1000: 0.00003,
    storageGBMonth: 0.11,
    /** per GB uploaded beyond 512 KB of each PUT */
    uploadPerGBOver512KB: 0.0032,
    /** per GB retrieved beyond 512 KB of each GET */
    retrievalPerGBOver512KB: 0.0006,
    source: { url: 'https://aws.amazon.com/s3/pricing/', note: 'S3 Express One Zone, after the April 2025 price reduction' },
  },
  dynamodbOnDemand: {
    perMillionWRU: 0.625, // one WRU = one write of up to 1 KB
    perMillionRRU: 0.125, // one RRU = one strongly consistent read of up to 4 KB (or two eventually consistent)
    storageGBMonth: 0.25,
    source: { url: 'https://aws.amazon.com/dynamodb/pricing/on-demand/', note: 'on-demand throughput, after the November 2024 price reduction' },
  },
  lambda: {
    perGBSecondX86: 0.0000166667,
    perGBSecondArm: 0.0000133334,
    perMillionRequests: 0.2,
    source: { url: 'https://aws.amazon.com/lambda/pricing/', note: 'first 6 billion GB-s / month tier; Function URLs add no charge' },
  },
  kinesisOnDemand: {
    streamHour: 0.04,
    dataInPerGB: 0.08, // each record rounded up to 1 KB
    dataOutPerGB: 0.04, // shared-throughput consumers
    source: { url: 'https://aws.amazon.com/kinesis/data-streams/pricing/', note: 'on-demand mode, 24 h retention included' },
  },
  mskServerless: {
    clusterHour: 0.75,
    partitionHour: 0.0015,
    dataInPerGB: 0.1,
    dataOutPerGB: 0.05,
    storageGBMonth: 0.1,
    source: { url: 'https://aws.amazon.com/msk/pricing/', note: 'MSK Serverless' },
  },
  kafkaOnEc2: {
    /** m5.xlarge (4 vCPU, 16 GiB) on-demand Linux */
    brokerHour: 0.192,
    brokerType: 'm5.xlarge',
    ebsGp3GBMonth: 0.08,
    /** $0.01/GB out of one AZ + $0.01/GB into the other */
    crossAzPerGB: 0.02,
    source: { url: 'https://aws.amazon.com/ec2/pricing/on-demand/', note: 'EC2 on-demand, EBS gp3 (https://aws.amazon.com/ebs/pricing/), inter-AZ data transfer' },
  },
  /** The Kafka gateway's fleet (docs/deploy.md#what-the-gateway-costs): Fargate tasks behind an NLB. */
  fargate: {
    perVcpuHourArm: 0.03238,
    perGBHourArm: 0.00356,
    perVcpuHourX86: 0.04048,
    perGBHourX86: 0.004445,
    source: { url: 'https://aws.amazon.com/fargate/pricing/', note: 'Linux/ARM and Linux/x86, per second with a one-minute minimum; 20 GB ephemeral storage included' },
  },
  nlb: {
    hour: 0.0225,
    perNlcuHour: 0.006,
    /** one NLCU, TCP listeners: the largest of these dimensions counts */
    tcpNlcu: { newConnectionsPerSecond: 800, activeConnections: 100_000, processedGBPerHour: 1 },
    /** one NLCU, TLS listeners */
    tlsNlcu: { newConnectionsPerSecond: 50, activeConnections: 3_000, processedGBPerHour: 1 },
    source: { url: 'https://aws.amazon.com/elasticloadbalancing/pricing/', note: 'Network Load Balancer: hourly charge and NLCU-hours' },
  },
  natGateway: {
    hour: 0.045,
    perGBProcessed: 0.045,
    source: { url: 'https://aws.amazon.com/vpc/pricing/', note: 'NAT gateway hourly charge and data processing' },
  },
  publicIpv4Hour: 0.005,
  publicIpv4Source: { url: 'https://aws.amazon.com/vpc/pricing/', note: 'public IPv4 address, in use or idle, per hour' },
  secretsManager: {
    secretMonth: 0.4,
    per10kCalls: 0.05,
    source: { url: 'https://aws.amazon.com/secrets-manager/pricing/', note: 'per secret per month, per 10,000 API calls' },
  },
  cloudwatchLogs: {
    ingestPerGB: 0.5,
    storagePerGBMonth: 0.03,
    source: { url: 'https://aws.amazon.com/cloudwatch/pricing/', note: 'Logs, standard class: collection (ingestion) and storage' },
  },
  hoursPerMonth: 730,
} as const;

/** Assumptions for the peers (stated in docs/cost-model.md). */
export const PEER_ASSUMPTIONS = {
  /** Kafka on EC2: MiB/s of producer traffic one m5.xlarge broker takes at RF=3 with headroom. */
  kafkaIngestMiBpsPerBroker: 25,
  kafkaMinBrokers: 3,
  kafkaReplicationFactor: 3,
  /** EBS provisioned per byte retained (free-space headroom). */
  kafkaDiskHeadroom: 2,
  /** MSK Serverless / Kafka: partitions in the workload's topic(s). */
  partitions: 32,
} as const;

export interface LatencyModel {
  name: string;
  description: string;
  latency: { s3Put: LatencyDist; s3Get: LatencyDist; dynamoRead: LatencyDist; dynamoWrite: LatencyDist };
  sources: Source[];
}

/**
 * Storage latency models (log-normal, fitted to p50/p99 in ms). AWS publishes
 * ranges, not distributions: each p50/p99 below is read off the cited statement
 * as noted; treat them as assumptions, not measurements.
 */
export const LATENCY_MODELS: Record<'s3-standard' | 's3-express', LatencyModel> = {
  's3-standard': {
    name: 's3-standard',
    description: 'S3 Standard + DynamoDB (same region)',
    latency: {
      // "consistent latencies on small objects as low as 100-200 ms": p50 at the low end, p99 at the high end; PUTs of whole segments
      s3Put: { p50: 100, p99: 200 },
      // small ranged GETs: "median latency often in the tens of milliseconds" (retry guidance for < 512 KB requests)
      s3Get: { p50: 30, p99: 150 },
      // "single-digit millisecond" at p50; p99 assumed ~3x p50
      dynamoRead: { p50: 4, p99: 12 },
      dynamoWrite: { p50: 6, p99: 18 },
    },
    sources: [
      { url: 'https://docs.aws.amazon.com/whitepapers/latest/s3-optimizing-performance-best-practices/welcome.html', note: 'S3 performance best practices: 100-200 ms on small objects' },
      {
        url: 'https://docs.aws.amazon.com/whitepapers/latest/s3-optimizing-performance-best-practices/timeouts-and-retries-for-latency-sensitive-applications.html',
        note: 'smaller requests (< 512 KB): median latency often in the tens of milliseconds',
      },
      { url: 'https://aws.amazon.com/blogs/database/understanding-amazon-dynamodb-latency/', note: 'DynamoDB: single-digit millisecond performance' },
    ],
  },
  's3-express': {
    name: 's3-express',
    description: 'S3 Express One Zone + DynamoDB (same AZ)',
    latency: {
      // "consistent single-digit millisecond first-byte read and write request latencies"
      s3Put: { p50: 5, p99: 10 },
      s3Get: { p50: 4, p99: 9 },
      dynamoRead: { p50: 4, p99: 12 },
      dynamoWrite: { p50: 6, p99: 18 },
    },
    sources: [
      { url: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-express-performance.html', note: 'consistent single-digit millisecond first-byte read and write latencies' },
      { url: 'https://aws.amazon.com/blogs/database/understanding-amazon-dynamodb-latency/', note: 'DynamoDB: single-digit millisecond performance' },
    ],
  },
};

export interface PeerFigure {
  system: string;
  model: keyof typeof LATENCY_MODELS;
  metric: 'produce' | 'e2e';
  p50?: number;
  p99: number;
  conditions: string;
  source: Source;
  published: string;
}

/** Peers' published latency figures (ms), matched to the latency model of the same storage class. */
export const PEER_FIGURES: PeerFigure[] = [
  {
    system: 'WarpStream',
    model: 's3-standard',
    metric: 'produce',
    p99: 400,
    conditions: 'default configuration (agent batchTimeout 250 ms), S3 Standard',
    source: { url: 'https://www.warpstream.com/blog/the-art-of-being-lazy-log-lower-latency-and-higher-availability-with-delayed-sequencing' },
    published: '2025',
  },
  {
    system: 'WarpStream',
    model: 's3-standard',
    metric: 'e2e',
    p99: 1500,
    conditions: '"< 1.5 s p99 end to end", S3 Standard',
    source: { url: 'https://aws.amazon.com/blogs/storage/how-warpstream-enables-cost-effective-low-latency-streaming-with-amazon-s3-express-one-zone/' },
    published: '2024',
  },
  {
    system: 'WarpStream',
    model: 's3-express',
    metric: 'produce',
    p50: 105,
    p99: 169,
    conditions: 'S3 Express One Zone, reduced batch timeout',
    source: { url: 'https://warpstream.com/blog/warpstream-s3-express-one-zone-benchmark-and-total-cost-of-ownership' },
    published: '2025-04-18',
  },
  {
    system: 'Inkless (KIP-1150 diskless topics)',
    model: 's3-standard',
    metric: 'e2e',
    p99: 1600,
    conditions: '1 GiB/s in, 3 GiB/s out, 3 AZs, S3 Standard (OpenMessaging Benchmark)',
    source: { url: 'https://aiven.io/blog/benchmarking-diskless-inkless-topics-part-1' },
    published: '2025',
  },
];
