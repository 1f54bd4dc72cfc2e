/** npm run chaos -- --seed N --minutes M [--handlers H --members C --producer sdk|raw]: one chaos run on its own local storage. */
import { parseArgs } from 'node:util';
import { setLocalCredentials } from '../local/cluster.js';
import { ensureStorage, localConfig, startStorage } from '../local/storage.js';
import { formatSummary, runChaos } from './runner.js';

const { values } = parseArgs({
  options: { producer: { type: 'string', default: 'sdk' }, seed: { type: 'string', default: '1' }, minutes: { type: 'string', default: '1' }, handlers: { type: 'string' }, members: { type: 'string' }, json: { type: 'boolean' }, history: { type: 'string' }, verbose: { type: 'boolean' } },
});
setLocalCredentials();
// exit (and so kill every child process) on Ctrl-C or SIGTERM
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
const storage = await startStorage();
await ensureStorage(localConfig(storage));
const summary = await runChaos({
  seed: Number(values.seed),
  durationMs: Number(values.minutes) * 60_000,
  storage,
  handlers: values.handlers ? Number(values.handlers) : undefined,
  members: values.members ? Number(values.members) : undefined,
  historyFile: values.history,
  producer: values.producer === 'raw' ? 'raw' : 'sdk',
  log: values.verbose ? (line) => console.error(`[${new Date().toISOString()}] ${line}`) : undefined,
});
console.log(values.json ? JSON.stringify(summary) : formatSummary(summary));
await storage.close();
process.exit(summary.ok ? 0 : 1);
