// The same SDK from CommonJS: require() of the ESM package (Node >= 20.19).
const { Consumer, Deserializers, Producer } = require('@floe/client');

async function main() {
  const bootstrap = process.env.FLOE_BOOTSTRAP;
  const topic = process.env.TOPIC;
  const producer = new Producer({ bootstrap, valueSerializer: 'string' });
  for (const value of ['one', 'two', 'three']) await producer.send({ topic, partition: 0, value });
  await producer.close();
  const consumer = new Consumer({ bootstrap, valueDeserializer: Deserializers.string });
  consumer.assign([{ topic, partition: 0 }]);
  consumer.seekToBeginning([{ topic, partition: 0 }]);
  const values = [];
  for (let i = 0; i < 10 && values.length < 3; i++) for (const r of await consumer.poll(2000)) values.push(r.value);
  await consumer.close();
  console.log(JSON.stringify(values));
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
