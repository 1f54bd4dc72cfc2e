/** Lambda Function URL entry point of the fetch function. Clients are created once per instance, at module scope. */
import { configFromEnv } from '../config/index.js';
import { fetchApp } from './fetch-app.js';
import { createHandlerDeps } from './deps.js';

export const deps = createHandlerDeps(configFromEnv());

export const handler = fetchApp(deps);
