/**
 * What an operator found, with the compiled CLI against a real local cluster: output piped into
 * `head` (EPIPE) ends quietly and a group member still commits and leaves; host:port bootstraps,
 * bad numbers, unreachable storage, unknown hosts and refused permissions are each one line on
 * stderr, a non-zero exit and no stack trace.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { GroupsAdmin } from '../../packages/client/src/consumer/index.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import type { LocalCluster } from '../../src/local/cluster.js';
import { keyedSequence, produceKeyed } from '../fixtures/consumer-data.js';
import { sharedStorage, startTestCluster, uniqueName } from '../helpers/cluster.js';
import { FLOE_BIN, USER_ENV } from '../helpers/processes.js';

let cluster: LocalCluster;
/** ACLs on, and the CLI (which names no principal) is User:nobody, who may do nothing. */
let locked: LocalCluster;
let http: FloeHttpClient;
/** Where the commands run: a `floe dev` that wrongly starts keeps its .floe there, not in the repository. */
const cwd = mkdtempSync(join(tmpdir(), 'floe-operator-'));

beforeAll(async () => {
  [cluster, locked] = await Promise.all([
    startTestCluster(),
    startTestCluster({ principal: 'User:nobody', config: { authorization: 'acl', aclSuperUsers: ['User:admin'] } }),
  ]);
  http = new FloeHttpClient(cluster.url);
});
afterAll(async () => {
  await Promise.all([cluster?.close(), locked?.close()]);
  rmSync(cwd, { recursive: true, force: true });
});

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `floe ARGS`; closeStdout: the reader goes away after the first line (as `| head -1`), or at once (`| head -0`). */
function floe(args: string[], options: { input?: string; closeStdout?: 'at-once' | 'after-first-line'; onClosed?: () => void; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FLOE_BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: USER_ENV, cwd });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    if (options.closeStdout === 'at-once') child.stdout.destroy();
    else if (options.closeStdout === 'after-first-line') {
      createInterface({ input: child.stdout }).once('line', (line) => {
        stdout += `${line}\n`;
        child.stdout.destroy();
        options.onClosed?.();
      });
    } else child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Starts a long-running `floe ARGS`; resolves with its first stdout line (it is up), or with how it ended. */
function firstLineOrExit(args: string[]): Promise<{ line?: string; run?: Run; stop(): void }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [FLOE_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: USER_ENV, cwd });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const stop = () => child.kill('SIGTERM');
    createInterface({ input: child.stdout }).once('line', (line) => resolve({ line, stop }));
    child.once('close', (status) => resolve({ run: { status, stdout: '', stderr }, stop }));
  });
}

const noStack = (stderr: string) => {
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr).not.toContain('Unhandled');
};

