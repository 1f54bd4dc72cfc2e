/**
 * Embedded storage for the local cluster: dynalite (DynamoDB) and s3rver (S3),
 * both real wire-protocol servers on 127.0.0.1, with data kept under a directory.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dynalite from 'dynalite';
import './s3rver-compat.js';
import S3rver from 's3rver';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_CACHE_BYTES, producerIdExpirationFromEnv, stripedTopicsAboveFromEnv, type FloeConfig } from '../config/index.js';
import { TOPIC_CONFIG_DEFAULTS } from '../log/limits.js';
import { ACL_TABLE, TABLES } from '../storage/tables.js';
import { envDiskFaults } from '../faults/disk-faults.js';
import { lockDataDir } from './data-dir-lock.js';
import { guardDynaliteDir } from './dynalite-store.js';
import { guardS3rverStore } from './s3rver-store.js';
import { StorageHealth } from './storage-health.js';
import { LocalStartupError } from './errors.js';
import { sleep } from '@floe/protocol';

/** s3rver's fixed credentials; dynalite accepts any. Not secrets: they only open the local stand-ins. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const LOCAL_REGION = 'local';

export const LOCAL_NAMES = {
  bucket: 'floe-local',
  logTable: 'floe-log',
  groupsTable: 'floe-groups',
  /** Created only when the local cluster runs with authorization on. */
  aclTable: 'floe-acls',
} as const;

export interface StorageOptions {
  /** Persist under this directory; omitted = in memory (S3 objects in a temp dir removed on close). */
  dataDir?: string;
  /** The data dir as the user gave it, and the command holding it, for messages (default: the path, "floe storage"). */
  dataDirLabel?: string;
  command?: string;
  host?: string;
  dynamoPort?: number;
  s3Port?: number;
}

export interface RunningStorage {
  dynamoEndpoint: string;
  s3Endpoint: string;
  /** the data dirs' state, as the stand-ins' writes find it */
  health: StorageHealth;
  close(): Promise<void>;
}

const listen = (server: Server, port: number, host: string): Promise<AddressInfo> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server.address() as AddressInfo));
  });

