/**
 * Fault injection for Function URL handlers (the local cluster's `wrapHandler` hook):
 * on a seeded share of matching requests, answer 503 or 429 without running the
 * handler, lose the response after the handler ran (the caller sees a 504, as when
 * a connection drops after the commit), or hold the request before the handler runs
 * (the caller times out while the handler later commits). The same seed and the same
 * request order give the same faults.
 */
import type { FunctionUrlEvent, FunctionUrlHandler, FunctionUrlResult } from '../handlers/http.js';
import { seededRandom } from './random.js';
import { sleep } from '@floe/protocol';

export interface HandlerFaultPlan {
  seed: number;
  /** which requests may be hit (default: all) */
  match?: (event: FunctionUrlEvent) => boolean;
  /** share answered 503 before the handler runs */
  errorRate?: number;
  /** share answered 429 before the handler runs */
  throttleRate?: number;
  /** share whose response is replaced by a 504 after the handler ran */
  dropResponseRate?: number;
  /** share held for `delayMs` before the handler runs */
  delayRate?: number;
  delayMs?: number;
}

export interface HandlerFaultStats {
  matched: number;
  errors: number;
  throttled: number;
  dropped: number;
  delayed: number;
}

export interface HandlerFaultInjector {
  handler: FunctionUrlHandler;
  stats: HandlerFaultStats;
  /** turns injection on or off (requests still pass through) */
  enabled: boolean;
  /** resolves when no wrapped invocation is running (delayed ones included) */
  settled(): Promise<void>;
}

export const isProduceRequest = (event: FunctionUrlEvent): boolean =>
  event.rawPath === '/v1/produce' && event.requestContext?.http?.method === 'POST';

const errorResult = (status: number, code: string, message: string): FunctionUrlResult => ({
  statusCode: status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ error: { code, message: `fault injected: ${message}`, retriable: true } }),
  isBase64Encoded: false,
});

export function injectHandlerFaults(handler: FunctionUrlHandler, plan: HandlerFaultPlan): HandlerFaultInjector {
  const random = seededRandom(plan.seed);
  const stats: HandlerFaultStats = { matched: 0, errors: 0, throttled: 0, dropped: 0, delayed: 0 };
  const running = new Set<Promise<unknown>>();
  const injector: HandlerFaultInjector = {
    stats,
    enabled: true,
    handler: (event) => {
      const run = invoke(event);
      running.add(run);
      void run.finally(() => running.delete(run)).catch(() => undefined);
      return run;
    },
    async settled() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };

  async function invoke(event: FunctionUrlEvent): Promise<FunctionUrlResult> {
    if (!injector.enabled || !(plan.match ?? (() => true))(event)) return handler(event);
    stats.matched++;
    let r = random();
    const hit = (rate = 0) => {
      r -= rate;
      return r < 0;
    };
    if (hit(plan.errorRate)) {
      stats.errors++;
      return errorResult(503, 'STORAGE_UNAVAILABLE', 'service unavailable');
    }
    if (hit(plan.throttleRate)) {
      stats.throttled++;
      return errorResult(429, 'THROTTLING_QUOTA_EXCEEDED', 'throttled');
    }
    if (hit(plan.dropResponseRate)) {
      stats.dropped++;
      await handler(event);
      return errorResult(504, 'REQUEST_TIMED_OUT', 'response lost after the handler ran');
    }
    if (hit(plan.delayRate)) {
      stats.delayed++;
      await sleep(plan.delayMs ?? 1000);
    }
    return handler(event);
  }

  return injector;
}
