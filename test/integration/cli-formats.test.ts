/**
 * Bytes go through `floe produce` and `floe consume` unchanged. Reproduces what once
 * happened: input bytes `ff fe` were stored as `ef bf bd` (UTF-8's replacement character).
 * Now text must be UTF-8 (or the input is refused), base64 and hex carry any bytes, and
 * --value-file sends a file's raw bytes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { produceRaw } from '../../packages/client/src/log-client.js';
import { encodeRecordBatch } from '../../packages/protocol/src/records/record-batch.js';
import { useTestCluster, uniqueName } from '../helpers/cluster.js';
import { readPartition } from '../helpers/log.js';
import { FLOE_BIN } from '../helpers/processes.js';

const env = useTestCluster();
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'floe-formats-'));
});
afterAll(async () => {
  await env.cluster.close();
  rmSync(dir, { recursive: true, force: true });
});

function floe(args: string[], input: Buffer | string = ''): Promise<{ status: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FLOE_BIN, '--bootstrap', env.cluster.url, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout: Buffer.concat(out), stderr }));
    child.stdin.end(input);
  });
}

async function topic(): Promise<string> {
  const name = uniqueName('fmt');
  await Admin.fromClient(env.http).createTopic(name, 1);
  return name;
}

const storedValues = async (name: string) => (await readPartition(env.http, name, 0)).map((r) => r.value?.toString('hex'));
const consumeArgs = (name: string, ...extra: string[]) => ['consume', name, '--from-beginning', '--timeout-ms', '1500', ...extra];

describe('floe produce', () => {
  it('refuses bytes that are not UTF-8 text instead of changing them, and stores nothing', async () => {
    // Prepare
    const name = await topic();

    // Act
    const run = await floe(['produce', name], Buffer.from([0xff, 0xfe, 0x0a]));

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("line 1's value is not UTF-8 text");
    expect(run.stderr).toContain('base64 or hex');
    expect(await storedValues(name)).toEqual([]);
  });

  it('stores exactly the bytes given in hex, base64, or a raw file, and text as UTF-8', async () => {
    // Prepare
    const name = await topic();
    const raw = Buffer.from([0x00, 0xff, 0xfe, 0x0a, 0x0d, 0x80]);
    const file = join(dir, 'raw.bin');
    writeFileSync(file, raw);

    // Act
    const runs = [
      await floe(['produce', name, '--value-format', 'hex'], 'fffe\n'),
      await floe(['produce', name, '--value-format', 'base64'], '//4=\r\n'),
      await floe(['produce', name, '--value-file', file, '--key', 'k']),
      await floe(['produce', name], 'h\u00e9llo\n'),
    ];

    // Assess
    expect(runs.map((r) => [r.status, r.stderr])).toEqual(runs.map(() => [0, '']));
    expect(await storedValues(name)).toEqual(['fffe', 'fffe', raw.toString('hex'), Buffer.from('h\u00e9llo').toString('hex')]);
  });

  it('stops at a line without the key separator, as Kafka\'s console producer does, with the lines before it sent', async () => {
    // Prepare
    const name = await topic();

    // Act
    const run = await floe(['produce', name, '--key-separator', ':'], 'a:1\nno-key-here\nb:2\n');

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('INVALID_REQUEST: line 2 has no key separator ":"; nothing from it on was sent');
    expect((await readPartition(env.http, name, 0)).map((r) => [r.key?.toString(), r.value?.toString()])).toEqual([['a', '1']]);
  });

  it('decodes keys in their own format and refuses malformed hex', async () => {
    // Prepare
    const name = await topic();

    // Act
    const ok = await floe(['produce', name, '--key-separator', ':', '--key-format', 'hex'], '6b31:v1\n');
    const bad = await floe(['produce', name, '--value-format', 'hex'], 'xyz\n');

    // Assess
    expect(ok.status).toBe(0);
    expect((await readPartition(env.http, name, 0)).map((r) => [r.key?.toString(), r.value?.toString()])).toEqual([['k1', 'v1']]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("INVALID_REQUEST: line 1's value is not valid hex");
  });
});

describe('floe consume', () => {
  it('prints stored bytes unchanged, as hex or base64 when asked, and refuses JSON text for bytes that are not UTF-8', async () => {
    // Prepare
    const name = await topic();
    await floe(['produce', name, '--value-format', 'hex'], 'fffe\n');

    // Act
    const plain = await floe(consumeArgs(name));
    const hex = await floe(consumeArgs(name, '--value-format', 'hex'));
    const json = await floe(consumeArgs(name, '--json', '--value-format', 'base64'));
    const jsonText = await floe(consumeArgs(name, '--json'));

    // Assess
    expect(plain.stdout).toEqual(Buffer.from([0xff, 0xfe, 0x0a]));
    expect(hex.stdout.toString()).toBe('fffe\n');
    expect(JSON.parse(json.stdout.toString())).toMatchObject({ value: '//4=', key: null });
    expect(jsonText.status).toBe(1);
    expect(jsonText.stderr).toContain(`the value at ${name}/0 offset 0 is not UTF-8 text`);
  });

  it('lists every header in order, a repeated key and binary values included, in the CLI\'s JSON and the HTTP JSON fetch', async () => {
    // Prepare: headers as a Kafka client may send them
    const name = await topic();
    const headers = [
      { key: 'dup', value: Buffer.from('1') },
      { key: 'dup', value: Buffer.from('2') },
      { key: 'bin', value: Buffer.from([0x00, 0xff]) },
      { key: 'none', value: null },
    ];
    await produceRaw(env.http, { acks: -1, timeoutMs: 5000, topics: [{ topic: name, partitions: [{ partition: 0, records: encodeRecordBatch({ records: [{ key: null, value: Buffer.from('v'), headers }] }) }] }] });
    const expected = headers.map((h) => ({ key: h.key, value: h.value === null ? null : h.value.toString('base64') }));

    // Act
    const cli = await floe(consumeArgs(name, '--json', '--value-format', 'base64'));
    const http = await env.http.callJson<{ topics: Array<{ partitions: Array<{ records: Array<Record<string, unknown>> }> }> }>('fetch', 'POST', '/v1/fetch', {
      encoding: 'base64',
      topics: [{ topic: name, partitions: [{ partition: 0, fetchOffset: 0 }] }],
    });

    // Assess: `headers` keeps a key once (its last value); `headerList` keeps them all
    const printed = JSON.parse(cli.stdout.toString()) as Record<string, unknown>;
    const fetched = http.topics[0]!.partitions[0]!.records[0]!;
    for (const record of [printed, fetched]) {
      expect(record.headerList).toEqual(expected);
      expect(record.headers).toEqual({ dup: 'Mg==', bin: 'AP8=', none: null });
    }
  });
});
