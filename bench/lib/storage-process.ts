/** Runs the embedded storage in its own process, so the storage's CPU is not counted against the code measured. */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const FLOE_BIN = fileURLToPath(new URL('../../bin/floe.mjs', import.meta.url));

export interface StorageProcess {
  dynamoEndpoint: string;
  s3Endpoint: string;
  stop(): Promise<void>;
}

export async function startStorageProcess(): Promise<StorageProcess> {
  const child = spawn(process.execPath, [FLOE_BIN, 'storage', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`storage exited with ${code}`)));
  });
  const endpoints = JSON.parse(line) as { dynamoEndpoint: string; s3Endpoint: string };
  return {
    ...endpoints,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
