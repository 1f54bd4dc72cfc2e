/**
 * Simulated disk failures of the local cluster's stand-ins, for tests. A full disk cannot be
 * made here (no tmpfs or loop mounts), and tests may run as root, where a read-only data dir
 * does not stop writes. So FLOE_LOCAL_DISK_FAULTS names a file; while it holds, e.g.,
 * {"s3":"ENOSPC","dynamodb":"EACCES"}, every write of that stand-in fails at its storage layer
 * with that errno, exactly as the stand-in would see a full disk or a read-only directory.
 * Deleting the file is "space came back".
 */
import { readFileSync, statSync } from 'node:fs';

export type StandIn = 's3' | 'dynamodb';

const MESSAGES: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EIO: 'i/o error',
};

export const DISK_FAULTS_ENV = 'FLOE_LOCAL_DISK_FAULTS';

export class DiskFaults {
  private plan: Partial<Record<StandIn, string>> = {};
  private seen = -1;

  constructor(private readonly file: string) {}

  /** The error a write of `standIn` to `path` fails with now, if any. */
  errorFor(standIn: StandIn, path: string): NodeJS.ErrnoException | undefined {
    const stat = statSync(this.file, { throwIfNoEntry: false });
    if (!stat) return undefined;
    if (stat.mtimeMs !== this.seen) {
      this.seen = stat.mtimeMs;
      try {
        this.plan = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<Record<StandIn, string>>;
      } catch {
        this.plan = {}; // being written: no fault until it parses
      }
    }
    const code = this.plan[standIn];
    if (!code) return undefined;
    return Object.assign(new Error(`${code}: ${MESSAGES[code] ?? 'injected disk fault'}, write '${path}'`), { code, syscall: 'write', path });
  }
}

/** The process's disk faults, if FLOE_LOCAL_DISK_FAULTS is set. */
export function envDiskFaults(env: NodeJS.ProcessEnv = process.env): DiskFaults | undefined {
  const file = env[DISK_FAULTS_ENV];
  return file ? new DiskFaults(file) : undefined;
}
