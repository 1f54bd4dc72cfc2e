import { availableParallelism } from 'node:os';
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
    // Two files at once even on two cores (vitest's default would be one): most files wait on child
    // processes, sockets and timers, not the CPU; the suite runs in ~15 minutes instead of ~19.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
