/**
 * The Lambda entry points the stack deploys. They are the same files the local cluster
 * serves (src/handlers/<name>.ts, each exporting `handler`), bundled by `npm run build`
 * (scripts/build.mjs) into dist/lambda/<name>/index.mjs, which ships in the package: a
 * CDK app that imports `floe/cdk` deploys them without bundling anything itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The floe package's root: the repository, or node_modules/floe when installed (this file runs from cdk/ or dist/cdk/). */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'floe') return dir;
  }
  throw new Error(`cannot find the floe package above ${from}`);
}

/** Handlers served through a Function URL (one function and one URL each). */
export const URL_HANDLERS = ['produce', 'fetch', 'admin', 'groups'] as const;
/** Every handler the stack deploys: the URL handlers plus the scheduled housekeeping. */
export const HANDLERS = [...URL_HANDLERS, 'housekeeping'] as const;

export type UrlHandlerName = (typeof URL_HANDLERS)[number];
export type HandlerName = (typeof HANDLERS)[number];

/** Source entry file of a handler (what the bundle is built from). */
export const handlerEntry = (name: HandlerName): string => join(PACKAGE_ROOT, 'src', 'handlers', `${name}.ts`);

/** Directory of a handler's prebuilt bundle (index.mjs and its source map). */
export const handlerBundleDir = (name: HandlerName): string => join(PACKAGE_ROOT, 'dist', 'lambda', name);

/** The exported function Lambda calls in every entry file. */
export const HANDLER_EXPORT = 'handler';
