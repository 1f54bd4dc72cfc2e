/** FLOE_FAULTS installs the seeded storage fault layer in a real handler process, and SIGUSR2 turns it off and reports. */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnHandler, type HandlerProc } from '../../src/chaos/processes.js';
import { Admin } from '../../packages/client/src/admin.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { FloeError } from '../../packages/protocol/src/errors.js';
import { sharedStorage, uniqueName } from '../helpers/cluster.js';

let proc: HandlerProc | undefined;
afterEach(async () => {
  proc?.signal('SIGKILL');
  await proc?.exited;
  proc = undefined;
});

describe('FLOE_FAULTS', () => {
  it('makes every storage call fail while on, and counts what it injected when toggled off', { timeout: 120_000 }, async () => {
    // Prepare: every storage request fails (the SDK's retries cannot get past it)
    let report: ((faults: { enabled: boolean; errors: number }) => void) | undefined;
    const reported = new Promise<{ enabled: boolean; errors: number }>((resolve) => (report = resolve));
    proc = spawnHandler(sharedStorage(), { seed: 5, errorRate: 1 }, (event) => report?.(event.faults as { enabled: boolean; errors: number }));
    const admin = Admin.fromClient(new FloeHttpClient(await proc.url));
    const name = uniqueName('faults');
    const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof FloeError ? e.code : String(e)));

    // Act
    const whileOn = await codeOf(admin.createTopic(name, 1));
    proc.signal('SIGUSR2');
    const faults = await reported;
    const afterOff = await codeOf(admin.createTopic(name, 1));

    // Assess
    expect(whileOn).toBe('STORAGE_UNAVAILABLE');
    expect(faults.enabled).toBe(false);
    expect(faults.errors).toBeGreaterThan(0);
    expect(afterOff).toBe('ok');
  });

  it('refuses to start with a plan that has no integer seed', async () => {
    // Act
    proc = spawnHandler(sharedStorage(), { errorRate: 1 } as never, () => undefined);

    // Assess
    await expect(proc.url).rejects.toThrow(/exited/);
  });
});
