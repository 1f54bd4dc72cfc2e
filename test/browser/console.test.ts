/**
 * The web console in a real browser (headless Chromium) against `floe dev`:
 * create a topic in the form, find records produced with the CLI, produce one
 * from the form, watch an SDK consumer group's members and lag, reset its
 * offsets (dry run, then execute), add partitions, and check that read-only
 * mode hides writes and the server refuses them. Every page passes axe-core with no serious or
 * critical violations, loads nothing from the internet, and is saved as a
 * screenshot under test-output/console/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, Consumer } from '../../src/index.js';
import { eventually, hasChromium, launchBrowser, screenshot, seriousViolations, SKIP_MESSAGE, type Browser } from '../helpers/browser.js';
import { uniqueName } from '../helpers/cluster.js';
import { floeCli, spawnFloe, type FloeProcess } from '../helpers/console-processes.js';

if (!hasChromium) console.warn(SKIP_MESSAGE);

const TIMEOUT = 120_000;

let dataDir: string;
let dev: FloeProcess;
let bootstrap: string;
let consoleUrl: string;
let browser: Browser;
let page: Page;
const topic = uniqueName('web');
const groupId = uniqueName('web-group');
const adminTopic = uniqueName('web-admin'); // its own topic: the overview test above counts every record

/** What has the keyboard focus: its tag and text, e.g. "H3 Dry run: nothing changed yet". */
const focused = () =>
  page.evaluate(() => {
    const active = (globalThis as unknown as { document: { activeElement: { tagName: string; textContent: string | null } | null } }).document.activeElement;
    return `${active?.tagName} ${active?.textContent?.trim()}`;
  });
const text = async (selector: string) => ((await page.locator(selector).first().textContent()) ?? '').trim();
const heading = (name: string) => page.getByRole('heading', { level: 1, name }).waitFor();
const open = async (hash: string) => {
  await page.goto(`${consoleUrl}${hash}`);
};

