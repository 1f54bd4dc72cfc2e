/**
 * The local stand-ins' data dirs, watched from their write paths: the first failure (disk
 * full, no permission) is said once on the console with what to do, and so is the recovery.
 * Requests meanwhile answer 503 STORAGE_UNAVAILABLE (the stand-ins answer 500; the handlers
 * map that), and nothing crashes.
 */
import type { StandIn } from '../faults/disk-faults.js';

const NAMES: Record<StandIn, string> = { s3: 'S3', dynamodb: 'DynamoDB' };

export class StorageHealth {
  private readonly failing = new Map<StandIn, string>();
  /** Quiet while starting: a failure then is a startup error, said once by whoever started the storage. */
  private started = false;

  constructor(
    private readonly dirs: Record<StandIn, string | undefined>,
    private readonly write: (text: string) => void = (text) => process.stderr.write(text),
  ) {}

  failed(standIn: StandIn, error: unknown): void {
    const reason = String((error as Error)?.message ?? error);
    if (this.failing.has(standIn)) return;
    this.failing.set(standIn, reason);
    if (this.started) this.write(
      `floe: cannot write the ${NAMES[standIn]} data dir${this.where(standIn)}: ${reason}. ` +
        `Requests that need it answer 503 STORAGE_UNAVAILABLE until it can (free some space or fix its permissions; no restart needed).\n`,
    );
  }

  ok(standIn: StandIn): void {
    if (!this.failing.delete(standIn) || !this.started) return;
    this.write(`floe: the ${NAMES[standIn]} data dir${this.where(standIn)} is writable again.\n`);
  }

  /** Startup is over: from now on failures and recoveries are said on the console. */
  markStarted(): void {
    this.started = true;
  }

  /** What is failing now, for a startup error. */
  problem(): string | undefined {
    const [standIn, reason] = [...this.failing][0] ?? [];
    return standIn ? `cannot write the ${NAMES[standIn]} data dir${this.where(standIn)}: ${reason}` : undefined;
  }

  private where(standIn: StandIn): string {
    const dir = this.dirs[standIn];
    return dir ? ` (${dir})` : '';
  }
}

/** Errno codes that mean the disk, not the request: reported as a storage problem. */
export const DISK_ERRNOS = new Set(['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS', 'EIO', 'EMFILE', 'ENFILE']);
