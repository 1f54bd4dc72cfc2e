/**
 * How the local cluster reports internal errors on its console: a storage outage as one
 * line (repeats of the same line are dropped; the data dir watcher has said what to do), a
 * bug with its stack. Lambda logs the same errors as JSON through the handlers' logger.
 */
import { isRetriableStorageError } from '../storage/layers.js';
import type { ErrorReporter } from '../storage/errors.js';

export function consoleErrorReporter(write: (text: string) => void = (text) => process.stderr.write(text)): ErrorReporter {
  let last = '';
  return (message, error) => {
    if (isRetriableStorageError(error)) {
      const line = `floe: ${message}: ${(error as Error)?.message ?? String(error)}\n`;
      if (line !== last) write(line);
      last = line;
      return;
    }
    last = '';
    write(`floe: ${message}: ${(error as Error)?.stack ?? String(error)}\n`);
  };
}
