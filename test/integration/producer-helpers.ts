/** Helpers for the producer's integration tests: a local cluster whose produce handler can be counted, held and faulted. */
import type { FunctionUrlHandler } from '../../src/handlers/http.js';
import type { LocalCluster } from '../../src/local/cluster.js';
import { injectHandlerFaults, isProduceRequest, type HandlerFaultInjector, type HandlerFaultPlan } from '../../src/faults/handler-faults.js';
import { startTestCluster } from '../helpers/cluster.js';

export interface ProduceTap {
  cluster: LocalCluster;
  /** POST /v1/produce requests that reached the produce function */
  requests: number;
  /** present when started with a fault plan */
  faults?: HandlerFaultInjector;
  /** holds every produce request at the handler until the returned function is called */
  hold(): () => void;
}

export async function startTappedCluster(plan?: HandlerFaultPlan): Promise<ProduceTap> {
  let held: Promise<void> | undefined;
  const tap = {
    requests: 0,
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
      if (isProduceRequest(event)) {
        tap.requests++;
        await held;
      }
      return inner(event);
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
