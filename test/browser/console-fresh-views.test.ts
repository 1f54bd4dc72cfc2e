/**
 * After a write from a form, the page shows its effect at once, not at the
 * next periodic refresh: the console here samples once an hour, so a page
 * reloads only because the form asked it to (in-memory gateway).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole } from '../../src/console/build.js';
import { startConsoleServer, type ConsoleServer } from '../../src/console/server.js';
import { hasChromium, launchBrowser, SKIP_MESSAGE, type Browser } from '../helpers/browser.js';
import { FakeGateway } from '../helpers/console-fake-gateway.js';

if (!hasChromium) console.warn(SKIP_MESSAGE);

/** Long enough that no page refreshes on its own during a test. */
const NO_REFRESH_MS = 3_600_000;

let assetsDir: string;
let server: ConsoleServer;
let browser: Browser;
let page: Page;

describe.skipIf(!hasChromium)('console pages after a write', () => {
  beforeAll(async () => {
    const gateway = new FakeGateway();
    gateway.seed(1, 2, 'fresh');
    assetsDir = mkdtempSync(join(tmpdir(), 'floe-console-ui-'));
    await buildConsole(assetsDir);
    server = await startConsoleServer({ gateway, bootstrap: 'http://in-memory', port: 0, assetsDir, sampler: { intervalMs: NO_REFRESH_MS } });
    browser = await launchBrowser();
    page = browser.page;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(assetsDir, { recursive: true, force: true });
  });

  it('shows the new log end offset as soon as the produce form has written a record', async () => {
    // Prepare
    await page.goto(`${server.url}#/topics/fresh-0000`);
    const partition1 = page.getByRole('table', { name: 'Partitions' }).locator('tbody tr').nth(1);
    await partition1.waitFor();
    const before = (await partition1.textContent())?.replace(/\s+/g, ' ');

    // Act
    await page.getByLabel('Partition', { exact: true }).fill('1');
    await page.getByLabel('Value', { exact: true }).fill('hello');
    const reloaded = page.waitForResponse((r) => r.url().includes('/api/topics/fresh-0000?'), { timeout: 15_000 });
    await page.getByRole('button', { name: 'Produce record' }).click();
    await page.getByText('Produced to partition 1 at offset 0.').waitFor();
    await reloaded;
    await page.getByRole('table', { name: 'Partitions' }).getByRole('row', { name: /^1 0 1 1/ }).waitFor();
    const records = await page.locator('.stats div', { hasText: 'Records' }).locator('dd').textContent();

    // Assess
    expect(before).toMatch(/^1\s*0\s*0\s*0/);
    expect(records).toBe('1');
  }, 60_000);
});
