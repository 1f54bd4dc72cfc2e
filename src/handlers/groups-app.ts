/** Routes of the groups function. Consumer-group routes are added by the groups module; until then only bootstrap answers. */
import { bootstrapRoute } from './bootstrap.js';
import type { HandlerDeps } from './deps.js';
import { router, type FunctionUrlHandler } from './http.js';

export function groupsApp(deps: HandlerDeps): FunctionUrlHandler {
  return router([bootstrapRoute(deps)]);
}
