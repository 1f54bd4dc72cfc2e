/**
 * The IAM grants the CDK stack gives each function (cdk/constructs/access.ts, floe-acls.ts) cover
 * every storage call its code really sends. Each function's requests run under its name; a
 * middleware on the DynamoDB and S3 clients records (function, resource, IAM action) for each call.
 * A call outside the function's grants would be an AccessDenied in production: the test fails on
 * it. A granted action no request of a full tour sent would be a grant wider than the code:
 * the test fails on that too, so the synth tests' exact lists (test/cdk) follow the code.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { GroupsApi } from '../../packages/client/src/consumer/groups-api.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { localPrincipal } from '../../packages/client/src/local-principal.js';
import { sleep } from '../../packages/protocol/src/async.js';
import { ACL_ACCESS } from '../../cdk/constructs/floe-acls.js';
import { FUNCTION_ACCESS } from '../../cdk/constructs/access.js';
import type { HandlerName } from '../../cdk/handlers.js';
import type { AwsClients } from '../../src/aws/clients.js';
import type { FloeConfig } from '../../src/config/index.js';
import { adminApp } from '../../src/handlers/admin-app.js';
import { createHandlerDeps, type HandlerDeps } from '../../src/handlers/deps.js';
import { fetchApp } from '../../src/handlers/fetch-app.js';
import { groupsApp } from '../../src/handlers/groups-app.js';
import type { FunctionUrlHandler } from '../../src/handlers/http.js';
import { produceApp } from '../../src/handlers/produce-app.js';
import { createHousekeepingDeps } from '../../src/handlers/housekeeping-deps.js';
import { runHousekeeping } from '../../src/housekeeping/housekeeping.js';
import { startCluster, type LocalCluster } from '../../src/local/cluster.js';
import type { FunctionName } from '../../src/local/function-url-server.js';
import { META_PREFIX, SEGMENT_PREFIX } from '../../src/storage/keys.js';
import { startOwnStorage, type OwnStorage } from '../helpers/housekeeping.js';
import { uniqueName } from '../helpers/cluster.js';

type Resource = 'logTable' | 'groupsTable' | 'aclTable' | 'segmentObjects' | 'metaObjects' | 'bucket' | 'unknown';
const ADMIN = 'User:admin';
const CLIENT = 'User:client';

const running = new AsyncLocalStorage<HandlerName>();
/** function -> resource -> IAM actions its calls needed */
const seen = new Map<string, Map<Resource, Set<string>>>();

function record(resource: Resource, action: string): void {
  const fn = running.getStore() ?? 'outside any function';
  const byResource = seen.get(fn) ?? new Map<Resource, Set<string>>();
  seen.set(fn, byResource);
  byResource.set(resource, (byResource.get(resource) ?? new Set()).add(action));
}

/** The IAM action of an SDK command: PutItemCommand or PutCommand -> dynamodb:PutItem, ListObjectsV2Command -> s3:ListBucket. */
function dynamoAction(commandName: string): string {
  const op = commandName.replace(/Command$/, '').replace(/Item$/, '');
  return `dynamodb:${['Query', 'Scan'].includes(op) ? op : `${op}Item`}`;
}

type Next = (args: { input: Record<string, unknown> }) => Promise<unknown>;
type Stack = { middlewareStack: { add: (mw: (next: Next, ctx: { commandName?: string }) => Next, o: object) => void } };

