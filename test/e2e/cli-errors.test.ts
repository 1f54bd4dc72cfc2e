/**
 * Errors that explain themselves, as a new user meets them with the compiled CLI against
 * `floe dev`: a second cluster on the same data dir or port, Kafka's host:port bootstrap,
 * no cluster running, housekeeping of a local cluster, offsets outside the log, a bad
 * consumer property. Each says what is wrong and what to do, exits non-zero, and prints
 * no stack trace.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFloe as floe, startDev, type DevProcess } from '../helpers/processes.js';
import { uniqueName } from '../helpers/cluster.js';

let dataDir: string;
let dev: DevProcess;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'floe-errors-'));
  dev = await startDev(dataDir, ['--housekeeping-interval-ms', '0']);
});
afterAll(async () => {
  await dev.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const at = (...args: string[]) => floe(['--bootstrap', dev.bootstrap, ...args]);
const hostPort = () => dev.bootstrap.replace('http://', '');
const port = () => hostPort().split(':')[1] as string;
const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port: free } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return free;
}

describe('a second floe dev', () => {
  it('on the same data dir says it is in use and by which process', async () => {
    // Act
    const second = await floe(['dev', '--port', '0', '--data-dir', dataDir]);

    // Assess
    expect(second.status).toBe(1);
    expect(second.stderr).toBe(`error: data dir ${dataDir} is in use by another floe dev (pid ${dev.child.pid}): stop it, or give another --data-dir\n`);
  });

  it('on the same port says the port is in use and how to pick another', async () => {
    // Prepare
    const other = mkdtempSync(join(tmpdir(), 'floe-errors-other-'));

    // Act
    const second = await floe(['dev', '--port', port(), '--data-dir', other]);

    // Assess
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`error: port ${port()} is in use — another floe dev? use --port`);
    noStack(second.stderr);
    rmSync(other, { recursive: true, force: true });
  });
});

describe('the bootstrap URL', () => {
  it("takes Kafka's host:port form, and refuses what is not a URL in one line", async () => {
    // Prepare
    const topic = uniqueName('hp');

    // Act
    const created = await floe(['--bootstrap', hostPort(), 'topics', 'create', topic]);
    const produced = await floe(['--bootstrap', hostPort(), 'produce', topic], 'v\n');
    const bad = await floe(['--bootstrap', 'not a url', 'topics', 'list']);

    // Assess
    expect([created.status, produced.status]).toEqual([0, 0]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe('error: INVALID_CONFIG: bootstrap "not a url" is not a URL: give http(s)://host:port, or host:port for http\n');
  });

  it('with no cluster there says the connection was refused and how to start one', async () => {
    // Prepare
    const nobody = await freePort();

    // Act
    const run = await floe(['--bootstrap', `127.0.0.1:${nobody}`, 'topics', 'list']);

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`error: NETWORK_ERROR: connection refused at http://127.0.0.1:${nobody}; is the local cluster running (\`npm start\`, or \`floe dev\`)?\n`);
  });
});

describe('floe housekeeping run', () => {
  it('works with --bootstrap against floe dev, like every other command', async () => {
    // Act
    const run = await at('housekeeping', 'run');

    // Assess
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ errors: [] });
  });

  it('says which endpoint is wrong when the two are swapped, without a stack trace', async () => {
    // Prepare
    const storage = JSON.parse((await fetch(`${dev.bootstrap}/_local/storage`).then((r) => r.text()))) as { dynamoEndpoint: string; s3Endpoint: string };

    // Act
    const run = await floe(['housekeeping', 'run', '--dynamodb-endpoint', storage.s3Endpoint, '--s3-endpoint', storage.dynamoEndpoint]);

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^error: the DynamoDB endpoint ${storage.s3Endpoint} did not answer as a local Floe cluster's DynamoDB .*; is it the S3 endpoint\\?\\n$`));
  });
});

describe('floe consume', () => {
  it('takes --offset earliest and latest, and says where the log ends for an offset past it', async () => {
    // Prepare
    const topic = uniqueName('off');
    await at('topics', 'create', topic);
    await floe(['--bootstrap', dev.bootstrap, 'produce', topic], 'a\nb\nc\n');

    // Act
    const earliest = await at('consume', topic, '--offset', 'earliest', '--timeout-ms', '1500');
    const latest = await at('consume', topic, '--offset', 'latest', '--timeout-ms', '1000');
    const past = await at('consume', topic, '--partition', '0', '--offset', '9999', '--timeout-ms', '1000');
    const word = await at('consume', topic, '--partition', '0', '--offset', 'first');

    // Assess
    expect(earliest.stdout).toBe('a\nb\nc\n');
    expect([latest.status, latest.stdout]).toEqual([0, '']);
    expect(past.status).toBe(1);
    expect(past.stderr).toContain(`error: OFFSET_OUT_OF_RANGE: offset 9999 is past the end of ${topic}/0: its end offset is 3`);
    expect(word.stderr).toContain('--offset takes an offset, earliest or latest; got first');
  });

  it('names the Kafka property of a bad --consumer-property value', async () => {
    // Act
    const run = await at('consume', 'anything', '--consumer-property', 'session.timeout.ms=abc');

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('error: INVALID_CONFIG: property session.timeout.ms must be an integer, got "abc"\n');
  });

  it('refuses a --max-messages below 1 and a negative --timeout-ms or --partition, before reading anything', async () => {
    // Act
    const runs = await Promise.all([
      at('consume', 'anything', '--max-messages', '-3'),
      at('consume', 'anything', '--max-messages', '0'),
      at('consume', 'anything', '--timeout-ms', '-1'),
      at('consume', 'anything', '--partition', '-2'),
    ]);

    // Assess
    for (const run of runs) {
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/^error: INVALID_REQUEST: option '--[a-z-]+ <\w+>' argument '-?\d+' is invalid\. not an integer of at least [01]: "-?\d+"\n$/);
      expect(run.stdout).toBe('');
    }
  });

  it('help shows no "(default: {})" for repeatable options', async () => {
    // Act
    const helps = await Promise.all([floe(['consume', '--help']), floe(['produce', '--help']), floe(['topics', 'create', '--help'])]);

    // Assess
    for (const help of helps) expect(help.stdout).not.toMatch(/default: (\{\}|\[\])/);
  });
});

describe('floe topics alter', () => {
  it('with nothing to alter says so and exits non-zero, instead of reporting a change', async () => {
    // Act
    const run = await at('topics', 'alter', 'anything');

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('INVALID_REQUEST: nothing to alter: give --partitions, --config and/or --delete-config');
    expect(run.stdout).toBe('');
  });
});

describe('floe produce', () => {
  it('says which --value-file it cannot read, without a stack trace', async () => {
    // Prepare
    const topic = uniqueName('vf');
    await at('topics', 'create', topic);

    // Act
    const run = await at('produce', topic, '--value-file', join(dataDir, 'no-such-file'));

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`INVALID_REQUEST: cannot read --value-file ${join(dataDir, 'no-such-file')}: ENOENT`);
    noStack(run.stderr);
  });
});
