/**
 * What ACL checks cost on the data path (docs/security.md): produce and fetch through the same
 * handlers, on the same storage, with authorization off and with ACLs on, rounds alternating,
 * medians reported. With ACLs on the caller is a restricted principal (not a super user) among
 * BENCH_ACL_RULES rules, so every request is decided from the cached rules.
 *
 *   node bin/run-ts.mjs bench/authorization.ts     prints auth.produce and auth.fetch lines
 *
 * ratio = MiB/s with ACLs / MiB/s without (1.0 = free). ruleReads: how often the instance read
 * the rules table in the whole run (once per cache period at most, never per request).
 */
import { pathToFileURL } from 'node:url';
import type { AclRule } from '@floe/protocol';
import { Admin } from '../packages/client/src/admin.js';
import { FloeHttpClient } from '../packages/client/src/http-client.js';
import { localPrincipal } from '../packages/client/src/local-principal.js';
import { fetchRaw, produceRaw } from '../packages/client/src/log-client.js';
import { encodeRecordBatch } from '../packages/protocol/src/records/record-batch.js';
import { envInteger } from '../src/config/index.js';
import { startCluster, type LocalCluster } from '../src/local/cluster.js';
import { MiB, printResult, round, type BenchSink } from './lib/report.js';
import { median } from './lib/stats.js';
import { startStorageProcess } from './lib/storage-process.js';

const PARTITIONS = 8;
const IN_FLIGHT = 8;
const REQUESTS = envInteger(process.env, 'BENCH_AUTH_REQUESTS', 64, 1);
const ROUNDS = envInteger(process.env, 'BENCH_AUTH_ROUNDS', 3, 1);
const RULES = envInteger(process.env, 'BENCH_ACL_RULES', 500, 1);
const PRINCIPAL = 'arn:aws:sts::111122223333:assumed-role/Bench/session';
/** One 32 KiB batch of 1 KiB records per partition: 256 KiB requests. */
const BATCH = encodeRecordBatch({ records: Array.from({ length: 32 }, (_, i) => ({ key: null, value: Buffer.alloc(1024, i) })) });

/** Unrelated rules for other principals and topics, plus the bench role's grants. */
function rules(topicPrefix: string): AclRule[] {
  const filler: AclRule[] = Array.from({ length: RULES - 2 }, (_, i) => ({
    principal: `arn:aws:iam::111122223333:role/Service${i}`,
    resourceType: 'topic',
    resourceName: `service-${i}.`,
    patternType: 'prefixed',
    operation: i % 2 ? 'Read' : 'Write',
    permission: 'allow',
  }));
  const bench = (operation: 'Read' | 'Write'): AclRule => ({ principal: 'arn:aws:iam::111122223333:role/Bench', resourceType: 'topic', resourceName: topicPrefix, patternType: 'prefixed', operation, permission: 'allow' });
  return [...filler, bench('Write'), bench('Read')];
}

async function inFlight(count: number, run: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < count) await run(next++);
  }));
}

/** MiB/s of REQUESTS produce requests, then of reading them all back. */
async function measure(http: FloeHttpClient, admin: Admin, topic: string): Promise<{ produce: number; fetch: number }> {
  await admin.createTopic(topic, PARTITIONS);
  const topics = [{ topic, partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, records: BATCH })) }];
  const bytes = REQUESTS * PARTITIONS * BATCH.length;
  let started = performance.now();
  await inFlight(REQUESTS, async () => {
    const [result] = await produceRaw(http, { acks: -1, timeoutMs: 30_000, topics });
    if (result?.partitions.some((p) => p.errorCode !== 'NONE')) throw new Error(`produce failed: ${JSON.stringify(result.partitions[0])}`);
  });
  const produce = bytes / MiB / ((performance.now() - started) / 1000);
  const positions = new Array<number>(PARTITIONS).fill(0);
  started = performance.now();
  await inFlight(PARTITIONS, async (partition) => {
    while (positions[partition]! < REQUESTS * 32) {
      const [t] = await fetchRaw(http, { maxWaitMs: 0, minBytes: 0, maxBytes: 4 * MiB, topics: [{ topic, partitions: [{ partition, fetchOffset: positions[partition]!, partitionMaxBytes: MiB }] }] });
      const p = t?.partitions[0];
      if (!p || p.errorCode !== 'NONE') throw new Error(`fetch failed: ${p?.errorCode}`);
      // Stored bytes are the client's: every batch read back is BATCH.length bytes of 32 records.
      if (p.records.length === 0) throw new Error(`no progress at offset ${positions[partition]}`);
      positions[partition] = positions[partition]! + (p.records.length / BATCH.length) * 32;
    }
  });
  const fetch = bytes / MiB / ((performance.now() - started) / 1000);
  return { produce, fetch };
}

export async function runAuthorizationBench(sink: BenchSink = printResult): Promise<void> {
  const storage = await startStorageProcess();
  const clusters: LocalCluster[] = [];
  try {
    const open = await startCluster({ storage });
    const acl = await startCluster({ storage, principal: 'User:admin', config: { authorization: 'acl', aclTable: 'floe-bench-acls', aclSuperUsers: ['User:admin'] } });
    clusters.push(open, acl);
    const prefix = `bench-auth-${Date.now()}`;
    await new Admin({ bootstrap: acl.url }).createAcls(rules(prefix).slice(0, 1000));
    for (let i = 1000; i < RULES; i += 1000) await new Admin({ bootstrap: acl.url }).createAcls(rules(prefix).slice(i, i + 1000));
    const runs = { open: [] as Array<{ produce: number; fetch: number }>, acl: [] as Array<{ produce: number; fetch: number }> };
    const readsBefore = acl.deps!.auth.cache!.reads;
    for (let r = 0; r < ROUNDS; r++) {
      runs.open.push(await measure(new FloeHttpClient(open.url), new Admin({ bootstrap: open.url }), `${prefix}-open-${r}`));
      runs.acl.push(await measure(new FloeHttpClient(acl.url, { sign: localPrincipal(PRINCIPAL) }), new Admin({ bootstrap: acl.url }), `${prefix}-acl-${r}`));
    }
    const ruleReads = acl.deps!.auth.cache!.reads - readsBefore;
    for (const kind of ['produce', 'fetch'] as const) {
      const withAcl = median(runs.acl.map((x) => x[kind]));
      const without = median(runs.open.map((x) => x[kind]));
      sink({
        name: `auth.${kind}`,
        params: { rules: RULES, requests: REQUESTS, rounds: ROUNDS, partitions: PARTITIONS },
        value: round(withAcl, 1),
        unit: 'MiB/s',
        comparison: { name: 'authorization none', value: round(without, 1), unit: 'MiB/s' },
        ratio: round(withAcl / without),
        ruleReads,
      });
    }
  } finally {
    for (const c of clusters) await c.close();
    await storage.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runAuthorizationBench();
}
