/**
 * `floe dev` runs housekeeping periodically (--housekeeping-interval-ms), the way the CDK stack
 * schedules the housekeeping function: an orphan object left in its storage disappears on its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSegmentKey } from '../../src/storage/keys.js';
import { housekeepingDepsOn, segmentKeys } from '../helpers/housekeeping.js';
import { FLOE_BIN } from '../helpers/processes.js';
import { sleep } from '../../packages/protocol/src/async.js';

let dev: ChildProcess;
let dataDir: string;
let endpoints: { bootstrap: string; dynamoEndpoint: string; s3Endpoint: string };

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'floe-dev-hk-'));
  dev = spawn(process.execPath, [FLOE_BIN, 'dev', '--port', '0', '--data-dir', dataDir, '--json', '--housekeeping-interval-ms', '250'], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, FLOE_GC_GRACE_MS: '100' },
  });
  endpoints = JSON.parse(await new Promise<string>((resolve) => createInterface({ input: dev.stdout! }).once('line', resolve)));
});
afterAll(async () => {
  const exited = new Promise((resolve) => dev.once('exit', resolve));
  dev.kill('SIGINT');
  await exited;
  rmSync(dataDir, { recursive: true, force: true });
});

describe('floe dev', () => {
  it('collects an orphan object by itself, through its periodic housekeeping', async () => {
    // Prepare: what a produce that died after its PUT leaves behind
    const deps = housekeepingDepsOn(endpoints);
    const orphan = newSegmentKey(new Date(Date.now() - 1000));
    await deps.store.put(orphan, Buffer.from('never committed'));

    // Act: wait for the timer-driven passes (first sighting, then deletion after the grace)
    let keys = await segmentKeys(deps);
    for (let i = 0; i < 40 && keys.includes(orphan); i++) {
      await sleep(250);
      keys = await segmentKeys(deps);
    }
    deps.clients.s3.destroy();
    deps.clients.dynamo.destroy();

    // Assess
    expect(keys).not.toContain(orphan);
  });
});
