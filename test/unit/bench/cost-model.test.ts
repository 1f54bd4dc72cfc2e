import { describe, expect, it } from 'vitest';
import {
  fetchCostPerGiB,
  floeMonthly,
  gibPerMonth,
  idleConsumerMonthly,
  kafkaMonthly,
  kinesisMonthly,
  lambdaCost,
  lingerSweep,
  mskServerlessMonthly,
  nearestProduceUnits,
  produceCostPerGiB,
  type FloeUnits,
  type ProduceUnits,
  type Workload,
} from '../../../bench/lib/cost-model.js';
import { PEER_ASSUMPTIONS, PRICES } from '../../../bench/lib/prices.js';

const MiB = 1024 * 1024;
const oneMiB: ProduceUnits = { requestBytes: MiB, partitionsPerRequest: 16, s3PutsPerRequest: 1, wruPerRequest: 16, rruPerRequest: 0, durationMsPerRequest: 100 };

describe('cost model arithmetic', () => {
  it('prices Lambda per request and per GB-second', () => {
    // 1M invocations of 1 ms at 1024 MB = $0.20 + 1,000 GB-s
    expect(lambdaCost(1e6, 1e6, 1024)).toBeCloseTo(0.2 + 1000 * PRICES.lambda.perGBSecondX86, 10);
    expect(lambdaCost(0, 1000, 512)).toBeCloseTo(0.5 * PRICES.lambda.perGBSecondX86, 12);
  });

  it('converts a steady MiB/s into GiB per month', () => {
    expect(gibPerMonth(1)).toBeCloseTo((PRICES.hoursPerMonth * 3600) / 1024, 9);
    expect(gibPerMonth(0)).toBe(0);
  });

  it('costs 1 GiB of produce from per-request units', () => {
    const b = produceCostPerGiB(oneMiB, 1024);
    expect(b.s3Requests).toBeCloseTo((1024 / 1000) * PRICES.s3Standard.putPer1000, 12);
    expect(b.dynamodb).toBeCloseTo(((1024 * 16) / 1e6) * PRICES.dynamodbOnDemand.perMillionWRU, 12);
    expect(b.lambda).toBeCloseTo((1024 / 1e6) * PRICES.lambda.perMillionRequests + 102.4 * PRICES.lambda.perGBSecondX86, 12);
    expect(b.total).toBeCloseTo(b.s3Requests + b.dynamodb + b.lambda, 12);
  });

  it('scales PUTs with requests and DynamoDB units with partitions written', () => {
    const quarter = produceCostPerGiB(oneMiB, 1024, PRICES, { requestBytes: MiB / 4, partitionsPerRequest: 4 });
    const full = produceCostPerGiB(oneMiB, 1024);
    expect(quarter.s3Requests).toBeCloseTo(4 * full.s3Requests, 12); // 4x the requests
    expect(quarter.dynamodb).toBeCloseTo(full.dynamodb, 12); // same partition-batches per GiB
  });

  it('picks the measured request size nearest on a log scale', () => {
    const units = [64, 256, 1024].map((k) => ({ ...oneMiB, requestBytes: k * 1024 }));
    expect(nearestProduceUnits(units, 100 * 1024).requestBytes).toBe(64 * 1024);
    expect(nearestProduceUnits(units, 200 * 1024).requestBytes).toBe(256 * 1024);
    expect(() => nearestProduceUnits([], 1)).toThrow();
  });

  it('costs reads per GiB', () => {
    const b = fetchCostPerGiB({ s3GetsPerGiB: 1000, rruPerGiB: 2000, invocationsPerGiB: 500, durationMsPerGiB: 50_000 }, 1024);
    expect(b.s3Requests).toBeCloseTo(PRICES.s3Standard.getPer1000, 12);
    expect(b.dynamodb).toBeCloseTo(0.002 * PRICES.dynamodbOnDemand.perMillionRRU, 12);
    expect(b.lambda).toBeCloseTo(500e-6 * PRICES.lambda.perMillionRequests + 50 * PRICES.lambda.perGBSecondX86, 12);
  });

  it('costs an idle consumer per month: a function held open all the time dominates', () => {
    const idle = idleConsumerMonthly({ invocationsPerHour: 3600, rruPerHour: 36_000, s3GetsPerHour: 0, durationMsPerHour: 3_600_000 }, 1024);
    const h = PRICES.hoursPerMonth;
    expect(idle.lambda).toBeCloseTo(((3600 * h) / 1e6) * PRICES.lambda.perMillionRequests + 3600 * h * PRICES.lambda.perGBSecondX86, 9);
    expect(idle.dynamodb).toBeCloseTo(((36_000 * h) / 1e6) * PRICES.dynamodbOnDemand.perMillionRRU, 9);
    expect(idle.s3Requests).toBe(0);
  });

  const units: FloeUnits = {
    produce: [oneMiB],
    fetch: { s3GetsPerGiB: 1000, rruPerGiB: 1000, invocationsPerGiB: 300, durationMsPerGiB: 30_000 },
    idlePoll: { invocationsPerHour: 7200, rruPerHour: 36_000, s3GetsPerHour: 0, durationMsPerHour: 3_000_000 },
    produceMemoryMB: 1024,
    fetchMemoryMB: 1024,
  };
  const workload: Workload = { name: 't', ingestMiBps: 10, requestBytes: MiB, partitionsPerRequest: 16, consumerGroups: 2, consumersPerGroup: 3, idleConsumers: 4, retentionHours: 24 };

  it('adds up a Floe workload: produce once, read once per group, every consumer polls', () => {
    const gib = gibPerMonth(10);
    const produce = produceCostPerGiB(oneMiB, 1024);
    const read = fetchCostPerGiB(units.fetch, 1024);
    const poll = idleConsumerMonthly(units.idlePoll, 1024);
    const m = floeMonthly(workload, units);
    expect(m.lambda).toBeCloseTo(gib * (produce.lambda + 2 * read.lambda) + 10 * poll.lambda, 6);
    expect(m.s3Storage).toBeCloseTo(((10 * MiB * 24 * 3600) / 1024 ** 3) * PRICES.s3Standard.storageGBMonth, 9);
    expect(m.total).toBeCloseTo(m.s3Requests + m.s3Storage + m.dynamodb + m.lambda, 9);
    const idleOnly = floeMonthly({ ...workload, ingestMiBps: 0, consumerGroups: 0, idleConsumers: 1 }, units);
    expect(idleOnly.total).toBeCloseTo(poll.total, 9);
  });

  it('prices the peers from the same table', () => {
    const gib = gibPerMonth(10);
    const k = kinesisMonthly(workload);
    expect(k.total).toBeCloseTo(PRICES.hoursPerMonth * PRICES.kinesisOnDemand.streamHour + gib * PRICES.kinesisOnDemand.dataInPerGB + 2 * gib * PRICES.kinesisOnDemand.dataOutPerGB, 6);
    const msk = mskServerlessMonthly(workload);
    expect(msk.items.partitionHours).toBeCloseTo(PRICES.hoursPerMonth * PEER_ASSUMPTIONS.partitions * PRICES.mskServerless.partitionHour, 9);
    // 100 MiB/s needs 6 brokers at 25 MiB/s each (3 AZs → multiples of 3); cross-AZ: 2/3 of produce + 2/3 per group + 2 replicas
    const kafka = kafkaMonthly({ ...workload, ingestMiBps: 100, consumerGroups: 1 });
    expect(kafka.items.brokers).toBeCloseTo(6 * PRICES.hoursPerMonth * PRICES.kafkaOnEc2.brokerHour, 9);
    expect(kafka.items.crossAz).toBeCloseTo(gibPerMonth(100) * (4 / 3 + 2) * PRICES.kafkaOnEc2.crossAzPerGB, 6);
    expect(kafkaMonthly({ ...workload, ingestMiBps: 1 }).items.brokers).toBeCloseTo(3 * PRICES.hoursPerMonth * PRICES.kafkaOnEc2.brokerHour, 9);
  });

  it('sweeps linger.ms over the measured request sizes: the request size the rate fills, priced as that workload', () => {
    const quarter: ProduceUnits = { ...oneMiB, requestBytes: MiB / 4, durationMsPerRequest: 40 };
    const sweep = lingerSweep({ ...workload, ingestMiBps: 1 }, { ...units, produce: [quarter, oneMiB] });
    expect(sweep.map((p) => p.lingerMs)).toEqual([250, 1000]);
    expect(sweep[1]!.floe).toBeCloseTo(floeMonthly({ ...workload, ingestMiBps: 1, requestBytes: MiB }, { ...units, produce: [quarter, oneMiB] }).total, 9);
    // longer linger, bigger requests, fewer PUTs and head writes per GiB
    expect(sweep[1]!.floe).toBeLessThan(sweep[0]!.floe);
    expect(sweep[0]!.kinesis).toBe(sweep[1]!.kinesis);
  });
});
