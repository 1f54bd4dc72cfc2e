/** The console `floe dev` starts next to the local cluster: a busy port is not fatal there, another one is used. */
import { startConsole, type RunningConsole } from './start.js';

export async function startDevConsole(options: { bootstrap: string; host: string; port: number; warn: (line: string) => void }): Promise<RunningConsole> {
  try {
    return await startConsole({ bootstrap: options.bootstrap, host: options.host, port: options.port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    const running = await startConsole({ bootstrap: options.bootstrap, host: options.host, port: 0 });
    options.warn(`console: port ${options.port} is in use; serving the console on ${running.url} instead (--console-port to choose)`);
    return running;
  }
}
