/** Lambda Function URL entry point of the groups function. Clients are created once per instance, at module scope. */
import { configFromEnv } from '../config/index.js';
import { groupsApp } from './groups-app.js';
import { createHandlerDeps } from './deps.js';

export const deps = createHandlerDeps(configFromEnv());

export const handler = groupsApp(deps);
