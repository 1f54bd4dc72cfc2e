/**
 * vitest globalSetup for `npm run test:localstack`: runs the integration suite against
 * LocalStack instead of the embedded stand-ins.
 *
 * - FLOE_LOCALSTACK_URL set (e.g. http://localhost:4566 from `docker compose up`): use it.
 * - otherwise start the image pinned in localstack/docker-compose.yml with testcontainers.
 * - no container runtime: print one line saying why and exit 0 (the run is skipped).
 *
 * Like global-storage.ts, it creates the bucket and tables and hands the environment
 * to every worker through project.provide('floeEnv') (applied by apply-env.ts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { parse } from 'yaml';
import { configToEnv, type FloeConfig } from '../../src/config/index.js';
import { ensureStorage, localConfig } from '../../src/local/storage.js';

declare module 'vitest' {
  export interface ProvidedContext {
    floeEnv: Record<string, string>;
  }
}

export const COMPOSE_FILE = fileURLToPath(new URL('../../localstack/docker-compose.yml', import.meta.url));
export const LOCALSTACK_SERVICE = 'localstack';
export const LOCALSTACK_PORT = 4566;
/**
 * The local cluster (test/helpers/cluster.ts) talks to storage in LOCAL_REGION, a
 * region LocalStack accepts only with ALLOW_NONSTANDARD_REGIONS=1.
 */
export const LOCALSTACK_ENVIRONMENT = { SERVICES: 's3,dynamodb', ALLOW_NONSTANDARD_REGIONS: '1' } as const;
/** LocalStack accepts any credentials. */
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };

/** The image the compose file pins: one source of truth for compose and tests. */
export function localstackImage(composeFile = COMPOSE_FILE): string {
  const compose = parse(readFileSync(composeFile, 'utf8')) as { services?: Record<string, { image?: string }> };
  const image = compose.services?.[LOCALSTACK_SERVICE]?.image;
  if (!image) throw new Error(`${composeFile}: no image for service ${LOCALSTACK_SERVICE}`);
  return image;
}

const firstLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';

function skip(reason: string): never {
  console.log(`LocalStack tests skipped: ${reason}`);
  process.exit(0);
}

async function startContainer(): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const { GenericContainer, getContainerRuntimeClient, Wait } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
  } catch (error) {
    skip(`no Docker engine reachable (${firstLine(error)}). Start Docker, or set FLOE_LOCALSTACK_URL.`);
  }
  const token = process.env.LOCALSTACK_AUTH_TOKEN;
  const container = await new GenericContainer(localstackImage())
    .withExposedPorts(LOCALSTACK_PORT)
    .withEnvironment({ ...LOCALSTACK_ENVIRONMENT, ...(token ? { LOCALSTACK_AUTH_TOKEN: token } : {}) })
    .withWaitStrategy(Wait.forLogMessage('Ready.'))
    .withStartupTimeout(180_000)
    .start();
  return {
    endpoint: `http://${container.getHost()}:${container.getMappedPort(LOCALSTACK_PORT)}`,
    stop: async () => {
      await container.stop();
    },
  };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const external = process.env.FLOE_LOCALSTACK_URL;
  const { endpoint, stop } = external
    ? { endpoint: external, stop: async () => {} }
    : await startContainer();
  // The same configuration as the local cluster, pointed at LocalStack's single endpoint.
  const config: FloeConfig = localConfig({ dynamoEndpoint: endpoint, s3Endpoint: endpoint });
  const env = { ...configToEnv(config), ...CREDENTIALS };
  Object.assign(process.env, env);
  try {
    await ensureStorage(config);
  } catch (error) {
    await stop();
    throw error;
  }
  console.log(`LocalStack (${external ? 'external' : localstackImage()}) at ${endpoint}`);
  project.provide('floeEnv', env);
  return stop;
}
