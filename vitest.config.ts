import { defineConfig } from 'vitest/config';
import { workspaceAlias } from './vitest.workspace-alias.js';

export default defineConfig({
  resolve: { alias: workspaceAlias },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/global-storage.ts'],
    setupFiles: ['test/setup/apply-env.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
