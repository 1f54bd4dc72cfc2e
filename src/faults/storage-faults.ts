/**
 * Fault and latency injection for the S3 and DynamoDB clients, through the AWS
 * SDK middleware stack (domain code is untouched). Installed at the deserialize
 * step, below the SDK's retry middleware, so injected errors are retried exactly
 * as real ones would be. Every decision comes from a seeded PRNG: a failing run
 * replays with the same seed.
 */
import type { AwsClients } from '../aws/clients.js';
import { seededRandom } from './random.js';
import { sleep } from '@floe/protocol';

/** A latency distribution: log-normal fitted to a median and a 99th percentile (ms). */
export interface LatencyDist {
  p50: number;
  p99: number;
}

export interface StorageFaultPlan {
  seed: number;
  /** 500 InternalError / 503 SlowDown (S3), 500 InternalServerError (DynamoDB) */
  errorRate?: number;
  /** 400 ThrottlingException / ProvisionedThroughputExceededException (DynamoDB), 503 SlowDown (S3) */
  throttleRate?: number;
  /** the request hangs for `timeoutMs`, then fails with a timeout */
  timeoutRate?: number;
  timeoutMs?: number;
  /** the request succeeds, then its response is lost (the caller sees a network error) */
  lostResponseRate?: number;
  /** latency per service and kind of request */
  latency?: { s3Put?: LatencyDist; s3Get?: LatencyDist; dynamoRead?: LatencyDist; dynamoWrite?: LatencyDist };
  /**
   * How a drawn latency meets the real request's own time. `added` (default): the request
   * waits the draw, then runs (chaos: slower storage). `floor`: the draw and the request run
   * together and the caller waits for both, so a request takes max(its own time, the draw):
   * what a service with that latency would take when the local stand-in is faster, and an
   * upper bound otherwise (benchmarks that model AWS; decision 38).
   */
  latencyMode?: 'added' | 'floor';
}

export interface StorageFaultStats {
  errors: number;
  throttles: number;
  timeouts: number;
  lostResponses: number;
  delayedMs: number;
  /** `floor` mode: requests whose own time exceeded their draw, and by how much in all (ms) */
  overran: number;
  overranMs: number;
}

const Z99 = 2.3263478740408408; // standard normal quantile at 0.99

/** Draws from the log-normal with the given median and p99. */
export function sampleLatency(dist: LatencyDist, random: () => number): number {
  const mu = Math.log(Math.max(dist.p50, 0.001));
  const sigma = Math.max(0, (Math.log(Math.max(dist.p99, dist.p50)) - mu) / Z99);
  const u1 = Math.max(random(), 1e-12);
  const u2 = random();
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  return Math.exp(mu + sigma * z);
}


function serviceError(name: string, status: number, message: string): Error {
  const error = new Error(message) as Error & { $metadata: unknown; $fault: string; $retryable?: unknown };
  error.name = name;
  error.$metadata = { httpStatusCode: status, attempts: 1 };
  error.$fault = status >= 500 ? 'server' : 'client';
  if (status === 429 || name.includes('Throttl') || name.includes('Throughput') || name === 'SlowDown') {
    error.$retryable = { throttling: true };
  }
  return error;
}

function networkError(message: string): Error {
  const error = new Error(message) as Error & { code: string };
  error.name = 'TimeoutError';
  error.code = 'ECONNRESET';
  return error;
}

type Kind = 's3Put' | 's3Get' | 'dynamoRead' | 'dynamoWrite' | 'other';

function kindOf(service: 's3' | 'dynamo', command: string): Kind {
  if (service === 's3') return /^Put|^Delete|^CompleteMultipart|^UploadPart/.test(command) ? 's3Put' : /^Get|^Head|^List/.test(command) ? 's3Get' : 'other';
  return /^(Get|Query|Scan|BatchGet)/.test(command) ? 'dynamoRead' : 'dynamoWrite';
}

interface StackClient {
  middlewareStack: {
    add: (
      mw: (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => Promise<unknown>,
      options: { step: 'deserialize'; name: string; priority?: 'high' | 'low' },
    ) => void;
    remove: (name: string) => boolean;
  };
}

export class StorageFaults {
  readonly stats: StorageFaultStats = { errors: 0, throttles: 0, timeouts: 0, lostResponses: 0, delayedMs: 0, overran: 0, overranMs: 0 };
  private random: () => number;
  private enabled = true;

  constructor(private plan: StorageFaultPlan) {
    this.random = seededRandom(plan.seed);
  }

  /** Turns injection on or off without removing the middleware (the chaos runner toggles it). */
  setEnabled(on: boolean): void {
    this.enabled = on;
  }

  setPlan(plan: StorageFaultPlan): void {
    this.plan = plan;
    this.random = seededRandom(plan.seed);
  }

  install(clients: AwsClients): this {
    this.attach(clients.s3, 's3');
    this.attach(clients.dynamo, 'dynamo');
    return this;
  }

  private attach(client: unknown, service: 's3' | 'dynamo'): void {
    (client as StackClient).middlewareStack.add(
      (next, context) => async (args) => {
        if (!this.enabled) return next(args);
        const command = context.commandName ?? '';
        const kind = kindOf(service, command);
        const plan = this.plan;
        const dist = kind === 'other' ? undefined : plan.latency?.[kind];
        const delay = dist ? sampleLatency(dist, this.random) : 0;
        this.stats.delayedMs += delay;
        const modelled = delay > 0 ? sleep(delay) : undefined;
        // `added` waits here; `floor` waits below, after the request (or before an injected failure)
        if (plan.latencyMode !== 'floor') await modelled;
        const roll = this.random();
        let edge = plan.errorRate ?? 0;
        if (roll < edge) {
          this.stats.errors++;
          await modelled;
          throw service === 's3'
            ? serviceError('InternalError', 500, `injected S3 error on ${command}`)
            : serviceError('InternalServerError', 500, `injected DynamoDB error on ${command}`);
        }
        edge += plan.throttleRate ?? 0;
        if (roll < edge) {
          this.stats.throttles++;
          await modelled;
          throw service === 's3'
            ? serviceError('SlowDown', 503, `injected S3 throttling on ${command}`)
            : serviceError('ProvisionedThroughputExceededException', 400, `injected DynamoDB throttling on ${command}`);
        }
        edge += plan.timeoutRate ?? 0;
        if (roll < edge) {
          this.stats.timeouts++;
          await sleep(plan.timeoutMs ?? 1000);
          throw networkError(`injected timeout on ${command}`);
        }
        edge += plan.lostResponseRate ?? 0;
        const started = performance.now();
        let result: unknown;
        try {
          result = await next(args);
        } finally {
          // a real failure (a failed condition) takes the modelled time too
          if (plan.latencyMode === 'floor' && modelled) {
            const own = performance.now() - started;
            if (own > delay) {
              this.stats.overran++;
              this.stats.overranMs += own - delay;
            }
            await modelled;
          }
        }
        if (roll < edge) {
          this.stats.lostResponses++;
          throw networkError(`injected lost response after a successful ${command}`);
        }
        return result;
      },
      { step: 'deserialize', name: `floeFaults-${service}`, priority: 'high' },
    );
  }
}
