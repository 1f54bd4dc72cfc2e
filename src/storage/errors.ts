/**
 * What a client may see of a failure that is not a FloeError: a Kafka-style code and a
 * fixed message. The storage's own text (table names, keys, endpoints, SDK internals)
 * goes to the server log only.
 */
import { FloeError } from '@floe/protocol';
import { isRetriableStorageError } from './layers.js';

export type ErrorReporter = (message: string, error: unknown) => void;

let report: ErrorReporter = (message, error) => console.error(message, error);

/** Where the detail of internal errors goes (the handlers' logger installs itself here). */
export function reportInternalErrorsTo(reporter: ErrorReporter): void {
  report = reporter;
}

/** Logs a failure the caller answers without (it degrades rather than fails), so it is not hidden. */
export function reportInternalError(message: string, error: unknown): void {
  report(message, error);
}

/** The error to answer with: FloeErrors as they are; anything else logged and replaced. */
export function publicError(error: unknown, during: string): FloeError {
  if (error instanceof FloeError) return error;
  if (isRetriableStorageError(error)) {
    report(`storage unavailable during ${during}`, error);
    return new FloeError('STORAGE_UNAVAILABLE', 'storage is unavailable or throttling; retry');
  }
  report(`internal error during ${during}`, error);
  return new FloeError('UNKNOWN_SERVER_ERROR', 'internal error (logged by the server)');
}
