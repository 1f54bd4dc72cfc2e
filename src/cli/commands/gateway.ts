/**
 * floe gateway: the Kafka-protocol gateway (docs/gateway.md). Storage comes from the same
 * environment as the Lambda handlers (FLOE_BUCKET, FLOE_LOG_TABLE, FLOE_GROUPS_TABLE, AWS_*),
 * or, for a local stand-in started with `floe storage`, from --dynamodb-endpoint/--s3-endpoint.
 * SIGINT/SIGTERM drain in-flight requests before exiting.
 */
import type { Command } from 'commander';
import { FloeError } from '@floe/protocol';
import { configFromEnv, type FloeConfig } from '../../config/index.js';
import { startGateway } from '../../gateway/gateway.js';
import { gatewaySettingsFromEnv, type GatewaySettings } from '../../gateway/settings.js';
import { setLocalCredentials } from '../../local/cluster.js';
import { localConfig } from '../../local/storage.js';

interface GatewayOptions {
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

const int = (min: number, max: number) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new FloeError('INVALID_CONFIG', `expected an integer from ${min} to ${max}, got ${value}`);
  return n;
};

function storageConfig(options: GatewayOptions): FloeConfig {
  if (options.dynamodbEndpoint || options.s3Endpoint) {
    if (!options.dynamodbEndpoint || !options.s3Endpoint) throw new FloeError('INVALID_CONFIG', '--dynamodb-endpoint and --s3-endpoint go together');
    setLocalCredentials();
    return localConfig({ dynamoEndpoint: options.dynamodbEndpoint, s3Endpoint: options.s3Endpoint });
  }
  try {
    return configFromEnv();
  } catch (error) {
    throw new FloeError('INVALID_CONFIG', `${(error as Error).message} (the gateway reads the handlers' environment; or pass --dynamodb-endpoint and --s3-endpoint)`);
  }
}

export function registerGateway(program: Command): void {
  program
    .command('gateway')
    .description('serve the Kafka protocol over this cluster\'s storage: Kafka clients (kcat, librdkafka, kafkajs, Java) connect to it')
    .option('--host <host>', 'address to listen on (env FLOE_GATEWAY_HOST; default 127.0.0.1)')
    .option('--port <port>', 'port to listen on, 0 = any free port (env FLOE_GATEWAY_PORT; default 9093)', int(0, 65535))
    .option('--advertised-host <host>', 'host clients are told to connect to, e.g. a load balancer (env FLOE_GATEWAY_ADVERTISED_HOST)')
    .option('--advertised-port <port>', 'port clients are told to connect to (env FLOE_GATEWAY_ADVERTISED_PORT)', int(1, 65535))
    .option('--node-id <id>', 'node id of the advertised broker (env FLOE_GATEWAY_NODE_ID; default 1)', int(0, 2 ** 31 - 1))
    .option('--auto-create-topics', 'create topics the first time a client asks for them (env FLOE_GATEWAY_AUTO_CREATE_TOPICS; default off)')
    .option('--default-partitions <n>', 'partitions of auto-created topics (env FLOE_GATEWAY_DEFAULT_PARTITIONS; default 1)', int(1, 4096))
    .option('--dynamodb-endpoint <url>', 'DynamoDB endpoint of a local storage (`floe storage`)')
    .option('--s3-endpoint <url>', 'S3 endpoint of a local storage (`floe storage`)')
    .option('--json', 'print the listening address as one JSON line')
    .action(async (options: GatewayOptions) => {
      const config = storageConfig(options);
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
      let gateway;
      try {
        gateway = await startGateway({ config, settings });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new FloeError('INVALID_CONFIG', `port ${settings.port} is in use: choose another with --port`);
        throw error;
      }
      const listening = `${gateway.host}:${gateway.port}`;
      const advertised = `${gateway.node.host}:${gateway.node.port}`;
      process.stdout.write(
        options.json
          ? `${JSON.stringify({ kafka: listening, advertised })}\n`
          : `Floe Kafka gateway listening on ${listening} (advertised as ${advertised}).\n  try: kcat -b ${advertised} -L\nPress Ctrl-C to stop.\n`,
      );
      await new Promise<void>((done) => {
        const stop = () => {
          process.stderr.write('draining...\n');
          void gateway.close().then(done);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