describe('output piped into head (EPIPE)', () => {
  it('topics list | head -0 exits 0, quietly', async () => {
    // Prepare
    await Admin.fromClient(http).createTopic(uniqueName('pipe'), 1);

    // Act
    const run = await floe(['--bootstrap', cluster.url, 'topics', 'list'], { closeStdout: 'at-once' });

    // Assess
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('consume --group | head -1 commits what it printed, leaves its group at once and exits 0', async () => {
    // Prepare
    const topic = uniqueName('pipe');
    const group = uniqueName('pipe-g');
    await Admin.fromClient(http).createTopic(topic, 1);
    await produceKeyed(http, topic, keyedSequence(1, 3));
    const consumeArgs = ['--bootstrap', cluster.url, 'consume', topic, '--group', group, '--from-beginning', '--consumer-property', 'session.timeout.ms=60000'];

    // Act: the reader goes away after the first line; the next records are written to nobody
    const run = await floe(consumeArgs, { closeStdout: 'after-first-line', onClosed: () => void produceKeyed(http, topic, keyedSequence(1, 50, 3)) });
    const described = await new GroupsAdmin({ http }).describeGroup(group); // at once: no waiting for the 60 s session

    // Assess
    noStack(run.stderr);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/left group/);
    expect(described.state).toBe('Empty');
    expect(described.partitions[0]?.committedOffset).toBeGreaterThanOrEqual(1);
  });

  it('consume --json | grep -q (no group) exits 0, quietly', async () => {
    // Prepare
    const topic = uniqueName('pipe');
    await Admin.fromClient(http).createTopic(topic, 1);
    await produceKeyed(http, topic, keyedSequence(1, 2));

    // Act
    const run = await floe(['--bootstrap', cluster.url, 'consume', topic, '--from-beginning', '--json'], {
      closeStdout: 'after-first-line',
      onClosed: () => void produceKeyed(http, topic, keyedSequence(1, 50, 2)),
    });

    // Assess
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});

describe('the server says why a topic is refused', () => {
  it.each([
    ['produce', ['produce', 'zz']],
    ['consume', ['consume', 'zz']],
    ['consume --group', ['consume', 'zz', '--group', 'g1']],
  ])('%s without Describe on the topic says TOPIC_AUTHORIZATION_FAILED, not unknown topic', async (_name, args) => {
    // Act
    const run = await floe(['--bootstrap', locked.url, ...args], { input: 'x\n' });

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^error: TOPIC_AUTHORIZATION_FAILED: not authorized to describe topic "zz"/);
    expect(run.stderr).not.toContain('UNKNOWN_TOPIC_OR_PARTITION');
  });
});

describe('floe console', () => {
  it('takes a host:port --bootstrap', async () => {
    // Act
    const started = await firstLineOrExit(['--bootstrap', cluster.url.replace('http://', ''), 'console', '--port', '0', '--json']);
    started.stop();

    // Assess
    expect(started.run?.stderr ?? '').toBe('');
    expect(JSON.parse(started.line as string)).toMatchObject({ bootstrap: cluster.url.replace('http://', '') });
  });

  it('takes a host:port FLOE_BOOTSTRAP', async () => {
    // Act
    const started = await new Promise<{ line?: string; stderr: string; stop(): void }>((resolve) => {
      const child = spawn(process.execPath, [FLOE_BIN, 'console', '--port', '0', '--json'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        cwd,
        env: { ...USER_ENV, FLOE_BOOTSTRAP: cluster.url.replace('http://', '') },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      createInterface({ input: child.stdout }).once('line', (line) => resolve({ line, stderr, stop: () => child.kill('SIGTERM') }));
      child.once('close', () => resolve({ stderr, stop: () => {} }));
    });
    started.stop();

    // Assess
    expect(started.stderr).toBe('');
    expect(started.line).toContain('"console"');
  });
});

describe('numbers are whole decimal numbers in range, refused in one line naming the flag', () => {
  it.each([
    ['dev', '--port', '-1'],
    ['dev', '--port', '99999'],
    ['dev', '--kafka-port', 'abc'],
    ['dev', '--housekeeping-interval-ms', '-5'],
    ['dev', '--housekeeping-interval-ms', 'abc'],
    ['dev', '--acl-cache-ms', 'abc'],
    ['dev', '--acl-cache-ms', '0'],
    ['serve', '--port', 'abc'],
    ['consume', '--max-messages', '0x10'],
    ['consume', '--timeout-ms', '1e1'],
    ['consume', '--partition', ' 2 '],
    ['produce', '--partition', '1e1'],
    ['produce', '--linger-ms', '0x10'],
    ['produce', '--batch-size', ' 2 '],
    ['gateway', '--port', 'abc'],
  ])('%s %s %j', async (command, flag, value) => {
    // Prepare
    const extra = command === 'serve' ? ['--dynamodb-endpoint', 'http://127.0.0.1:1', '--s3-endpoint', 'http://127.0.0.1:2'] : command === 'consume' || command === 'produce' ? ['t'] : [];

    // Act
    const run = await floe([command, ...extra, flag, value]);

    // Assess
    expect(run.status).toBe(1);
    // one line with the CLI's code for bad input, no help text after it
    expect(run.stderr).toMatch(new RegExp(`^error: INVALID_REQUEST: option '${flag} <[a-z]+>' argument '${value}' is invalid\\. not an integer[^\\n]*\\n$`));
    expect(run.stderr).not.toContain('FLOE_');
    noStack(run.stderr);
  });

  it('dev --acl-cache-ms gives its range in help and in the error', async () => {
    // Act
    const [help, run] = await Promise.all([floe(['dev', '--help']), floe(['dev', '--acl-cache-ms', '0'])]);

    // Assess
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('--acl-cache-ms <ms> how long each function decides with the rules it read, 1000-300000');
    expect(run.stderr).toContain('not an integer from 1000 to 300000: "0"');
    // floe dev takes its gateway security from the flags only: their help names no variable
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('--sasl-mechanisms <list> require SASL: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, comma-separated (default none)');
    expect(help.stdout).not.toMatch(/FLOE_GATEWAY_(SASL|CREDENTIALS|TLS)/);
  });

  it('gateway credentials --iterations abc names the flag and its range, not NaN', async () => {
    // Act
    const run = await floe(['gateway', 'credentials', 'alice', '--iterations', 'abc'], { input: 'pw' });

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`error: INVALID_REQUEST: option '--iterations <n>' argument 'abc' is invalid. not an integer from 4096 to 16384: "abc"\n`);
  });

  it('produce --key-separator "" is refused rather than giving every record an empty key', async () => {
    // Act
    const run = await floe(['--bootstrap', cluster.url, 'produce', 't', '--key-separator', ''], { input: 'k:v\n' });

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`error: INVALID_REQUEST: option '--key-separator <sep>' argument '' is invalid. the separator cannot be empty\n`);
  });

  it('a value outside an option\'s choices is one line too; a missing argument still shows the usage', async () => {
    // Act
    const [acks, missing] = await Promise.all([floe(['--bootstrap', cluster.url, 'produce', 't', '--acks', '2']), floe(['topics', 'create'])]);

    // Assess
    expect([acks.status, acks.stderr]).toEqual([1, `error: INVALID_REQUEST: option '--acks <acks>' argument '2' is invalid. Allowed choices are 0, 1, all, -1.\n`]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^error: missing required argument 'name'\n\nUsage: floe topics create/);
  });
});

describe('storage that does not answer', () => {
  it.each([
    ['serve', 'http://127.0.0.1:1', 'http://127.0.0.1:2', /^error: the DynamoDB endpoint http:\/\/127\.0\.0\.1:1 did not answer as a local Floe cluster's DynamoDB \(connect ECONNREFUSED[^)]*\)\n$/],
    ['serve', 'notaurl', 'x', /^error: the DynamoDB endpoint notaurl did not answer as a local Floe cluster's DynamoDB \(Invalid URL\)\n$/],
    ['gateway', 'http://127.0.0.1:1', 'http://127.0.0.1:2', /^error: INVALID_CONFIG: the DynamoDB endpoint http:\/\/127\.0\.0\.1:1 did not answer[^\n]*ECONNREFUSED[^\n]*\n$/],
  ])('%s --dynamodb-endpoint %s refuses to start in one line', async (command, dynamo, s3, expected) => {
    // Act
    const run = await floe([command, '--port', '0', '--dynamodb-endpoint', dynamo, '--s3-endpoint', s3]);

    // Assess
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(expected);
  });
});

describe('a storage nobody set up yet (a fresh `floe storage`)', () => {
  it('the gateway starts on it (`floe serve` may create the tables later); housekeeping run says what is missing, not that the endpoints are swapped', async () => {
    // Prepare: `floe storage` alone creates no table and no bucket
    const storage = await firstLineOrExit(['storage', '--json']);
    const fresh = JSON.parse(storage.line ?? '{}') as { dynamoEndpoint: string; s3Endpoint: string };
    const endpoints = ['--dynamodb-endpoint', fresh.dynamoEndpoint, '--s3-endpoint', fresh.s3Endpoint];

    // Act
    const gateway = await firstLineOrExit(['gateway', '--port', '0', ...endpoints]);
    gateway.stop();
    const housekeeping = await floe(['housekeeping', 'run', ...endpoints]);
    storage.stop();

    // Assess
    expect(gateway.run?.stderr ?? '').toBe('');
    expect(gateway.line).toBeDefined();
    expect(housekeeping.status).toBe(1);
    expect(housekeeping.stderr).toContain('no Floe storage there yet: start `floe serve` or `floe dev` on it first');
    expect(housekeeping.stderr).not.toContain('is it the');
  });
});

describe('an unknown --host', () => {
  it.each([
    ['storage', ['storage', '--host', '999.1.1.1'], /^error: cannot listen on 999\.1\.1\.1: no such address on this machine; check --host \(the storage stand-ins\)\n$/],
    ['console', ['console', '--port', '0', '--host', 'nosuchhost.invalid'], /^error: INVALID_CONFIG: cannot listen on nosuchhost\.invalid: no such address[^\n]*\(the console\)\n$/],
    [
      'gateway',
      ['gateway', '--port', '0', '--host', 'nosuchhost.invalid', '--dynamodb-endpoint', sharedStorageArg('dynamo'), '--s3-endpoint', sharedStorageArg('s3')],
      /^error: INVALID_CONFIG: cannot listen on nosuchhost\.invalid: no such address[^\n]*\(the Kafka gateway\)\n$/,
    ],
  ])('%s says it cannot listen there, as floe dev does', async (_name, args, expected) => {
    // Act
    const run = await floe(args);

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(expected);
  });
});

describe('gateway security flags', () => {
  it.each([
    [['--sasl-mechanisms', 'FOO'], '--sasl-mechanisms: unknown mechanism(s) FOO'],
    [['--tls-cert-file', '/nonexistent.pem'], '--tls-cert-file and --tls-key-file go together'],
  ])('%j: the error names the flag, not its environment variable', async (flags, expected) => {
    // Act
    const run = await floe(['gateway', '--port', '0', '--dynamodb-endpoint', sharedStorageArg('dynamo'), '--s3-endpoint', sharedStorageArg('s3'), ...flags]);

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(expected);
    expect(run.stderr).not.toContain('FLOE_GATEWAY_');
  });
});

describe('floe dev security flags', () => {
  it.each([
    [['--sasl-mechanisms', 'PLAIN', '--credentials-file', '/nonexistent.json'], '--tls-cert-file and --tls-key-file'],
    [['--sasl-mechanisms', 'SCRAM-SHA-256'], '--sasl-mechanisms needs --credentials-file'],
  ])('%j: what is missing is said as the flag, since floe dev reads no FLOE_GATEWAY_* security variable', async (flags, expected) => {
    // Act: refused before anything starts (the data dir is never created)
    const run = await floe(['dev', '--port', '0', '--no-console', '--data-dir', join(cwd, 'never-created'), ...flags]);

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(expected);
    expect(run.stderr).not.toContain('FLOE_GATEWAY_');
  });

  it('--no-kafka with a security flag is refused, naming the flag, before anything starts', async () => {
    // Act
    const run = await floe(['dev', '--port', '0', '--no-console', '--no-kafka', '--data-dir', join(cwd, 'never-created'), '--sasl-mechanisms', 'SCRAM-SHA-256']);

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('--sasl-mechanisms secures the Kafka gateway, which --no-kafka leaves out');
    expect(existsSync(join(cwd, 'never-created'))).toBe(false);
  });
});

/** The run's shared storage endpoints (set up by vitest's globalSetup before this file loads). */
function sharedStorageArg(which: 'dynamo' | 's3'): string {
  const storage = sharedStorage();
  return which === 'dynamo' ? storage.dynamoEndpoint : storage.s3Endpoint;
}
