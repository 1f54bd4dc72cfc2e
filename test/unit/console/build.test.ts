/** The console UI bundle: built by buildConsole, self-contained (works offline), small; built on the fly when the package has none. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleAssets } from '../../../src/console/assets.js';
import { buildConsole, type ConsoleBuild } from '../../../src/console/build.js';

let outDir: string;
let built: ConsoleBuild;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'floe-console-build-'));
  built = await buildConsole(outDir);
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** XML namespaces are names, not fetches. */
const NAMESPACES = new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xhtml', 'http://www.w3.org/1998/Math/MathML', 'http://www.w3.org/1999/xlink']);

describe('buildConsole', () => {
  it('writes index.html, app.js and app.css, loading nothing from another host', () => {
    // Act
    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    const js = readFileSync(join(outDir, 'app.js'), 'utf8');
    const css = readFileSync(join(outDir, 'app.css'), 'utf8');
    const urls = [...`${html}\n${js}\n${css}`.matchAll(/https?:\/\/[^\s"'`)]+/g)].map((m) => m[0]).filter((u) => !NAMESPACES.has(u));

    // Assess
    expect(Object.keys(built.files).sort()).toEqual(['app.css', 'app.js', 'index.html']);
    expect(html).toContain('src="/app.js"');
    expect(html).toContain('href="/app.css"');
    expect(urls).toEqual([]);
    expect(js).not.toMatch(/\bimport\s*\(|from\s*["']https?:/); // one bundle: no runtime imports
  });

  it('stays small: under 80 KB of JavaScript before compression', () => {
    // Assess
    expect(built.files['app.js']).toBeLessThan(80 * 1024);
    expect(built.files['app.css']).toBeLessThan(16 * 1024);
  });
});

describe('console assets', () => {
  it('uses a packaged build when there is one, else builds into a temporary directory it removes afterwards', async () => {
    // Prepare
    const packaged = mkdtempSync(join(tmpdir(), 'floe-console-packaged-'));
    writeFileSync(join(packaged, 'index.html'), '<!doctype html>');
    const missing = join(tmpdir(), 'floe-console-none', String(Date.now()));

    // Act
    const fromPackage = consoleAssets(packaged);
    const onTheFly = consoleAssets(missing);
    const builtDir = await onTheFly.dir();
    const builtFiles = existsSync(join(builtDir, 'app.js')) && existsSync(join(builtDir, 'index.html'));
    await onTheFly.dispose();

    // Assess
    expect(fromPackage.source).toBe('packaged');
    expect(await fromPackage.dir()).toBe(packaged);
    expect(onTheFly.source).toBe('built on the fly');
    expect(builtFiles).toBe(true);
    expect(existsSync(builtDir)).toBe(false);
    rmSync(packaged, { recursive: true, force: true });
  });
});
