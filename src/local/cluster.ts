/**
 * The local cluster: embedded storage (unless endpoints of a shared one are
 * given) plus every handler served as a Function URL on one port.
 * `entryModules: true` serves the Lambda entry files themselves (src/handlers/<fn>.ts,
 * configured through the environment exactly as in Lambda); otherwise handlers
 * are built in-process from the same apps (tests run several clusters in one process).
 */
import { configToEnv, type FloeConfig } from '../config/index.js';
import { adminApp } from '../handlers/admin-app.js';
import { createHandlerDeps, type HandlerDeps } from '../handlers/deps.js';
import { fetchApp } from '../handlers/fetch-app.js';
import { groupsApp } from '../handlers/groups-app.js';
import type { FunctionUrlHandler } from '../handlers/http.js';
import { produceApp } from '../handlers/produce-app.js';
import { FUNCTION_NAMES, functionUrl, startFunctionUrlServer, type FunctionName } from './function-url-server.js';
import { installEnvFaults } from '../faults/env-faults.js';
import { installCrashPoint, type CrashPoint } from '../faults/crash-points.js';
import { startPeriodicHousekeeping } from './periodic-housekeeping.js';
import { reportInternalErrorsTo } from '../storage/errors.js';
import { consoleErrorReporter } from './console-errors.js';
import { LocalStartupError } from './errors.js';
import { checkLocalStorage, ensureStorage, LOCAL_CREDENTIALS, LOCAL_NAMES, localConfig, startStorage, type RunningStorage } from './storage.js';

export interface ClusterOptions {
  host?: string;
  port?: number;
  dataDir?: string;
  /** The data dir as the user gave it, and the command, for messages ("data dir .floe is in use by another floe dev"). */
  dataDirLabel?: string;
  command?: string;
  /** Use an already running storage (several handler processes sharing one). */
  storage?: { dynamoEndpoint: string; s3Endpoint: string };
  entryModules?: boolean;
  /** Adjusts the handler dependencies (fault injection, crash hooks). */
  customizeDeps?: (deps: HandlerDeps) => void;
  /** Overrides of the local configuration (e.g. cacheBytes, authorization). */
  config?: Partial<Pick<FloeConfig, 'cacheBytes' | 'defaultRetentionMs' | 'defaultTimestampBeforeMaxMs' | 'defaultTimestampAfterMaxMs' | 'authorization' | 'aclTable' | 'aclCacheMs' | 'aclSuperUsers' | 'stripedTopicsAbove'>>;
  /**
   * The principal of requests that do not name one in the x-floe-principal header (the local
   * cluster stands in for Lambda's IAM authentication); none: User:ANONYMOUS.
   */
  principal?: string;
  /** Kill this process at a point of the produce path (fault tests). */
  crashPoint?: CrashPoint;
  /** Wraps each function's handler as it is installed (request counting, fault injection: see faults.ts). */
  wrapHandler?: (name: FunctionName, handler: FunctionUrlHandler) => FunctionUrlHandler;
  /** Run housekeeping every this many ms (0 or absent: never; `floe dev` defaults to a minute). */
  housekeepingIntervalMs?: number;
}

export interface LocalCluster {
  url: string;
  config: FloeConfig;
  storage: { dynamoEndpoint: string; s3Endpoint: string };
  deps?: HandlerDeps;
  close(): Promise<void>;
}

const APPS: Record<FunctionName, (deps: HandlerDeps) => FunctionUrlHandler> = {
  produce: produceApp,
  fetch: fetchApp,
  admin: adminApp,
  groups: groupsApp,
};

export function setLocalCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID ??= LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY ??= LOCAL_CREDENTIALS.secretAccessKey;
}

function customize(deps: HandlerDeps, options: ClusterOptions): void {
  installEnvFaults(deps.clients); // FLOE_FAULTS: seeded storage faults for chaos runs
  if (options.crashPoint) installCrashPoint(deps, options.crashPoint);
  options.customizeDeps?.(deps);
}

export async function startCluster(options: ClusterOptions = {}): Promise<LocalCluster> {
  setLocalCredentials();
  reportInternalErrorsTo(consoleErrorReporter());
  // The port first: a taken port is the commonest failure, and finding it needs no storage.
  const front = await startFunctionUrlServer({ host: options.host, port: options.port, principal: options.principal });
  let owned: RunningStorage | undefined;
  let storage: { dynamoEndpoint: string; s3Endpoint: string };
  let config: FloeConfig;
  try {
    storage =
      options.storage ??
      (owned = await startStorage({ dataDir: options.dataDir, host: options.host, dataDirLabel: options.dataDirLabel, command: options.command }));
    config = { ...localConfig(storage), ...options.config };
    // Authorization on: the rules live in the local ACL table unless another is named.
    if (config.authorization === 'acl') config.aclTable ??= LOCAL_NAMES.aclTable;
    // Storage started elsewhere (floe serve): a wrong or dead endpoint is one line, not the SDK's stack.
    if (options.storage) await checkLocalStorage(config, { emptyOk: true });
    await ensureStorage(config);
  } catch (error) {
    await owned?.close().catch(() => undefined);
    await front.close();
    // A data dir the stand-ins cannot write is the user's to fix: say that, not the S3 or DynamoDB error it caused.
    const problem = owned?.health.problem();
    throw problem ? new LocalStartupError(`${problem}; fix it and start again`) : error;
  }
  for (const name of FUNCTION_NAMES) config.urls[name] = functionUrl(front.url, name);
  front.setStorage(storage);
  owned?.health.markStarted();

  const install = (name: FunctionName, handler: FunctionUrlHandler) =>
    front.setHandler(name, options.wrapHandler ? options.wrapHandler(name, handler) : handler);
  let deps: HandlerDeps | undefined;
  try {
    if (options.entryModules) {
      Object.assign(process.env, configToEnv(config));
      for (const name of FUNCTION_NAMES) {
        const module = (await import(`../handlers/${name}.js`)) as { handler: FunctionUrlHandler; deps: HandlerDeps };
        customize(module.deps, options);
        install(name, module.handler);
      }
    } else {
      deps = createHandlerDeps(config);
      customize(deps, options);
      for (const name of FUNCTION_NAMES) install(name, APPS[name](deps));
    }
  } catch (error) {
    // A bad setting (INVALID_CONFIG) must not leave a half-started cluster listening.
    await front.close();
    await owned?.close().catch(() => undefined);
    throw error;
  }
  const housekeeping = options.housekeepingIntervalMs ? startPeriodicHousekeeping(config, options.housekeepingIntervalMs) : undefined;
  return {
    url: front.url,
    config,
    storage,
    deps,
    async close() {
      await housekeeping?.stop();
      await front.close();
      deps?.clients.s3.destroy();
      deps?.clients.dynamo.destroy();
      await owned?.close();
    },
  };
}
