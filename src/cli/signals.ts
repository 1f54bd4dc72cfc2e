/**
 * Ctrl-C and SIGTERM for the long-running commands (consume, produce, dev, serve, storage,
 * and any later one), as Kafka's tools behave: the first signal asks for a clean shutdown,
 * a second Ctrl-C exits at once. A terminal sends SIGINT to its whole foreground process
 * group, so a wrapper (npx, npm start, a shell) and floe can both get it and the wrapper may
 * pass it on: a repeat within REPEAT_WINDOW_MS is the same Ctrl-C, not a second one.
 */

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type ShutdownSignalName = (typeof SIGNALS)[number];
/** What asked for the shutdown: a signal, or EPIPE (the reader of stdout went away, e.g. `| head -1`). */
export type ShutdownReason = ShutdownSignalName | 'EPIPE';

const stdoutClosedListeners = new Set<() => void>();
let stdoutClosed = false;

/**
 * Installed once for the whole CLI (main.ts): a closed stdout pipe (`floe ... | head -1`) is
 * the reader saying "enough", as SIGPIPE is to other tools. Node would crash on the unhandled
 * 'error'; instead every write after it is dropped, and the running command (if it listens,
 * through onShutdownSignals) stops cleanly. Any other write error is one line and exit 1.
 */
export function handleClosedStdout(stdout: NodeJS.EventEmitter = process.stdout, write = (text: string) => process.stderr.write(text)): void {
  stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (stdoutClosed) return; // later writes to the closed pipe fail too
    stdoutClosed = true;
    if (error.code !== 'EPIPE') {
      write(`error: cannot write to standard output: ${error.code ?? error.message}\n`);
      process.exitCode = 1;
    }
    for (const listener of stdoutClosedListeners) listener();
  });
}

/** Calls listener once stdout is closed (at once if it already is); returns the unsubscribe. */
export function onStdoutClosed(listener: () => void): () => void {
  if (stdoutClosed) {
    listener();
    return () => {};
  }
  stdoutClosedListeners.add(listener);
  return () => stdoutClosedListeners.delete(listener);
}

/** How close together two signals are taken for one keypress delivered twice. */
export const REPEAT_WINDOW_MS = 1000;

/** Exit status of a forced exit: 128 + the signal number, as a shell reports it. */
const FORCED_EXIT_CODE: Record<ShutdownSignalName, number> = { SIGINT: 130, SIGTERM: 143 };

export interface Shutdown {
  /** true once a signal asked for shutdown */
  readonly requested: boolean;
  /** aborted by the first signal (to end reads and waits) */
  readonly signal: AbortSignal;
  /** resolves with the first signal, or EPIPE when stdout's reader went away */
  readonly whenRequested: Promise<ShutdownReason>;
  /** stops listening: call once the clean shutdown is done */
  dispose(): void;
}

export interface ShutdownOptions {
  /** what the command does on the first signal, shown on stderr (default "shutting down") */
  message?: string;
  write?: (text: string) => void;
  exit?: (code: number) => void;
  now?: () => number;
}

export function onShutdownSignals(options: ShutdownOptions = {}): Shutdown {
  const write = options.write ?? ((text: string) => process.stderr.write(text));
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const now = options.now ?? Date.now;
  const controller = new AbortController();
  let first: { name: ShutdownReason; at: number } | undefined;
  let resolve: (name: ShutdownReason) => void = () => {};
  const whenRequested = new Promise<ShutdownReason>((r) => (resolve = r));

  const listener = (name: ShutdownSignalName) => {
    if (!first) {
      first = { name, at: now() };
      write(`${options.message ?? 'shutting down'}... (Ctrl-C again to force)\n`);
      controller.abort();
      resolve(name);
      return;
    }
    if (now() - first.at < REPEAT_WINDOW_MS) return; // the same Ctrl-C, passed on by a wrapper
    write('forced exit\n');
    exit(FORCED_EXIT_CODE[name]);
  };
  for (const name of SIGNALS) process.on(name, listener);
  // Nobody reads the output any more: the same clean stop, quietly (no one to tell), exit 0.
  const stopWatchingStdout = onStdoutClosed(() => {
    if (first) return;
    first = { name: 'EPIPE', at: now() };
    controller.abort();
    resolve('EPIPE');
  });
  return {
    get requested() {
      return first !== undefined;
    },
    signal: controller.signal,
    whenRequested,
    dispose() {
      for (const name of SIGNALS) process.off(name, listener);
      stopWatchingStdout();
    },
  };
}
