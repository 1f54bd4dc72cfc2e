/**
 * ACLs as a user meets them with the compiled CLI: `floe dev --authorization acl`, then
 * `floe acls add | list | remove` as the local administrator, and a client acting as another
 * principal (the x-floe-principal header the local cluster honours); the Kafka gateway it serves
 * checks the same rules, for User:ANONYMOUS (no SASL locally).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../packages/protocol/src/async.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { localPrincipal } from '../../packages/client/src/local-principal.js';
import { uniqueName } from '../helpers/cluster.js';
import { produceValues } from '../helpers/log.js';
import { runFloe, startDev, type DevProcess } from '../helpers/processes.js';

const CACHE_MS = 1000;
let dataDir: string;
let dev: DevProcess;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'floe-acls-'));
  dev = await startDev(dataDir, ['--housekeeping-interval-ms', '0', '--no-console', '--authorization', 'acl', '--acl-cache-ms', String(CACHE_MS)]);
});
afterAll(async () => {
  await dev.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const floe = (args: string[]) => runFloe(['--bootstrap', dev.bootstrap, ...args]);

describe('floe acls against floe dev --authorization acl', () => {
  it('grants a producer-only principal, which may then write that topic and nothing else', async () => {
    // Prepare
    const [topic, other] = [uniqueName('orders'), uniqueName('other')];
    expect((await floe(['topics', 'create', topic])).status).toBe(0);
    expect((await floe(['topics', 'create', other])).status).toBe(0);
    const billing = new FloeHttpClient(dev.bootstrap, { sign: localPrincipal('User:billing') });

    // Act
    const before = await produceValues(billing, topic, 0, ['early']);
    const add = await floe(['acls', 'add', '--allow-principal', 'User:billing', '--producer', '--topic', topic]);
    // Each function has its own rules cache (1 s here): the produce function sees the grant within it.
    await sleep(CACHE_MS + 100);
    const written = await produceValues(billing, topic, 0, ['paid']);
    const elsewhere = await produceValues(billing, other, 0, ['nope']);
    const listed = await floe(['acls', 'list', '--topic', topic]);
    const listedAsBilling = await floe(['acls', '--as', 'User:billing', 'list']);

    // Assess
    expect(before.errorCode).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(add).toMatchObject({ status: 0 });
    expect(add.stdout).toContain('3 new');
    expect(written.errorCode).toBe('NONE');
    expect(elsewhere.errorCode).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(listed.stdout).toContain(`ResourcePattern(resourceType=TOPIC, name=${topic}, patternType=LITERAL)`);
    expect(listed.stdout).toContain('(principal=User:billing, host=*, operation=WRITE, permissionType=ALLOW)');
    expect(listedAsBilling.status).toBe(1);
    expect(listedAsBilling.stderr).toContain('CLUSTER_AUTHORIZATION_FAILED');
    expect(listedAsBilling.stderr).not.toMatch(/\n\s+at /);
  });

  it('removes what it names, and the principal loses the grant', async () => {
    // Prepare
    const topic = uniqueName('gone');
    await floe(['topics', 'create', topic]);
    await floe(['acls', 'add', '--allow-principal', 'User:temp', '--operation', 'Write', '--topic', topic]);
    const temp = new FloeHttpClient(dev.bootstrap, { sign: localPrincipal('User:temp') });

    // Act
    const removed = await floe(['acls', 'remove', '--allow-principal', 'User:temp', '--topic', topic, '--json']);
    await sleep(CACHE_MS + 100);
    const after = await produceValues(temp, topic, 0, ['x']);
    const everything = await floe(['acls', 'remove']);

    // Assess
    expect(JSON.parse(removed.stdout)).toEqual([{ principal: 'User:temp', resourceType: 'topic', resourceName: topic, patternType: 'literal', operation: 'Write', permission: 'allow' }]);
    expect(after.errorCode).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(everything.status).toBe(1);
    expect(everything.stderr).toContain('--resource-pattern-type any');
  });

  it('serves the Kafka gateway too, whose clients (User:ANONYMOUS) see only the topics a rule lets them describe', async () => {
    // Prepare
    const [shown, hidden] = [uniqueName('shown'), uniqueName('hidden')];
    for (const topic of [shown, hidden]) expect((await floe(['topics', 'create', topic])).status).toBe(0);
    const admin = new Kafka({ clientId: 'acls-e2e', brokers: [dev.kafka as string], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    await admin.connect();

    // Act
    const before = await admin.listTopics();
    await floe(['acls', 'add', '--allow-principal', 'User:ANONYMOUS', '--operation', 'Describe', '--topic', shown]);
    // Added through the HTTP admin function: the gateway's own rules cache sees it within the cache time.
    await sleep(CACHE_MS + 100);
    const after = await admin.listTopics();
    await admin.disconnect();

    // Assess
    expect(dev.kafka).toBeDefined();
    expect(before).not.toContain(shown);
    expect(after).toContain(shown);
    expect(after).not.toContain(hidden);
  });

  it('help shows no "(default: [])" for repeatable options', async () => {
    // Act
    const helps = await Promise.all([floe(['acls', 'add', '--help']), floe(['acls', 'remove', '--help']), floe(['dev', '--help'])]);

    // Assess
    for (const help of helps) expect(help.stdout).not.toMatch(/default: (\{\}|\[\])/);
    expect(helps[0]?.stdout).toContain('--allow-principal');
  });
});
