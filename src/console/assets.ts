/**
 * Where the console's UI comes from: dist/console when the package was built
 * (`npm run build:console`), otherwise a build on the fly into a fresh
 * temporary directory (a clone without a build step; needs the devDependencies
 * esbuild and preact), removed when the console stops. The build starts on
 * first use, so `floe dev` pays nothing until someone opens the console.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This file runs from src/console (tests, tsx) or, compiled, from dist/src/console. */
const COMPILED = import.meta.url.includes('/dist/src/console/');
export const PACKAGED_ASSETS_DIR = fileURLToPath(new URL(COMPILED ? '../../console/' : '../../dist/console/', import.meta.url));
const SOURCE_ROOT = new URL(COMPILED ? '../../../src/console/' : './', import.meta.url);
const SOURCE_DIRS = [fileURLToPath(new URL('./ui/', SOURCE_ROOT)), fileURLToPath(new URL('./shared/', SOURCE_ROOT))];

/** Newest modification time of the UI sources (0 when they are not there, as in a published package). */
function newestSource(dirs = SOURCE_DIRS): number {
  let newest = 0;
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
      if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

function usablePackage(dir: string): boolean {
  const index = join(dir, 'index.html');
  return existsSync(index) && statSync(index).mtimeMs >= newestSource();
}

export interface ConsoleAssets {
  /** the directory holding the built UI (building it on the first call if needed) */
  dir(): Promise<string>;
  source: 'packaged' | 'built on the fly';
  dispose(): Promise<void>;
}

export function consoleAssets(packagedDir = PACKAGED_ASSETS_DIR): ConsoleAssets {
  if (usablePackage(packagedDir)) return { dir: async () => packagedDir, source: 'packaged', dispose: async () => {} };
  let temp: string | undefined;
  let built: Promise<string> | undefined;
  const dir = () =>
    (built ??= (async () => {
      temp = await mkdtemp(join(tmpdir(), 'floe-console-'));
      const { buildConsole } = await import('./build.js');
      await buildConsole(temp);
      return temp;
    })());
  return {
    dir,
    source: 'built on the fly',
    async dispose() {
      await built?.catch(() => undefined);
      if (temp) await rm(temp, { recursive: true, force: true });
    },
  };
}
