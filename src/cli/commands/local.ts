/** floe dev | serve | storage: the local cluster and its parts. */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { FloeError } from '@floe/protocol';
import { ANONYMOUS_PRINCIPAL } from '../../auth/index.js';
import { startDevConsole } from '../../console/dev-console.js';
import { startDevGateway } from '../../gateway/dev-gateway.js';
import { CRASH_POINTS, type CrashPoint } from '../../faults/crash-points.js';
import { startCluster } from '../../local/cluster.js';
import { listenError } from '../../local/errors.js';
import { startStorage } from '../../local/storage.js';
import { ACL_CACHE_MS_RANGE } from '../../config/index.js';
import { devGatewaySecurityOf, securityFlagGiven, withGatewaySecurityOptions, type GatewaySecurityOptions } from '../gateway-security.js';
import { integerArg } from '../integer-arg.js';
import { onShutdownSignals, type Shutdown } from '../signals.js';

/** Serves until Ctrl-C or SIGTERM, then closes cleanly (a second Ctrl-C forces the exit). */
async function runUntilSignal(shutdown: Shutdown, close: () => Promise<void>): Promise<void> {
  try {
    await shutdown.whenRequested;
    await close();
  } finally {
    shutdown.dispose();
  }
}

// A bad value is one line naming the flag (floe-command.ts), no stack trace.
const port = integerArg(0, 65535);
const nonNegative = integerArg(0);

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** Authorization of a local cluster: the mode, its super users, and who a request is when it does not say. */
interface AuthOptions {
  authorization: 'none' | 'acl';
  superUser?: string[];
  principal?: string;
  aclCacheMs?: number;
}

type DevOptions = AuthOptions &
  GatewaySecurityOptions & {
    port: number;
    host: string;
    dataDir: string;
    json?: boolean;
    housekeepingIntervalMs: number;
    consolePort: number;
    console: boolean;
    kafkaPort?: number;
    kafka: boolean;
    autoCreateTopics?: boolean;
    defaultPartitions?: number;
  };

function withAuthOptions(command: Command): Command {
  return command
    .addOption(new Option('--authorization <mode>', 'acl: ACL rules decide what each principal may do (docs/security.md)').choices(['none', 'acl']).default('none'))
    .option('--super-user <principal>', 'a principal no rule restricts (Kafka\'s super.users); repeatable', collect)
    .option(
      '--acl-cache-ms <ms>',
      `how long each function decides with the rules it read, ${ACL_CACHE_MS_RANGE.min}-${ACL_CACHE_MS_RANGE.max} (FLOE_ACL_CACHE_MS; default 10000)`,
      // Checked here, so the error names the flag rather than the variable the handlers read.
      integerArg(ACL_CACHE_MS_RANGE.min, ACL_CACHE_MS_RANGE.max),
    )
    .option('--principal <principal>', 'who a request is when it sends no x-floe-principal header (default: User:admin with --authorization acl, else User:ANONYMOUS)');
}

/** The local operator with ACLs on: requests that name nobody, and (unless --super-user says otherwise) the one super user. */
const LOCAL_ADMIN = 'User:admin';

/**
 * With ACLs on, a fresh cluster has no rules, so someone must be able to add the first ones: the
 * default principal is a super user unless super users are named (Kafka's super.users).
 */
function authOf(options: AuthOptions) {
  if (options.authorization === 'none') return { principal: options.principal, config: { authorization: 'none' as const, aclSuperUsers: options.superUser ?? [] } };
  const principal = options.principal ?? LOCAL_ADMIN;
  const superUsers = options.superUser?.length ? options.superUser : [principal];
  return { principal, config: { authorization: 'acl' as const, aclSuperUsers: superUsers, aclCacheMs: options.aclCacheMs } };
}

const authLine = (options: AuthOptions & { kafka?: boolean }, sasl: boolean): string => {
  if (options.authorization === 'none') return '';
  const auth = authOf(options);
  // Without SASL the gateway's clients are Kafka's unauthenticated principal; with it, User:<their SASL name>.
  const kafka = options.kafka ? `; Kafka clients are ${sasl ? 'User:<their SASL user name>' : ANONYMOUS_PRINCIPAL}` : '';
  return `  acls:      on; requests without an x-floe-principal header act as ${auth.principal}; super users: ${auth.config.aclSuperUsers.join(', ')}${kafka}\n`;
};

