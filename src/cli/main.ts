/** The floe CLI, shaped like Kafka's console tools. */
import { Command } from 'commander';
import { FloeError } from '../errors.js';
import { registerConsole } from './commands/console.js';
import { registerConsume } from './commands/consume.js';
import { registerGroups } from './commands/groups.js';
import { registerHousekeeping } from './commands/housekeeping.js';
import { registerLocal } from './commands/local.js';
import { registerProduce } from './commands/produce.js';
import { registerTopics } from './commands/topics.js';

export const DEFAULT_BOOTSTRAP = 'http://127.0.0.1:9092';

export function buildProgram(): Command {
  const program = new Command('floe')
    .description('Floe: serverless Kafka-style event streaming on AWS Lambda, S3 and DynamoDB')
    .option('--bootstrap <url>', 'bootstrap URL of a Floe cluster (env FLOE_BOOTSTRAP)', process.env.FLOE_BOOTSTRAP ?? DEFAULT_BOOTSTRAP)
    .showHelpAfterError();
  registerLocal(program);
  registerTopics(program);
  registerProduce(program);
  registerConsume(program);
  registerGroups(program);
  registerHousekeeping(program);
  registerConsole(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof FloeError) {
      process.stderr.write(`error: ${error.code}: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}
