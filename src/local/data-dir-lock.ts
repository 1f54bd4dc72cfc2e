/**
 * One local cluster per data dir: LevelDB (dynalite's store) allows one process per
 * directory, and a second one failed with "Database is closed" and a stack trace. The
 * lock file names the holder, so the refusal can say who; a holder that died leaves a
 * stale file, which the next start takes over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LocalStartupError } from './errors.js';

export const LOCK_FILE = 'floe.lock';

export interface DataDirLock {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM'; // exists, owned by someone else
  }
}

function holder(path: string): { pid: number; command: string } | undefined {
  try {
    const found = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; command?: unknown };
    return typeof found.pid === 'number' ? { pid: found.pid, command: String(found.command ?? 'floe') } : undefined;
  } catch {
    return undefined; // unreadable or half written: treat as stale
  }
}

/** Takes the data dir for this process; `shownAs` is the directory as the user gave it. */
export function lockDataDir(dir: string, command: string, shownAs = dir): DataDirLock {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, command, since: new Date().toISOString() }));
      closeSync(fd);
      return { release: () => rmSync(path, { force: true }) };
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
      const other = holder(path);
      if (other && other.pid !== process.pid && alive(other.pid)) {
        throw new LocalStartupError(`data dir ${shownAs} is in use by another ${other.command} (pid ${other.pid}): stop it, or give another --data-dir`);
      }
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  throw new LocalStartupError(`could not lock data dir ${shownAs}: another floe is starting there at the same time`);
}
