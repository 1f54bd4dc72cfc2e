/**
 * floe gateway credentials <user>: adds (or replaces, or with --remove deletes) a SASL user of the
 * Kafka gateway. The password is read from stdin, never from an argument (shell history, ps), and
 * only SCRAM salted keys are written: they serve SCRAM-SHA-256/512 and PLAIN logins alike.
 * Without --file or --secret-id it prints a credentials document holding just that user.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { FloeError } from '@floe/protocol';
import { removeUser, scramEntries, setUser } from '../../gateway/security/credentials/edit.js';
import { isScramMechanism, type ScramMechanism } from '../../gateway/security/sasl/mechanism.js';
import { SCRAM_DEFAULT_ITERATIONS, SCRAM_MAX_ITERATIONS, SCRAM_MIN_ITERATIONS } from '../../gateway/security/sasl/scram-crypto.js';
import { integerArg } from '../integer-arg.js';

interface CredentialsOptions {
  secretId?: string;
  file?: string;
  mechanisms: string;
  iterations: number;
  remove?: boolean;
}

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new FloeError('INVALID_CONFIG', 'pipe the password on stdin, e.g.: read -rs PW && printf %s "$PW" | floe gateway credentials alice');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function mechanismsOf(list: string): ScramMechanism[] {
  const names = list.split(',').map((m) => m.trim()).filter((m) => m !== '');
  const bad = names.filter((m) => !isScramMechanism(m));
  if (names.length === 0 || bad.length > 0) throw new FloeError('INVALID_CONFIG', `--mechanisms: SCRAM-SHA-256 and/or SCRAM-SHA-512, got ${list}`);
  return names as ScramMechanism[];
}

/** Reads the current document, applies the edit, writes it back (or prints it). */
async function apply(options: CredentialsOptions, change: (text: string | undefined) => string): Promise<string> {
  const edit = (text: string | undefined): string => {
    try {
      return change(text);
    } catch (error) {
      throw new FloeError('INVALID_CONFIG', (error as Error).message);
    }
  };
  if (options.file && options.secretId) throw new FloeError('INVALID_CONFIG', 'give --file or --secret-id, not both');
  if (options.secretId) {
    const { createSecretsClient, getSecretString, putSecretString } = await import('../../aws/secrets.js');
    const client = createSecretsClient();
    await putSecretString(client, options.secretId, edit(await getSecretString(client, options.secretId)));
    return `secret ${options.secretId}`;
  }
  if (options.file) {
    const current = await readFile(options.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    await writeFile(options.file, edit(current), { mode: 0o600 });
    await chmod(options.file, 0o600);
    return `file ${options.file}`;
  }
  process.stdout.write(edit(undefined));
  return 'stdout';
}

export function registerGatewayCredentials(gateway: Command): void {
  gateway
    .command('credentials <user>')
    .description('add or replace a SASL user of the Kafka gateway (password on stdin; SCRAM salted keys only)')
    .option('--secret-id <id>', 'update this Secrets Manager secret (needs secretsmanager:GetSecretValue and PutSecretValue)')
    .option('--file <path>', 'update this credentials file (created with mode 0600 if missing)')
    .option('--mechanisms <list>', 'SCRAM mechanisms to write', 'SCRAM-SHA-256,SCRAM-SHA-512')
    // Checked as the flag is read: "--iterations abc" is a usage error naming the flag, not "got NaN".
    .option(
      '--iterations <n>',
      `PBKDF2 iterations (${SCRAM_MIN_ITERATIONS}-${SCRAM_MAX_ITERATIONS}, as Kafka allows)`,
      integerArg(SCRAM_MIN_ITERATIONS, SCRAM_MAX_ITERATIONS),
      SCRAM_DEFAULT_ITERATIONS,
    )
    .option('--remove', 'remove the user instead')
    .action(async (user: string, options: CredentialsOptions) => {
      if (options.remove) {
        if (!options.file && !options.secretId) throw new FloeError('INVALID_CONFIG', '--remove needs --file or --secret-id');
        const where = await apply(options, (text) => removeUser(text, user));
        process.stderr.write(`removed ${user} from ${where}\n`);
        return;
      }
      const mechanisms = mechanismsOf(options.mechanisms);
      const iterations = options.iterations;
      let entry;
      try {
        entry = await scramEntries(await readPassword(), { mechanisms, iterations });
      } catch (error) {
        if (error instanceof FloeError) throw error;
        throw new FloeError('INVALID_CONFIG', (error as Error).message);
      }
      const where = await apply(options, (text) => setUser(text, user, entry));
      process.stderr.write(
        `${user} (${mechanisms.join(', ')}, ${iterations} iterations) written to ${where}; ` +
          'the gateway picks up a new user at its first login attempt, a changed one within its refresh interval\n',
      );
    });
}

