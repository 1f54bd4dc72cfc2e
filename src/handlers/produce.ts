/** Lambda Function URL entry point of the produce function. Clients are created once per instance, at module scope. */
import { configFromEnv } from '../config/index.js';
import { produceApp } from './produce-app.js';
import { createHandlerDeps } from './deps.js';

export const deps = createHandlerDeps(configFromEnv());

export const handler = produceApp(deps);
