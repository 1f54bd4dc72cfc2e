/** `npm run build:console [outDir]`: builds the console UI into dist/console (or outDir) and prints the file sizes. */
import { resolve } from 'node:path';
import { PACKAGED_ASSETS_DIR } from './assets.js';
import { buildConsole } from './build.js';

const outDir = process.argv[2] ? resolve(process.argv[2]) : PACKAGED_ASSETS_DIR;
const built = await buildConsole(outDir);
for (const [name, bytes] of Object.entries(built.files)) process.stdout.write(`${name.padEnd(11)} ${bytes} bytes\n`);
process.stdout.write(`console UI built into ${built.outDir}\n`);
