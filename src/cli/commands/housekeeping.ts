/** floe housekeeping run: one housekeeping pass against a cluster's storage, summary printed as JSON. */
import { Option, type Command } from 'commander';
import { FloeHttpClient } from '@floe/client';
import { configFromEnv, ENV, housekeepingSettingsFromEnv, type FloeConfig } from '../../config/index.js';
import { FloeError } from '@floe/protocol';
import { createHousekeepingDeps } from '../../handlers/housekeeping-deps.js';
import { runHousekeeping, type HousekeepingSettings } from '../../housekeeping/housekeeping.js';
import { integerArg } from '../integer-arg.js';
import { requireTopic } from '../../log/topics.js';
import { setLocalCredentials } from '../../local/cluster.js';
import { HOUSEKEEPING_CRASH_POINTS, installHousekeepingCrashPoint, type HousekeepingCrashPoint } from '../../faults/crash-points.js';
import { LOCAL_STORAGE_PATH } from '../../local/function-url-server.js';
import { checkLocalStorage, localConfig } from '../../local/storage.js';

interface RunOptions {
  dynamodbEndpoint?: string;
  s3Endpoint?: string;
  graceMs?: number;
  leaseMs?: number;
  mergeTargetBytes?: number;
  topic?: string[];
  sweep: boolean;
  crashPoint?: HousekeepingCrashPoint;
}

const positive = integerArg(1);

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Where a local cluster (`floe dev`, `floe serve`) keeps its storage: it says so at LOCAL_STORAGE_PATH. */
async function discoverLocalStorage(bootstrap: string): Promise<{ dynamoEndpoint: string; s3Endpoint: string }> {
  const http = new FloeHttpClient(bootstrap);
  const answer = await http.send({ method: 'GET', url: `${http.bootstrap}${LOCAL_STORAGE_PATH}`, headers: {} }).catch((error: unknown) => {
    if (error instanceof FloeError && error.code === 'NOT_FOUND') {
      throw new FloeError(
        'INVALID_CONFIG',
        `${http.bootstrap} is not a local Floe cluster: deployed, housekeeping runs on its schedule; to run it by hand there, give the FLOE_* environment of the housekeeping function`,
      );
    }
    throw error;
  });
  return JSON.parse(answer.body.toString('utf8')) as { dynamoEndpoint: string; s3Endpoint: string };
}

/**
 * The storage to work on: endpoints on the command line (a local cluster's, e.g. from `floe storage`);
 * else the FLOE_* environment, as in Lambda; else the local cluster at --bootstrap / FLOE_BOOTSTRAP.
 */
async function configOf(options: RunOptions, bootstrap: string): Promise<FloeConfig> {
  if (options.dynamodbEndpoint || options.s3Endpoint) {
    if (!options.dynamodbEndpoint || !options.s3Endpoint) throw new FloeError('INVALID_CONFIG', 'give both --dynamodb-endpoint and --s3-endpoint');
    return local({ dynamoEndpoint: options.dynamodbEndpoint, s3Endpoint: options.s3Endpoint });
  }
  if (process.env[ENV.bucket]) return configFromEnv();
  return local(await discoverLocalStorage(bootstrap));
}

async function local(endpoints: { dynamoEndpoint: string; s3Endpoint: string }): Promise<FloeConfig> {
  setLocalCredentials();
  const config = localConfig(endpoints);
  await checkLocalStorage(config);
  return config;
}

export function registerHousekeeping(program: Command): void {
  const housekeeping = program.command('housekeeping').description('retention, merging of small objects, orphan collection');
  housekeeping
    .command('run')
    .description('run one housekeeping pass now and print its summary as JSON')
    .option('--dynamodb-endpoint <url>', 'DynamoDB endpoint of a local storage (default: the FLOE_* environment if set, else the local cluster at --bootstrap)')
    .option('--s3-endpoint <url>', 'S3 endpoint of a local storage')
    .option('--grace-ms <ms>', 'grace before an unreferenced object is deleted (env FLOE_GC_GRACE_MS)', positive)
    .option('--lease-ms <ms>', 'lease duration (env FLOE_LEASE_MS)', positive)
    .option('--merge-target-bytes <n>', 'size of merged segment objects (env FLOE_MERGE_TARGET_BYTES)', positive)
    .option('--topic <name>', 'only this topic\'s partitions (repeatable; the object sweep still covers everything)', collect)
    .option('--no-sweep', 'skip object collection and deleted-topic cleanup')
    .addOption(new Option('--crash-point <point>', 'kill this process at a point of the pass (fault tests)').choices(HOUSEKEEPING_CRASH_POINTS).hideHelp())
    .action(async (options: RunOptions, command: Command) => {
      const config = await configOf(options, command.optsWithGlobals().bootstrap as string);
      const deps = createHousekeepingDeps(config);
      if (options.crashPoint) installHousekeepingCrashPoint(deps, options.crashPoint);
      const settings: Partial<HousekeepingSettings> = housekeepingSettingsFromEnv();
      if (options.graceMs !== undefined) settings.graceMs = options.graceMs;
      if (options.leaseMs !== undefined) settings.leaseMs = options.leaseMs;
      if (options.mergeTargetBytes !== undefined) settings.mergeTargetBytes = options.mergeTargetBytes;
      try {
        // An unknown --topic would otherwise be skipped silently: a pass over nothing, exit 0.
        for (const topic of options.topic ?? []) await requireTopic(deps, topic);
        const summary = await runHousekeeping(deps, { settings, topics: options.topic, sweep: options.sweep });
        process.stdout.write(`${JSON.stringify(summary)}\n`);
        if (summary.errors.length > 0) process.exitCode = 1;
      } finally {
        deps.clients.s3.destroy();
        deps.clients.dynamo.destroy();
      }
    });
}
