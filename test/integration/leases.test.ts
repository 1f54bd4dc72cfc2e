/**
 * Leases (brief §5): taken with a conditional write when free or expired, renewed only by
 * the holder, released on close, with an epoch that grows on every acquisition; a holder that
 * paused past its expiry is fenced by the epoch its successor wrote.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { readHead } from '../../src/log/append.js';
import type { LogDeps } from '../../src/log/deps.js';
import { acquireLease, LeaseGuard, LeaseLostError, readLease, releaseLease, renewLease } from '../../src/leases/leases.js';
import { advanceLogStart } from '../../src/housekeeping/retention.js';
import { logKeys } from '../../src/storage/keys.js';
import { useTestCluster, uniqueName } from '../helpers/cluster.js';
import { produceValues } from '../helpers/log.js';
import { sleep } from '../../packages/protocol/src/async.js';

const env = useTestCluster();
let deps: LogDeps;


beforeAll(async () => {
  deps = env.cluster.deps!;
});

describe('leases', () => {
  it('two contenders for a free lease: exactly one wins; the other gets it only after release, with a higher epoch', async () => {
    // Prepare
    const name = uniqueName('lease');

    // Act
    const [a, b] = await Promise.all([acquireLease(deps, name, 'a', 10_000), acquireLease(deps, name, 'b', 10_000)]);
    const winner = (a ?? b)!;
    const loser = winner === a ? 'b' : 'a';
    const whileHeld = await acquireLease(deps, name, loser, 10_000);
    const released = await releaseLease(deps, winner);
    const next = await acquireLease(deps, name, loser, 10_000);

    // Assess
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect(whileHeld).toBeUndefined();
    expect(released).toBe(true);
    expect(next).toMatchObject({ holder: loser, epoch: winner.epoch + 1, takeover: false });
  });

  it('renewal: the holder extends its lease; a non-holder, or the holder with a stale epoch, is refused', async () => {
    // Prepare
    const name = uniqueName('lease');
    const lease = (await acquireLease(deps, name, 'holder', 5_000))!;
    const before = lease.expiresAt;
    await sleep(5);

    // Act
    await renewLease(deps, lease, 20_000);
    const stored = await readLease(deps, name);
    const byOther = await renewLease(deps, { ...lease, holder: 'intruder' }).catch((e: unknown) => e);
    const staleEpoch = await renewLease(deps, { ...lease, epoch: lease.epoch - 1 }).catch((e: unknown) => e);

    // Assess
    expect(lease.expiresAt).toBeGreaterThan(before);
    expect(stored).toMatchObject({ holder: 'holder', epoch: lease.epoch, expiresAt: lease.expiresAt });
    expect(stored?.ttl).toBeGreaterThan(lease.expiresAt / 1000); // cleanup only, long after expiry
    expect(byOther).toBeInstanceOf(LeaseLostError);
    expect(staleEpoch).toBeInstanceOf(LeaseLostError);
  });

  it('a holder that paused past its expiry is fenced: its write fails after the next holder wrote, and it can neither renew nor release', async () => {
    // Prepare: a partition with data, leased by A for 200 ms
    const http = new FloeHttpClient(env.cluster.url);
    const topic = uniqueName('fence');
    const { topicId } = await Admin.fromClient(http).createTopic(topic, 1);
    for (const v of ['a', 'b', 'c']) await produceValues(http, topic, 0, [v]);
    const name = logKeys.partitionLeaseName(topicId, 0);
    const pausedAt = Date.now();
    const paused: LogDeps = { ...deps, now: () => pausedAt }; // A's clock stops: it believes its lease is still fresh
    const a = new LeaseGuard(paused, (await acquireLease(paused, name, 'A', 200))!, 200);

    // Act: A sleeps past its expiry; B takes over and writes; A wakes and writes
    await sleep(300);
    const bLease = (await acquireLease(deps, name, 'B', 10_000))!;
    const b = new LeaseGuard(deps, bLease, 10_000);
    const bWrote = await advanceLogStart(b, { topicId }, 0, 1);
    const aWrote = await advanceLogStart(a, { topicId }, 0, 2);
    const aRenew = await renewLease(deps, a.lease).catch((e: unknown) => e);
    const aReleased = await releaseLease(deps, a.lease);

    // Assess
    expect(bLease).toMatchObject({ epoch: a.lease.epoch + 1, takeover: true });
    expect(bWrote).toBe(true);
    expect(aWrote).toBe(false);
    expect((await readHead(deps, { topicId }, 0))?.logStartOffset).toBe(1);
    expect(aRenew).toBeInstanceOf(LeaseLostError);
    expect(aReleased).toBe(false);
    expect(await readLease(deps, name)).toMatchObject({ holder: 'B', epoch: bLease.epoch });
  });

  it('an expired lease is taken over by the next contender, and counted as a takeover', async () => {
    // Prepare
    const name = uniqueName('lease');
    const first = (await acquireLease(deps, name, 'crashed', 50))!;

    // Act
    const early = await acquireLease(deps, name, 'next', 10_000);
    await sleep(80);
    const late = await acquireLease(deps, name, 'next', 10_000);

    // Assess
    expect(early).toBeUndefined();
    expect(late).toMatchObject({ holder: 'next', epoch: first.epoch + 1, takeover: true });
  });
});
