/** A console server on a free port over any gateway, with a stub UI unless a built one is given: for API-level tests. */
import { fileURLToPath } from 'node:url';
import type { FloeGateway } from '../../src/console/gateway.js';
import { startConsoleServer, type ConsoleServer, type ConsoleServerOptions } from '../../src/console/server.js';

/** A stand-in for the built UI (index.html, app.js), for tests of the API and the static file server. */
export const stubAssetsDir = (): string => fileURLToPath(new URL('../fixtures/console-stub/', import.meta.url));

export function startTestConsole(gateway: FloeGateway, options: Partial<ConsoleServerOptions> = {}): Promise<ConsoleServer> {
  return startConsoleServer({ gateway, bootstrap: 'http://fake', port: 0, assetsDir: stubAssetsDir(), log: () => {}, ...options });
}

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export async function call<T = any>(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer<T>> {
  const response = await fetch(new URL(path, base), {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON (static files)
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}
