/**
 * kafka-acls' arguments as rules and filters: every principal with every resource and every
 * operation (its cross product), plus its --producer and --consumer conveniences.
 */
import { ACL_OPERATIONS, CLUSTER_RESOURCE_NAME, FloeError, type AclFilter, type AclOperation, type AclPatternType, type AclResourceType, type AclRule } from '@floe/protocol';

export interface AclArgs {
  allowPrincipal: string[];
  denyPrincipal: string[];
  operation: string[];
  topic: string[];
  group: string[];
  cluster?: boolean;
  resourcePatternType?: string;
  producer?: boolean;
  consumer?: boolean;
  idempotent?: boolean;
}

interface Resource {
  resourceType: AclResourceType;
  resourceName: string;
}

/** Case-insensitive, as kafka-acls (--operation read, --operation DescribeConfigs). */
function operationOf(value: string): AclOperation {
  const found = ACL_OPERATIONS.find((o) => o.toLowerCase() === value.toLowerCase());
  if (!found) throw new FloeError('INVALID_REQUEST', `--operation must be one of ${ACL_OPERATIONS.join(', ')}; got "${value}"`);
  return found;
}

function resourcesOf(args: AclArgs): Resource[] {
  return [
    ...args.topic.map((name) => ({ resourceType: 'topic' as const, resourceName: name })),
    ...args.group.map((name) => ({ resourceType: 'group' as const, resourceName: name })),
    ...(args.cluster ? [{ resourceType: 'cluster' as const, resourceName: CLUSTER_RESOURCE_NAME }] : []),
  ];
}

const principalsOf = (args: AclArgs) => [
  ...args.allowPrincipal.map((principal) => ({ principal, permission: 'allow' as const })),
  ...args.denyPrincipal.map((principal) => ({ principal, permission: 'deny' as const })),
];

/** kafka-acls --producer: Write, Describe and Create on the topics (IdempotentWrite on the cluster with --idempotent). */
function producerRules(args: AclArgs): Array<Resource & { operation: AclOperation }> {
  if (args.topic.length === 0) throw new FloeError('INVALID_REQUEST', '--producer needs --topic');
  const ops: AclOperation[] = ['Write', 'Describe', 'Create'];
  return [
    ...args.topic.flatMap((name) => ops.map((operation) => ({ resourceType: 'topic' as const, resourceName: name, operation }))),
    ...(args.idempotent ? [{ resourceType: 'cluster' as const, resourceName: CLUSTER_RESOURCE_NAME, operation: 'IdempotentWrite' as const }] : []),
  ];
}

/** kafka-acls --consumer: Read and Describe on the topics, Read on the groups. */
function consumerRules(args: AclArgs): Array<Resource & { operation: AclOperation }> {
  if (args.topic.length === 0 || args.group.length === 0) throw new FloeError('INVALID_REQUEST', '--consumer needs --topic and --group');
  return [
    ...args.topic.flatMap((name) => (['Read', 'Describe'] as const).map((operation) => ({ resourceType: 'topic' as const, resourceName: name, operation }))),
    ...args.group.map((name) => ({ resourceType: 'group' as const, resourceName: name, operation: 'Read' as const })),
  ];
}

/**
 * As kafka-acls: --producer and --consumer make allow rules of their own operations, so an
 * --operation, a deny principal or a resource they do not use would be dropped without a word.
 */
function checkConvenience(args: AclArgs): void {
  const which = args.producer && args.consumer ? '--producer and --consumer' : args.producer ? '--producer' : '--consumer';
  if (args.operation.length > 0) throw new FloeError('INVALID_REQUEST', `${which} cannot be combined with --operation: add those rules in a separate command`);
  if (args.denyPrincipal.length > 0) throw new FloeError('INVALID_REQUEST', `${which} adds allow rules only; --deny-principal needs --operation`);
  if (args.cluster) throw new FloeError('INVALID_REQUEST', `${which} cannot be combined with --cluster (--producer --idempotent adds IdempotentWrite on it)`);
  if (args.group.length > 0 && !args.consumer) throw new FloeError('INVALID_REQUEST', '--producer uses no --group (--consumer does)');
}

/** The operations each resource type has (Kafka's AclEntry.supportedOperations, less what Floe has no rules for), and All. */
const OPERATIONS_OF: Record<AclResourceType, readonly AclOperation[]> = {
  topic: ['All', 'Read', 'Write', 'Create', 'Delete', 'Alter', 'Describe', 'DescribeConfigs', 'AlterConfigs'],
  group: ['All', 'Read', 'Describe', 'Delete'],
  cluster: ['All', 'Create', 'Alter', 'Describe', 'DescribeConfigs', 'AlterConfigs', 'IdempotentWrite'],
};

