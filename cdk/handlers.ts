/**
 * The Lambda entry points the stack bundles. They are the same files the local
 * cluster serves (src/handlers/<name>.ts, each exporting `handler`), so what is
 * tested locally is what is deployed.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root: NodejsFunction's projectRoot, and where the lock file lives. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Handlers served through a Function URL (one function and one URL each). */
export const URL_HANDLERS = ['produce', 'fetch', 'admin', 'groups'] as const;
/** Every handler the stack deploys: the URL handlers plus the scheduled housekeeping. */
export const HANDLERS = [...URL_HANDLERS, 'housekeeping'] as const;

export type UrlHandlerName = (typeof URL_HANDLERS)[number];
export type HandlerName = (typeof HANDLERS)[number];

/** Directory holding the handler entry files, relative to the repository root. */
export const HANDLERS_DIR = join('src', 'handlers');

/** Absolute path of a handler's entry file. */
export function handlerEntry(name: HandlerName): string {
  return join(REPO_ROOT, HANDLERS_DIR, `${name}.ts`);
}

/** The exported function Lambda calls in every entry file. */
export const HANDLER_EXPORT = 'handler';
