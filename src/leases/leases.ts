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
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { logKeys, TTL_ATTRIBUTE } from '../storage/keys.js';
import { isConditionFailure, nowOf, writeIf, type LogDeps } from '../log/deps.js';
import { LIMITS } from '../log/limits.js';

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
  try {
    const result = await deps.dynamo.send(
      new UpdateCommand({
        TableName: deps.logTable,
        Key: logKeys.lease(name),
        // A lease item that TTL removed starts again from the current time, so epochs never go back.
        UpdateExpression: 'SET holder = :h, epoch = if_not_exists(epoch, :first) + :one, expiresAt = :exp, #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
        ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':h': holder, ':first': now, ':one': 1, ':exp': expiresAt, ':ttl': ttlOf(expiresAt), ':now': now },
        ReturnValues: 'ALL_OLD',
      }),
    );
    const old = result.Attributes;
    return {
      name,
      holder,
      epoch: old?.epoch === undefined ? now + 1 : (old.epoch as number) + 1,
      expiresAt,
      // release removes the holder: one still there means its lease ran out while held
      takeover: old?.holder !== undefined,
      state: stateOf(old),
    };
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** Extends the lease; throws LeaseLostError when someone else holds it now. */
export async function renewLease(deps: LogDeps, lease: Lease, durationMs: number = LIMITS.leaseDurationMs): Promise<Lease> {
  const expiresAt = nowOf(deps) + durationMs;
  try {
    await deps.dynamo.send(
      new UpdateCommand({
        TableName: deps.logTable,
        Key: logKeys.lease(lease.name),
        UpdateExpression: 'SET expiresAt = :exp, #ttl = :ttl',
        ConditionExpression: 'holder = :h AND epoch = :e',
        ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':h': lease.holder, ':e': lease.epoch, ':exp': expiresAt, ':ttl': ttlOf(expiresAt) },
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) throw new LeaseLostError(lease.name, `holder ${lease.holder} epoch ${lease.epoch} was taken over`);
    throw error;
  }
  lease.expiresAt = expiresAt;
  return lease;
}

/**
 * Gives the lease up (free for the next acquirer at once) and stores work state on it.
 * Returns false when the lease had been taken over: the state is then not written.
 */
export async function releaseLease(deps: LogDeps, lease: Lease, state: Record<string, unknown> = {}): Promise<boolean> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':h': lease.holder, ':e': lease.epoch, ':zero': 0 };
  let update = 'REMOVE holder SET expiresAt = :zero';
  Object.entries(state).forEach(([key, value], i) => {
    names[`#s${i}`] = key;
    values[`:s${i}`] = value;
    update += `, #s${i} = :s${i}`;
  });
  return writeIf(
    deps.dynamo,
    new UpdateCommand({
      TableName: deps.logTable,
      Key: logKeys.lease(lease.name),
      UpdateExpression: update,
      ConditionExpression: 'holder = :h AND epoch = :e',
      ExpressionAttributeNames: Object.keys(names).length > 0 ? names : undefined,
      ExpressionAttributeValues: values,
    }),
  );
}

export async function readLease(deps: LogDeps, name: string): Promise<Record<string, unknown> | undefined> {
  const result = await deps.dynamo.send(new GetCommand({ TableName: deps.logTable, Key: logKeys.lease(name), ConsistentRead: true }));
  return result.Item;
}

/** The condition and SET clause that fence a write to any item by a lease's epoch. */
export interface Fence {
  condition: string;
  set: string;
  values: Record<string, number>;
}

export const fenceOf = (lease: Pick<Lease, 'epoch'>): Fence => ({
  condition: '(attribute_not_exists(fence) OR fence <= :fence)',
  set: 'fence = :fence',
  values: { ':fence': lease.epoch },
});

/**
 * A held lease plus the checks made before every write under it: renewed when less than
 * half of it is left, LeaseLostError once another holder took it.
 */
export class LeaseGuard {
  constructor(
    private readonly deps: LogDeps,
    readonly lease: Lease,
    private readonly durationMs: number = LIMITS.leaseDurationMs,
  ) {}

  get fence(): Fence {
    return fenceOf(this.lease);
  }

  async ensure(): Promise<void> {
    if (this.lease.expiresAt - nowOf(this.deps) < this.durationMs / 2) await renewLease(this.deps, this.lease, this.durationMs);
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
