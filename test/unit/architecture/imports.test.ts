/**
 * The layout's import rule (docs/architecture.md#layout): which folder may import which.
 * Reads every import of the source tree; a new arrow that the table does not allow fails CI.
 * Also: each package imports only npm packages it declares, so an SDK-only install works.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** A folder ("room") and the rooms it may import; every room may import itself. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  'packages/protocol': [],
  'packages/client': ['packages/protocol'],
  'src/storage': ['packages/protocol'],
  'src/config': ['packages/protocol', 'src/log'],
  'src/aws': ['packages/protocol', 'src/config', 'src/storage'],
  'src/log': ['packages/protocol', 'src/storage', 'src/aws'],
  'src/leases': ['packages/protocol', 'src/storage', 'src/log'],
  'src/groups': ['packages/protocol', 'src/storage', 'src/log'],
  'src/housekeeping': ['packages/protocol', 'src/storage', 'src/log', 'src/leases'],
  'src/auth': ['packages/protocol', 'src/storage', 'src/log'],
  'src/handlers': ['packages/protocol', 'src/config', 'src/storage', 'src/aws', 'src/log', 'src/groups', 'src/housekeeping', 'src/auth'],
  'src/gateway': ['packages/protocol', 'src/config', 'src/storage', 'src/aws', 'src/log', 'src/groups', 'src/leases', 'src/auth'],
  'src/console': ['packages/protocol', 'packages/client'],
  'src/faults': ['packages/protocol', 'src/config', 'src/storage', 'src/aws', 'src/log', 'src/handlers', 'src/housekeeping'],
  'src/local': ['packages/protocol', 'src/config', 'src/storage', 'src/aws', 'src/log', 'src/handlers', 'src/housekeeping', 'src/faults', 'src/gateway', 'src/console', 'src/auth'],
  'src/cli': ['packages/protocol', 'packages/client', 'src/config', 'src/storage', 'src/aws', 'src/log', 'src/handlers', 'src/housekeeping', 'src/faults', 'src/local', 'src/gateway', 'src/console', 'src/auth'],
  // Development tooling (npm run chaos / soak): drives everything from outside.
  'src/chaos': ['*'],
  'src/index': ['packages/client'],
  // The CDK app builds infrastructure: it shares names and settings with the runtime, never its logic.
  cdk: ['src/config', 'src/storage'],
};

const WORKSPACE = { '@floe/protocol': 'packages/protocol', '@floe/client': 'packages/client' } as const;
/** A workspace specifier's package (subpaths such as @floe/protocol/kafka belong to their package). */

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(join(ROOT, path)).isDirectory()) yield* sourceFiles(path);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) yield path;
  }
}

const FILES = [...sourceFiles('src'), ...sourceFiles('packages/protocol/src'), ...sourceFiles('packages/client/src'), ...sourceFiles('cdk')];

/** Specifiers a file imports (static, dynamic and re-exports). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8').replace(/^\s*(\/\/|\*).*$/gm, '');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)].map((m) => m[1] as string);
}

/** The room of a repository path: the longest key of MAY_IMPORT it lies in. */
function roomOf(path: string): string | undefined {
  const bare = path.replace(/\.(ts|js|tsx)$/, '');
  return Object.keys(MAY_IMPORT)
    .filter((room) => bare === room || bare.startsWith(`${room}/`) || (room.startsWith('packages/') && bare.startsWith(`${room}/src`)))
    .sort((a, b) => b.length - a.length)[0];
}

const packageName = (specifier: string): string => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] as string));

describe('the import rule', () => {
  it('gives every source file a room', () => {
    const homeless = FILES.filter((file) => roomOf(file) === undefined);
    expect(homeless).toEqual([]);
  });

  it('lets each room import only the rooms the table allows', () => {
    const violations: string[] = [];
    for (const file of FILES) {
      const room = roomOf(file) as string;
      const allowed = MAY_IMPORT[room] ?? [];
      for (const specifier of importsOf(file)) {
        const target = specifier.startsWith('.')
          ? roomOf(relative(ROOT, normalize(join(ROOT, dirname(file), specifier))))
          : WORKSPACE[packageName(specifier) as keyof typeof WORKSPACE];
        if (target === undefined || target === room || allowed.includes('*') || allowed.includes(target)) continue;
        violations.push(`${file} (${room}) imports ${specifier} (${target})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('keeps the domain free of Lambda types: only handlers know the event shapes', () => {
    const offenders = FILES.filter((file) => !file.startsWith('src/handlers/') && !file.startsWith('src/local/') && !file.startsWith('src/faults/'))
      .filter((file) => importsOf(file).some((s) => s === 'aws-lambda'));
    expect(offenders).toEqual([]);
  });

  it('lets each workspace package import only the npm packages it declares', () => {
    const undeclared: string[] = [];
    for (const pkg of ['packages/protocol', 'packages/client']) {
      const manifest = JSON.parse(readFileSync(join(ROOT, pkg, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
      const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
      for (const file of FILES.filter((f) => f.startsWith(`${pkg}/`))) {
        for (const specifier of importsOf(file)) {
          if (specifier.startsWith('.') || isBuiltin(specifier)) continue;
          if (!declared.has(packageName(specifier))) undeclared.push(`${file} imports ${specifier}`);
        }
      }
    }
    expect(undeclared).toEqual([]);
  });
});
