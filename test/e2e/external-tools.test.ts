/**
 * The browser and Kafka-client tests skip, with a message, on a machine without their tools.
 * In CI (.ci/run installs them) a skip would hide a failure, so there every tool must be here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const runs = (command: string, args: string[]): boolean => spawnSync(command, args, { stdio: 'ignore' }).status === 0;

const TOOLS: Record<string, () => boolean> = {
  'chromium (console browser tests)': () => existsSync('/usr/bin/chromium'),
  'kcat (gateway, codec)': () => runs('kcat', ['-V']),
  'confluent-kafka-python (gateway)': () => runs('/usr/bin/python3', ['-c', 'import confluent_kafka']),
  'kafka-python (gateway)': () => runs('/usr/bin/python3', ['-c', 'import kafka']),
  'openssl (gateway TLS)': () => runs('openssl', ['version']),
  'script (floe produce at a terminal)': () => runs('script', ['--version']),
};

describe.runIf(process.env.CI === 'true')('CI', () => {
  it('has every external tool the skippable tests need, so none of them skips', () => {
    const missing = Object.entries(TOOLS)
      .filter(([, present]) => !present())
      .map(([name]) => name);
    expect(missing).toEqual([]);
  });
});
