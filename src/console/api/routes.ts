/** Every route of the console's JSON API. */
import type { ApiContext } from './context.js';
import { groupRoutes } from './group-routes.js';
import { messageRoutes } from './message-routes.js';
import { overviewRoutes } from './overview-routes.js';
import type { ApiRoute } from './router.js';
import { topicAdminRoutes } from './topic-admin-routes.js';
import { topicRoutes } from './topic-routes.js';

export function consoleRoutes(ctx: ApiContext): ApiRoute[] {
  return [...overviewRoutes(ctx), ...topicRoutes(ctx), ...topicAdminRoutes(ctx), ...messageRoutes(ctx), ...groupRoutes(ctx)];
}