function recordCalls(clients: AwsClients, config: FloeConfig): void {
  const tables: Record<string, Resource> = { [config.logTable]: 'logTable', [config.groupsTable]: 'groupsTable' };
  if (config.aclTable) tables[config.aclTable] = 'aclTable';
  (clients.dynamo as unknown as Stack).middlewareStack.add(
    (next, ctx) => async (args) => {
      const input = args.input;
      const names = typeof input.TableName === 'string' ? [input.TableName] : Object.keys((input.RequestItems as object | undefined) ?? {});
      for (const name of names) record(tables[name] ?? 'unknown', dynamoAction(ctx.commandName ?? ''));
      return next(args);
    },
    { step: 'initialize', name: 'iamGrantsDynamo' },
  );
  (clients.s3 as unknown as Stack).middlewareStack.add(
    (next, ctx) => async (args) => {
      const command = (ctx.commandName ?? '').replace(/Command$/, '');
      const key = String(args.input.Key ?? '');
      if (command === 'ListObjectsV2') record('bucket', 's3:ListBucket');
      else record(key.startsWith(SEGMENT_PREFIX) ? 'segmentObjects' : key.startsWith(META_PREFIX) ? 'metaObjects' : 'unknown', `s3:${command}`);
      return next(args);
    },
    { step: 'initialize', name: 'iamGrantsS3' },
  );
}

/** What the stack grants a function, per resource (general purpose bucket). */
function granted(fn: HandlerName): Map<Resource, Set<string>> {
  const access = FUNCTION_ACCESS[fn];
  return new Map<Resource, Set<string>>(
    (
      [
        ['logTable', access.logTable ?? []],
        ['groupsTable', access.groupsTable ?? []],
        ['aclTable', ACL_ACCESS[fn]],
        ['segmentObjects', access.segmentObjects ?? []],
        ['metaObjects', access.metaObjects ?? []],
        ['bucket', access.listBucket ? ['s3:ListBucket'] : []],
      ] as Array<[Resource, readonly string[]]>
    )
      .filter(([, actions]) => actions.length > 0)
      .map(([resource, actions]) => [resource, new Set(actions)]),
  );
}

const sorted = (m: Map<Resource, Set<string>> | undefined): Record<string, string[]> =>
  Object.fromEntries([...(m ?? new Map<Resource, Set<string>>())].map(([r, a]) => [r, [...a].sort()]).sort(([a], [b]) => String(a).localeCompare(String(b))));

let storage: OwnStorage;
let cluster: LocalCluster;
const APPS = { produce: produceApp, fetch: fetchApp, admin: adminApp, groups: groupsApp };
const own: HandlerDeps[] = [];

/** A function's app on deps of its own, as deployed (its clients, topic cache, rules cache), run under its name. */
function ownFunction(name: FunctionName): FunctionUrlHandler {
  let app: FunctionUrlHandler | undefined;
  return (event) =>
    running.run(name, () => {
      if (!app) {
        const deps = createHandlerDeps(cluster.config);
        recordCalls(deps.clients, cluster.config);
        own.push(deps);
        app = APPS[name](deps);
      }
      return app(event);
    });
}

beforeAll(async () => {
  storage = await startOwnStorage();
  cluster = await startCluster({
    storage,
    principal: ADMIN,
    config: { authorization: 'acl', aclSuperUsers: [ADMIN] },
    wrapHandler: (name) => ownFunction(name),
  });
}, 60_000);

afterAll(async () => {
  for (const deps of own) {
    deps.clients.s3.destroy();
    deps.clients.dynamo.destroy();
  }
  await cluster?.close();
  await storage?.stop();
});

