/**
 * The console UI at the scale in Chromium: 1,000 topics of 10
 * partitions plus one of 4,096, on the in-memory gateway (seeding that on the
 * stand-ins takes tens of seconds; test/integration/console-scale.test.ts
 * covers the real cluster). Lists page on the server, so the browser holds one
 * page of topics, partitions or records at a time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole } from '../../src/console/build.js';
import { startConsoleServer, type ConsoleServer } from '../../src/console/server.js';
import type { MessagePage } from '../../src/console/shared/api-types.js';
import { hasChromium, launchBrowser, screenshot, seriousViolations, SKIP_MESSAGE, type Browser } from '../helpers/browser.js';
import { FakeGateway } from '../helpers/console-fake-gateway.js';

if (!hasChromium) console.warn(SKIP_MESSAGE);

let assetsDir: string;
let server: ConsoleServer;
let browser: Browser;
let page: Page;

const rowCount = (tableName: string) => page.getByRole('table', { name: tableName }).locator('tbody tr').count();

describe.skipIf(!hasChromium)('the console UI with 1,000 topics and 10,000 partitions', () => {
  beforeAll(async () => {
    const gateway = new FakeGateway();
    gateway.seed(1000, 10);
    gateway.seed(1, 4096, 'wide');
    gateway.append(
      'topic-0000',
      0,
      Array.from({ length: 1000 }, (_, i) => ({ timestamp: 1_700_000_000_000 + i, key: Buffer.from(`k${i}`), value: Buffer.from(JSON.stringify({ i })), headers: [] })),
    );
    assetsDir = mkdtempSync(join(tmpdir(), 'floe-console-ui-'));
    await buildConsole(assetsDir);
    server = await startConsoleServer({ gateway, bootstrap: 'http://in-memory', port: 0, assetsDir });
    browser = await launchBrowser();
    page = browser.page;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(assetsDir, { recursive: true, force: true });
  });

  it('pages the topic list: 50 rows at a time, next page on demand', async () => {
    // Act
    const started = Date.now();
    await page.goto(`${server.url}#/topics`);
    await page.getByText('1–50 of 1,001').waitFor();
    const firstPageMs = Date.now() - started;
    console.log(`console UI scale: topics page with 1,001 topics shown in ${firstPageMs} ms (first load, bundle included)`);
    const firstRows = await rowCount('Topics (1,001)');
    const violations = await seriousViolations(page);
    await screenshot(page, '09-topics-1000');
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('51–100 of 1,001').waitFor();
    const secondFirst = await page.getByRole('table').locator('tbody tr').first().textContent();

    // Assess
    expect(firstRows).toBe(50);
    expect(firstPageMs).toBeLessThan(10_000);
    expect(violations).toEqual([]);
    expect(secondFirst).toContain('topic-0050');
    expect(page.url()).toContain('offset=50');
  }, 60_000);

  it('pages the partitions of a 4,096-partition topic', async () => {
    // Act
    await page.goto(`${server.url}#/topics/wide-0000`);
    await page.getByText('1–100 of 4,096').waitFor();
    const rows = await rowCount('Partitions');
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('101–200 of 4,096').waitFor();
    const first = await page.getByRole('table', { name: 'Partitions' }).locator('tbody tr td').first().textContent();

    // Assess
    expect(rows).toBe(100);
    expect(first).toBe('100');
  }, 60_000);

  it('loads one page of records in the message browser, and the older page on demand', async () => {
    // Act
    const answer = page.waitForResponse((r) => r.url().includes('/messages?'));
    await page.goto(`${server.url}#/topics/topic-0000/messages?partition=0&mode=latest&limit=20`);
    const body = (await (await answer).json()) as MessagePage;
    await page.getByRole('heading', { name: 'Partition 0: 20 records' }).waitFor();
    const rows = await page.locator('tbody tr').count();
    const older = page.waitForResponse((r) => r.url().includes('/messages?'));
    await page.getByRole('button', { name: 'Older' }).click();
    const olderBody = (await (await older).json()) as MessagePage;

    // Assess
    expect(body.records.map((r) => r.offset)).toEqual(Array.from({ length: 20 }, (_, i) => 980 + i));
    expect(rows).toBe(20);
    expect(olderBody.records[0]?.offset).toBe(960);
    expect(olderBody.records).toHaveLength(20);
    expect(browser.foreignRequests).toEqual([]);
    expect(browser.problems).toEqual([]);
  }, 60_000);

  it('has an accessibility check that would catch a violation (axe really runs)', async () => {
    // Prepare
    await page.goto(`${server.url}#/groups`);
    await page.getByRole('heading', { level: 1, name: 'Consumer groups' }).waitFor();
    const clean = await seriousViolations(page);

    // Act: an input without a label, as a careless change would add
    await page.evaluate(() => {
      const document = (globalThis as unknown as { document: { body: { append(node: unknown): void }; createElement(tag: string): unknown } }).document;
      document.body.append(document.createElement('input'));
    });
    const broken = await seriousViolations(page);

    // Assess
    expect(clean).toEqual([]);
    expect(broken.map((v) => v.id)).toContain('label');
  }, 60_000);
});
