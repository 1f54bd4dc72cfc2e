/**
 * A real client over the codec: kcat (librdkafka) against mock-broker.ts. It speaks flexible
 * ApiVersions v3, InitProducerId v4 and OffsetFetch v7, the versions no kafkajs check covers.
 * Skipped where kcat is not installed (Debian: apt-get install kcat).
 */
import { execFile, execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockBroker, type MockBroker } from './mock-broker.js';

const hasKcat = (() => {
  try {
    execFileSync('kcat', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function kcat(args: string[], input?: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile('kcat', args, { timeout: 20_000 }, (error, stdout, stderr) => (error ? reject(Object.assign(error, { stderr })) : resolve({ stdout, stderr })));
    child.stdin?.end(input ?? '');
  });
}

describe.skipIf(!hasKcat)('kcat (librdkafka) against the codec', () => {
  let broker: MockBroker;
  const bootstrap = () => `127.0.0.1:${broker.port}`;

  beforeAll(async () => {
    broker = await startMockBroker();
  });

  afterAll(async () => {
    await broker.close();
  });

  it('lists metadata, produces idempotently and consumes the records back', async () => {
    // Act
    const listed = await kcat(['-b', bootstrap(), '-L']);
    await kcat(['-b', bootstrap(), '-P', '-t', 'orders', '-K:', '-X', 'enable.idempotence=true'], 'k1:v1\nk2:v2\n');
    const consumed = await kcat(['-b', bootstrap(), '-C', '-t', 'orders', '-o', 'beginning', '-e', '-f', '%k %s %o\n']);

    // Assess
    expect(listed.stdout).toMatch(/broker 1 at 127\.0\.0\.1/);
    expect(consumed.stdout).toBe('k1 v1 0\nk2 v2 1\n');
    expect(`${listed.stderr}${consumed.stderr}`).not.toMatch(/PROTOERR|parse failure/i);
    expect(broker.seen).toEqual(expect.arrayContaining(['18 v3', '22 v4']));
    expect(broker.seen.filter((entry) => entry.startsWith('error'))).toEqual([]);
  });

  it('joins a group, consumes and commits', async () => {
    // Act
    const consumed = await kcat(['-b', bootstrap(), '-G', 'billing', 'orders', '-e', '-f', '%k %o\n', '-X', 'auto.offset.reset=earliest']);

    // Assess
    expect(consumed.stdout).toBe('k1 0\nk2 1\n');
    expect(consumed.stderr).not.toMatch(/PROTOERR|parse failure/i);
    expect(broker.seen).toEqual(expect.arrayContaining(['10 v2', '11 v5', '14 v3', '9 v7']));
    expect(broker.seen.filter((entry) => entry.startsWith('error'))).toEqual([]);
  });
});
