#!/usr/bin/env node
// The floe CLI. Runs the TypeScript sources through tsx (no build step).
// s3rver pages ListObjectsV2 with a cipher that needs OpenSSL's legacy provider,
// so the process re-executes itself once with that flag.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Lambda runs Node 22; the SDK's Node 20 notice is noise for local use.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const self = fileURLToPath(import.meta.url);
const flag = '--openssl-legacy-provider';
if (!process.execArgv.includes(flag) && !(process.env.NODE_OPTIONS ?? '').includes(flag)) {
  const child = spawn(process.execPath, [flag, ...process.execArgv, self, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal) {
      // Die the way the child died, so a parent sees the same signal (crash tests kill with SIGKILL).
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.removeAllListeners(s);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/cli/main.ts');
  await main(process.argv);
}
