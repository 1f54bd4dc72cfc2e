/**
 * dynalite keeps its tables in LevelDB and throws any storage error it gets from it inside a
 * callback: a full disk or a read-only data dir crashed the whole local cluster. Here LevelDB's
 * write calls are wrapped (once per process, for every dynalite data dir) so that such an error
 * becomes a DynamoDB 500 answer (dynalite answers errors that carry a status) and is reported
 * on the console; the same wrapper is where simulated disk faults strike.
 */
import { createRequire } from 'node:module';
import type { DiskFaults } from '../faults/disk-faults.js';
import { LocalStartupError } from './errors.js';
import type { StorageHealth } from './storage-health.js';

interface LevelDb {
  location: string;
  open(): Promise<void>;
  close(): Promise<void>;
}
type LevelClass = (new (location: string, options?: object) => LevelDb) & { prototype: Record<string, unknown> };

/** dynalite's own LevelDB class, resolved through dynalite (it is dynalite's dependency, not ours). */
const requireFromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
const { Level } = requireFromDynalite('level') as { Level: LevelClass };

const WRITES = ['_put', '_del', '_batch'] as const;
const guarded = new Map<string, { health: StorageHealth; faults?: DiskFaults }>();
let installed = false;

function asDynamoError(error: unknown): unknown {
  const e = error as Error & { statusCode?: number; body?: unknown };
  e.statusCode = 500;
  e.body = { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: `local storage: ${e.message}` };
  return e;
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const name of WRITES) {
    const original = Level.prototype[name] as (this: LevelDb, ...args: unknown[]) => Promise<unknown>;
    Level.prototype[name] = async function (this: LevelDb, ...args: unknown[]) {
      const guard = guarded.get(this.location);
      if (!guard) return original.apply(this, args);
      try {
        const fault = guard.faults?.errorFor('dynamodb', this.location);
        if (fault) throw fault;
        const result = await original.apply(this, args);
        guard.health.ok('dynamodb');
        return result;
      } catch (error) {
        guard.health.failed('dynamodb', error);
        throw asDynamoError(error);
      }
    };
  }
}

/**
 * Opens the data dir once before dynalite does: a directory LevelDB cannot open (read-only,
 * not a directory) is a startup error saying so, not "Database is closed" at the first request.
 * Then watches its writes.
 */
export async function guardDynaliteDir(dir: string, health: StorageHealth, faults?: DiskFaults): Promise<() => void> {
  const probe = new Level(dir);
  try {
    await probe.open();
  } catch (error) {
    const cause = (error as { cause?: Error }).cause ?? (error as Error);
    throw new LocalStartupError(`cannot open the DynamoDB data dir ${dir}: ${cause.message}; check that it is writable`);
  } finally {
    await probe.close().catch(() => undefined);
  }
  install();
  guarded.set(dir, { health, faults });
  return () => guarded.delete(dir);
}
