/** The built UI (index.html, app.js, app.css), read once into memory and served from there. */
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';

export interface StaticFile {
  body: Buffer;
  type: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

/** URL path ("/app.js") -> file; "/" is index.html. Only the files of `dir` itself, nothing below or above it. */
export async function loadAssets(dir: string): Promise<Map<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const type = TYPES[extname(entry.name)];
    if (!entry.isFile() || !type) continue;
    files.set(`/${entry.name}`, { body: await readFile(join(dir, entry.name)), type });
  }
  const index = files.get('/index.html');
  if (!index) throw new Error(`${dir} holds no index.html: not a built console`);
  files.set('/', index);
  return files;
}