export async function startStorage(options: StorageOptions = {}): Promise<RunningStorage> {
  const host = options.host ?? '127.0.0.1';
  const tempDir = options.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'floe-s3-'));
  const s3Dir = options.dataDir ? join(options.dataDir, 's3') : (tempDir as string);
  const dynamoDir = options.dataDir ? join(options.dataDir, 'dynamodb') : undefined;
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const lock = options.dataDir ? lockDataDir(options.dataDir, options.command ?? 'floe storage', options.dataDirLabel) : undefined;
  try {
    mkdirSync(s3Dir, { recursive: true });
    if (dynamoDir) mkdirSync(dynamoDir, { recursive: true });
    const health = new StorageHealth({ s3: s3Dir, dynamodb: dynamoDir });
    const faults = envDiskFaults();

    const unguard = dynamoDir ? await guardDynaliteDir(dynamoDir, health, faults) : undefined;
    const dynamoServer: Server = dynalite({ path: dynamoDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    const dynamoAddress = await listen(dynamoServer, options.dynamoPort ?? 0, host);

    const s3rver = new S3rver({ port: options.s3Port ?? 0, address: host, directory: s3Dir, silent: true });
    guardS3rverStore((s3rver as unknown as { store: Parameters<typeof guardS3rverStore>[0] }).store, health, faults);
    const s3Address = (await s3rver.run()) as AddressInfo;

    return {
      dynamoEndpoint: `http://${host}:${dynamoAddress.port}`,
      s3Endpoint: `http://${host}:${s3Address.port}`,
      health,
      async close() {
        await s3rver.close();
        await new Promise<void>((resolve) => dynamoServer.close(() => resolve()));
        unguard?.();
        if (tempDir) rmSync(tempDir, { recursive: true, force: true });
        lock?.release();
      },
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}

/** Creates the bucket and tables a Floe config names, if missing (local stand-ins and LocalStack). */
export async function ensureStorage(config: FloeConfig): Promise<void> {
  const credentials = LOCAL_CREDENTIALS;
  const dynamo = new DynamoDBClient({ region: config.region, endpoint: config.dynamoEndpoint, credentials });
  const s3 = new S3Client({
    region: config.region,
    endpoint: config.s3Endpoint,
    forcePathStyle: config.s3ForcePathStyle,
    credentials,
  });
  try {
    for (const spec of TABLES) {
      const name = spec.envVar === 'FLOE_LOG_TABLE' ? config.logTable : config.groupsTable;
      await ensureTable(dynamo, name, spec.partitionKey, spec.sortKey);
    }
    if (config.aclTable) await ensureTable(dynamo, config.aclTable, ACL_TABLE.partitionKey, ACL_TABLE.sortKey);
    try {
      await s3.send(new HeadBucketCommand({ Bucket: config.bucket }));
    } catch {
      await s3.send(new CreateBucketCommand({ Bucket: config.bucket })).catch(async (error: unknown) => {
        // Processes starting together race to create it (s3rver answers the loser BucketAlreadyExists):
        // fine if the bucket is there and ours to use now.
        const name = (error as { name?: string }).name;
        if (name !== 'BucketAlreadyExists' && name !== 'BucketAlreadyOwnedByYou') throw error;
        await s3.send(new HeadBucketCommand({ Bucket: config.bucket })).catch(() => Promise.reject(error));
      });
    }
  } finally {
    dynamo.destroy();
    s3.destroy();
  }
}

async function ensureTable(dynamo: DynamoDBClient, name: string, pk: string, sk: string): Promise<void> {
  try {
    await dynamo.send(new DescribeTableCommand({ TableName: name }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  try {
    await dynamo.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: pk, AttributeType: 'S' },
          { AttributeName: sk, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: pk, KeyType: 'HASH' },
          { AttributeName: sk, KeyType: 'RANGE' },
        ],
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
  }
  for (let i = 0; i < 100; i++) {
    const table = await dynamo.send(new DescribeTableCommand({ TableName: name }));
    if (table.Table?.TableStatus === 'ACTIVE') return;
    await sleep(50);
  }
  throw new Error(`table ${name} did not become ACTIVE`);
}

export function localConfig(storage: { dynamoEndpoint: string; s3Endpoint: string }): FloeConfig {
  const stripedTopicsAbove = stripedTopicsAboveFromEnv();
  return {
    bucket: LOCAL_NAMES.bucket,
    logTable: LOCAL_NAMES.logTable,
    groupsTable: LOCAL_NAMES.groupsTable,
    region: LOCAL_REGION,
    s3Endpoint: storage.s3Endpoint,
    dynamoEndpoint: storage.dynamoEndpoint,
    s3ForcePathStyle: true,
    cacheBytes: DEFAULT_CACHE_BYTES,
    defaultRetentionMs: TOPIC_CONFIG_DEFAULTS['retention.ms'],
    defaultTimestampBeforeMaxMs: TOPIC_CONFIG_DEFAULTS['message.timestamp.before.max.ms'],
    defaultTimestampAfterMaxMs: TOPIC_CONFIG_DEFAULTS['message.timestamp.after.max.ms'],
    // As the local cluster's housekeeping reads it (housekeepingSettingsFromEnv).
    producerIdExpirationMs: producerIdExpirationFromEnv(),
    // As FLOE_STRIPED_TOPICS_ABOVE sets it: trials of striped topics (decision 52) on the local cluster.
    ...(stripedTopicsAbove === undefined ? {} : { stripedTopicsAbove }),
    authorization: 'none',
    aclTable: undefined,
    aclCacheMs: undefined,
    aclSuperUsers: [],
    urls: {},
  };
}

export function removeDataDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Checks that the endpoints of a local cluster's storage answer as DynamoDB and S3 with
 * Floe's table and bucket, so a mistake (endpoints swapped, another program's port) is
 * said in one line instead of a parser's stack trace. emptyOk: a storage without them yet passes
 * (whoever asks creates them).
 */
export async function checkLocalStorage(config: FloeConfig, options: { emptyOk?: boolean } = {}): Promise<void> {
  const credentials = LOCAL_CREDENTIALS;
  const dynamo = new DynamoDBClient({ region: config.region, endpoint: config.dynamoEndpoint, credentials, maxAttempts: 1 });
  const s3 = new S3Client({ region: config.region, endpoint: config.s3Endpoint, forcePathStyle: config.s3ForcePathStyle, credentials, maxAttempts: 1 });
  const why = (error: unknown) => ((error as Error)?.name === 'SyntaxError' ? 'its answer is not what that service sends' : String((error as Error)?.message ?? error));
  // "Swapped?" only when something answered: a refused connection or a malformed URL is its own story.
  const answered = (error: unknown) => (error as Error)?.name === 'SyntaxError' || (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode !== undefined;
  // A service that says the table or bucket is missing is the right service on a storage nobody set up yet.
  const missing = (error: unknown) => error instanceof ResourceNotFoundException || (error as Error)?.name === 'NotFound';
  const hint = (error: unknown, other: string) =>
    missing(error) ? '; no Floe storage there yet: start `floe serve` or `floe dev` on it first' : answered(error) ? `; is it the ${other} endpoint?` : '';
  try {
    await dynamo.send(new DescribeTableCommand({ TableName: config.logTable })).catch((error: unknown) => {
      // A fresh storage (`floe serve` creates the tables and bucket): it answered as DynamoDB, which is the point.
      if (options.emptyOk && error instanceof ResourceNotFoundException) return;
      throw new LocalStartupError(
        `the DynamoDB endpoint ${config.dynamoEndpoint} did not answer as a local Floe cluster's DynamoDB (${why(error)})${hint(error, 'S3')}`,
      );
    });
    await s3.send(new HeadBucketCommand({ Bucket: config.bucket })).catch((error: unknown) => {
      if (options.emptyOk && (error as Error)?.name === 'NotFound') return;
      throw new LocalStartupError(`the S3 endpoint ${config.s3Endpoint} did not answer as a local Floe cluster's S3 (${why(error)})${hint(error, 'DynamoDB')}`);
    });
  } finally {
    dynamo.destroy();
    s3.destroy();
  }
}
