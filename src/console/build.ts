/**
 * Builds the console UI with esbuild: ui/main.tsx (Preact) bundled and minified
 * into app.js and app.css, next to index.html. Everything the page needs is in
 * those three files (no CDN, works offline). The package build calls
 * buildConsole(outDir); `npm run build:console` writes dist/console.
 */
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// From src/console, or compiled from dist/src/console (the UI sources are never compiled by tsc).
const UI_DIR = fileURLToPath(new URL(import.meta.url.includes('/dist/src/console/') ? '../../../src/console/ui/' : './ui/', import.meta.url));

export interface ConsoleBuild {
  outDir: string;
  /** bytes of each file written */
  files: Record<string, number>;
}

export async function buildConsole(outDir: string): Promise<ConsoleBuild> {
  // esbuild is a build-time dependency: loaded only when a build is asked for.
  const { build } = await import('esbuild');
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: { app: join(UI_DIR, 'main.tsx') },
    outdir: outDir,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome111', 'firefox113', 'safari16.4'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(UI_DIR, 'tsconfig.json'),
    legalComments: 'none',
    logLevel: 'silent',
  });
  await copyFile(join(UI_DIR, 'index.html'), join(outDir, 'index.html'));
  const files: Record<string, number> = {};
  for (const name of ['index.html', 'app.js', 'app.css']) files[name] = (await stat(join(outDir, name))).size;
  return { outDir, files };
}
