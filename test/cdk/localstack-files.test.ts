/**
 * localstack/: the compose file is valid and pinned, and the init hook creates exactly
 * the bucket and tables (names, key schema, TTL attribute) the code uses. The hook is
 * run for real, with a fake `awslocal` on PATH that records its calls.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LOCAL_NAMES } from '../../src/local/storage.js';
import { GROUPS_TABLE, LOG_TABLE, type TableSpec } from '../../src/storage/tables.js';
import {
  COMPOSE_FILE,
  LOCALSTACK_ENVIRONMENT,
  LOCALSTACK_PORT,
  LOCALSTACK_SERVICE,
  localstackImage,
} from '../setup/localstack-storage.js';

const INIT_MOUNT = '/etc/localstack/init/ready.d';
const INIT_SCRIPT = resolve(dirname(COMPOSE_FILE), 'init', 'ready.d', 'init-floe.sh');

interface ComposeService {
  image?: string;
  ports?: (string | { target?: number; published?: number | string })[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  environment?: Record<string, string> | string[];
}

const service = (): ComposeService => {
  const compose = parse(readFileSync(COMPOSE_FILE, 'utf8')) as { services: Record<string, ComposeService> };
  const found = compose.services[LOCALSTACK_SERVICE];
  if (!found) throw new Error(`no ${LOCALSTACK_SERVICE} service`);
  return found;
};

describe('localstack/docker-compose.yml', () => {
  it('pins an exact LocalStack image tag, never latest', () => {
    const image = service().image ?? '';
    expect(image).toMatch(/^localstack\/localstack:\d+\.\d+\.\d+$/);
    expect(image).not.toMatch(/latest/);
    // npm run test:localstack starts the same image.
    expect(localstackImage()).toBe(image);
  });

  it('publishes port 4566', () => {
    const ports = (service().ports ?? []).map((p) => (typeof p === 'string' ? p : `${p.published}:${p.target}`));
    expect(ports.some((p) => p.endsWith(`:${LOCALSTACK_PORT}`) && p.split(':').at(-2) === String(LOCALSTACK_PORT))).toBe(
      true,
    );
  });

  it('mounts the init hooks where LocalStack runs them when ready', () => {
    const mounts = (service().volumes ?? []).map((v) =>
      typeof v === 'string' ? { source: v.split(':')[0] ?? '', target: v.split(':')[1] ?? '' } : { source: v.source ?? '', target: v.target ?? '' },
    );
    const init = mounts.find((m) => m.target === INIT_MOUNT);
    expect(init, `a volume mounted at ${INIT_MOUNT}`).toBeDefined();
    const hostDir = resolve(dirname(COMPOSE_FILE), init?.source ?? '');
    expect(hostDir).toBe(dirname(INIT_SCRIPT));
    expect(existsSync(INIT_SCRIPT)).toBe(true);
    expect(statSync(INIT_SCRIPT).mode & 0o111, 'init script is executable').not.toBe(0);
  });

  it('runs the services and region settings the test setup uses', () => {
    const env = service().environment;
    const record = Array.isArray(env)
      ? Object.fromEntries(env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]))
      : (env ?? {});
    expect(record).toMatchObject(LOCALSTACK_ENVIRONMENT);
    expect(String(record.SERVICES).split(',')).toEqual(expect.arrayContaining(['s3', 'dynamodb']));
  });
});

describe('localstack/init/ready.d/init-floe.sh', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'floe-awslocal-'));
    // A fake awslocal: records each call (arguments separated by US), and answers
    // "exists" probes with the exit code in $FAKE_EXISTS.
    writeFileSync(
      join(dir, 'awslocal'),
      [
        '#!/usr/bin/env bash',
        '(IFS=$\'\\x1f\'; printf "%s\\n" "$*") >> "$FAKE_LOG"',
        'case "$2" in head-bucket|describe-table) exit "$FAKE_EXISTS";; esac',
        'exit 0',
      ].join('\n'),
    );
    chmodSync(join(dir, 'awslocal'), 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let runs = 0;
  const run = (exists: boolean): string[][] => {
    const log = join(dir, `calls-${++runs}.log`);
    const env: Record<string, string> = {
      PATH: `${dir}:${process.env.PATH ?? ''}`,
      FAKE_LOG: log,
      FAKE_EXISTS: exists ? '0' : '1',
    };
    const result = spawnSync('bash', [INIT_SCRIPT], { env, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    return readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split('\x1f'));
  };
  /** The table spec (src/storage/tables.ts) behind a local table name. */
  const specOf = (table: string | undefined): TableSpec => {
    const spec = table === LOCAL_NAMES.logTable ? LOG_TABLE : table === LOCAL_NAMES.groupsTable ? GROUPS_TABLE : undefined;
    if (!spec) throw new Error(`unexpected table ${table}`);
    return spec;
  };
  const arg = (call: string[], flag: string): string | undefined => call[call.indexOf(flag) + 1];
  const args = (call: string[], flag: string): string[] => {
    const start = call.indexOf(flag) + 1;
    const end = call.findIndex((a, i) => i >= start && a.startsWith('--'));
    return call.slice(start, end === -1 ? undefined : end);
  };

  it('creates the local cluster\'s bucket', () => {
    const calls = run(false);
    const creates = calls.filter((c) => c[0] === 's3api' && c[1] === 'create-bucket');
    expect(creates.map((c) => arg(c, '--bucket'))).toEqual([LOCAL_NAMES.bucket]);
  });

  it('creates exactly the two tables with the key schema the code uses, on demand', () => {
    const calls = run(false);
    const creates = calls.filter((c) => c[0] === 'dynamodb' && c[1] === 'create-table');
    expect(creates.map((c) => arg(c, '--table-name')).sort()).toEqual(
      [LOCAL_NAMES.logTable, LOCAL_NAMES.groupsTable].sort(),
    );
    for (const create of creates) {
      const spec = specOf(arg(create, '--table-name'));
      if (!spec) throw new Error('unknown table');
      expect(arg(create, '--billing-mode')).toBe('PAY_PER_REQUEST');
      expect(args(create, '--key-schema')).toEqual([
        `AttributeName=${spec.partitionKey},KeyType=HASH`,
        `AttributeName=${spec.sortKey},KeyType=RANGE`,
      ]);
      expect(args(create, '--attribute-definitions').sort()).toEqual(
        [`AttributeName=${spec.partitionKey},AttributeType=S`, `AttributeName=${spec.sortKey},AttributeType=S`].sort(),
      );
    }
  });

  it('enables TTL on the attribute the code writes', () => {
    const calls = run(false);
    const ttl = calls.filter((c) => c[0] === 'dynamodb' && c[1] === 'update-time-to-live');
    expect(ttl.map((c) => arg(c, '--table-name')).sort()).toEqual([LOCAL_NAMES.logTable, LOCAL_NAMES.groupsTable].sort());
    for (const call of ttl) {
      const spec = specOf(arg(call, '--table-name'));
      expect(arg(call, '--time-to-live-specification')).toBe(`Enabled=true,AttributeName=${spec.ttlAttribute}`);
    }
  });

  it('creates nothing when the bucket and tables already exist', () => {
    const calls = run(true);
    expect(calls.filter((c) => c[1]?.startsWith('create') || c[1] === 'update-time-to-live')).toEqual([]);
  });
});
