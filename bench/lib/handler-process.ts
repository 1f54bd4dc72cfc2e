/**
 * One handler process for the scaling and memory benches: a metered local
 * cluster against a shared storage, controlled over stdin/stdout with JSON lines.
 *   argv: <dynamoEndpoint> <s3Endpoint> [cacheBytes]
 *   prints {"url": ...} once ready; then answers each stdin line:
 *     "stats" → {"snapshot": MeterSnapshot, "rss": bytes, "maxRss": bytes, "heapUsed": bytes}
 */
import { createInterface } from 'node:readline';
import { startMeteredCluster } from './metered-cluster.js';

const [dynamoEndpoint, s3Endpoint, cacheBytes] = process.argv.slice(2);
if (!dynamoEndpoint || !s3Endpoint) {
  process.stderr.write('usage: handler-process.ts <dynamoEndpoint> <s3Endpoint>\n');
  process.exit(2);
}
const metered = await startMeteredCluster({ storage: { dynamoEndpoint, s3Endpoint }, cacheBytes: cacheBytes === undefined ? undefined : Number(cacheBytes) });
process.stdout.write(`${JSON.stringify({ url: metered.cluster.url })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === 'stats') {
    const memory = process.memoryUsage();
    process.stdout.write(
      `${JSON.stringify({ snapshot: metered.snapshot(), rss: memory.rss, maxRss: process.resourceUsage().maxRSS * 1024, heapUsed: memory.heapUsed, external: memory.external })}\n`,
    );
  }
}
await metered.close();
process.exit(0);
