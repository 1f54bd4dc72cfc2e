/** floe acls add | remove | list (like kafka-acls.sh --add / --remove / --list). */
import type { Command } from 'commander';
import { Admin, localPrincipal } from '@floe/client';
import { FloeError, type AclRule } from '@floe/protocol';
import { aclsText, filtersOf, rulesToAdd, type AclArgs } from '../acl-bindings.js';

/** `--as`: the principal a local cluster takes the CLI for (deployed clusters know the caller from its signature). */
function adminOf(command: Command): Admin {
  const globals = command.optsWithGlobals<{ bootstrap: string; as?: string }>();
  return new Admin({ bootstrap: globals.bootstrap, ...(globals.as ? { sign: localPrincipal(globals.as) } : {}) });
}

/** Repeatable options start undefined (help shows no "(default: [])"); the bindings take lists. */
const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

type RawArgs = Partial<AclArgs> & { json?: boolean };
const argsOf = (o: RawArgs): AclArgs => ({
  ...o,
  allowPrincipal: o.allowPrincipal ?? [],
  denyPrincipal: o.denyPrincipal ?? [],
  operation: o.operation ?? [],
  topic: o.topic ?? [],
  group: o.group ?? [],
});

function withResourceOptions(command: Command, patterns: string): Command {
  return command
    .option('--allow-principal <principal>', 'IAM ARN (a role ARN covers its sessions), User:<name> or *; repeatable', collect)
    .option('--deny-principal <principal>', 'as --allow-principal, for deny rules; repeatable', collect)
    .option('--operation <op>', 'Read, Write, Create, Delete, Alter, Describe, DescribeConfigs, AlterConfigs, IdempotentWrite or All; repeatable', collect)
    .option('--topic <name>', 'a topic (or prefix, or *); repeatable', collect)
    .option('--group <name>', 'a consumer group (or prefix, or *); repeatable', collect)
    .option('--cluster', 'the cluster resource')
    .option('--resource-pattern-type <type>', patterns);
}

const print = (rules: AclRule[], json: boolean | undefined): void => {
  process.stdout.write(json ? `${JSON.stringify(rules)}\n` : aclsText(rules));
};

export function registerAcls(program: Command): void {
  const acls = program
    .command('acls')
    .description('add, remove and list ACL rules (docs/security.md)')
    .option('--as <principal>', 'on a local cluster: act as this principal (the x-floe-principal header)');

  withResourceOptions(acls.command('add'), 'literal (default) or prefixed')
    .description('add rules: every principal x resource x operation')
    .option('--producer', 'Write, Describe and Create on the topics')
    .option('--idempotent', 'with --producer: IdempotentWrite on the cluster too')
    .option('--consumer', 'Read and Describe on the topics, Read on the groups')
    .option('--json', 'print JSON')
    .action(async (options: RawArgs, command: Command) => {
      const added = await adminOf(command).createAcls(rulesToAdd(argsOf(options)));
      if (!options.json) process.stdout.write(`Adding ACLs (${added.filter((r) => r.added).length} new, ${added.filter((r) => !r.added).length} already there):\n`);
      print(added, options.json);
    });

  withResourceOptions(acls.command('remove'), 'literal, prefixed, any or match (default: any)')
    .description('remove the rules the options select (what is not named matches anything)')
    .option('--json', 'print JSON')
    .action(async (options: RawArgs, command: Command) => {
      const admin = adminOf(command);
      const removed: AclRule[] = [];
      const filters = filtersOf(argsOf(options));
      // Removing every rule is said out loud: --resource-pattern-type any.
      if (filters.some((f) => Object.keys(f).length === 0)) throw new FloeError('INVALID_REQUEST', 'name a principal, resource or operation (or --resource-pattern-type any to remove every rule)');
      for (const filter of filters) removed.push(...(await admin.deleteAcls(filter)));
      if (!options.json) process.stdout.write(`Removed ${removed.length} ACL(s):\n`);
      print(removed, options.json);
    });

  withResourceOptions(acls.command('list'), 'literal, prefixed, any or match (default: any)')
    .description('list the rules the options select')
    .option('--json', 'print JSON')
    .action(async (options: RawArgs, command: Command) => {
      const admin = adminOf(command);
      const seen = new Map<string, AclRule>();
      for (const filter of filtersOf(argsOf(options))) for (const rule of await admin.describeAcls(filter)) seen.set(JSON.stringify(rule), rule);
      print([...seen.values()], options.json);
    });
}
