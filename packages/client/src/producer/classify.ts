/**
 * What a failed produce attempt means for a batch:
 * - retriable: timeouts, throttling, 5xx, storage or lease trouble, network errors,
 *   and an unknown partition (until a metadata refresh says it is gone);
 * - fatal: record too large, corrupt or invalid records, authorization, sequence or epoch
 *   rejections; only the batch's own records fail;
 * - ambiguous: the attempt may have been committed (no answer, or a 5xx after the handler ran).
 */
import { ERROR_CODES, FloeError, type ErrorCode } from '@floe/protocol';

/** Server answers that mean "already written": Kafka's producer treats them as success. */
export const ALREADY_WRITTEN: ReadonlySet<ErrorCode> = new Set(['DUPLICATE_SEQUENCE_NUMBER']);

export function toFloeError(error: unknown): FloeError {
  if (error instanceof FloeError) return error;
  return new FloeError('UNKNOWN_SERVER_ERROR', (error as Error)?.message ?? String(error), { cause: error });
}

export function isRetriable(error: FloeError): boolean {
  return error.retriable;
}

/** Could the attempt have been committed even though it failed? Answers below 500 are decided before any commit. */
export function isAmbiguous(error: FloeError): boolean {
  return error.status >= 500 || ERROR_CODES[error.code].status >= 500;
}
