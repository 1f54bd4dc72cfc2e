/**
 * A kafkajs group consumer for the Kafka chaos mode, in its own process so the runner can kill -9
 * it or SIGSTOP it past its session timeout. Run: node --import tsx consumer-worker.ts '<json ConsumerWorkerOptions>'
 * Commits after each batch it has printed (manual commits, no auto-commit), so a record is
 * committed only once its line is out (pipes are synchronous on Linux: a kill cannot lose it).
 * Prints JSON lines: {e:'assigned', ps}, {e:'r', t, p, o, id, g} per record (g: the group
 * generation from the last heartbeat, null between a join and the next heartbeat),
 * {e:'commit-failed', code}, {e:'crash', code}.
 */
import { Kafka, logLevel } from 'kafkajs';

export interface ConsumerWorkerOptions {
  brokers: string[];
  groupId: string;
  topics: string[];
  name: string;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as ConsumerWorkerOptions;
const emit = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);
const kafka = new Kafka({
  clientId: options.name,
  brokers: options.brokers,
  logLevel: logLevel.NOTHING,
  connectionTimeout: 3000,
  requestTimeout: 15_000,
  retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: 50 },
});
const consumer = kafka.consumer({
  groupId: options.groupId,
  sessionTimeout: options.sessionTimeoutMs,
  heartbeatInterval: options.heartbeatIntervalMs,
  rebalanceTimeout: options.rebalanceTimeoutMs,
  maxWaitTimeInMs: 500,
  allowAutoTopicCreation: false,
});

/** The generation this member is in, as its last heartbeat named it; null right after a (re)join. */
let generation: number | null = null;
consumer.on(consumer.events.GROUP_JOIN, (event) => {
  generation = null;
  const assigned = Object.entries(event.payload.memberAssignment).flatMap(([topic, partitions]) => (partitions as number[]).map((p) => `${topic}/${p}`));
  emit({ e: 'assigned', ps: assigned });
});
consumer.on(consumer.events.HEARTBEAT, (event) => {
  generation = event.payload.groupGenerationId;
});
consumer.on(consumer.events.CRASH, (event) => {
  emit({ e: 'crash', code: String(event.payload.error?.name ?? event.payload.error) });
});

let stopping = false;
process.on('SIGTERM', () => {
  stopping = true;
  void consumer.disconnect().finally(() => {
    emit({ e: 'closed' });
    process.exit(0);
  });
});

await consumer.connect();
await consumer.subscribe({ topics: options.topics, fromBeginning: true });
emit({ e: 'ready', pid: process.pid });
await consumer.run({
  autoCommit: false,
  eachBatchAutoResolve: false,
  eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
    let last: string | undefined;
    for (const message of batch.messages) {
      if (stopping || !isRunning() || isStale()) break;
      emit({ e: 'r', t: batch.topic, p: batch.partition, o: Number(message.offset), id: message.value?.toString('utf8') ?? '', g: generation });
      resolveOffset(message.offset);
      last = message.offset;
    }
    if (last === undefined) return;
    try {
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(Number(last) + 1) }]);
    } catch (error) {
      // A member fenced by a rebalance: the new owner re-reads from the last good commit.
      emit({ e: 'commit-failed', code: (error as { type?: string }).type ?? String(error) });
    }
    await heartbeat().catch(() => undefined);
  },
});
