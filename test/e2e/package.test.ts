/**
 * The packages as a user gets them: `npm pack` of @floe/protocol, @floe/client and floe,
 * installed from the tarballs into fresh applications with no dev dependencies. An SDK-only
 * app runs the README snippet with plain `node` (ESM) and from CommonJS, and compiles against
 * the published types with skipLibCheck: false; a CDK app deploys `new Floe(...)` from floe/cdk.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCluster } from '../../src/local/cluster.js';
import { startTestCluster, uniqueName } from '../helpers/cluster.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./package-fixtures', import.meta.url));
const NPM = 'npm';
/** Packages that belong to the server side: an SDK-only app must not install any of them. */
const SERVER_SIDE = ['floe', 'dynalite', 's3rver', 'tsx', 'aws-cdk-lib', 'aws-cdk', 'constructs', 'commander', 'esbuild', '@aws-sdk/client-dynamodb', '@aws-sdk/client-s3', '@aws-sdk/lib-dynamodb', '@aws-lambda-powertools/logger', '@aws-lambda-powertools/metrics', 'lru-cache'];

let work: string;
let tarballs: { protocol: string; client: string; floe: string };
let sdkApp: string;
let cluster: LocalCluster;

const npm = (args: string[], cwd: string) => run(NPM, args, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false' } });

/** Installed packages (name -> directory) below node_modules, scoped ones included. */
function installedPackages(app: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (modules: string): void => {
    for (const name of readdirSync(modules)) {
      if (name.startsWith('.')) continue;
      const dir = join(modules, name);
      if (name.startsWith('@')) {
        for (const scoped of readdirSync(dir)) found.set(`${name}/${scoped}`, join(dir, scoped));
      } else found.set(name, dir);
    }
  };
  walk(join(app, 'node_modules'));
  return found;
}

function sizeOf(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

beforeAll(async () => {
  // Prepare: the tarballs (the globalSetup built dist/), an SDK-only app, a cluster to talk to.
  work = mkdtempSync(join(tmpdir(), 'floe-pack-'));
  const packDir = join(work, 'tarballs');
  mkdirSync(packDir);
  await npm(['pack', '--workspace', 'packages/protocol', '--workspace', 'packages/client', '--pack-destination', packDir, '--silent'], ROOT);
  await npm(['pack', '--ignore-scripts', '--pack-destination', packDir, '--silent'], ROOT);
  tarballs = { protocol: join(packDir, 'floe-protocol-0.1.0.tgz'), client: join(packDir, 'floe-client-0.1.0.tgz'), floe: join(packDir, 'floe-0.1.0.tgz') };

  sdkApp = join(work, 'sdk-app');
  mkdirSync(sdkApp);
  writeFileSync(join(sdkApp, 'package.json'), JSON.stringify({ name: 'sdk-app', version: '1.0.0', private: true }));
  await npm(['install', tarballs.protocol, tarballs.client, '--omit=dev', '--prefer-offline'], sdkApp);
  cluster = await startTestCluster();
}, 300_000);

afterAll(async () => {
  await cluster?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarballs', () => {
  const listing = (tarball: string): string[] => execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n');

  it('hold compiled JavaScript and types, not tests, benchmarks or fixtures', () => {
    for (const tarball of Object.values(tarballs)) {
      const files = listing(tarball);
      expect(files.filter((f) => /\/(test|bench|fixtures)\//.test(f) || /\.test\.[jt]s$/.test(f)), tarball).toEqual([]);
    }
    expect(listing(tarballs.client)).toEqual(expect.arrayContaining(['package/dist/index.js', 'package/dist/index.d.ts']));
    expect(listing(tarballs.floe)).toEqual(
      expect.arrayContaining(['package/bin/floe.mjs', 'package/dist/src/cli/main.js', 'package/dist/cdk/index.js', 'package/dist/cdk/index.d.ts', 'package/dist/lambda/produce/index.mjs']),
    );
  });
});

describe('an application that uses only the SDK', () => {
  it('installs no server-side package', () => {
    const installed = installedPackages(sdkApp);
    expect(SERVER_SIDE.filter((name) => installed.has(name))).toEqual([]);
    expect(installed.has('@floe/client')).toBe(true);
    // The note reports these (installed package count and size of an SDK-only app).
    console.log(JSON.stringify({ bench: 'package.sdk-only-install', packages: installed.size, bytes: sizeOf(join(sdkApp, 'node_modules')) }));
  });

  it('runs the README snippet with plain node (ESM) and prints the records it produced', async () => {
    // Act
    cpSync(join(FIXTURES, 'app.mjs'), join(sdkApp, 'app.mjs'));
    const topic = uniqueName('readme');
    const { stdout } = await run(process.execPath, ['app.mjs'], { cwd: sdkApp, env: { ...process.env, FLOE_BOOTSTRAP: cluster.url, TOPIC: topic } });
    // Assess: the record sent is the record printed (a fresh group starts at the earliest offset).
    const sent = /sent to partition (\d+) at offset (\d+)/.exec(stdout);
    expect(sent, stdout).not.toBeNull();
    expect(stdout).toContain(`${sent?.[1]} ${sent?.[2]} alice {"page":"/home"}`);
  });

  it('works from CommonJS through require()', async () => {
    cpSync(join(FIXTURES, 'app.cjs'), join(sdkApp, 'app.cjs'));
    const topic = uniqueName('cjs');
    await run(process.execPath, ['-e', `require('@floe/client'); new (require('@floe/client').Admin)({ bootstrap: '${cluster.url}' }).createTopic('${topic}', 1)`], { cwd: sdkApp });
    const { stdout } = await run(process.execPath, ['app.cjs'], { cwd: sdkApp, env: { ...process.env, FLOE_BOOTSTRAP: cluster.url, TOPIC: topic } });
    expect(JSON.parse(stdout.trim())).toEqual(['one', 'two', 'three']);
  });

  it('compiles against the published types with skipLibCheck: false, also under exactOptionalPropertyTypes', async () => {
    // Prepare: the app's own copy of the Node typings, as an application would have.
    const typesVersion = (JSON.parse(execFileSync(NPM, ['pkg', 'get', 'devDependencies'], { cwd: ROOT, encoding: 'utf8' })) as Record<string, string>)['@types/node'];
    const tsApp = join(work, 'ts-app');
    cpSync(sdkApp, tsApp, { recursive: true, verbatimSymlinks: true });
    await npm(['install', '--no-save', `@types/node@${typesVersion}`, '--prefer-offline'], tsApp);
    for (const file of ['app.ts', 'tsconfig.json']) cpSync(join(FIXTURES, file), join(tsApp, file));
    // Act / Assess: tsc exits 0 (a type error in the shipped .d.ts files would fail here).
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: tsApp }).catch((error: { stdout: string }) => error);
    // A CommonJS project on TypeScript's older resolution (node10) reads `types`, not `exports`.
    const commonjs = await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--module', 'commonjs', '--moduleResolution', 'node10'], { cwd: tsApp }).catch((error: { stdout: string }) => error);
    // The strictest optional-property checking an application may turn on reaches into the .d.ts files too.
    const exact = await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--exactOptionalPropertyTypes'], { cwd: tsApp }).catch((error: { stdout: string }) => error);
    expect('stdout' in result ? result.stdout : '').toBe('');
    expect('stdout' in commonjs ? commonjs.stdout : '').toBe('');
    expect('stdout' in exact ? exact.stdout : '').toBe('');
  });
});

describe('the floe package in a CDK app of a user', () => {
  it('deploys the whole system with new Floe(...) from floe/cdk, and ships a working CLI', async () => {
    // Prepare: all three tarballs; aws-cdk-lib and constructs are peer dependencies the app brings.
    const cdkApp = join(work, 'cdk-app');
    mkdirSync(cdkApp);
    writeFileSync(join(cdkApp, 'package.json'), JSON.stringify({ name: 'cdk-app', version: '1.0.0', private: true, type: 'module' }));
    await npm(['install', tarballs.protocol, tarballs.client, tarballs.floe, '--omit=dev', '--omit=peer', '--ignore-scripts', '--prefer-offline'], cdkApp);
    for (const peer of ['aws-cdk-lib', 'constructs']) symlinkSync(join(ROOT, 'node_modules', peer), join(cdkApp, 'node_modules', peer), 'dir');
    cpSync(join(FIXTURES, 'cdk-app.mjs'), join(cdkApp, 'cdk-app.mjs'));
    // Act
    const synth = await run(process.execPath, ['cdk-app.mjs'], { cwd: cdkApp, env: { ...process.env, CDK_OUTDIR: join(cdkApp, 'cdk.out') } });
    const version = await run(process.execPath, [join(cdkApp, 'node_modules', 'floe', 'bin', 'floe.mjs'), '--version'], { cwd: cdkApp });
    // Assess: five functions, four Function URLs, and the CLI from the package answers.
    expect(JSON.parse(synth.stdout.trim())).toEqual({ functions: 5, urls: 4, bootstrap: 'string' });
    expect(version.stdout.trim()).toBe('0.1.0');
  }, 300_000);
});
