/**
 * vitest globalSetup: builds the packages (tests spawn the compiled `floe` CLI and the CDK
 * tests deploy the Lambda bundles; the build is incremental), then starts one embedded
 * storage (dynalite + s3rver) for the whole run.
 * Its endpoints reach every test worker as environment variables (see apply-env.ts);
 * tests isolate themselves by creating uniquely named topics and groups.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { configToEnv } from '../../src/config/index.js';
import { ensureStorage, LOCAL_CREDENTIALS, localConfig, startStorage } from '../../src/local/storage.js';

declare module 'vitest' {
  export interface ProvidedContext {
    floeEnv: Record<string, string>;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  execFileSync(process.execPath, [fileURLToPath(new URL('../../scripts/build.mjs', import.meta.url))], { stdio: 'inherit' });
  const storage = await startStorage();
  const config = localConfig(storage);
  const env = {
    ...configToEnv(config),
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
  Object.assign(process.env, env);
  await ensureStorage(config);
  project.provide('floeEnv', env);
  return () => storage.close();
}