async function expectAccessible(name: string): Promise<void> {
  const violations = await seriousViolations(page);
  expect(violations, `${name}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
}

describe.skipIf(!hasChromium)('the web console in Chromium', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'floe-web-'));
    dev = await spawnFloe(['dev', '--port', '0', '--console-port', '0', '--data-dir', dataDir, '--json', '--housekeeping-interval-ms', '0']);
    bootstrap = dev.ready.bootstrap as string;
    consoleUrl = dev.ready.console as string;
    browser = await launchBrowser();
    page = browser.page;
  }, TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('floe dev serves the console and the overview passes axe', async () => {
    // Act
    await open('#/');
    await heading('Cluster overview');
    await page.locator('.stats').waitFor();

    // Assess
    expect(consoleUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await page.title()).toBe('Cluster overview · Floe console');
    await expectAccessible('overview');
  }, TIMEOUT);

  it('creates a topic in the form', async () => {
    // Prepare
    await open('#/topics');
    await heading('Topics');
    await expectAccessible('topics');
    await screenshot(page, '02-topics');

    // Act
    await page.getByLabel('Name', { exact: true }).fill(topic);
    await page.getByLabel('Partitions', { exact: true }).fill('3');
    await page.getByRole('button', { name: 'Create topic' }).click();
    await heading(`Topic ${topic}`);
    await page.getByRole('table', { name: 'Partitions' }).waitFor();
    const rows = await page.getByRole('table', { name: 'Partitions' }).locator('tbody tr').count();
    const described = JSON.parse(floeCli(bootstrap, ['topics', 'describe', topic, '--json']).stdout) as { partitions: number };

    // Assess
    expect(await page.getByRole('status').first().textContent()).toContain(`Topic ${topic} created`);
    expect(rows).toBe(3);
    expect(described.partitions).toBe(3);
    await expectAccessible('topic');
  }, TIMEOUT);

  it('finds text, JSON and binary records produced with the CLI in the message browser, and filters them by key', async () => {
    // Prepare: "bin" carries control bytes, which are not text
    const produced = floeCli(bootstrap, ['produce', topic, '--partition', '0', '--key-separator', ':', '--quiet'], 'alice:hello\nbob:{"n":1,"tags":["a"]}\nbin:\u0000\u0001\u0002\u007f\n');
    expect(produced.status, produced.stderr).toBe(0);

    // Act
    await open(`#/topics/${topic}/messages?partition=0&mode=latest&limit=20`);
    await heading(`Messages in ${topic}`);
    await page.getByRole('heading', { name: 'Partition 0: 3 records' }).waitFor();
    const rows = await page.locator('tbody tr').allTextContents();
    await expectAccessible('messages');
    await screenshot(page, '04-messages');
    await page.getByLabel('Key contains').fill('bob');
    await page.getByRole('button', { name: 'Show messages' }).click();
    await page.getByRole('heading', { name: 'Partition 0: 1 record' }).waitFor();
    const filtered = await page.locator('tbody tr').allTextContents();
    // clear the partition field to type another number: it stays empty (it snapped back to 0)
    const partitionField = page.getByLabel('Partition', { exact: true });
    await partitionField.fill('');
    const cleared = await partitionField.inputValue();
    await partitionField.pressSequentially('2');
    const typed = await partitionField.inputValue();

    // Assess
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain('alice');
    expect(rows[0]).toContain('hello');
    expect(rows[1]).toContain('JSON');
    expect(rows[1]).toContain('"tags": [');
    expect(rows[2]).toContain('binary (hex)');
    expect(rows[2]).toContain('00 01 02 7f');
    expect(filtered).toHaveLength(1);
    expect(filtered[0]).toContain('bob');
    expect(page.url()).toContain('key=bob');
    expect(cleared).toBe('');
    expect(typed).toBe('2');
  }, TIMEOUT);

  it('produces a binary test record from the form and shows it', async () => {
    // Prepare
    await open(`#/topics/${topic}`);
    await heading(`Topic ${topic}`);

    // Act
    await page.getByLabel('Partition', { exact: true }).fill('1');
    await page.getByLabel('Key', { exact: true }).fill('form-key');
    await page.getByLabel('Value', { exact: true }).fill('cafe00ff');
    await page.getByLabel('Value format').selectOption('hex');
    await page.getByLabel('Headers').fill('source=console\nsource=again');
    await page.getByRole('button', { name: 'Produce record' }).click();
    await page.getByText('header "source" is given twice').waitFor(); // refused in the form: offset 0 below is the next record's
    await page.getByLabel('Headers').fill('source=console');
    await page.getByRole('button', { name: 'Produce record' }).click();
    await page.getByText('Produced to partition 1 at offset 0.').waitFor();
    await expectAccessible('topic with produce result');
    await screenshot(page, '03-topic');
    await page.getByRole('link', { name: 'Show it' }).click();
    await page.getByRole('heading', { name: 'Partition 1: 1 record' }).waitFor();
    const row = await text('tbody tr');

    // Assess
    expect(row).toContain('form-key');
    expect(row).toContain('ca fe 00 ff');
    expect(row).toContain('source');
    expect(row).toContain('console');
  }, TIMEOUT);

  it("shows an SDK consumer group's members, and its lag going to 0", async () => {
    // Prepare: the group starts with committed offsets at the log start, so it lags by all 4 records
    const reset = floeCli(bootstrap, ['groups', 'reset-offsets', groupId, '--topic', topic, '--to-earliest', '--execute']);
    expect(reset.status, reset.stderr).toBe(0);
    await open(`#/groups/${groupId}`);
    await heading(`Consumer group ${groupId}`);
    await eventually(async () => expect(await text('[data-testid="group-lag"]')).toBe('4'));
    const lagBefore = await text('[data-testid="group-lag"]');

    // Act
    const consumer = new Consumer({ bootstrap, groupId, clientId: 'web-test-consumer', sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 });
    consumer.subscribe([topic]);
    let polling = true;
    const loop = (async () => {
      while (polling) await consumer.poll(300);
    })();
    try {
      await eventually(async () => {
        expect(await text('[data-testid="group-members"]')).toBe('1');
        expect(await text('[data-testid="group-lag"]')).toBe('0');
      }, 60_000);
      const memberRow = await page.getByRole('table', { name: 'Members' }).locator('tbody tr').first().textContent();
      await expectAccessible('group');
      await screenshot(page, '06-group');
      await open('#/groups');
      await heading('Consumer groups');
      await page.getByRole('link', { name: groupId }).waitFor();
      await expectAccessible('groups');
      await screenshot(page, '05-groups');

      // Assess
      expect(lagBefore).toBe('4');
      expect(memberRow).toContain('web-test-consumer');
      expect(memberRow).toContain(`${topic}: 0-2`);
    } finally {
      polling = false;
      await loop;
      await consumer.close();
    }
  }, TIMEOUT);

  it("resets the group's offsets with a dry run first, then executes", async () => {
    // Prepare: the consumer left; wait for the group to be empty
    await open(`#/groups/${groupId}`);
    await heading(`Consumer group ${groupId}`);
    await eventually(async () => expect(await text('[data-testid="group-state"]')).toBe('Empty'), 30_000);

    // Act
    await page.getByLabel('Reset to').selectOption('earliest');
    await page.getByRole('button', { name: 'Preview (dry run)' }).click();
    await page.getByRole('heading', { name: 'Dry run: nothing changed yet' }).waitFor();
    await eventually(async () => expect(await focused()).toBe('H3 Dry run: nothing changed yet')); // told, not left on the button
    const plan = await page.getByRole('table', { name: 'New offsets of the dry run' }).locator('tbody tr').allTextContents();
    const lagAfterDryRun = await text('[data-testid="group-lag"]');
    await expectAccessible('group reset dry run');
    await screenshot(page, '07-group-reset-dry-run');
    await page.getByRole('button', { name: 'Execute reset' }).click();
    await page.getByText('Offsets reset:').waitFor();
    await eventually(async () => expect(await text('[data-testid="group-lag"]')).toBe('4'));
    const described = JSON.parse(floeCli(bootstrap, ['groups', 'describe', groupId, '--json']).stdout) as { partitions: Array<{ partition: number; committedOffset: number }> };

    // Assess
    expect(plan).toHaveLength(3);
    expect(plan.map((row) => row.replace(/\s+/g, ' '))).toEqual([`${topic}030`, `${topic}110`, `${topic}200`]);
    expect(lagAfterDryRun).toBe('0');
    expect(described.partitions.map((p) => p.committedOffset)).toEqual([0, 0, 0]);
  }, TIMEOUT);

  it('adds partitions in the form', async () => {
    // Prepare
    await open(`#/topics/${topic}`);
    await heading(`Topic ${topic}`);

    // Act
    await page.getByLabel('New partition count').fill('4');
    await page.getByRole('button', { name: 'Add partitions' }).click();
    await page.getByText('The topic now has 4 partitions.').waitFor();
    const rows = await eventually(async () => {
      const count = await page.getByRole('table', { name: 'Partitions' }).locator('tbody tr').count();
      expect(count).toBe(4);
      return count;
    });
    const described = JSON.parse(floeCli(bootstrap, ['topics', 'describe', topic, '--json']).stdout) as { partitions: number };
    const nextTarget = await eventually(async () => {
      const value = await page.getByLabel('New partition count').inputValue();
      expect(value).toBe('5');
      return value;
    });

    // Assess
    expect(rows).toBe(4);
    expect(described.partitions).toBe(4);
    expect(nextTarget).toBe('5');
  }, TIMEOUT);

  it('charts produce and fetch rates on the overview after the activity', async () => {
    // Act
    await open('#/');
    await heading('Cluster overview');
    await page.getByRole('img', { name: /Produce and fetch rate/ }).waitFor({ timeout: 30_000 });
    const records = await page.locator('.stats div', { hasText: 'Records' }).locator('dd').textContent();
    await expectAccessible('overview with chart');
    await screenshot(page, '01-overview');

    // Assess
    expect(records).toBe('4');
    expect(browser.foreignRequests).toEqual([]); // offline: nothing fetched from the internet
    expect(browser.problems).toEqual([]); // no script errors, no CSP violations
  }, TIMEOUT);

  it('shows the configs set on the topic apart from the defaults, sets one and resets one to the default', async () => {
    // Prepare
    const admin = new Admin({ bootstrap });
    await admin.createTopic(adminTopic, 2, { 'retention.ms': 3_600_000 });
    await open(`#/topics/${adminTopic}`);
    await heading(`Topic ${adminTopic}`);
    const configs = page.getByRole('table', { name: 'Configs' });
    const configRow = (name: string) => configs.locator('tbody tr', { has: page.getByRole('cell', { name, exact: true }) });
    await configRow('retention.ms').waitFor();
    const before = {
      retention: await configRow('retention.ms').textContent(),
      segment: await configRow('segment.ms').textContent(),
      // Kafka's Long.MAX ("never"), kept as 2^53 - 1, and Kafka 4.x's one hour
      bounds: [await configRow('message.timestamp.before.max.ms').textContent(), await configRow('message.timestamp.after.max.ms').textContent()],
    };

    // Act
    await page.getByLabel('Config', { exact: true }).selectOption('retention.bytes');
    await page.getByLabel('New value').fill('1048576');
    await page.getByRole('button', { name: 'Save config' }).click();
    await page.getByText('retention.bytes is now 1,048,576.').waitFor();
    await eventually(async () => expect(await configRow('retention.bytes').textContent()).toContain('set on the topic'));
    await page.getByRole('button', { name: 'Reset to default: retention.ms' }).click();
    await page.getByText('retention.ms is back to the default (604,800,000).').waitFor();
    await eventually(async () => expect(await configRow('retention.ms').textContent()).not.toContain('set on the topic'));
    await page.getByLabel('New value').fill('soon');
    await page.getByRole('button', { name: 'Save config' }).click();
    const refused = await page.getByRole('alert').textContent();
    await expectAccessible('topic configs');
    const described = await admin.describeTopic(adminTopic);

    // Assess
    expect(before.retention).toContain('3,600,000');
    expect(before.retention).toContain('set on the topic');
    expect(before.segment).toContain('default');
    expect(before.bounds[0]).toContain('no limit (9223372036854775807)');
    expect(before.bounds[1]).toContain('3,600,000');
    expect(await page.getByRole('button', { name: /^Reset to default: / }).count()).toBe(1); // only retention.bytes is an override now
    expect(refused).toContain('INVALID_CONFIG');
    expect(described.overrides).toEqual(['retention.bytes']);
    expect(described.configs['retention.bytes']).toBe(1_048_576);
    expect(described.configs['retention.ms']).toBe(604_800_000);
  }, TIMEOUT);

  it('deletes records below an offset only after a confirmation, refuses one past the end, and purges a partition', async () => {
    // Prepare: 5 records in partition 0
    const produced = floeCli(bootstrap, ['produce', adminTopic, '--partition', '0', '--quiet'], 'a\nb\nc\nd\ne\n');
    expect(produced.status, produced.stderr).toBe(0);
    const admin = new Admin({ bootstrap });
    await open(`#/topics/${adminTopic}`);
    await heading(`Topic ${adminTopic}`);
    const form = page.getByRole('form', { name: 'Delete records' });
    const partition0 = page.getByRole('table', { name: 'Partitions' }).locator('tbody tr').first();
    const logStart = async () => (await admin.describeTopic(adminTopic)).partitionDetails[0]?.logStartOffset;

    // Act: ask, then cancel
    await form.getByLabel('From partition').fill('0');
    await form.getByLabel('Before offset').fill('3');
    await form.getByRole('button', { name: 'Delete records…' }).click();
    await form.getByRole('heading', { name: 'Delete the records of partition 0 below offset 3?' }).waitFor();
    await eventually(async () => expect(await focused()).toBe('H3 Delete the records of partition 0 below offset 3?')); // told, not left on the button
    const startWhileAsking = await logStart();
    await form.getByRole('button', { name: 'Cancel' }).click();
    const focusAfterCancel = await focused();
    const confirmAfterCancel = await form.getByRole('button', { name: 'Confirm delete' }).count();
    // ask again and confirm
    await form.getByRole('button', { name: 'Delete records…' }).click();
    await form.getByRole('button', { name: 'Confirm delete' }).click();
    await form.getByText('Partition 0 now starts at offset 3.').waitFor();
    await eventually(async () => expect((await partition0.textContent())?.replace(/\s+/g, ' ')).toMatch(/^0\s*3\s*5\s*2/));
    const startAfterDelete = await logStart();
    // past the log end: Floe's refusal, shown as an alert
    await form.getByLabel('Before offset').fill('99');
    await form.getByRole('button', { name: 'Delete records…' }).click();
    await form.getByRole('button', { name: 'Confirm delete' }).click();
    const refused = await form.getByRole('alert').textContent();
    // purge
    await form.getByLabel('Delete up to').selectOption('end');
    await form.getByRole('button', { name: 'Delete records…' }).click();
    await form.getByRole('heading', { name: 'Delete every record of partition 0?' }).waitFor();
    await expectAccessible('delete records confirmation');
    await form.getByRole('button', { name: 'Confirm delete' }).click();
    await form.getByText('Partition 0 now starts at offset 5.').waitFor();
    await page.getByRole('link', { name: 'Browse partition 0' }).click();
    await page.getByRole('heading', { name: 'Partition 0: 0 records' }).waitFor();
    const summary = await text('#results-heading + p');

    // Assess
    expect(startWhileAsking).toBe(0);
    expect(confirmAfterCancel).toBe(0);
    expect(focusAfterCancel).toBe('BUTTON Delete records…');
    expect(startAfterDelete).toBe(3);
    expect(refused).toContain('OFFSET_OUT_OF_RANGE');
    expect(await logStart()).toBe(5);
    expect(summary).toBe('Nothing to read from offset 5; the partition holds no records (the next one gets offset 5).'); // not "offsets 5 to 4"
  }, TIMEOUT);

  it('read-only mode hides every write action, and its server refuses a write', async () => {
    // Prepare
    const readOnly = await spawnFloe(['--bootstrap', bootstrap, 'console', '--read-only', '--port', '0', '--json']);
    const url = readOnly.ready.console as string;
    try {
      // Act
      await page.goto(`${url}#/topics`);
      await heading('Topics');
      await page.getByTestId('read-only-badge').waitFor();
      const createForm = await page.getByRole('heading', { name: 'Create a topic' }).count();
      await page.goto(`${url}#/topics/${topic}`);
      await heading(`Topic ${topic}`);
      await page.getByRole('table', { name: 'Partitions' }).waitFor();
      const topicForms = await page.getByRole('heading', { name: /Produce a test record|Add partitions|Set a config|Delete records/ }).count();
      await page.goto(`${url}#/topics/${adminTopic}`);
      await heading(`Topic ${adminTopic}`);
      const overrideRow = await page.getByRole('table', { name: 'Configs' }).locator('tbody tr', { hasText: 'retention.bytes' }).textContent();
      const resetButtons = await page.getByRole('button', { name: /^Reset to default/ }).count();
      await expectAccessible('read-only topic');
      await screenshot(page, '08-read-only');
      await page.goto(`${url}#/groups/${groupId}`);
      await heading(`Consumer group ${groupId}`);
      await page.getByTestId('group-state').waitFor();
      const resetForm = await page.getByRole('heading', { name: 'Reset offsets' }).count();
      const refused = await page.evaluate(async () => {
        const response = await fetch('/api/topics', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'made-in-read-only' }) });
        return { status: response.status, body: (await response.json()) as { error: { code: string } } };
      });
      const purge = await page.evaluate(async (name) => {
        const body = JSON.stringify({ partitions: [{ partition: 1, offset: -1 }] });
        return (await fetch(`/api/topics/${name}/delete-records`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status;
      }, adminTopic);
      const topics = floeCli(bootstrap, ['topics', 'list']).stdout.split('\n');

      // Assess
      expect(readOnly.ready.readOnly).toBe(true);
      expect(createForm).toBe(0);
      expect(topicForms).toBe(0);
      expect(overrideRow).toContain('set on the topic'); // overrides are shown, not editable
      expect(resetButtons).toBe(0);
      expect(purge).toBe(403);
      expect(resetForm).toBe(0);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('CLUSTER_AUTHORIZATION_FAILED');
      expect(topics).not.toContain('made-in-read-only');
    } finally {
      await readOnly.stop();
    }
  }, TIMEOUT);
});