/** A rule no check ever asks for (IdempotentWrite on a topic, Read on the cluster) is refused, as kafka-acls refuses it. */
function checkOperation(resourceType: AclResourceType, operation: AclOperation): void {
  const allowed = OPERATIONS_OF[resourceType];
  if (!allowed.includes(operation)) {
    throw new FloeError('INVALID_REQUEST', `--operation ${operation} does not apply to a ${resourceType}: a ${resourceType} takes ${allowed.join(', ')}`);
  }
}

function patternOf(args: AclArgs, allowed: readonly string[]): string {
  const pattern = (args.resourcePatternType ?? 'literal').toLowerCase();
  if (!allowed.includes(pattern)) throw new FloeError('INVALID_REQUEST', `--resource-pattern-type must be one of ${allowed.join(', ')}; got "${args.resourcePatternType}"`);
  return pattern;
}

/** The rules `floe acls add` creates. */
export function rulesToAdd(args: AclArgs): AclRule[] {
  const principals = principalsOf(args);
  if (principals.length === 0) throw new FloeError('INVALID_REQUEST', 'name --allow-principal or --deny-principal');
  const patternType = patternOf(args, ['literal', 'prefixed']) as AclPatternType;
  if (args.idempotent && !args.producer) throw new FloeError('INVALID_REQUEST', '--idempotent goes with --producer');
  if (args.producer || args.consumer) checkConvenience(args);
  const bindings =
    args.producer || args.consumer
      ? [...(args.producer ? producerRules(args) : []), ...(args.consumer ? consumerRules(args) : [])]
      : resourcesOf(args).flatMap((r) => {
          if (args.operation.length === 0) throw new FloeError('INVALID_REQUEST', 'name --operation (or --producer / --consumer)');
          return args.operation.map((op) => {
            const operation = operationOf(op);
            checkOperation(r.resourceType, operation);
            return { ...r, operation };
          });
        });
  if (bindings.length === 0) throw new FloeError('INVALID_REQUEST', 'name a resource: --topic, --group or --cluster');
  // The cluster is always literal: a prefixed pattern applies to the topics and groups only.
  return principals.flatMap(({ principal, permission }) =>
    bindings.map((b) => ({ principal, permission, ...b, patternType: b.resourceType === 'cluster' ? 'literal' : patternType })),
  );
}

/**
 * The filters `floe acls remove` and `list` send: each named principal, resource and operation
 * narrows them; what is not named matches anything. --resource-pattern-type also takes any and match.
 */
export function filtersOf(args: AclArgs): AclFilter[] {
  const pattern = args.resourcePatternType === undefined ? undefined : (patternOf(args, ['literal', 'prefixed', 'any', 'match']) as AclFilter['patternType']);
  const principals: Array<Pick<AclFilter, 'principal' | 'permission'>> = principalsOf(args);
  const resources: Array<Partial<Resource>> = resourcesOf(args);
  const operations: Array<AclOperation | undefined> = args.operation.map(operationOf);
  const product: AclFilter[] = [];
  for (const p of principals.length > 0 ? principals : [{}]) {
    for (const r of resources.length > 0 ? resources : [{}]) {
      for (const operation of operations.length > 0 ? operations : [undefined]) {
        product.push({ ...p, ...r, ...(operation ? { operation } : {}), ...(pattern ? { patternType: r.resourceType === 'cluster' && pattern === 'prefixed' ? 'literal' : pattern } : {}) });
      }
    }
  }
  return product;
}

/** kafka-acls' listing: the rules grouped under their resource pattern. */
export function aclsText(rules: AclRule[]): string {
  const byResource = new Map<string, AclRule[]>();
  for (const rule of rules) {
    const key = `ResourcePattern(resourceType=${rule.resourceType.toUpperCase()}, name=${rule.resourceName}, patternType=${rule.patternType.toUpperCase()})`;
    byResource.set(key, [...(byResource.get(key) ?? []), rule]);
  }
  if (byResource.size === 0) return 'No ACLs match.\n';
  return [...byResource]
    .map(([resource, list]) => {
      const lines = list.map((r) => `\t(principal=${r.principal}, host=*, operation=${r.operation.toUpperCase()}, permissionType=${r.permission.toUpperCase()})`);
      return `Current ACLs for resource \`${resource}\`: \n${lines.join('\n')}\n`;
    })
    .join('\n');
}
