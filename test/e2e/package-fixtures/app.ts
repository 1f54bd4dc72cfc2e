// An application compiled against the published types (strict, skipLibCheck: false).
import { Admin, Consumer, Deserializers, FloeError, Producer, type ConsumerRecord, type RecordMetadata } from '@floe/client';

interface Click {
  page: string;
}

export async function roundTrip(bootstrap: string, topic: string): Promise<Array<ConsumerRecord<string | null, string | null>>> {
  await new Admin({ bootstrap }).createTopic(topic, 1).catch((error: unknown) => {
    if (!(error instanceof FloeError) || error.code !== 'TOPIC_ALREADY_EXISTS') throw error;
  });
  const producer = new Producer<string, Click>({ bootstrap, keySerializer: 'string', valueSerializer: 'json', lingerMs: 5 });
  const meta: RecordMetadata = await producer.send({ topic, key: 'k', value: { page: '/' } });
  const offset: number = meta.offset;
  await producer.close();
  const consumer = new Consumer<string | null, string | null>({ bootstrap, keyDeserializer: Deserializers.string, valueDeserializer: Deserializers.string });
  consumer.assign([{ topic, partition: meta.partition }]);
  consumer.seek({ topic, partition: meta.partition }, offset);
  const records = await consumer.poll(1000);
  await consumer.close();
  return records;
}

/** Callbacks get Floe's errors, with their code and whether a retry may help. */
export function withCallbacks(producer: Producer<string, string>, consumer: Consumer<string, string>, topic: string): void {
  producer.send({ topic, value: 'v' }, (meta, error) => {
    if (error) console.error(error.code, error.retriable);
    else console.log(meta?.offset);
  });
  consumer.commitAsync((error, offsets) => {
    if (error) console.error(error.code, error.retriable, offsets.length);
  });
}
