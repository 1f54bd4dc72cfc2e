import { describe, expect, it } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { LIMITS } from '../../src/log/limits.js';
import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { addPartitions, createTopic, deleteTopic, getTopic, overridesOf } from '../../src/log/topics.js';
import { fetchRecords } from '../../src/log/fetch.js';
import { LATEST, listOffset } from '../../src/log/list-offsets.js';
import { produce } from '../../src/log/produce.js';
import { createHandlerDeps } from '../../src/handlers/deps.js';
import { startTestCluster, uniqueName, useTestCluster } from '../helpers/cluster.js';
import { batchOf, produceValues, readPartition, values } from '../helpers/log.js';

const env = useTestCluster();

describe('topics', () => {
  it('creates, lists and describes a topic with its configs and per-partition offsets', async () => {
    // Prepare
    const name = uniqueName('topic');

    // Act
    const created = await env.admin.createTopic(name, 3, { 'retention.ms': '60000', 'max.message.bytes': 2048 });
    await produceValues(env.http, name, 1, ['a', 'b', 'c']);
    const listed = await env.admin.listTopics();
    const described = await env.admin.describeTopic(name);

    // Assess
    expect(created).toMatchObject({ name, partitions: 3 });
    expect(listed.map((t) => t.name)).toContain(name);
    expect(described.configs).toMatchObject({ 'retention.ms': 60000, 'retention.bytes': -1, 'max.message.bytes': 2048, 'cleanup.policy': 'delete' });
    expect(described.partitionDetails).toEqual([
      { partition: 0, logStartOffset: 0, highWatermark: 0, bytes: 0 },
      { partition: 1, logStartOffset: 0, highWatermark: 3, bytes: batchOf(['a', 'b', 'c']).length },
      { partition: 2, logStartOffset: 0, highWatermark: 0, bytes: 0 },
    ]);
  });

  it('tells the configs set on the topic from the defaults (overrides), through create, alter and list', async () => {
    // Prepare
    const [name, plain] = [uniqueName('overrides'), uniqueName('plain')];
    await env.admin.createTopic(name, 1, { 'retention.ms': 60_000, 'max.message.bytes': 1_048_588 }); // the second at its default value
    await env.admin.createTopic(plain, 1);

    // Act
    const altered = await env.admin.alterTopicConfigs(name, { 'segment.ms': 3_600_000 });
    const described = await env.admin.describeTopic(name);
    const listed = await env.admin.listTopics();

    // Assess: a config set to its default value is still set on the topic, as in Kafka
    expect([...(altered.overrides ?? [])].sort()).toEqual(['max.message.bytes', 'retention.ms', 'segment.ms']);
    expect([...(described.overrides ?? [])].sort()).toEqual(['max.message.bytes', 'retention.ms', 'segment.ms']);
    expect(listed.find((t) => t.name === plain)?.overrides).toEqual([]);
  });

  it('takes partitions null or left out as the default of 1, as Kafka\'s -1', async () => {
    // Prepare
    const [withNull, without] = [uniqueName('null'), uniqueName('none')];

    // Act
    const created = await Promise.all([
      env.http.callJson<{ partitions: number }>('admin', 'POST', '/v1/topics', { name: withNull, partitions: null }),
      env.http.callJson<{ partitions: number }>('admin', 'POST', '/v1/topics', { name: without }),
    ]);

    // Assess
    expect(created.map((t) => t.partitions)).toEqual([1, 1]);
  });

  it('alters cleanup.policy and the compaction configs over HTTP; a bad value is INVALID_CONFIG and changes nothing', async () => {
    // Prepare
    const name = uniqueName('cfg');
    await env.admin.createTopic(name, 1, { 'cleanup.policy': 'compact', 'delete.retention.ms': '5000' });

    // Act
    const altered = await env.admin.alterTopicConfigs(name, { 'cleanup.policy': 'delete,compact', 'min.compaction.lag.ms': 100 });
    const refused = await env.admin.alterTopicConfigs(name, { 'max.compaction.lag.ms': 50, 'retention.ms': 1000 }).catch((e: { code?: string }) => e.code);
    const described = await env.admin.describeTopic(name);

    // Assess
    expect(altered.configs).toMatchObject({ 'cleanup.policy': 'compact,delete', 'delete.retention.ms': 5000, 'min.compaction.lag.ms': 100 });
    expect(refused).toBe('INVALID_CONFIG');
    expect(described.configs).toEqual(altered.configs);
  });

  it('takes a config given as null back to its default and off the topic\'s overrides (Kafka\'s DELETE), leaving the others set', async () => {
    // Prepare
    const name = uniqueName('cfg-del');
    await env.admin.createTopic(name, 1, { 'retention.ms': 1000, 'retention.bytes': 5000 });

    // Act
    const altered = await env.admin.alterTopicConfigs(name, { 'retention.ms': null, 'delete.retention.ms': 7000 });
    const unknown = await env.admin.alterTopicConfigs(name, { 'retention.size': null }).catch((e: { code?: string }) => e.code);
    const stored = await getTopic(env.cluster.deps!, name);

    // Assess
    expect(altered.configs).toMatchObject({ 'retention.ms': 604800000, 'retention.bytes': 5000, 'delete.retention.ms': 7000 });
    expect(stored && overridesOf(stored)).toEqual(['retention.bytes', 'delete.retention.ms']);
    expect(unknown).toBe('INVALID_CONFIG');
  });

  it('concurrent alters of one topic\'s configs all land: none writes over another\'s change', async () => {
    // Prepare
    const name = uniqueName('cfgrace');
    await env.admin.createTopic(name, 1);
    const changes: Array<Record<string, number>> = [{ 'retention.ms': 61_000 }, { 'max.message.bytes': 4096 }, { 'delete.retention.ms': 7000 }, { 'min.compaction.lag.ms': 50 }, { 'segment.ms': 900_000 }];

    // Act
    const settled = await Promise.allSettled(changes.map((c) => env.admin.alterTopicConfigs(name, c)));
    const described = await env.admin.describeTopic(name);

    // Assess
    expect(settled.map((r) => r.status)).toEqual(changes.map(() => 'fulfilled'));
    expect(described.configs).toMatchObject(Object.assign({}, ...changes));
  });

  it('refuses records without a key on a compacted topic, as a Kafka broker does', async () => {
    // Prepare
    const name = uniqueName('keyless');
    await env.admin.createTopic(name, 1, { 'cleanup.policy': 'compact' });

    // Act
    const refused = await produceValues(env.http, name, 0, ['no key']);
    const described = await env.admin.describeTopic(name);

    // Assess
    expect(refused.errorCode).toBe('INVALID_RECORD');
    expect(described.partitionDetails[0]?.highWatermark).toBe(0);
  });

  it('gives topics created without retention.ms the deployment default (FLOE_DEFAULT_RETENTION_MS)', async () => {
    // Prepare
    const custom = await startTestCluster({ config: { defaultRetentionMs: 3_600_000 } });
    const customAdmin = new Admin({ bootstrap: custom.url });

    // Act
    const defaulted = await customAdmin.createTopic(uniqueName('ret'), 1);
    const explicit = await customAdmin.createTopic(uniqueName('ret'), 1, { 'retention.ms': 5000 });
    await custom.close();

    // Assess
    expect(defaulted.configs['retention.ms']).toBe(3_600_000);
    expect(explicit.configs['retention.ms']).toBe(5000);
  });

  it('enforces a topic max.message.bytes on produce', async () => {
    // Prepare
    const name = uniqueName('small');
    await env.admin.createTopic(name, 1, { 'max.message.bytes': 512 });

    // Act
    const tooBig = await produceValues(env.http, name, 0, ['x'.repeat(600)]);
    const fits = await produceValues(env.http, name, 0, ['x'.repeat(100)]);

    // Assess
    expect(tooBig.errorCode).toBe('MESSAGE_TOO_LARGE');
    expect(fits).toMatchObject({ errorCode: 'NONE', baseOffset: 0 });
  });

  it('adds partitions that take writes at once, and keeps the existing ones', async () => {
    // Prepare
    const name = uniqueName('grow');
    await env.admin.createTopic(name, 1);
    await produceValues(env.http, name, 0, ['old']);

    // Act
    const grown = await env.admin.createPartitions(name, 4);
    const onNew = await produceValues(env.http, name, 3, ['new']);

    // Assess
    expect(grown.partitions).toBe(4);
    expect(onNew).toMatchObject({ errorCode: 'NONE', baseOffset: 0 });
    expect(values(await readPartition(env.http, name, 0))).toEqual(['old']);
  });

  it('an add of partitions that loses a race to another leaves the winner\'s new partitions and their records alone', async () => {
    // Prepare: the loser reads the topic (1 partition), then stalls before writing its heads
    const name = uniqueName('race');
    await env.admin.createTopic(name, 1);
    const deps = env.cluster.deps!;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let stalled!: () => void;
    const atHeads = new Promise<void>((resolve) => (stalled = resolve));
    const send = deps.dynamo.send.bind(deps.dynamo) as (command: unknown) => Promise<unknown>;
    const stalling = {
      send: async (command: { constructor: { name: string } }) => {
        if (command.constructor.name === 'PutCommand' || command.constructor.name === 'BatchWriteCommand') {
          stalled();
          await gate;
        }
        return send(command);
      },
    };
    const loser = addPartitions({ ...deps, dynamo: stalling as unknown as typeof deps.dynamo }, name, 4).then(
      () => 'added',
      (error: { code?: string }) => error.code,
    );
    await atHeads;

    // Act: the winner adds two partitions and partition 2 takes records; then the loser goes on
    await env.admin.createPartitions(name, 3);
    const produced = await produceValues(env.http, name, 2, ['a', 'b', 'c']);
    release();
    const outcome = await loser;

    // Assess
    expect(produced.errorCode).toBe('NONE');
    expect(outcome).toBe('REBALANCE_IN_PROGRESS');
    expect((await env.admin.describeTopic(name)).partitionDetails.map((p) => p.highWatermark)).toEqual([0, 0, 3]);
    expect(values(await readPartition(env.http, name, 2))).toEqual(['a', 'b', 'c']);
  });

  it('a create that loses to another of the same name leaves none of its partition heads behind', async () => {
    // Prepare: the loser writes its heads under its new topic id, then stalls before the topic item
    const name = uniqueName('createrace');
    const deps = env.cluster.deps!;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let stalled!: () => void;
    const atTopicItem = new Promise<void>((resolve) => (stalled = resolve));
    const loserHeads: Array<Record<string, unknown>> = [];
    const send = deps.dynamo.send.bind(deps.dynamo) as (command: unknown) => Promise<unknown>;
    const stalling = {
      send: async (command: unknown) => {
        if (command instanceof BatchWriteCommand) {
          for (const requests of Object.values(command.input.RequestItems ?? {})) for (const r of requests) if (r.PutRequest?.Item) loserHeads.push(r.PutRequest.Item);
        }
        if (command instanceof PutCommand && command.input.Item?.pk === 'topic') {
          stalled();
          await gate;
        }
        return send(command);
      },
    };
    const loser = createTopic({ ...deps, dynamo: stalling as unknown as typeof deps.dynamo }, name, 3).then(
      () => 'created',
      (error: { code?: string }) => error.code,
    );
    await atTopicItem;

    // Act
    const winner = await env.admin.createTopic(name, 1);
    release();
    const outcome = await loser;

    // Assess
    expect(outcome).toBe('TOPIC_ALREADY_EXISTS');
    expect(loserHeads).toHaveLength(3);
    for (const head of loserHeads) {
      const { Item } = await deps.dynamo.send(new GetCommand({ TableName: deps.logTable, Key: { pk: head.pk, sk: head.sk }, ConsistentRead: true }));
      expect(Item).toBeUndefined();
    }
    expect((await env.admin.describeTopic(name)).topicId).toBe(winner.topicId);
  });

  it('a create whose topic write landed but whose answer was lost (the client retries it) answers the topic, which takes records', async () => {
    // Prepare: the topic item's put lands, its answer is lost, and the retry finds the item there
    const name = uniqueName('lostcreate');
    const deps = env.cluster.deps!;
    const send = deps.dynamo.send.bind(deps.dynamo) as (command: unknown) => Promise<unknown>;
    const losing = {
      send: async (command: unknown) => {
        if (command instanceof PutCommand && command.input.Item?.pk === 'topic') await send(command);
        return send(command);
      },
    };

    // Act
    const outcome = await createTopic({ ...deps, dynamo: losing as unknown as typeof deps.dynamo }, name, 2).then(
      (topic) => topic.partitions,
      (error: { code?: string }) => error.code,
    );
    const produced = await produceValues(env.http, name, 1, ['a']);

    // Assess
    expect(outcome).toBe(2);
    expect(produced).toMatchObject({ errorCode: 'NONE', baseOffset: 0 });
  });

  it('an add of partitions whose write landed but whose answer was lost (the client retries it) answers the topic', async () => {
    // Prepare: the partition count's update lands, its answer is lost, and the retry finds the count changed
    const name = uniqueName('lostadd');
    await env.admin.createTopic(name, 1);
    const deps = env.cluster.deps!;
    const send = deps.dynamo.send.bind(deps.dynamo) as (command: unknown) => Promise<unknown>;
    const losing = {
      send: async (command: unknown) => {
        if (command instanceof UpdateCommand && command.input.Key?.pk === 'topic') await send(command);
        return send(command);
      },
    };

    // Act
    const outcome = await addPartitions({ ...deps, dynamo: losing as unknown as typeof deps.dynamo }, name, 3).then(
      (topic) => topic.partitions,
      (error: { code?: string }) => error.code,
    );

    // Assess
    expect(outcome).toBe(3);
    expect((await env.admin.describeTopic(name)).partitionDetails).toHaveLength(3);
  });

  it('a delete whose write landed but whose answer was lost (the client retries it) still deletes the heads: no append lands in the deleted topic', async () => {
    // Prepare: a handler instance that cached the topic; the topic item's delete lands, its answer is lost, the retry finds nothing
    const name = uniqueName('lostdelete');
    await env.admin.createTopic(name, 2);
    const cached = createHandlerDeps(env.cluster.config);
    const produceOne = async (value: string) =>
      (await produce(cached, { acks: -1, timeoutMs: 10_000, topics: [{ topic: name, partitions: [{ partition: 1, records: batchOf([value]) }] }] }))[0]?.partitions[0];
    await produceOne('before');
    const deps = env.cluster.deps!;
    const send = deps.dynamo.send.bind(deps.dynamo) as (command: unknown) => Promise<unknown>;
    const losing = {
      send: async (command: unknown) => {
        if (command instanceof DeleteCommand && command.input.Key?.pk === 'topic') await send(command);
        return send(command);
      },
    };

    // Act
    const outcome = await deleteTopic({ ...deps, dynamo: losing as unknown as typeof deps.dynamo }, name).then(
      () => 'deleted',
      (error: { code?: string }) => error.code,
    );
    const after = await produceOne('after');

    // Assess: Kafka answers a retried delete UNKNOWN_TOPIC_OR_PARTITION too; what matters is that the topic is gone
    expect(outcome).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(after?.errorCode).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    cached.clients.dynamo.destroy();
    cached.clients.s3.destroy();
  });

  it('deletes a topic; a topic re-created with the same name starts empty', async () => {
    // Prepare
    const name = uniqueName('gone');
    await env.admin.createTopic(name, 2);
    await produceValues(env.http, name, 0, ['before']);

    // Act
    await env.admin.deleteTopic(name);
    const afterDelete = await produceValues(env.http, name, 0, ['into the void']);
    await env.admin.createTopic(name, 1);
    const fresh = await produceValues(env.http, name, 0, ['again']);

    // Assess
    expect(afterDelete.errorCode).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect((await env.admin.listTopics()).filter((t) => t.name === name)).toHaveLength(1);
    expect(fresh.baseOffset).toBe(0);
    expect(values(await readPartition(env.http, name, 0))).toEqual(['again']);
  });

  it('a handler instance that cached a deleted topic reads the new one of that name after one failed request, not after its cache age', async () => {
    // Prepare: a second handler instance (as another Lambda) caches the topic by producing and fetching
    const name = uniqueName('again');
    await env.admin.createTopic(name, 2);
    const other = createHandlerDeps(env.cluster.config);
    const produceOne = async (value: string) =>
      (await produce(other, { acks: -1, timeoutMs: 10_000, topics: [{ topic: name, partitions: [{ partition: 0, records: batchOf([value]) }] }] }))[0]?.partitions[0];
    const fetchZero = async () =>
      (await fetchRecords(other, { maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, topics: [{ topic: name, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }] }))[0]?.partitions[0];
    await produceOne('old');
    await fetchZero();

    // Act: deleted and created again through the admin, which only its own instance's cache hears of
    await env.admin.deleteTopic(name);
    await env.admin.createTopic(name, 1);
    const firstProduce = await produceOne('lost');
    const secondProduce = await produceOne('new');
    await env.admin.deleteTopic(name);
    await env.admin.createTopic(name, 1);
    await produceValues(env.http, name, 0, ['newest']);
    const firstFetch = await fetchZero();
    const secondFetch = await fetchZero();

    // Assess
    expect(firstProduce?.errorCode).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(secondProduce).toMatchObject({ errorCode: 'NONE', baseOffset: 0 });
    expect(firstFetch?.errorCode).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(secondFetch).toMatchObject({ errorCode: 'NONE', highWatermark: 1 });
    other.clients.dynamo.destroy();
    other.clients.s3.destroy();
  });

  it('an offset lookup on a handler instance that cached a deleted topic answers for the new one of that name at once', async () => {
    // Prepare: a second handler instance caches the topic by looking up its end
    const name = uniqueName('again-offsets');
    await env.admin.createTopic(name, 2);
    const other = createHandlerDeps(env.cluster.config);
    await produceValues(env.http, name, 0, ['old', 'old']);
    const before = await listOffset(other, name, 0, LATEST);

    // Act: deleted and created again through the admin, which only its own instance's cache hears of
    await env.admin.deleteTopic(name);
    await env.admin.createTopic(name, 1);
    await produceValues(env.http, name, 0, ['new']);
    const after = await listOffset(other, name, 0, LATEST);

    // Assess
    expect(before).toMatchObject({ errorCode: 'NONE', offset: 2 });
    expect(after).toMatchObject({ errorCode: 'NONE', offset: 1 });
    other.clients.dynamo.destroy();
    other.clients.s3.destroy();
  });

  it('refuses a name that differs from an existing one only by \'.\' against \'_\', as Kafka does, and creates nothing', async () => {
    // Prepare
    const underscore = `${uniqueName('col')}_x`;
    const dotted = underscore.replace(/_x$/, '.x');
    // Seven separators: past the names asked for by key, the topic list is read
    const manyDots = `${uniqueName('col')}.a.b.c.d.e.f.g`;
    const mixed = manyDots.replace('.a.b', '_a_b');
    await env.admin.createTopic(underscore, 1);
    await env.admin.createTopic(manyDots, 1);

    // Act
    const refused = await env.admin.createTopic(dotted, 2).catch((e: { code?: string; message?: string }) => [e.code, e.message]);
    const refusedMany = await env.admin.createTopic(mixed, 1).catch((e: { code?: string }) => e.code);

    // Assess
    expect(refused).toEqual(['INVALID_TOPIC_EXCEPTION', `topic "${dotted}" collides with existing topic "${underscore}" ('.' and '_' count as the same character)`]);
    expect(refusedMany).toBe('INVALID_TOPIC_EXCEPTION');
    expect((await env.admin.listTopics()).map((t) => t.name)).not.toEqual(expect.arrayContaining([dotted]));
    expect((await env.admin.listTopics()).map((t) => t.name)).not.toEqual(expect.arrayContaining([mixed]));
  });

  it('metadata reports unknown topics per topic', async () => {
    // Prepare
    const known = uniqueName('known');
    await env.admin.createTopic(known, 2);

    // Act
    const meta = await env.admin.metadata([known, 'missing-topic-x']);

    // Assess
    expect(meta.map((t) => [t.name, t.errorCode])).toEqual([
      [known, 'NONE'],
      ['missing-topic-x', 'UNKNOWN_TOPIC_OR_PARTITION'],
    ]);
    expect(meta[0]?.partitions).toBe(2);
    expect(LIMITS.maxPartitionsPerTopic).toBeGreaterThanOrEqual(1024);
  });
});
