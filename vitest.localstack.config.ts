/**
 * `npm run test:localstack`: the integration suite against LocalStack (see
 * test/setup/localstack-storage.ts and localstack/README.md). Skips, exiting 0 with a
 * one-line reason, when no container runtime is reachable. `npm test` does not use it.
 */
import { defineConfig } from 'vitest/config';
import { workspaceAlias } from './vitest.workspace-alias.js';

export default defineConfig({
  resolve: { alias: workspaceAlias },
  test: {
    include: ['test/integration/**/*.test.ts'],
    globalSetup: ['test/setup/localstack-storage.ts'],
    setupFiles: ['test/setup/apply-env.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    env: { AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1' },
  },
});
