/** A console server on a free port over any gateway, with a stub UI unless a built one is given: for API-level tests. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FloeGateway } from '../../src/console/gateway.js';
import { startConsoleServer, type ConsoleServer, type ConsoleServerOptions } from '../../src/console/server.js';

export function stubAssetsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'floe-console-stub-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>stub</title>');
  writeFileSync(join(dir, 'app.js'), 'export {};');
  return dir;
}

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