/** Every route of every function, and three housekeeping passes over what they left. */
async function tour(): Promise<void> {
  // admin as a super user; the data functions as a client the rules allow, so each reads the rules
  const superHttp = new FloeHttpClient(cluster.url);
  const admin = Admin.fromClient(superHttp);
  const http = new FloeHttpClient(cluster.url, { sign: localPrincipal(CLIENT) });
  const groups = new GroupsApi(http);
  const topic = uniqueName('iam');
  const doomed = uniqueName('iam-gone');
  const kept = uniqueName('iam-kept');
  const group = uniqueName('iam-group');
  // admin: topics, partitions, configs, ACLs
  await admin.createTopic(topic, 1, { 'retention.ms': 60_000 });
  await admin.createTopic(doomed, 2);
  await admin.createTopic(kept, 1);
  await admin.createPartitions(topic, 2);
  await admin.alterTopicConfigs(topic, { 'retention.ms': 1 });
  await admin.describeTopic(topic);
  await admin.listTopics();
  const allow = (resourceType: 'topic' | 'group', resourceName: string) => ({ principal: CLIENT, operation: 'All', permission: 'allow', resourceType, resourceName, patternType: 'literal' }) as const;
  await admin.createAcls([allow('topic', topic), allow('topic', kept), allow('group', group), { ...allow('topic', doomed), principal: 'User:nobody' }]);
  await admin.describeAcls();
  await admin.deleteAcls({ principal: 'User:nobody' });
  // produce: an id, its epoch bumped, and enough small requests to spill index chunks (merged later in `kept`)
  const issued = JSON.parse((await http.call('produce', 'POST', '/v1/producer-ids', { json: {} })).body.toString('utf8')) as { producerId: string; producerEpoch: number };
  await http.call('produce', 'POST', '/v1/producer-ids', { json: issued });
  for (let i = 0; i < 20; i++) await http.call('produce', 'POST', '/v1/produce', { json: { records: [{ topic, partition: 0, value: `v${i}` }, { topic: kept, partition: 0, value: `k${i}` }] } });
  // fetch: records from the start (index chunks), offsets by time (a batch read)
  await http.call('fetch', 'POST', '/v1/fetch', { json: { topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0 }] }] } });
  await http.call('fetch', 'POST', '/v1/offsets', { json: { topics: [{ topic, partitions: [{ partition: 0, timestamp: 1 }] }] } });
  // the admin function serves offsets too (Admin.listOffsets asks the fetch function)
  await superHttp.call('admin', 'POST', '/v1/offsets', { json: { topics: [{ topic, partitions: [{ partition: 0, timestamp: 1 }] }] } });
  // groups: a member, commits, reads, describe (lag), reset by time, deletes
  const joined = await groups.heartbeat(group, { memberEpoch: 0, subscribedTopics: [topic] });
  await groups.commit(group, { memberId: joined.memberId, memberEpoch: joined.memberEpoch, partitions: [{ topic, partition: 0, offset: 3 }] });
  await groups.fetchOffsets(group);
  await groups.list();
  await groups.describe(group);
  await groups.heartbeat(group, { memberId: joined.memberId, memberEpoch: -1 });
  await groups.resetOffsets(group, topic, { datetime: 1 });
  await groups.deleteOffsets(group, [{ topic, partitions: [1] }]);
  await groups.delete(group);
  await admin.deleteTopic(doomed);
  // housekeeping: retention, merging, the sweep and its mark cache, deleted-topic cleanup; a third pass deletes the first mark cache
  const deps = createHousekeepingDeps(cluster.config);
  recordCalls(deps.clients, cluster.config);
  try {
    for (let pass = 0; pass < 3; pass++) {
      await running.run('housekeeping', () => runHousekeeping(deps, { settings: { graceMs: 1, producerIdExpirationMs: 1 } }));
      await sleep(20);
    }
  } finally {
    deps.clients.s3.destroy();
    deps.clients.dynamo.destroy();
  }
}

describe('the IAM grants of the stack', () => {
  it('cover every storage call each function sends, and nothing it never sends', async () => {
    // Act
    await tour();

    // Assess: nothing ran outside a function or on a resource no grant names ('unknown'), and each
    // function sent exactly the actions the stack grants it (all functions in one comparison)
    const functions = ['produce', 'fetch', 'admin', 'groups', 'housekeeping'] as const;
    expect([...seen.keys()].sort()).toEqual([...functions].sort());
    expect(Object.fromEntries(functions.map((fn) => [fn, sorted(seen.get(fn))]))).toEqual(Object.fromEntries(functions.map((fn) => [fn, sorted(granted(fn))])));
  }, 120_000);
});
