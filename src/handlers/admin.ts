/** Lambda Function URL entry point of the admin function. Clients are created once per instance, at module scope. */
import { configFromEnv } from '../config/index.js';
import { adminApp } from './admin-app.js';
import { createHandlerDeps } from './deps.js';

export const deps = createHandlerDeps(configFromEnv());

export const handler = adminApp(deps);
