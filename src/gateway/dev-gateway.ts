/**
 * The gateway `floe dev` starts next to the local cluster, on 127.0.0.1:9093 by default. As with
 * the console, a busy port is not fatal there: the gateway moves to a free one and says so.
 */
import type { FloeConfig } from '../config/index.js';
import { startGateway, type RunningGateway } from './gateway.js';
import type { GatewaySecurity } from './security/index.js';
import { silentLogger, stderrLogger } from './logger.js';
import { gatewaySettingsFromEnv } from './settings.js';

export interface DevGateway {
  /** host:port for Kafka clients (kcat -b ...). */
  address: string;
  gateway: RunningGateway;
  close(): Promise<void>;
}

export async function startDevGateway(options: {
  config: FloeConfig;
  host: string;
  port: number;
  warn: (line: string) => void;
  quiet?: boolean;
  /** `floe dev --auto-create-topics` / `--default-partitions`; unset: FLOE_GATEWAY_* or the defaults, as for `floe gateway`. */
  autoCreateTopics?: boolean;
  defaultPartitions?: number;
  /** `floe dev --sasl-mechanisms` and the other security flags (FLOE_GATEWAY_* under them); unset: plaintext, no SASL. */
  security?: GatewaySecurity;
}): Promise<DevGateway> {
  const start = (port: number) =>
    startGateway({
      config: options.config,
      settings: gatewaySettingsFromEnv(process.env, { host: options.host, port, autoCreateTopics: options.autoCreateTopics, defaultPartitions: options.defaultPartitions }),
      log: options.quiet ? silentLogger : stderrLogger,
      ...(options.security ? { security: options.security } : {}),
    });
  let gateway: RunningGateway;
  try {
    gateway = await start(options.port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    gateway = await start(0);
    options.warn(`kafka: port ${options.port} is in use; serving the Kafka gateway on ${gateway.node.host}:${gateway.node.port} instead (--kafka-port to choose)`);
  }
  return { address: `${gateway.node.host}:${gateway.node.port}`, gateway, close: () => gateway.close() };
}
