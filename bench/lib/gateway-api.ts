/**
 * The gateway entry point the benchmark is written against. The server is merged from another
 * branch; it must export, from src/gateway/index.ts:
 *
 *   export function startGateway(options: StartGatewayOptions): Promise<RunningGateway>
 *
 * with the shapes below: in-process, listening on `port` (0: any free port), serving with the
 * given storage configuration, and calling `customizeDeps` once with its storage dependencies
 * before it serves (as startCluster does for the handlers), so meters and latency models attach
 * to the gateway's own AWS clients. Until then loadStartGateway() fails with a clear message.
 */
import type { FloeConfig } from '../../src/config/index.js';
import type { GatewaySecurity } from '../../src/gateway/security/index.js';
import type { HandlerDeps } from '../../src/handlers/deps.js';

/** What the benchmark needs of the gateway's dependencies: its AWS clients and the counted S3 layer (src/storage/layers.ts). */
export type GatewayMeterDeps = Pick<HandlerDeps, 'clients' | 's3'>;

export interface StartGatewayOptions {
  config: FloeConfig;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 0 (any free port) */
  port?: number;
  /** What Metadata and FindCoordinator return. @default host and the bound port */
  advertisedHost?: string;
  advertisedPort?: number;
  /** @default plaintext, no SASL (every connection User:ANONYMOUS) */
  security?: GatewaySecurity;
  customizeDeps?: (deps: GatewayMeterDeps) => void;
}

export interface RunningGateway {
  host: string;
  port: number;
  deps: GatewayMeterDeps;
  close(): Promise<void>;
}

export type StartGateway = (options: StartGatewayOptions) => Promise<RunningGateway>;

const GATEWAY_MODULE = '../../src/gateway/index.js';

export async function loadStartGateway(): Promise<StartGateway> {
  let module: { startGateway?: unknown } | undefined;
  try {
    // A computed specifier: this file type-checks before the gateway exists.
    module = (await import(GATEWAY_MODULE)) as { startGateway?: unknown };
  } catch {
    module = undefined;
  }
  if (typeof module?.startGateway !== 'function') {
    throw new Error('bench gateway: src/gateway/index.ts does not export startGateway(options) yet; see bench/lib/gateway-api.ts for the expected signature');
  }
  return module.startGateway as StartGateway;
}
