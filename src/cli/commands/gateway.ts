/**
 * floe gateway: the Kafka-protocol gateway (docs/gateway.md). Storage comes from the same
 * environment as the Lambda handlers (FLOE_BUCKET, FLOE_LOG_TABLE, FLOE_GROUPS_TABLE, AWS_*),
 * or, for a local stand-in started with `floe storage`, from --dynamodb-endpoint/--s3-endpoint;
 * its own settings and its security (TLS, SASL) from FLOE_GATEWAY_* (src/config/gateway.ts), flags
 * on top. Nothing set: plaintext, no SASL. It writes nothing to disk (the container's root file
 * system is read-only). SIGINT/SIGTERM drain in-flight requests before exiting.
 * `floe gateway credentials` edits the SASL users (gateway-credentials.ts).
 */
import type { Command } from 'commander';
import { FloeError } from '@floe/protocol';
import { GATEWAY_ENV } from '../../config/gateway.js';
import { listenError } from '../../local/errors.js';
import { integerArg } from '../integer-arg.js';
import { configFromEnv, type Env, type FloeConfig } from '../../config/index.js';
import type { GatewaySecurity } from '../../gateway/security/index.js';
import type { GatewaySettings } from '../../gateway/settings.js';
import { gatewaySecurityOf, withGatewaySecurityOptions, type GatewaySecurityOptions } from '../gateway-security.js';
import { registerGatewayCredentials } from './gateway-credentials.js';

interface GatewayOptions extends GatewaySecurityOptions {
  host?: string;
  port?: number;
  advertisedHost?: string;
  advertisedPort?: number;
  nodeId?: number;
  autoCreateTopics?: boolean;
  defaultPartitions?: number;
  dynamodbEndpoint?: string;
  s3Endpoint?: string;
  json?: boolean;
}

const int = integerArg;

async function storageConfig(options: GatewayOptions): Promise<FloeConfig> {
  if (options.dynamodbEndpoint || options.s3Endpoint) {
    if (!options.dynamodbEndpoint || !options.s3Endpoint) throw new FloeError('INVALID_CONFIG', '--dynamodb-endpoint and --s3-endpoint go together');
    // Loaded only here: the local cluster's stand-ins are large, and a deployed gateway never needs them.
    const [{ setLocalCredentials }, { checkLocalStorage, localConfig }] = await Promise.all([import('../../local/cluster.js'), import('../../local/storage.js')]);
    setLocalCredentials();
    const config = localConfig({ dynamoEndpoint: options.dynamodbEndpoint, s3Endpoint: options.s3Endpoint });
    // As housekeeping run does: refuse to start rather than listen and fail every client request.
    // A storage nobody set up yet passes: `floe serve` may create its tables after the gateway starts.
    await checkLocalStorage(config, { emptyOk: true }).catch((error: Error) => {
      throw new FloeError('INVALID_CONFIG', error.message);
    });
    return config;
  }
  let config: FloeConfig;
  try {
    config = configFromEnv();
  } catch (error) {
    throw new FloeError('INVALID_CONFIG', `${(error as Error).message} (the gateway reads the handlers' environment; or pass --dynamodb-endpoint and --s3-endpoint)`);
  }
  const [{ createAwsClients }, { checkGatewayStorage }] = await Promise.all([import('../../aws/clients.js'), import('../../gateway/storage-check.js')]);
  const clients = createAwsClients(config);
  try {
    await checkGatewayStorage(config, clients);
  } finally {
    clients.s3.destroy();
    clients.dynamo.destroy();
  }
  return config;
}

export function registerGateway(program: Command): void {
  const gateway = withGatewaySecurityOptions(
    program
      .command('gateway')
      .description('serve the Kafka protocol over this cluster\'s storage: Kafka clients (kcat, librdkafka, kafkajs, Java) connect to it')
      .option('--host <host>', `address to listen on (env ${GATEWAY_ENV.host}; default 127.0.0.1; 0.0.0.0 in a container)`)
      .option('--port <port>', `port to listen on, 0 = any free port (env ${GATEWAY_ENV.port}; default 9093)`, int(0, 65535))
      .option('--advertised-host <host>', `host clients are told to connect to, e.g. a load balancer (env ${GATEWAY_ENV.advertisedHost})`)
      .option('--advertised-port <port>', `port clients are told to connect to (env ${GATEWAY_ENV.advertisedPort})`, int(1, 65535))
      .option('--node-id <id>', `node id of the advertised broker (env ${GATEWAY_ENV.nodeId}; default 1)`, int(0, 2 ** 31 - 1))
      .option('--auto-create-topics', `create topics the first time a client asks for them (env ${GATEWAY_ENV.autoCreateTopics}; default off)`)
      .option('--default-partitions <n>', `partitions of auto-created topics (env ${GATEWAY_ENV.defaultPartitions}; default 1)`, int(1, 4096)),
  )
    .option('--dynamodb-endpoint <url>', 'DynamoDB endpoint of a local storage (`floe storage`)')
    .option('--s3-endpoint <url>', 'S3 endpoint of a local storage (`floe storage`)')
    .option('--json', 'print the listening address as one JSON line')
    .action(async (options: GatewayOptions) => {
      const [{ startGateway }, { gatewaySettingsFromEnv }, { stderrLogger }] = await Promise.all([
        import('../../gateway/gateway.js'),
        import('../../gateway/settings.js'),
        import('../../gateway/logger.js'),
      ]);
      const config = await storageConfig(options);
      const overrides: Partial<GatewaySettings> = {
        host: options.host,
        port: options.port,
        advertisedHost: options.advertisedHost,
        advertisedPort: options.advertisedPort,
        nodeId: options.nodeId,
        autoCreateTopics: options.autoCreateTopics,
        defaultPartitions: options.defaultPartitions,
      };
      let settings: GatewaySettings;
      try {
        settings = gatewaySettingsFromEnv(process.env, overrides);
      } catch (error) {
        throw new FloeError('INVALID_CONFIG', (error as Error).message);
      }
      const security = await gatewaySecurityOf(process.env, options, stderrLogger.warn);
      let running;
      try {
        running = await startGateway({ config, settings, security, log: stderrLogger });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new FloeError('INVALID_CONFIG', `port ${settings.port} is in use: choose another with --port`);
        // An unknown --host, said as floe dev says it.
        const said = listenError(error, settings.host, settings.port, 'the Kafka gateway');
        throw said === error ? error : new FloeError('INVALID_CONFIG', said.message);
      }
      const listening = `${running.host}:${running.port}`;
      const advertised = `${running.node.host}:${running.node.port}`;
      process.stdout.write(
        options.json
          ? `${JSON.stringify({ kafka: listening, advertised, security: security.description })}\n`
          : `Floe Kafka gateway listening on ${listening} (advertised as ${advertised}); ${security.description}.\n  try: kcat -b ${advertised} -L\nPress Ctrl-C to stop.\n`,
      );
      await new Promise<void>((done) => {
        const stop = () => {
          process.stderr.write('draining...\n');
          void running.close().then(done);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
  registerGatewayCredentials(gateway);
}
