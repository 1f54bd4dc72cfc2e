import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { workspaceAlias } from './vitest.workspace-alias.js';

/**
 * Files that start many processes or time group sessions (e2e, chaos, the browser): they run one at
 * a time, after the others, so no other file's load stretches their timings.
 */
const SERIAL = ['test/e2e/**/*.test.ts', 'test/chaos/**/*.test.ts', 'test/browser/**/*.test.ts'];

export default defineConfig({
  resolve: { alias: workspaceAlias },
  test: {
    globalSetup: ['test/setup/global-storage.ts'],
    setupFiles: ['test/setup/apply-env.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        // Two files at once even on two cores (vitest's default would be one): these wait on the
        // stand-ins, sockets and timers more than on the CPU.
        test: { name: 'parallel', include: ['test/**/*.test.ts'], exclude: SERIAL, maxWorkers: Math.max(2, availableParallelism() - 1), sequence: { groupOrder: 0 } },
      },
      { extends: true, test: { name: 'serial', include: SERIAL, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
