/**
 * The CLI's commands: commander's, except that a bad option or argument value (an integerArg
 * refusal, a value outside an option's choices, a parser's InvalidArgumentError) becomes an
 * InvalidOptionValue that main() prints as every other bad input, on one line with a Kafka-style
 * code, instead of commander's message followed by the whole help text. Usage errors (a missing
 * argument, an unknown command or option) keep the help. @floe/protocol's FloeError is not
 * imported here: `floe --version` loads no more than commander.
 */
import { Command } from 'commander';

/** A bad value on the command line, named by commander ("option '--partitions <n>' argument 'abc' is invalid. ..."). */
export class InvalidOptionValue extends Error {
  readonly code = 'INVALID_REQUEST';
}

export class FloeCommand extends Command {
  /** Subcommands (`program.command(...)`) are FloeCommands too. */
  override createCommand(name?: string): FloeCommand {
    return new FloeCommand(name);
  }

  override error(message: string, options?: { code?: string; exitCode?: number }): never {
    if (options?.code === 'commander.invalidArgument') throw new InvalidOptionValue(message.replace(/^error: /, ''));
    return super.error(message, options);
  }
}
