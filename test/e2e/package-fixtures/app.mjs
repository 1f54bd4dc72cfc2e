// The README's SDK snippet as it runs in an application of its own (node app.mjs).
import { Admin, Consumer, Deserializers, Producer } from '@floe/client';

const bootstrap = process.env.FLOE_BOOTSTRAP ?? 'http://127.0.0.1:9092';
const topic = process.env.TOPIC ?? 'clicks';

await new Admin({ bootstrap }).createTopic(topic, 3).catch((error) => {
  if (error.code !== 'TOPIC_ALREADY_EXISTS') throw error;
});

const producer = new Producer({ bootstrap, keySerializer: 'string', valueSerializer: 'json' });
const meta = await producer.send({ topic, key: 'alice', value: { page: '/home' } });
console.log(`sent to partition ${meta.partition} at offset ${meta.offset}`);
await producer.close();

const consumer = new Consumer({
  bootstrap,
  groupId: 'dashboards',
  autoOffsetReset: 'earliest', // a new group starts at the beginning, so it sees the record just sent
  keyDeserializer: Deserializers.string,
  valueDeserializer: Deserializers.string,
});
consumer.subscribe([topic]);
const records = await consumer.poll(10_000);
for (const record of records) console.log(record.partition, record.offset, record.key, record.value);
await consumer.close();
