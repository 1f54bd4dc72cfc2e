/** Test helpers: a Kafka gateway in this process on the run's shared storage, with its storage writes counted. */
import { configFromEnv, type FloeConfig } from '../../src/config/index.js';
import { createGatewayDeps } from '../../src/gateway/deps.js';
import { startGateway, type RunningGateway } from '../../src/gateway/gateway.js';
import { silentLogger, type GatewayLogger } from '../../src/gateway/logger.js';
import type { GatewaySecurity } from '../../src/gateway/security/index.js';
import { gatewaySettingsFromEnv, type GatewaySettings } from '../../src/gateway/settings.js';

export interface TestGateway extends RunningGateway {
  /** DynamoDB write commands sent (Put, Update, Delete, BatchWrite), by command name. */
  writes: string[];
  bootstrap: string;
}

const WRITE_COMMANDS = new Set(['PutCommand', 'UpdateCommand', 'DeleteCommand', 'BatchWriteCommand', 'TransactWriteCommand']);

/** Settings for tests: any free port, short polls, no initial rebalance delay unless asked. */
export const TEST_SETTINGS: GatewaySettings = gatewaySettingsFromEnv({}, {
  port: 0,
  headPollIntervalMs: 50,
  groupPollIntervalMs: 50,
  initialRebalanceDelayMs: 0,
  drainTimeoutMs: 2000,
});

export async function startTestGateway(
  settings: Partial<GatewaySettings> = {},
  options: { security?: GatewaySecurity; log?: GatewayLogger; config?: Partial<FloeConfig> } = {},
): Promise<TestGateway> {
  const config = { ...configFromEnv(), ...options.config };
  const deps = createGatewayDeps(config);
  const writes: string[] = [];
  const send = deps.clients.dynamo.send.bind(deps.clients.dynamo);
  deps.clients.dynamo.send = ((command: { constructor: { name: string } }, ...rest: unknown[]) => {
    if (WRITE_COMMANDS.has(command.constructor.name)) writes.push(command.constructor.name);
    return (send as (...args: unknown[]) => unknown)(command, ...rest);
  }) as typeof deps.clients.dynamo.send;
  const running = await startGateway({ config, settings: { ...TEST_SETTINGS, ...settings }, deps, log: options.log ?? silentLogger, ...(options.security ? { security: options.security } : {}) });
  const close = running.close;
  return Object.assign(running, {
    writes,
    bootstrap: `127.0.0.1:${running.port}`,
    async close() {
      await close();
      deps.clients.dynamo.destroy();
      deps.clients.s3.destroy();
    },
  });
}
