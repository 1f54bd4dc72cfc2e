/** GET /v1/bootstrap on every function: tells a client the URLs of the others (the SDK needs only one). */
import type { HandlerDeps } from './deps.js';
import { json, type Route } from './http.js';

export function bootstrapRoute(deps: Pick<HandlerDeps, 'config'>): Route {
  return {
    method: 'GET',
    path: '/v1/bootstrap',
    handle: async () =>
      json(200, {
        produce: deps.config.urls.produce ?? null,
        fetch: deps.config.urls.fetch ?? null,
        admin: deps.config.urls.admin ?? null,
        groups: deps.config.urls.groups ?? null,
      }),
  };
}
