/**
 * A kafkajs idempotent producer for the Kafka chaos mode, in its own process so the runner can
 * kill -9 it. Run: node --import tsx producer-worker.ts '<json ProducerWorkerOptions>'
 * Each round sends one request holding a batch for some partitions (explicit partitions, keys
 * `<topic>.<p>.k<i>`, values the record ids `<name>/<key>/<n>` the checker reads). kafkajs retries
 * retriable errors forever with the same sequence numbers, so an acknowledged send is final.
 * Prints JSON lines: {e:'ready'}, {e:'ack', t, p, o, id} per record, {e:'send-failed', code},
 * {e:'reinit'} after a fatal error (a new producer id; ids keep counting, never reused).
 */
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { seededRandom } from '../../faults/random.js';

export interface ProducerWorkerOptions {
  brokers: string[];
  name: string;
  topics: Array<{ topic: string; partitions: number }>;
  keysPerPartition: number;
  seed: number;
  /** records per partition batch are 1..this (default 5) */
  maxBatchRecords?: number;
  /** pause between rounds (default 20 ms) */
  pauseMs?: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as ProducerWorkerOptions;
const emit = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);
const random = seededRandom(options.seed);
const counters = new Map<string, number>();
const kafka = new Kafka({
  clientId: options.name,
  brokers: options.brokers,
  logLevel: logLevel.NOTHING,
  connectionTimeout: 3000,
  requestTimeout: 15_000,
  retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: 20 },
});

async function newProducer(): Promise<Producer> {
  // One request in flight: kafkajs does not keep order across several with idempotence.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  return producer;
}

/** One batch per chosen partition: the ids it will carry, in order. */
function nextRound(): Array<{ topic: string; partition: number; ids: string[] }> {
  const round: Array<{ topic: string; partition: number; ids: string[] }> = [];
  for (const { topic, partitions } of options.topics) {
    for (let partition = 0; partition < partitions; partition++) {
      if (random() < 0.5) continue;
      const count = 1 + Math.floor(random() * (options.maxBatchRecords ?? 5));
      const ids = Array.from({ length: count }, () => {
        const key = `${topic}.${partition}.k${Math.floor(random() * options.keysPerPartition)}`;
        const n = counters.get(key) ?? 0;
        counters.set(key, n + 1);
        return `${options.name}/${key}/${n}`;
      });
      round.push({ topic, partition, ids });
    }
  }
  return round;
}

let stopping = false;
process.on('SIGTERM', () => (stopping = true));

let producer = await newProducer();
emit({ e: 'ready', pid: process.pid });
while (!stopping) {
  const round = nextRound();
  if (round.length === 0) continue;
  const byTopic = new Map<string, Array<{ key: string; value: string; partition: number }>>();
  for (const { topic, partition, ids } of round) {
    const messages = ids.map((id) => ({ key: id.split('/')[1] ?? '', value: id, partition }));
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), ...messages]);
  }
  try {
    const metadata = await producer.sendBatch({ acks: -1, timeout: 10_000, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
    for (const { topic, partition, ids } of round) {
      const answer = metadata.find((m) => m.topicName === topic && m.partition === partition);
      if (!answer || answer.errorCode !== 0) {
        emit({ e: 'send-failed', code: `no answer or error ${answer?.errorCode} for ${topic}/${partition}` });
        continue;
      }
      const base = Number(answer.baseOffset);
      ids.forEach((id, i) => emit({ e: 'ack', t: topic, p: partition, o: base + i, id }));
    }
  } catch (error) {
    // Not retriable (kafkajs retried the rest): this producer id is done; the records may or may not be in the log.
    emit({ e: 'send-failed', code: (error as { type?: string }).type ?? String(error) });
    await producer.disconnect().catch(() => undefined);
    producer = await newProducer().catch(async () => {
      await new Promise((r) => setTimeout(r, 500));
      return newProducer();
    });
    emit({ e: 'reinit' });
  }
  await new Promise((r) => setTimeout(r, options.pauseMs ?? 20));
}
await producer.disconnect().catch(() => undefined);
emit({ e: 'closed' });
process.exit(0);
