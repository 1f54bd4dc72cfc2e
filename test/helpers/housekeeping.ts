/**
 * Helpers for housekeeping tests. The object sweep deletes whatever no live batch references
 * in the whole bucket, so these tests run on a storage of their own (a `floe storage` child),
 * never on the run's shared one where other test files keep orphans on purpose.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { startCluster, type LocalCluster } from '../../src/local/cluster.js';
import { createAwsClients } from '../../src/aws/clients.js';
import { createHousekeepingDeps, type HousekeepingProcessDeps } from '../../src/handlers/housekeeping-deps.js';
import type { HousekeepingSummary } from '../../src/housekeeping/housekeeping.js';
import { markReferences } from '../../src/housekeeping/sweep.js';
import { listTopics } from '../../src/log/topics.js';
import { ensureStorage, localConfig } from '../../src/local/storage.js';
import { logKeys, SEGMENT_PREFIX } from '../../src/storage/keys.js';
import { FLOE_BIN } from './processes.js';

export interface OwnStorage {
  dynamoEndpoint: string;
  s3Endpoint: string;
  stop(): Promise<void>;
}

function firstLine(child: ChildProcess, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('process did not become ready')), timeoutMs);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`process exited with ${code} before it was ready`)));
  });
}

const exitOf = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode ?? -1);
    else child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null)));
  });

export async function startOwnStorage(): Promise<OwnStorage> {
  const child = spawn(process.execPath, [FLOE_BIN, 'storage', '--json'], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
  const endpoints = JSON.parse(await firstLine(child)) as { dynamoEndpoint: string; s3Endpoint: string };
  await ensureStorage(localConfig(endpoints));
  return {
    ...endpoints,
    async stop() {
      const exited = exitOf(child);
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface ServeOn {
  url: string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** A `floe serve` handler process on the given storage. */
export async function serveOn(storage: Pick<OwnStorage, 'dynamoEndpoint' | 's3Endpoint'>, extraArgs: string[] = []): Promise<ServeOn> {
  const child = spawn(
    process.execPath,
    [FLOE_BIN, 'serve', '--json', '--port', '0', '--dynamodb-endpoint', storage.dynamoEndpoint, '--s3-endpoint', storage.s3Endpoint, ...extraArgs],
    { stdio: ['ignore', 'pipe', 'inherit'], env: process.env },
  );
  const { bootstrap } = JSON.parse(await firstLine(child)) as { bootstrap: string };
  const exited = exitOf(child);
  return {
    url: bootstrap,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** `floe housekeeping run` as a child process; the summary when it finished, exit code -1 when it was killed. */
export async function housekeepingCli(
  storage: Pick<OwnStorage, 'dynamoEndpoint' | 's3Endpoint'>,
  args: string[] = [],
): Promise<{ code: number | null; summary?: HousekeepingSummary; stdout: string }> {
  const child = spawn(
    process.execPath,
    [FLOE_BIN, 'housekeeping', 'run', '--dynamodb-endpoint', storage.dynamoEndpoint, '--s3-endpoint', storage.s3Endpoint, ...args],
    { stdio: ['ignore', 'pipe', 'inherit'], env: process.env },
  );
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  const code = await exitOf(child);
  const line = stdout.trim().split('\n').pop();
  return { code, stdout, summary: line ? (JSON.parse(line) as HousekeepingSummary) : undefined };
}

/** Housekeeping dependencies in this process, on the given storage. */
export function housekeepingDepsOn(storage: Pick<OwnStorage, 'dynamoEndpoint' | 's3Endpoint'>): HousekeepingProcessDeps {
  const config = localConfig(storage);
  return createHousekeepingDeps(config, createAwsClients(config));
}

export async function segmentKeys(deps: HousekeepingProcessDeps): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of deps.store.list(SEGMENT_PREFIX)) keys.push(object.key);
  return keys;
}

/** Objects in the bucket that no live batch references (what the sweep must eventually remove). */
export async function unreferencedObjects(deps: HousekeepingProcessDeps): Promise<string[]> {
  const { marked } = await markReferences(deps, await listTopics(deps));
  return (await segmentKeys(deps)).filter((key) => !marked.has(key));
}

/** Items of a partition: its head and index chunks (and nothing else of the log table). */
async function partitionItems(deps: HousekeepingProcessDeps, topicId: string, partition: number): Promise<Array<Record<string, unknown>>> {
  const { Items = [] } = await deps.dynamo.send(
    new QueryCommand({ TableName: deps.logTable, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': logKeys.partitionPk(topicId, partition) } }),
  );
  return Items;
}

/** Every batch location of a partition (head and chunks), as stored. */
export async function storedLocations(deps: HousekeepingProcessDeps, topicId: string, partition = 0): Promise<Array<Record<string, unknown>>> {
  const items = await partitionItems(deps, topicId, partition);
  return items.flatMap((item) => (item.sk === 'head' ? (item.recent as []) : String(item.sk).startsWith('i#') ? (item.entries as []) : []));
}

/** Rewrites a partition's locations as written before decision 32: without their offset span `w`. */
export async function stripSpans(deps: HousekeepingProcessDeps, topicId: string, partition = 0): Promise<void> {
  const strip = (locations: Array<Record<string, unknown>>) => locations.map(({ w: _w, ...rest }) => rest);
  for (const item of await partitionItems(deps, topicId, partition)) {
    if (item.sk === 'head') await deps.dynamo.send(new PutCommand({ TableName: deps.logTable, Item: { ...item, recent: strip(item.recent as []) } }));
    else if (String(item.sk).startsWith('i#')) await deps.dynamo.send(new PutCommand({ TableName: deps.logTable, Item: { ...item, entries: strip(item.entries as []) } }));
  }
}

export interface HousekeepingTestContext {
  readonly storage: OwnStorage;
  readonly cluster: LocalCluster;
  readonly http: FloeHttpClient;
  readonly admin: Admin;
  /** housekeeping's own clients and uncached store, on the same storage */
  readonly deps: HousekeepingProcessDeps;
}

/**
 * The set-up housekeeping tests share: a storage of their own (housekeeping sweeps everything in
 * it), a cluster on it and housekeeping deps, started before the file's tests and stopped after.
 */
export function useHousekeepingCluster(): HousekeepingTestContext {
  let started: HousekeepingTestContext | undefined;
  beforeAll(async () => {
    const storage = await startOwnStorage();
    const cluster = await startCluster({ storage });
    const http = new FloeHttpClient(cluster.url);
    started = { storage, cluster, http, admin: Admin.fromClient(http), deps: housekeepingDepsOn(storage) };
  });
  afterAll(async () => {
    await started?.cluster.close();
    started?.deps.clients.s3.destroy();
    started?.deps.clients.dynamo.destroy();
    await started?.storage.stop();
  });
  const get = (): HousekeepingTestContext => {
    if (!started) throw new Error('useHousekeepingCluster: read before its beforeAll ran');
    return started;
  };
  return {
    get storage() {
      return get().storage;
    },
    get cluster() {
      return get().cluster;
    },
    get http() {
      return get().http;
    },
    get admin() {
      return get().admin;
    },
    get deps() {
      return get().deps;
    },
  };
}
