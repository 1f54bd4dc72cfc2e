/**
 * What a member costs in DynamoDB while nothing changes: per heartbeat one
 * strongly consistent Query (group item + member items) and one UpdateItem
 * (the member's lease). Counted on the real stand-in; item sizes estimated
 * with DynamoDB's size rules. docs/consumer-groups.md quotes these numbers.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { Consumer } from '../../packages/client/src/consumer/index.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { produceRaw } from '../../packages/client/src/log-client.js';
import { encodeRecordBatch } from '../../packages/protocol/src/records/record-batch.js';
import type { HandlerDeps } from '../../src/handlers/deps.js';
import { groupKeys } from '../../src/storage/keys.js';
import { useTestCluster, uniqueName } from '../helpers/cluster.js';
import { pollAll } from '../fixtures/consumer-poll.js';
import { sleep } from '../../packages/protocol/src/async.js';

interface Sent {
  command: string;
  table: string;
  sk?: string;
}
const sent: Sent[] = [];
const env = useTestCluster({
  customizeDeps: (deps: HandlerDeps) => {
    const send = deps.dynamo.send.bind(deps.dynamo) as (command: unknown) => Promise<unknown>;
    (deps.dynamo as { send: unknown }).send = (command: { input: { TableName?: string; Key?: { sk?: string } }; constructor: { name: string } }) => {
      sent.push({ command: command.constructor.name, table: command.input.TableName ?? '', sk: command.input.Key?.sk });
      return send(command);
    };
  },
});

/** DynamoDB's item size: attribute names plus values (numbers ~1 byte per 2 digits + 1, maps and lists 3 bytes + 1 per element). */
function itemBytes(value: unknown, name = ''): number {
  const own = Buffer.byteLength(name);
  if (typeof value === 'string') return own + Buffer.byteLength(value);
  if (typeof value === 'number') return own + Math.ceil(String(Math.abs(value)).replace('.', '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null) return own + 1;
  if (Array.isArray(value)) return own + 3 + value.reduce((sum: number, v) => sum + 1 + itemBytes(v), 0);
  if (typeof value === 'object') return own + 3 + Object.entries(value as object).reduce((sum, [k, v]) => sum + 1 + itemBytes(v, k), 0);
  return own;
}

describe('heartbeat cost', () => {
  it('a steady member costs one UpdateItem and one Query per heartbeat, on items small enough for 1 WCU and 1 RCU', async () => {
    // Prepare: two members sharing six partitions, settled
    const http = new FloeHttpClient(env.cluster.url);
    const topic = uniqueName('cost');
    const groupId = uniqueName('cost-g');
    await Admin.fromClient(http).createTopic(topic, 6);
    const make = () => new Consumer({ bootstrap: env.cluster.url, groupId, sessionTimeoutMs: 3000, heartbeatIntervalMs: 300, fetchMaxWaitMs: 0 });
    const members = [make(), make()];
    for (const m of members) m.subscribe([topic]);
    await pollAll(members, () => members.every((m) => m.assignment().length === 3), 15_000, 'three partitions each');

    // Act: count what the groups table sees while nothing changes (no polling: heartbeats only)
    sent.length = 0;
    const started = Date.now();
    await sleep(3000);
    const elapsed = Date.now() - started;
    const groupsCalls = sent.filter((s) => s.table === env.cluster.config.groupsTable);
    const items = await env.cluster.deps!.clients.dynamo.send(
      new QueryCommand({
        TableName: env.cluster.config.groupsTable,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :a AND :b',
        ExpressionAttributeValues: { ':pk': groupKeys.groupPk(groupId), ':a': groupKeys.membershipSkRange[0], ':b': groupKeys.membershipSkRange[1] },
      }),
    );
    await Promise.all(members.map((m) => m.close()));

    // Assess
    const writes = groupsCalls.filter((s) => s.command !== 'QueryCommand' && s.command !== 'GetCommand' && s.command !== 'BatchGetCommand');
    const queries = groupsCalls.filter((s) => s.command === 'QueryCommand');
    const heartbeats = queries.length; // one membership read per heartbeat
    const memberItem = (items.Items ?? []).find((i) => String(i.sk).startsWith('m#')) ?? {};
    const stateBytes = (items.Items ?? []).reduce((sum, i) => sum + itemBytes(i), 0);
    const expected = (2 * elapsed) / 300;
    process.stdout.write(
      `${JSON.stringify({ heartbeats, writes: writes.length, writeKinds: [...new Set(writes.map((w) => w.command))], memberItemBytes: itemBytes(memberItem), membershipQueryBytes: stateBytes, elapsedMs: elapsed })}\n`,
    );
    expect(heartbeats).toBeGreaterThan(expected * 0.7);
    expect(heartbeats).toBeLessThan(expected * 1.3);
    expect(new Set(writes.map((w) => w.command))).toEqual(new Set(['UpdateCommand']));
    // One write per heartbeat; each member may straddle each edge of the window with one heartbeat.
    expect(Math.abs(writes.length - heartbeats)).toBeLessThanOrEqual(members.length);
    expect(itemBytes(memberItem)).toBeLessThan(1024);
    expect(stateBytes).toBeLessThan(4096);
  });

  it('auto-commit writes only partitions that made progress: an idle consumer polling all day commits nothing', async () => {
    // Prepare
    const http = new FloeHttpClient(env.cluster.url);
    const topic = uniqueName('idle');
    await Admin.fromClient(http).createTopic(topic, 6);
    const consumer = new Consumer({ bootstrap: env.cluster.url, groupId: uniqueName('idle-g'), autoCommitIntervalMs: 50, sessionTimeoutMs: 3000, heartbeatIntervalMs: 300, fetchMaxWaitMs: 20 });
    consumer.subscribe([topic]);
    const pollFor = async (ms: number) => {
      const until = Date.now() + ms;
      while (Date.now() < until) await consumer.poll(50);
    };
    const offsetWrites = () => sent.filter((s) => s.table === env.cluster.config.groupsTable && s.command === 'UpdateCommand' && s.sk?.startsWith('o#')).length;
    await pollAll([consumer], () => consumer.assignment().length === 6, 15_000, 'six partitions');
    await pollFor(500); // the first auto-commit records the starting positions

    // Act: idle polls for a second, then one record on partition 0
    sent.length = 0;
    await pollFor(1000);
    const idleWrites = offsetWrites();
    await produceRaw(http, { acks: -1, timeoutMs: 5000, topics: [{ topic, partitions: [{ partition: 0, records: encodeRecordBatch({ records: [{ key: null, value: Buffer.from('x') }] }) }] }] });
    await pollFor(1000);
    const afterOne = offsetWrites() - idleWrites;
    await consumer.close();

    // Assess
    expect(idleWrites).toBe(0);
    expect(afterOne).toBe(1);
  });
});
