/** floe console: the web console for a cluster (local or deployed), on http://127.0.0.1:8080 by default. */
import { Option, type Command } from 'commander';
import { DEFAULT_CONSOLE_PORT } from '../../console/server.js';
import { startConsole } from '../../console/start.js';
import { FloeError } from '@floe/protocol';
import { listenError } from '../../local/errors.js';
import { integerArg } from '../integer-arg.js';

const port = integerArg(0, 65535);

interface ConsoleOptions {
  port: number;
  host: string;
  readOnly?: boolean;
  signing: 'auto' | 'sigv4' | 'none';
  json?: boolean;
}

export function registerConsole(program: Command): void {
  program
    .command('console')
    .description('serve the web console for the cluster at --bootstrap; calls to a deployed stack are SigV4-signed here, never in the browser')
    .option('--port <port>', 'port to serve on (0 = any free port)', port, DEFAULT_CONSOLE_PORT)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--read-only', 'hide every write action; the server refuses writes too')
    .addOption(new Option('--signing <mode>', 'SigV4-sign calls to Floe: auto signs only deployed Function URLs').choices(['auto', 'sigv4', 'none']).default('auto'))
    .option('--json', 'print the console URL as one JSON line')
    .action(async (options: ConsoleOptions, command: Command) => {
      const bootstrap = command.optsWithGlobals().bootstrap as string;
      let running;
      try {
        running = await startConsole({ bootstrap, host: options.host, port: options.port, readOnly: options.readOnly, signing: options.signing, eagerBuild: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new FloeError('INVALID_CONFIG', `port ${options.port} is in use: choose another with --port`);
        // An unknown --host, said as floe dev says it.
        const said = listenError(error, options.host, options.port, 'the console');
        throw said === error ? error : new FloeError('INVALID_CONFIG', said.message);
      }
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ console: running.url, bootstrap, readOnly: options.readOnly ?? false, assets: running.assetsSource })}\n`);
      } else {
        process.stdout.write(
          `Floe console: ${running.url}\n  cluster: ${bootstrap}${options.readOnly ? '\n  read-only: writes are hidden and refused' : ''}\n` +
            `  UI:      ${running.assetsSource}\nPress Ctrl-C to stop.\n`,
        );
      }
      await new Promise<void>((done) => {
        const stop = () => void running.close().then(done);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
