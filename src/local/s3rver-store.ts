/**
 * s3rver's filesystem store, made safe for a disk that fails: its putObject answered before
 * the object was written and left the write stream's errors unhandled, so a full disk crashed
 * the local cluster (and could acknowledge an object that was never written). Here putObject
 * writes first and answers after, every write reports disk errors on the console, and s3rver
 * turns the rejection into a 500 answer. Simulated disk faults strike here too.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import type { DiskFaults } from '../faults/disk-faults.js';
import { DISK_ERRNOS, type StorageHealth } from './storage-health.js';

interface S3Object {
  bucket: string;
  key: string;
  metadata: unknown;
  content: Buffer | Readable;
}

interface FilesystemStore {
  rootDirectory: string;
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: unknown, md5: string): Promise<void>;
  [method: string]: unknown;
}

const WRITES = [
  'putObject',
  'putMetadata',
  'putBucket',
  'deleteBucket',
  'copyObject',
  'deleteObject',
  'initiateUpload',
  'putPart',
  'putObjectMultipart',
  'putSubresource',
  'deleteSubresource',
];

async function bytesOf(content: Buffer | Readable): Promise<Buffer> {
  if (Buffer.isBuffer(content)) return content;
  const chunks: Buffer[] = [];
  for await (const chunk of content) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function guardS3rverStore(store: FilesystemStore, health: StorageHealth, faults?: DiskFaults): void {
  // Written, then answered (bodies are at most Lambda's 6 MB payload).
  store.putObject = async (object: S3Object) => {
    const path = store.getResourcePath(object.bucket, object.key, 'object');
    const content = await bytesOf(object.content);
    const md5 = createHash('md5').update(content).digest('hex');
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    await store.putMetadata(object.bucket, object.key, object.metadata, md5);
    return { size: content.length, md5 };
  };
  for (const name of WRITES) {
    const original = store[name] as (...args: unknown[]) => Promise<unknown>;
    store[name] = async (...args: unknown[]) => {
      try {
        const fault = faults?.errorFor('s3', store.rootDirectory);
        if (fault) throw fault;
        const result = await original.apply(store, args);
        health.ok('s3');
        return result;
      } catch (error) {
        if (DISK_ERRNOS.has((error as { code?: string }).code ?? '')) health.failed('s3', error);
        throw error;
      }
    };
  }
}
