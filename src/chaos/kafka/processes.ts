/**
 * Processes of the Kafka chaos mode: `floe gateway` processes and the kafkajs worker processes.
 *
 * What this assumes of `floe gateway` (the merge's contract, docs/reliability.md#kafka-client-mode):
 * it reads the storage from the same environment as `floe serve` (FLOE_BUCKET, FLOE_LOG_TABLE,
 * FLOE_GROUPS_TABLE, AWS_ENDPOINT_URL_*), its listener and advertised address from GATEWAY_ENV
 * (FLOE_GATEWAY_PORT, FLOE_GATEWAY_ADVERTISED_HOST/PORT), serves plaintext without SASL when no
 * FLOE_GATEWAY_SASL_* / TLS variable is set, and is ready when its port accepts connections.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { connect, createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { configToEnv } from '../../config/index.js';
import { GATEWAY_ENV } from '../../config/gateway.js';
import { localConfig } from '../../local/storage.js';
import { follow, type Proc } from '../processes.js';
import type { ConsumerWorkerOptions } from './consumer-worker.js';
import type { ProducerWorkerOptions } from './producer-worker.js';

const FLOE_BIN = fileURLToPath(new URL('../../../bin/floe.mjs', import.meta.url));
const PRODUCER = fileURLToPath(new URL('./producer-worker.ts', import.meta.url));
const CONSUMER = fileURLToPath(new URL('./consumer-worker.ts', import.meta.url));
const TSX = createRequire(import.meta.url).resolve('tsx');

export interface GatewayProc extends Proc {
  port: number;
  /** Resolves once the port accepts connections; rejects if the process exits first. */
  ready: Promise<void>;
}

/** A free TCP port (bound and released: a restarted gateway gets a new one, as a new task gets a new IP). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

export async function spawnGateway(
  storage: { dynamoEndpoint: string; s3Endpoint: string },
  advertised: { host: string; port: number },
  onLine: (event: Record<string, unknown>) => void = () => undefined,
): Promise<GatewayProc> {
  const port = await freePort();
  const env = {
    ...process.env,
    ...configToEnv(localConfig(storage)),
    [GATEWAY_ENV.port]: String(port),
    [GATEWAY_ENV.advertisedHost]: advertised.host,
    [GATEWAY_ENV.advertisedPort]: String(advertised.port),
  };
  const child = spawn(process.execPath, [FLOE_BIN, 'gateway'], { stdio: ['ignore', 'pipe', 'ignore'], env });
  const proc = follow(child, onLine);
  const ready = (async () => {
    const deadline = Date.now() + 30_000;
    while (proc.alive() && Date.now() < deadline) {
      if (await accepts(port)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(proc.alive() ? `gateway on ${port} not ready after 30 s` : 'gateway process exited before it was ready');
  })();
  ready.catch(() => undefined);
  return { ...proc, port, ready };
}

const worker = (file: string, options: unknown, onLine: (event: Record<string, unknown>) => void): Proc =>
  follow(spawn(process.execPath, ['--import', TSX, file, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'ignore'], env: process.env }), onLine);

export const spawnProducerWorker = (options: ProducerWorkerOptions, onLine: (event: Record<string, unknown>) => void): Proc => worker(PRODUCER, options, onLine);
export const spawnConsumerWorker = (options: ConsumerWorkerOptions, onLine: (event: Record<string, unknown>) => void): Proc => worker(CONSUMER, options, onLine);
