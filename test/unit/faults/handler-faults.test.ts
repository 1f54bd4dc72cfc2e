/** The fault layer the producer's fault tests run behind: seeded, reproducible, and faithful about what ran. */
import { describe, expect, it } from 'vitest';
import type { FunctionUrlEvent, FunctionUrlHandler } from '../../../src/handlers/http.js';
import { injectHandlerFaults, isProduceRequest, type HandlerFaultPlan } from '../../../src/faults/handler-faults.js';

const event = (rawPath = '/v1/produce', method = 'POST') => ({ rawPath, requestContext: { http: { method } } }) as unknown as FunctionUrlEvent;

function countingHandler(): { handler: FunctionUrlHandler; calls: () => number } {
  let calls = 0;
  return {
    handler: async () => {
      calls++;
      return { statusCode: 200, headers: {}, body: '{}' };
    },
    calls: () => calls,
  };
}

async function statuses(plan: HandlerFaultPlan, requests: number): Promise<number[]> {
  const { handler } = countingHandler();
  const faulty = injectHandlerFaults(handler, plan);
  const out: number[] = [];
  for (let i = 0; i < requests; i++) out.push((await faulty.handler(event())).statusCode);
  return out;
}

describe('fault injection', () => {
  it('injects the same faults for the same seed, and different ones for another seed', async () => {
    // Prepare
    const plan = { errorRate: 0.2, throttleRate: 0.1, dropResponseRate: 0.1 };
    // Act
    const a = await statuses({ ...plan, seed: 7 }, 200);
    const b = await statuses({ ...plan, seed: 7 }, 200);
    const c = await statuses({ ...plan, seed: 8 }, 200);
    // Assess
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('hits about the configured share of requests', async () => {
    // Act
    const out = await statuses({ seed: 1, errorRate: 0.3, dropResponseRate: 0.2 }, 2000);
    // Assess
    const share = (status: number) => out.filter((s) => s === status).length / out.length;
    expect(share(503)).toBeGreaterThan(0.25);
    expect(share(503)).toBeLessThan(0.35);
    expect(share(504)).toBeGreaterThan(0.15);
    expect(share(504)).toBeLessThan(0.25);
  });

  it('runs the handler before losing its response, and never for an injected error', async () => {
    // Prepare
    const drop = countingHandler();
    const fail = countingHandler();
    const dropping = injectHandlerFaults(drop.handler, { seed: 1, dropResponseRate: 1 });
    const failing = injectHandlerFaults(fail.handler, { seed: 1, errorRate: 1 });
    // Act
    const dropped = await dropping.handler(event());
    const failed = await failing.handler(event());
    // Assess
    expect([dropped.statusCode, drop.calls()]).toEqual([504, 1]);
    expect([failed.statusCode, fail.calls()]).toEqual([503, 0]);
    expect(JSON.parse(failed.body!).error.code).toBe('STORAGE_UNAVAILABLE');
  });

  it('leaves unmatched requests alone and reports when delayed invocations have finished', async () => {
    // Prepare
    const { handler, calls } = countingHandler();
    const faulty = injectHandlerFaults(handler, { seed: 1, delayRate: 1, delayMs: 30, match: isProduceRequest });
    // Act
    const other = await faulty.handler(event('/v1/producer-ids'));
    void faulty.handler(event());
    const before = calls();
    await faulty.settled();
    // Assess
    expect(other.statusCode).toBe(200);
    expect(before).toBe(1);
    expect(calls()).toBe(2);
    expect(faulty.stats.delayed).toBe(1);
  });
});
