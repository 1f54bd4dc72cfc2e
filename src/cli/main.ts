/**
 * The floe CLI, shaped like Kafka's console tools. Only the module of the command being
 * run is loaded (the local cluster's stand-ins and the AWS SDK are large), so a command
 * starts in a small multiple of a bare `node` (bench/cli-startup.ts measures it).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { FloeCommand, InvalidOptionValue } from './floe-command.js';
import { handleClosedStdout } from './signals.js';

export const DEFAULT_BOOTSTRAP = 'http://127.0.0.1:9092';

type Register = (program: Command) => void;

/** Top-level command name -> the module that registers it. */
const COMMANDS: Record<string, () => Promise<Register>> = {
  dev: async () => (await import('./commands/local.js')).registerLocal,
  serve: async () => (await import('./commands/local.js')).registerLocal,
  storage: async () => (await import('./commands/local.js')).registerLocal,
  topics: async () => (await import('./commands/topics.js')).registerTopics,
  produce: async () => (await import('./commands/produce.js')).registerProduce,
  consume: async () => (await import('./commands/consume.js')).registerConsume,
  groups: async () => (await import('./commands/groups.js')).registerGroups,
  housekeeping: async () => (await import('./commands/housekeeping.js')).registerHousekeeping,
  console: async () => (await import('./commands/console.js')).registerConsole,
  gateway: async () => (await import('./commands/gateway.js')).registerGateway,
  acls: async () => (await import('./commands/acls.js')).registerAcls,
};

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The first argument that is not an option (or an option's value): the command to load. */
function commandName(argv: string[]): string | undefined {
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--bootstrap') i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

export async function buildProgram(argv: string[] = process.argv): Promise<Command> {
  const program = new FloeCommand('floe')
    .description('Floe: serverless Kafka-style event streaming on AWS Lambda, S3 and DynamoDB')
    .version(packageVersion(), '-V, --version', 'print the version of floe')
    .option('--bootstrap <url>', 'bootstrap URL of a Floe cluster (env FLOE_BOOTSTRAP)', process.env.FLOE_BOOTSTRAP ?? DEFAULT_BOOTSTRAP)
    .showHelpAfterError();
  const name = commandName(argv);
  const load = name === undefined ? undefined : COMMANDS[name];
  const versionOnly = name === undefined && argv.some((a) => a === '-V' || a === '--version');
  // An unknown or missing command loads them all, so help and "unknown command" list every one.
  const registers = load ? [await load()] : versionOnly ? [] : await Promise.all(Object.values(COMMANDS).map((l) => l()));
  for (const register of new Set(registers)) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // Once for every command: `floe ... | head -1` ends quietly instead of with Node's EPIPE stack.
  handleClosedStdout();
  try {
    await (await buildProgram(argv)).parseAsync(argv);
  } catch (error) {
    const { FloeError } = await import('@floe/protocol');
    if (error instanceof FloeError || error instanceof InvalidOptionValue) {
      process.stderr.write(`error: ${error.code}: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    // Problems the user can fix (a port or data dir in use, storage they cannot write): the message is the whole story.
    if ((error as Error)?.name === 'LocalStartupError') {
      process.stderr.write(`error: ${(error as Error).message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}
