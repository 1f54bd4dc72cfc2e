/**
 * npm run chaos -- --seed N --minutes M [--handlers H --members C --producer sdk|raw]: one chaos run on its own local storage.
 * --authorization acl: every client a restricted principal, every request checked against ACLs.
 * --kafka: the Kafka-client mode (kafkajs against `floe gateway` processes; --gateways G).
 * --compacted: the compacted-topic mode (keyed records while housekeeping compacts, some passes killed at crash points).
 */
import { parseArgs } from 'node:util';
import { setLocalCredentials } from '../local/cluster.js';
import { ensureStorage, localConfig, startStorage } from '../local/storage.js';
import { formatSummary, runChaos, type ChaosSummary } from './runner.js';

const { values } = parseArgs({
  options: { producer: { type: 'string', default: 'sdk' }, seed: { type: 'string', default: '1' }, minutes: { type: 'string', default: '1' }, handlers: { type: 'string' }, members: { type: 'string' }, json: { type: 'boolean' }, history: { type: 'string' }, verbose: { type: 'boolean' }, kafka: { type: 'boolean' }, compacted: { type: 'boolean' }, gateways: { type: 'string' }, authorization: { type: 'string' } },
});
setLocalCredentials();
// exit (and so kill every child process) on Ctrl-C or SIGTERM
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
const storage = await startStorage();
await ensureStorage(localConfig(storage));
const common = {
  seed: Number(values.seed),
  durationMs: Number(values.minutes) * 60_000,
  storage,
  members: values.members ? Number(values.members) : undefined,
  historyFile: values.history,
  log: values.verbose ? (line: string) => console.error(`[${new Date().toISOString()}] ${line}`) : undefined,
};
if (values.compacted) {
  const { formatCompactedSummary, runCompactedChaos } = await import('./compacted.js');
  const compacted = await runCompactedChaos(common);
  console.log(values.json ? JSON.stringify(compacted) : formatCompactedSummary(compacted));
  await storage.close();
  process.exit(compacted.ok ? 0 : 1);
}
let summary: ChaosSummary;
let extras = '';
if (values.kafka) {
  const { formatKafkaExtras, runKafkaChaos } = await import('./kafka/runner.js');
  const kafka = await runKafkaChaos({ ...common, gateways: values.gateways ? Number(values.gateways) : undefined });
  summary = kafka;
  extras = `\n${formatKafkaExtras(kafka)}`;
} else {
  summary = await runChaos({ ...common, handlers: values.handlers ? Number(values.handlers) : undefined, producer: values.producer === 'raw' ? 'raw' : 'sdk', authorization: values.authorization === 'acl' });
}
console.log(values.json ? JSON.stringify(summary) : formatSummary(summary) + extras);
await storage.close();
process.exit(summary.ok ? 0 : 1);
