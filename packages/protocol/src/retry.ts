/** One small retry helper: exponential backoff with full jitter, stops on non-retriable errors. */
import { sleep } from './async.js';

export interface RetryOptions {
  /** Attempts after the first one. */
  retries: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Absolute deadline (Date.now() ms); no attempt starts after it. */
  deadline?: number;
  isRetriable: (error: unknown) => boolean;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** attempt);
  // Full jitter, but never below a fifth of the ceiling so retries do not stampede at 0 ms.
  return Math.round(ceiling * (0.2 + 0.8 * random()));
}


export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= options.retries || !options.isRetriable(error)) throw error;
      const delay = backoffDelay(attempt, options.initialBackoffMs, options.maxBackoffMs);
      if (options.deadline !== undefined && Date.now() + delay >= options.deadline) throw error;
      options.onRetry?.(error, attempt + 1, delay);
      await sleep(delay);
    }
  }
}
