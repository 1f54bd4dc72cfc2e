/**
 * A local cluster with every meter the cost model needs: S3 requests below the
 * cache (deps.s3.stats), DynamoDB requests and request units (CapacityMeter),
 * and per-function invocations with their wall time as Lambda would bill it
 * (rounded up to 1 ms each). Optionally with a storage latency model installed
 * on the handler's AWS clients (src/faults/storage-faults.ts).
 */
import { StorageFaults } from '../../src/faults/storage-faults.js';
import type { FunctionName } from '../../src/local/function-url-server.js';
import { startCluster, type LocalCluster } from '../../src/local/cluster.js';
import { CapacityMeter, type CapacityTotals } from './capacity.js';
import type { LatencyModel } from './prices.js';

export interface Invocations {
  count: number;
  /** sum of per-invocation wall time rounded up to 1 ms */
  billedMs: number;
}

export interface MeterSnapshot {
  s3Puts: number;
  s3Gets: number;
  s3BytesPut: number;
  s3BytesGot: number;
  dynamo: CapacityTotals;
  invocations: Record<FunctionName, Invocations>;
}

export interface MeteredCluster {
  cluster: LocalCluster;
  /** the latency layer, when a model is installed (its stats say how often the stand-ins overran the model) */
  faults?: StorageFaults;
  snapshot(): MeterSnapshot;
  close(): Promise<void>;
}

export interface MeteredOptions {
  storage: { dynamoEndpoint: string; s3Endpoint: string };
  latency?: LatencyModel;
  /** how the model's draws meet the stand-ins' own time (StorageFaultPlan.latencyMode; default `added`) */
  latencyMode?: 'added' | 'floor';
  seed?: number;
  cacheBytes?: number;
  /** Called with each invocation's wall time (ms), for latency histograms at the handler. */
  onInvocation?: (name: FunctionName, ms: number) => void;
  /**
   * Called with the time each real storage request took (ms), measured below the
   * latency layer: what the local stand-ins themselves add on this machine.
   */
  onStorageRequest?: (service: 's3' | 'dynamo', command: string, ms: number) => void;
}

interface TimedStack {
  middlewareStack: {
    add: (
      mw: (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => Promise<unknown>,
      options: { step: 'deserialize'; name: string; priority: 'low' },
    ) => void;
  };
}

function timeRequests(client: unknown, service: 's3' | 'dynamo', report: (service: 's3' | 'dynamo', command: string, ms: number) => void): void {
  (client as TimedStack).middlewareStack.add(
    (next, context) => async (args) => {
      const started = performance.now();
      try {
        return await next(args);
      } finally {
        report(service, context.commandName ?? '', performance.now() - started);
      }
    },
    { step: 'deserialize', name: `benchStorageTimer-${service}`, priority: 'low' },
  );
}

const emptyInvocations = (): Record<FunctionName, Invocations> => ({
  produce: { count: 0, billedMs: 0 },
  fetch: { count: 0, billedMs: 0 },
  admin: { count: 0, billedMs: 0 },
  groups: { count: 0, billedMs: 0 },
});

export async function startMeteredCluster(options: MeteredOptions): Promise<MeteredCluster> {
  const capacity = new CapacityMeter();
  const invocations = emptyInvocations();
  let faults: StorageFaults | undefined;
  const cluster = await startCluster({
    storage: options.storage,
    config: options.cacheBytes === undefined ? undefined : { cacheBytes: options.cacheBytes },
    customizeDeps: (deps) => {
      capacity.attach(deps.clients.dynamo);
      if (options.onStorageRequest) {
        timeRequests(deps.clients.s3, 's3', options.onStorageRequest);
        timeRequests(deps.clients.dynamo, 'dynamo', options.onStorageRequest);
      }
      if (options.latency) faults = new StorageFaults({ seed: options.seed ?? 1, latency: options.latency.latency, latencyMode: options.latencyMode }).install(deps.clients);
    },
    wrapHandler: (name, handler) => async (event) => {
      const started = performance.now();
      try {
        return await handler(event);
      } finally {
        const ms = performance.now() - started;
        invocations[name].count++;
        invocations[name].billedMs += Math.ceil(ms);
        options.onInvocation?.(name, ms);
      }
    },
  });
  const s3 = cluster.deps!.s3.stats;
  return {
    cluster,
    faults,
    snapshot: () => ({
      s3Puts: s3.puts,
      s3Gets: s3.gets,
      s3BytesPut: s3.bytesPut,
      s3BytesGot: s3.bytesGot,
      dynamo: capacity.snapshot(),
      invocations: structuredClone(invocations),
    }),
    close: () => cluster.close(),
  };
}

/** after − before, field by field. */
export function diffSnapshot(after: MeterSnapshot, before: MeterSnapshot): MeterSnapshot {
  const inv = emptyInvocations();
  for (const name of Object.keys(inv) as FunctionName[]) {
    inv[name] = { count: after.invocations[name].count - before.invocations[name].count, billedMs: after.invocations[name].billedMs - before.invocations[name].billedMs };
  }
  return {
    s3Puts: after.s3Puts - before.s3Puts,
    s3Gets: after.s3Gets - before.s3Gets,
    s3BytesPut: after.s3BytesPut - before.s3BytesPut,
    s3BytesGot: after.s3BytesGot - before.s3BytesGot,
    dynamo: {
      readRequests: after.dynamo.readRequests - before.dynamo.readRequests,
      writeRequests: after.dynamo.writeRequests - before.dynamo.writeRequests,
      readUnits: after.dynamo.readUnits - before.dynamo.readUnits,
      writeUnits: after.dynamo.writeUnits - before.dynamo.writeUnits,
    },
    invocations: inv,
  };
}

/** Sums snapshots of several handler processes. */
export function addSnapshots(snaps: MeterSnapshot[]): MeterSnapshot {
  const zero: MeterSnapshot = {
    s3Puts: 0,
    s3Gets: 0,
    s3BytesPut: 0,
    s3BytesGot: 0,
    dynamo: { readRequests: 0, writeRequests: 0, readUnits: 0, writeUnits: 0 },
    invocations: emptyInvocations(),
  };
  const neg = (s: MeterSnapshot) => diffSnapshot(zero, s);
  return snaps.reduce((acc, s) => diffSnapshot(acc, neg(s)), zero);
}
