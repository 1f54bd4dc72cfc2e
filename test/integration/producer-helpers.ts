/** Helpers for the producer's integration tests: a local cluster whose produce handler can be counted, held and faulted. */
import type { FunctionUrlHandler } from '../../src/handlers/http.js';
import type { LocalCluster } from '../../src/local/cluster.js';
import { injectHandlerFaults, isProduceRequest, type HandlerFaultInjector, type HandlerFaultPlan } from '../../src/faults/handler-faults.js';
import { startTestCluster } from '../helpers/cluster.js';
import { decodeProduceRequest } from '../../packages/protocol/src/http/produce-request.js';

export interface ProduceTap {
  cluster: LocalCluster;
  /** POST /v1/produce requests that reached the produce function */
  requests: number;
  /** present when started with a fault plan */
  faults?: HandlerFaultInjector;
  /** holds every produce request at the handler until the returned function is called */
  hold(): () => void;
  /** the most produce requests for one partition that were at the handler at once */
  maxConcurrentPerPartition: number;
}

export async function startTappedCluster(plan?: HandlerFaultPlan): Promise<ProduceTap> {
  let held: Promise<void> | undefined;
  const concurrent = new Map<string, number>();
  const tap = {
    requests: 0,
    maxConcurrentPerPartition: 0,
    faults: undefined as HandlerFaultInjector | undefined,
    hold() {
      let release!: () => void;
      held = new Promise((resolve) => (release = resolve));
      return () => {
        held = undefined;
        release();
      };
    },
  };
  const wrapHandler = (name: string, handler: FunctionUrlHandler): FunctionUrlHandler => {
    if (name !== 'produce') return handler;
    const inner = plan ? (tap.faults = injectHandlerFaults(handler, { match: isProduceRequest, ...plan })).handler : handler;
    return async (event) => {
      if (!isProduceRequest(event)) return inner(event);
      tap.requests++;
      let keys: string[] = [];
      try {
        const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
        keys = decodeProduceRequest(body).topics.flatMap((t) => t.partitions.map((p) => `${t.topic}/${p.partition}`));
      } catch {
        // a JSON body: not counted
      }
      for (const k of keys) {
        const n = (concurrent.get(k) ?? 0) + 1;
        concurrent.set(k, n);
        tap.maxConcurrentPerPartition = Math.max(tap.maxConcurrentPerPartition, n);
      }
      try {
        await held;
        return await inner(event);
      } finally {
        for (const k of keys) concurrent.set(k, (concurrent.get(k) ?? 1) - 1);
      }
    };
  };
  const cluster = await startTestCluster({ wrapHandler });
  return Object.assign(tap, { cluster });
}

export { sleep } from '../../packages/protocol/src/async.js';

/** Resolves true if the promise settles within `ms`, false otherwise. */
export const settlesWithin = (promise: Promise<unknown>, ms: number): Promise<boolean> => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]).finally(() => clearTimeout(timer));
};

/** Tracks which of many promises have settled. */
export function settledCount(promises: Array<Promise<unknown>>): () => number {
  let settled = 0;
  for (const p of promises) {
    p.then(
      () => settled++,
      () => settled++,
    );
  }
  return () => settled;
}
