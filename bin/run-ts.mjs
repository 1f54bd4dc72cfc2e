#!/usr/bin/env node
// Runs a TypeScript file of the repository through tsx (benchmarks, chaos, soak): node bin/run-ts.mjs FILE [args]
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error('usage: run-ts.mjs FILE [args]');
  process.exit(2);
}
const tsx = require.resolve('tsx');
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const child = spawn(process.execPath, ['--import', tsx, file, ...args], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 1));
