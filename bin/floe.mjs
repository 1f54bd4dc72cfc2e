#!/usr/bin/env node
// The floe CLI: runs the compiled JavaScript in dist/ (`npm run build`; `npm ci` builds it through `prepare`).
import { existsSync } from 'node:fs';

// Lambda runs Node 22; the AWS SDK's Node 20 notice is noise for local use.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('floe: the compiled CLI is missing (dist/src/cli/main.js); run `npm run build` first\n');
  process.exit(1);
}
const { main: run } = await import(main.href);
await run(process.argv);
