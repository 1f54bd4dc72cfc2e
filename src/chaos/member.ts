/**
 * A consumer-group member for chaos runs, in its own process so the runner can
 * kill -9 it or SIGSTOP it past its session timeout.
 * Run: node --import tsx member.ts '<json MemberOptions>'
 * Prints one JSON line per event on stdout (pipes are synchronous on Linux, so a
 * line printed before a commit is never lost to a kill after it):
 * {e:'assigned'|'revoked'|'lost', ps:[...]}, {e:'r', t, p, o, id, g} per record
 * (g = the partition's claim epoch: the server's fencing token for one period of
 * ownership, see docs/consumer-groups.md), {e:'commit-failed', code}.
 */
import { FloeError, partitionKey, sleep } from '@floe/protocol';
import { Consumer, Deserializers, type TopicPartition } from '@floe/client';

export interface MemberOptions {
  bootstrap: string;
  groupId: string;
  topics: string[];
  name: string;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as MemberOptions;
const emit = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);
const names = (tps: TopicPartition[]) => tps.map((tp) => `${tp.topic}/${tp.partition}`);

const consumer = new Consumer({
  bootstrap: options.bootstrap,
  groupId: options.groupId,
  clientId: options.name,
  autoOffsetReset: 'earliest',
  enableAutoCommit: false,
  sessionTimeoutMs: options.sessionTimeoutMs,
  heartbeatIntervalMs: options.heartbeatIntervalMs,
  maxPollRecords: 200,
  fetchMaxWaitMs: 200,
  requestTimeoutMs: 10_000,
  keyDeserializer: Deserializers.string,
  valueDeserializer: Deserializers.string,
});

/**
 * The claim epoch of a partition. Not public on the Consumer: read from its membership.
 * The member epoch is no generation per partition: a member moves to the new group
 * epoch while it still holds the partitions it is about to revoke.
 */
const claimEpoch = (topic: string, partition: number): number | null =>
  (consumer as unknown as { membership?: { epochOf(key: string): number | undefined } }).membership?.epochOf(partitionKey(topic, partition)) ?? null;

let stopping = false;
process.on('SIGTERM', () => (stopping = true));

consumer.subscribe(options.topics, {
  onPartitionsAssigned: (tps) => {
    emit({ e: 'assigned', ps: names(tps), g: consumer.groupMetadata().memberEpoch });
  },
  onPartitionsRevoked: async (tps) => {
    // commit what was processed before giving the partitions up (as a careful Kafka consumer does)
    await consumer.commitSync().catch((error: unknown) => emit({ e: 'commit-failed', code: error instanceof FloeError ? error.code : String(error) }));
    emit({ e: 'revoked', ps: names(tps) });
  },
  onPartitionsLost: (tps) => {
    emit({ e: 'lost', ps: names(tps) });
  },
});

emit({ e: 'ready', pid: process.pid });
while (!stopping) {
  let records;
  try {
    records = await consumer.poll(200);
  } catch (error) {
    emit({ e: 'poll-failed', code: error instanceof FloeError ? error.code : String(error) });
    await sleep(200);
    continue;
  }
  for (const r of records) emit({ e: 'r', t: r.topic, p: r.partition, o: r.offset, id: r.value, g: claimEpoch(r.topic, r.partition), me: consumer.groupMetadata().memberEpoch });
  if (records.length > 0) {
    await consumer.commitSync().catch((error: unknown) => emit({ e: 'commit-failed', code: error instanceof FloeError ? error.code : String(error) }));
  }
}
await consumer.close().catch(() => undefined);
emit({ e: 'closed' });
process.exit(0);
