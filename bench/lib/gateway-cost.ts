/**
 * What the Kafka gateway's fleet adds per month, on top of the storage requests it makes
 * (those are priced like the handlers', bench/lib/cost-model.ts): Fargate tasks, the NLB and its
 * capacity units, the default VPC's NAT gateway, public IPv4 addresses, the secrets, logs.
 * Pure functions of bench/lib/prices.ts (unit-tested in test/unit/bench/gateway-cost.test.ts).
 */
import { PRICES } from './prices.js';

type Prices = typeof PRICES;

export interface GatewayFleet {
  tasks: number;
  vcpuPerTask: number;
  memoryGBPerTask: number;
  arch: 'arm' | 'x86';
  /** producer MiB/s into the NLB and consumer MiB/s out of it (the NLB bills both) */
  ingestMiBps: number;
  egressMiBps: number;
  /** open client connections (producers, consumers, their coordinator connections) */
  activeConnections: number;
  newConnectionsPerSecond: number;
  /** where TLS ends: the NLB's TLS listener has smaller capacity units */
  tls: 'nlb' | 'passthrough' | 'none';
  /** the default VPC has one; bring your own VPC: 0 */
  natGateways: number;
  /** an internet-facing NLB has one per AZ; each NAT gateway one */
  publicIpv4: number;
  /** credentials (and the TLS secret with passthrough) */
  secrets: number;
  secretsApiCallsPerMonth: number;
  logGBPerMonth: number;
}

export interface FleetCost {
  fargate: number;
  nlbHours: number;
  nlbCapacity: number;
  nat: number;
  publicIpv4: number;
  secrets: number;
  logs: number;
  total: number;
}

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** NLCUs per hour: the largest of new connections, active connections and processed bytes. */
export function nlbCapacityUnits(f: GatewayFleet, p: Prices = PRICES): number {
  const unit = f.tls === 'nlb' ? p.nlb.tlsNlcu : p.nlb.tcpNlcu;
  const gbPerHour = ((f.ingestMiBps + f.egressMiBps) * MiB * 3600) / GiB;
  return Math.max(f.newConnectionsPerSecond / unit.newConnectionsPerSecond, f.activeConnections / unit.activeConnections, gbPerHour / unit.processedGBPerHour);
}

export function gatewayFleetMonthly(f: GatewayFleet, p: Prices = PRICES): FleetCost {
  const h = p.hoursPerMonth;
  const vcpu = f.arch === 'arm' ? p.fargate.perVcpuHourArm : p.fargate.perVcpuHourX86;
  const gb = f.arch === 'arm' ? p.fargate.perGBHourArm : p.fargate.perGBHourX86;
  const fargate = f.tasks * (f.vcpuPerTask * vcpu + f.memoryGBPerTask * gb) * h;
  const nlbHours = p.nlb.hour * h;
  const nlbCapacity = nlbCapacityUnits(f, p) * p.nlb.perNlcuHour * h;
  // The NAT gateway carries control traffic only (S3 and DynamoDB use gateway endpoints): its hours, and the logs it forwards.
  const nat = f.natGateways * p.natGateway.hour * h + (f.natGateways > 0 ? f.logGBPerMonth * p.natGateway.perGBProcessed : 0);
  const publicIpv4 = f.publicIpv4 * p.publicIpv4Hour * h;
  const secrets = f.secrets * p.secretsManager.secretMonth + (f.secretsApiCallsPerMonth / 10_000) * p.secretsManager.per10kCalls;
  const logs = f.logGBPerMonth * (p.cloudwatchLogs.ingestPerGB + p.cloudwatchLogs.storagePerGBMonth);
  return { fargate, nlbHours, nlbCapacity, nat, publicIpv4, secrets, logs, total: fargate + nlbHours + nlbCapacity + nat + publicIpv4 + secrets + logs };
}

/** The docs' example: the construct's defaults (2 × 0.25 vCPU / 0.5 GB ARM, one NAT gateway), internet-facing with TLS passthrough. */
export const SMALL_FLEET: GatewayFleet = {
  tasks: 2,
  vcpuPerTask: 0.25,
  memoryGBPerTask: 0.5,
  arch: 'arm',
  ingestMiBps: 0,
  egressMiBps: 0,
  activeConnections: 50,
  newConnectionsPerSecond: 0.1,
  tls: 'passthrough',
  natGateways: 1,
  publicIpv4: 3,
  secrets: 2,
  // a credentials reload per task every 5 minutes while clients log in
  secretsApiCallsPerMonth: 2 * 12 * 730,
  logGBPerMonth: 1,
};
