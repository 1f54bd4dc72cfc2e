#!/usr/bin/env node
// npm run build (also run by `npm ci` through `prepare`):
//   1. tsc -b: @floe/protocol, @floe/client and floe (src + cdk) to JavaScript and .d.ts in dist/;
//   2. each Lambda handler bundled with esbuild into dist/lambda/<name>/index.mjs, which the CDK
//      constructs deploy (so an app using `floe/cdk` needs no bundler), checked for static imports
//      of packages the bundle leaves out (native addons: Lambda would crash at init).
//   3. the web console's UI (Preact, bundled by esbuild) into dist/console.
// --compile-only stops after step 1 (what `npm start` needs; the console then builds its UI on first use).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const HANDLERS = ['produce', 'fetch', 'admin', 'groups', 'housekeeping'];
/** Native addons: esbuild cannot bundle them and Lambda does not have them; handlers load them in try/catch with a JavaScript fallback. */
const NATIVE_ADDONS = ['@node-rs/crc32', 'snappy', 'lz4-napi', 'zstd-napi'];
// ESM bundles keep CommonJS dependencies working: esbuild's require shim needs a `require` in scope.
const ESM_REQUIRE_BANNER = "import { createRequire as __floeCreateRequire } from 'node:module'; const require = __floeCreateRequire(import.meta.url);";

execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (process.argv.includes('--compile-only')) process.exit(0);

rmSync(`${root}/dist/lambda`, { recursive: true, force: true });
const problems = [];
await Promise.all(
  HANDLERS.map(async (name) => {
    const result = await build({
      absWorkingDir: root,
      entryPoints: [`src/handlers/${name}.ts`],
      outfile: `dist/lambda/${name}/index.mjs`,
      tsconfig: 'tsconfig.json',
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      mainFields: ['module', 'main'],
      banner: { js: ESM_REQUIRE_BANNER },
      minify: true,
      sourcemap: true,
      sourcesContent: false,
      // The AWS SDK is bundled too: the deployed code runs the SDK version it was tested with.
      external: NATIVE_ADDONS,
      metafile: true,
      logLevel: 'warning',
    });
    const staticImports = Object.values(result.metafile.inputs)
      .flatMap((input) => input.imports)
      .filter((i) => i.kind === 'import-statement' && i.external && !isBuiltin(i.path))
      .map((i) => i.path);
    if (staticImports.length > 0) problems.push(`${name}: static import of ${[...new Set(staticImports)].join(', ')}`);
  }),
);
const { buildConsole } = await import(new URL('../dist/src/console/build.js', import.meta.url).href);
await buildConsole(`${root}/dist/console`);

if (problems.length > 0) {
  process.stderr.write(`build: Lambda bundles import packages they do not contain (load them with require() in try/catch):\n  ${problems.join('\n  ')}\n`);
  process.exit(1);
}
