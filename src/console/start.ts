/** `floe console` and `floe dev`: a console server for a bootstrap URL, with the UI from the package or built on the fly. */
import type { SigningMode } from '@floe/client';
import { consoleAssets } from './assets.js';
import { HttpGateway } from './http-gateway.js';
import { startConsoleServer, type ConsoleServer } from './server.js';

export interface StartConsoleOptions {
  bootstrap: string;
  signing?: SigningMode;
  readOnly?: boolean;
  host?: string;
  port?: number;
  /** a directory holding a built UI (default: dist/console, else built on the fly) */
  assetsDir?: string;
  /** build the UI now rather than on the first page request */
  eagerBuild?: boolean;
}

export interface RunningConsole extends ConsoleServer {
  assetsSource: string;
}

export async function startConsole(options: StartConsoleOptions): Promise<RunningConsole> {
  const gateway = new HttpGateway({ bootstrap: options.bootstrap, signing: options.signing });
  const assets = options.assetsDir
    ? { dir: async () => options.assetsDir as string, source: options.assetsDir, dispose: async () => {} }
    : consoleAssets();
  if (options.eagerBuild) assets.dir().catch(() => undefined); // a failure is reported when a page is asked for
  let server: ConsoleServer;
  try {
    server = await startConsoleServer({
      gateway,
      bootstrap: options.bootstrap,
      signed: gateway.signed,
      readOnly: options.readOnly,
      host: options.host,
      port: options.port,
      assetsDir: assets.dir,
    });
  } catch (error) {
    await assets.dispose();
    throw error;
  }
  return {
    ...server,
    assetsSource: assets.source,
    async close() {
      await server.close();
      await assets.dispose();
    },
  };
}
