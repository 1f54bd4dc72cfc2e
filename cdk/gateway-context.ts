/**
 * The `floe:gateway` context key: `true` for the defaults, or a JSON object of FloeGatewayOptions
 * with plain values (durations in seconds, ARNs for the certificate and secrets), e.g.
 *   npx cdk deploy -c 'floe:gateway={"internetFacing":true,"clientCidrs":["203.0.113.0/24"],"certificateArn":"arn:..."}'
 */
import { Duration } from 'aws-cdk-lib';
import { GATEWAY_SASL_MECHANISMS, type GatewaySaslMechanism } from '../src/config/gateway.js';
import type { FloeGatewayOptions } from './constructs/floe-gateway.js';

const NUMBERS = ['port', 'desiredCount', 'maxCount', 'cpu', 'memoryLimitMiB', 'targetCpuUtilizationPercent', 'idleTimeoutSeconds', 'rebalanceTimeoutSeconds'] as const;
const STRINGS = ['advertisedHost', 'certificateArn', 'tlsSecretArn', 'credentialsSecretArn'] as const;
const FIELDS: readonly string[] = [...NUMBERS, ...STRINGS, 'internetFacing', 'clientCidrs', 'saslMechanisms'];

export function gatewayFromContext(key: string, value: unknown): FloeGatewayOptions | undefined {
  const fail = (expected: string): never => {
    throw new Error(`context ${key}=${JSON.stringify(value)}: expected ${expected}`);
  };
  if (value === undefined || value === false || value === 'false') return undefined;
  if (value === true || value === 'true') return {};
  let raw: unknown = value;
  if (typeof value === 'string') {
    try {
      raw = JSON.parse(value);
    } catch {
      fail('true, or a JSON object');
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('true, or a JSON object');
  const o = raw as Record<string, unknown>;
  const unknown = Object.keys(o).filter((field) => !FIELDS.includes(field));
  if (unknown.length > 0) fail(`fields among ${FIELDS.join(', ')} (not ${unknown.join(', ')})`);
  for (const field of NUMBERS) if (o[field] !== undefined && (typeof o[field] !== 'number' || !Number.isInteger(o[field]) || (o[field] as number) <= 0)) fail(`${field}: a positive integer`);
  for (const field of STRINGS) if (o[field] !== undefined && typeof o[field] !== 'string') fail(`${field}: a string`);
  if (o.internetFacing !== undefined && typeof o.internetFacing !== 'boolean') fail('internetFacing: true or false');
  if (o.clientCidrs !== undefined && (!Array.isArray(o.clientCidrs) || !o.clientCidrs.every((c) => typeof c === 'string' && /^[\d.]+\/\d+$/.test(c)))) fail('clientCidrs: IPv4 CIDRs');
  if (o.saslMechanisms !== undefined && (!Array.isArray(o.saslMechanisms) || !o.saslMechanisms.every((m) => (GATEWAY_SASL_MECHANISMS as readonly unknown[]).includes(m)))) {
    fail(`saslMechanisms: among ${GATEWAY_SASL_MECHANISMS.join(', ')}`);
  }
  if (o.certificateArn !== undefined && o.tlsSecretArn !== undefined) fail('certificateArn (TLS at the NLB) or tlsSecretArn (TLS at the gateway), not both');
  const seconds = (n: unknown) => (n === undefined ? undefined : Duration.seconds(n as number));
  return {
    port: o.port as number | undefined,
    desiredCount: o.desiredCount as number | undefined,
    maxCount: o.maxCount as number | undefined,
    cpu: o.cpu as number | undefined,
    memoryLimitMiB: o.memoryLimitMiB as number | undefined,
    targetCpuUtilizationPercent: o.targetCpuUtilizationPercent as number | undefined,
    idleTimeout: seconds(o.idleTimeoutSeconds),
    rebalanceTimeout: seconds(o.rebalanceTimeoutSeconds),
    internetFacing: o.internetFacing as boolean | undefined,
    clientCidrs: o.clientCidrs as string[] | undefined,
    advertisedHost: o.advertisedHost as string | undefined,
    saslMechanisms: o.saslMechanisms as GatewaySaslMechanism[] | undefined,
    credentials: o.credentialsSecretArn as string | undefined,
    tls: o.certificateArn !== undefined ? { certificate: o.certificateArn as string } : o.tlsSecretArn !== undefined ? { secret: o.tlsSecretArn as string } : undefined,
  };
}