export function registerLocal(program: Command): void {
  const dev = withAuthOptions(program.command('dev'))
    .description('run a local Floe cluster: embedded S3 and DynamoDB stand-ins plus every handler, as Function URLs')
    .option('--port <port>', 'port of the bootstrap URL (0 = any free port)', port, 9092)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--data-dir <dir>', 'where data is kept across restarts', '.floe')
    .option('--json', 'print the endpoints as one JSON line')
    .option('--housekeeping-interval-ms <ms>', 'run housekeeping (retention, merging, orphan collection) this often; 0 = off', nonNegative, 60_000)
    .option('--console-port <port>', 'port of the web console (0 = any free port)', port, 8080)
    .option('--no-console', 'do not serve the web console')
    .option('--kafka-port <port>', 'port of the Kafka-protocol gateway (0 = any free port; default 9093, or any free port with --port 0)', port)
    .option('--no-kafka', 'do not serve the Kafka-protocol gateway')
    // Kafka's auto.create.topics.enable, off as in `floe gateway`: kafkajs and kcat -P create what they name.
    .option('--auto-create-topics', 'the Kafka gateway creates a topic the first time a client names it (FLOE_GATEWAY_AUTO_CREATE_TOPICS; default off)')
    .option('--default-partitions <n>', 'partitions of a topic the Kafka gateway auto-creates (FLOE_GATEWAY_DEFAULT_PARTITIONS; default 1)', integerArg(1, 4096));
  withGatewaySecurityOptions(dev, false)
    .action(async (options: DevOptions) => {
      // Before anything starts: a bad credentials file or certificate is said without a cluster to stop.
      const securityFlag = securityFlagGiven(options);
      if (!options.kafka && securityFlag) throw new FloeError('INVALID_CONFIG', `${securityFlag} secures the Kafka gateway, which --no-kafka leaves out`);
      const security = options.kafka ? await devGatewaySecurityOf(options, (message, fields) => process.stderr.write(`${message} ${JSON.stringify(fields)}\n`)) : undefined;
      const shutdown = onShutdownSignals();
      const cluster = await startCluster({
        ...authOf(options),
        port: options.port,
        host: options.host,
        dataDir: resolve(options.dataDir),
        dataDirLabel: options.dataDir,
        command: 'floe dev',
        entryModules: true,
        housekeepingIntervalMs: options.housekeepingIntervalMs,
      });
      const warn = (line: string) => process.stderr.write(`${line}\n`);
      const web = options.console ? await startDevConsole({ bootstrap: cluster.url, host: options.host, port: options.consolePort, warn }) : undefined;
      const kafkaPort = options.kafkaPort ?? (options.port === 0 ? 0 : 9093);
      // The gateway checks the same rules (cluster.config carries the authorization settings).
      const kafka = options.kafka
        ? await startDevGateway({ config: cluster.config, host: options.host, port: kafkaPort, warn, autoCreateTopics: options.autoCreateTopics, defaultPartitions: options.defaultPartitions, security })
        : undefined;
      const secured = security !== undefined && (security.tls !== undefined || security.authenticator !== undefined);
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ bootstrap: cluster.url, ...(kafka ? { kafka: kafka.address } : {}), ...cluster.storage, ...(web ? { console: web.url } : {}) })}\n`);
      } else {
        process.stdout.write(
          `Floe local cluster is up.\n  bootstrap: ${cluster.url}\n${kafka ? `  kafka:     ${kafka.address}${secured ? ` (${security?.description})` : ''}\n` : ''}${web ? `  console:   ${web.url}\n` : ''}${authLine(options, security?.authenticator !== undefined)}  data:      ${resolve(options.dataDir)}\n` +
            `  try:       npx floe topics create demo --partitions 3\nPress Ctrl-C to stop.\n`,
        );
      }
      await runUntilSignal(shutdown, async () => {
        await kafka?.close();
        await web?.close();
        await cluster.close();
      });
    });

  withAuthOptions(program.command('serve'))
    .description('serve the handlers against a storage started elsewhere (several processes can share one)')
    .requiredOption('--dynamodb-endpoint <url>', 'DynamoDB endpoint')
    .requiredOption('--s3-endpoint <url>', 'S3 endpoint')
    .option('--port <port>', 'port (0 = any free port)', port, 0)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--json', 'print the bootstrap URL as one JSON line')
    .addOption(new Option('--crash-point <point>', 'kill this process at a point of the produce path (fault tests)').choices(CRASH_POINTS).hideHelp())
    .action(async (options: AuthOptions & { port: number; host: string; dynamodbEndpoint: string; s3Endpoint: string; json?: boolean; crashPoint?: CrashPoint }) => {
      const shutdown = onShutdownSignals();
      const cluster = await startCluster({
        ...authOf(options),
        crashPoint: options.crashPoint,
        port: options.port,
        host: options.host,
        storage: { dynamoEndpoint: options.dynamodbEndpoint, s3Endpoint: options.s3Endpoint },
        entryModules: true,
      });
      process.stdout.write(options.json ? `${JSON.stringify({ bootstrap: cluster.url })}\n` : `bootstrap: ${cluster.url}\n`);
      await runUntilSignal(shutdown, () => cluster.close());
    });

  program
    .command('storage')
    .description('run only the embedded S3 and DynamoDB stand-ins')
    .option('--data-dir <dir>', 'where data is kept (default: in memory)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--json', 'print the endpoints as one JSON line')
    .action(async (options: { dataDir?: string; host: string; json?: boolean }) => {
      const shutdown = onShutdownSignals();
      const storage = await startStorage({ dataDir: options.dataDir ? resolve(options.dataDir) : undefined, dataDirLabel: options.dataDir, host: options.host }).catch(
        (error: unknown) => {
          // An unknown --host, said as floe dev says it (rather than getaddrinfo's stack).
          throw listenError(error, options.host, 0, 'the storage stand-ins');
        },
      );
      storage.health.markStarted();
      const endpoints = { dynamoEndpoint: storage.dynamoEndpoint, s3Endpoint: storage.s3Endpoint };
      process.stdout.write(
        options.json ? `${JSON.stringify(endpoints)}\n` : `dynamodb: ${endpoints.dynamoEndpoint}\ns3:       ${endpoints.s3Endpoint}\n`,
      );
      await runUntilSignal(shutdown, () => storage.close());
    });
}
