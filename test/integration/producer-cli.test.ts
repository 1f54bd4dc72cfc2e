/** `floe produce` on top of the Producer: keys, explicit partition, compression/acks/producer-property options, errors. */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { fetchRaw } from '../../packages/client/src/log-client.js';
import { partitionForKey } from '../../packages/protocol/src/partitioning/murmur2.js';
import { decodeRecordBatches } from '../../packages/protocol/src/records/record-batch.js';
import { uniqueName } from '../helpers/cluster.js';
import { FLOE_BIN } from '../helpers/processes.js';
import { startTappedCluster, type ProduceTap } from './producer-helpers.js';

let tap: ProduceTap;
let http: FloeHttpClient;

beforeAll(async () => {
  tap = await startTappedCluster();
  http = new FloeHttpClient(tap.cluster.url);
});
afterAll(() => tap.cluster.close());

/** Runs the CLI without blocking this process (the cluster serves it from here). */
function floe(args: string[], input: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FLOE_BIN, '--bootstrap', tap.cluster.url, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

async function stored(topic: string, partitions: number) {
  const [t] = await fetchRaw(http, {
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 4 << 20,
    topics: [{ topic, partitions: Array.from({ length: partitions }, (_, partition) => ({ partition, fetchOffset: 0, partitionMaxBytes: 4 << 20 })) }],
  });
  return t!.partitions.map((p) => decodeRecordBatches(p.records));
}

describe('floe produce', () => {
  it('sends one record per line, the same key to the same (murmur2) partition, with the chosen compression', async () => {
    // Prepare
    const topic = uniqueName('cli');
    await Admin.fromClient(http).createTopic(topic, 3);
    const lines = Array.from({ length: 500 }, (_, i) => `user${i % 9}:event-${i}`);
    // Act
    const run = await floe(
      ['produce', topic, '--key-separator', ':', '--compression', 'zstd', '--acks', '1', '--linger-ms', '10', '--batch-size', '4096', '--producer-property', 'compression.type=gzip'],
      `${lines.join('\n')}\n`,
    );
    // Assess
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe(''); // not a terminal: no progress line
    const partitions = await stored(topic, 3);
    for (let p = 0; p < 3; p++) {
      const records = partitions[p]!.flatMap((b) => b.records);
      const expected = lines.filter((l) => partitionForKey(Buffer.from(l.split(':')[0]!), 3) === p);
      expect(records.map((r) => `${r.key}:${r.value}`)).toEqual(expected);
      expect(partitions[p]!.every((b) => b.header.compression === 'zstd')).toBe(true);
    }
  });

  it('writes every line to --partition, and fails with the server error when it does not exist', async () => {
    // Prepare
    const topic = uniqueName('cli');
    await Admin.fromClient(http).createTopic(topic, 3);
    // Act
    const ok = await floe(['produce', topic, '--partition', '2', '--quiet', '--producer-property', 'compression.type=lz4'], 'a\nb\nc\n');
    const missing = await floe(['produce', topic, '--partition', '7'], 'x\n');
    const unknownTopic = await floe(['produce', uniqueName('nope')], 'x\n');
    const badCodec = await floe(['produce', topic, '--compression', 'brotli'], 'x\n');
    // Assess
    expect(ok.status, ok.stderr).toBe(0);
    const partitions = await stored(topic, 3);
    expect(partitions[2]!.flatMap((b) => b.records).map((r) => r.value?.toString())).toEqual(['a', 'b', 'c']);
    expect(partitions[2]!.map((b) => b.header.compression)).toEqual(['lz4']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/UNKNOWN_TOPIC_OR_PARTITION/);
    expect(unknownTopic.status).toBe(1);
    expect(unknownTopic.stderr).toMatch(/unknown topic/);
    expect(badCodec.status).not.toBe(0);
    expect(badCodec.stderr).toMatch(/brotli/);
  });
});
