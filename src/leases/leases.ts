/**
 * Leases: one actor at a time for a unit of background work.
 *
 * lease item { holder, epoch, expiresAt, ttl, ...state }
 * - acquire: free (never taken, or released) or expired; the epoch increases on every acquisition.
 * - renew / release: only by the holder with the same epoch.
 * - fencing: every write made under a lease SETs `fence = epoch` on the item it changes, on the
 *   condition that the item's fence is not newer; a holder that paused past its expiry is rejected
 *   once the next holder has written that item.
 * Liveness is `expiresAt` vs now; `ttl` only lets DynamoDB delete forgotten lease items.
 * The item is never deleted on release: its epoch must keep increasing.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { TTL_ATTRIBUTE } from '../storage/keys.js';
import { nowOf, type LogDeps } from '../log/deps.js';
import { LIMITS } from '../log/limits.js';
import { applyWrite, extendLeaseItem, freeLeaseItem, getLeaseItem, takeLeaseItem, type ConditionalWrite } from '../log/store.js';

export interface Lease {
  name: string;
  holder: string;
  epoch: number;
  expiresAt: number;
  /** the previous holder let the lease expire without releasing it (it crashed or stalled) */
  takeover: boolean;
  /** work state kept on the lease item between holders (e.g. a merge cursor) */
  state: Record<string, unknown>;
}

export class LeaseLostError extends Error {
  constructor(name: string, reason: string) {
    super(`lease ${name} lost: ${reason}`);
    this.name = 'LeaseLostError';
  }
}

export const newHolderId = (): string => `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

const LEASE_FIELDS = new Set(['pk', 'sk', 'holder', 'epoch', 'expiresAt', TTL_ATTRIBUTE]);
const stateOf = (item: Record<string, unknown> | undefined): Record<string, unknown> =>
  Object.fromEntries(Object.entries(item ?? {}).filter(([k]) => !LEASE_FIELDS.has(k)));
const ttlOf = (expiresAt: number): number => Math.ceil((expiresAt + LIMITS.leaseCleanupAfterMs) / 1000);

/** Takes the lease if it is free or expired; undefined when another holder has it. */
export async function acquireLease(deps: LogDeps, name: string, holder: string, durationMs: number = LIMITS.leaseDurationMs): Promise<Lease | undefined> {
  const now = nowOf(deps);
  const expiresAt = now + durationMs;
  const old = await takeLeaseItem(deps, name, holder, now, expiresAt, ttlOf(expiresAt));
  if (!old) return undefined;
  return {
    name,
    holder,
    epoch: old.epoch === undefined ? now + 1 : (old.epoch as number) + 1,
    expiresAt,
    // release removes the holder: one still there means its lease ran out while held
    takeover: old.holder !== undefined,
    state: stateOf(old),
  };
}

/** Extends the lease; throws LeaseLostError when someone else holds it now. */
export async function renewLease(deps: LogDeps, lease: Lease, durationMs: number = LIMITS.leaseDurationMs): Promise<Lease> {
  const expiresAt = nowOf(deps) + durationMs;
  if (!(await extendLeaseItem(deps, lease.name, lease.holder, lease.epoch, expiresAt, ttlOf(expiresAt)))) {
    throw new LeaseLostError(lease.name, `holder ${lease.holder} epoch ${lease.epoch} was taken over`);
  }
  lease.expiresAt = expiresAt;
  return lease;
}

/**
 * Gives the lease up (free for the next acquirer at once) and stores work state on it.
 * Returns false when the lease had been taken over: the state is then not written.
 */
export const releaseLease = (deps: LogDeps, lease: Lease, state: Record<string, unknown> = {}): Promise<boolean> =>
  freeLeaseItem(deps, lease.name, lease.holder, lease.epoch, state);

export const readLease = (deps: LogDeps, name: string): Promise<Record<string, unknown> | undefined> => getLeaseItem(deps, name);

/**
 * Adds a lease's fence to a write: the item records the epoch that last wrote it (`fence`), and the
 * write holds only if no newer epoch wrote the item since. A holder that paused past its expiry is
 * thus rejected on every item its successor has written (decision 12).
 */
export function fenced(write: ConditionalWrite, epoch: number): ConditionalWrite {
  const fence = '(attribute_not_exists(fence) OR fence <= :fence)';
  const condition = write.condition ? `${write.condition} AND ${fence}` : fence;
  const values = { ...write.values, ':fence': epoch };
  if (write.kind === 'update') return { ...write, set: [...write.set, 'fence = :fence'], condition, values };
  if (write.kind === 'put') return { ...write, item: { ...write.item, fence: epoch }, condition, values };
  return { ...write, condition, values };
}

/**
 * A held lease, and the one way to write under it (as SlateDB's fenceable manifest is the one way
 * to write a manifest): `write` renews the lease when less than half of it is left (LeaseLostError
 * once another holder took it), adds the fence, and sends the write. Every lease-fenced write of
 * housekeeping goes through here.
 */
export class LeaseGuard {
  constructor(
    private readonly deps: LogDeps,
    readonly lease: Lease,
    private readonly durationMs: number = LIMITS.leaseDurationMs,
  ) {}

  async ensure(): Promise<void> {
    if (this.lease.expiresAt - nowOf(this.deps) < this.durationMs / 2) await renewLease(this.deps, this.lease, this.durationMs);
  }

  /**
   * Sends `write` fenced by this lease: false when its condition (or the fence) did not hold.
   * `notAfter` (epoch ms): throws instead of sending once it passed, checked after the renewal,
   * the last step before the write (a write that references a new object must land before the sweep may take it).
   */
  async write(write: ConditionalWrite, notAfter = Number.POSITIVE_INFINITY): Promise<boolean> {
    await this.ensure();
    if (nowOf(this.deps) > notAfter) throw new Error(`a fenced ${write.kind} is past its deadline; left for the sweep`);
    return applyWrite(this.deps, fenced(write, this.lease.epoch));
  }
}

/**
 * Renews held leases in the background (every third of their duration) while long work runs,
 * e.g. a sweep holding several shard leases that it works on one after another.
 * Returns a stop function. A lease that is lost stays lost: its guard's next ensure() throws.
 */
export function keepAlive(guards: LeaseGuard[], durationMs: number): () => void {
  const timer = setInterval(() => {
    for (const guard of guards) guard.ensure().catch(() => undefined);
  }, Math.max(10, Math.floor(durationMs / 3)));
  timer.unref();
  return () => clearInterval(timer);
}
