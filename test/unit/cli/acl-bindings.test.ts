import { describe, expect, it } from 'vitest';
import { aclsText, filtersOf, rulesToAdd, type AclArgs } from '../../../src/cli/acl-bindings.js';

const args = (over: Partial<AclArgs>): AclArgs => ({ allowPrincipal: [], denyPrincipal: [], operation: [], topic: [], group: [], ...over });

describe('floe acls arguments', () => {
  it('adds every principal x resource x operation, with the pattern type for topics and groups only', () => {
    // Prepare
    const input = args({ allowPrincipal: ['User:a'], denyPrincipal: ['User:b'], operation: ['describe', 'Alter'], topic: ['orders.'], cluster: true, resourcePatternType: 'PREFIXED' });

    // Act
    const rules = rulesToAdd(input);

    // Assess
    expect(rules).toHaveLength(8);
    expect(rules).toContainEqual({ principal: 'User:b', permission: 'deny', resourceType: 'topic', resourceName: 'orders.', patternType: 'prefixed', operation: 'Describe' });
    expect(rules).toContainEqual({ principal: 'User:a', permission: 'allow', resourceType: 'cluster', resourceName: 'kafka-cluster', patternType: 'literal', operation: 'Alter' });
  });

  it('expands --producer and --consumer as kafka-acls does', () => {
    // Act
    const producer = rulesToAdd(args({ allowPrincipal: ['User:p'], topic: ['t'], producer: true, idempotent: true }));
    const consumer = rulesToAdd(args({ allowPrincipal: ['User:c'], topic: ['t'], group: ['g'], consumer: true }));

    // Assess
    expect(producer.map((r) => `${r.resourceType}:${r.operation}`)).toEqual(['topic:Write', 'topic:Describe', 'topic:Create', 'cluster:IdempotentWrite']);
    expect(consumer.map((r) => `${r.resourceType}:${r.operation}`)).toEqual(['topic:Read', 'topic:Describe', 'group:Read']);
  });

  it('refuses a rule without a principal, an operation or a resource, and unknown operations', () => {
    // Act / Assess
    expect(() => rulesToAdd(args({ operation: ['Read'], topic: ['t'] }))).toThrow(/principal/);
    expect(() => rulesToAdd(args({ allowPrincipal: ['User:a'], topic: ['t'] }))).toThrow(/--operation/);
    expect(() => rulesToAdd(args({ allowPrincipal: ['User:a'], operation: ['Read'] }))).toThrow(/resource/);
    expect(() => rulesToAdd(args({ allowPrincipal: ['User:a'], operation: ['Produce'], topic: ['t'] }))).toThrow(/--operation must be one of/);
  });

  it('refuses --operation, deny principals and resources --producer / --consumer would drop, as kafka-acls does', () => {
    // Prepare
    const producer = { allowPrincipal: ['User:eve'], topic: ['a1'], producer: true };

    // Act / Assess
    expect(() => rulesToAdd(args({ ...producer, operation: ['Read'] }))).toThrow('--producer cannot be combined with --operation');
    expect(() => rulesToAdd(args({ ...producer, group: ['gg'] }))).toThrow('--producer uses no --group');
    expect(() => rulesToAdd(args({ ...producer, cluster: true }))).toThrow('--producer cannot be combined with --cluster');
    expect(() => rulesToAdd(args({ denyPrincipal: ['User:eve'], topic: ['a1'], group: ['gg'], consumer: true }))).toThrow('--consumer adds allow rules only');
    expect(() => rulesToAdd(args({ allowPrincipal: ['User:eve'], topic: ['a1'], idempotent: true, operation: ['Write'] }))).toThrow('--idempotent goes with --producer');
    expect(rulesToAdd(args({ ...producer, consumer: true, group: ['gg'] })).map((r) => `${r.resourceType}:${r.operation}`)).toEqual([
      'topic:Write', 'topic:Describe', 'topic:Create', 'topic:Read', 'topic:Describe', 'group:Read',
    ]);
  });

  it('refuses an operation that does not apply to a resource type named (Kafka\'s supported operations)', () => {
    // Act / Assess
    expect(() => rulesToAdd(args({ allowPrincipal: ['User:a'], operation: ['IdempotentWrite'], topic: ['a1'] }))).toThrow('--operation IdempotentWrite does not apply to a topic');
    expect(() => rulesToAdd(args({ allowPrincipal: ['User:a'], operation: ['Read'], cluster: true }))).toThrow('--operation Read does not apply to a cluster');
    expect(() => rulesToAdd(args({ allowPrincipal: ['User:a'], operation: ['Write'], group: ['g'] }))).toThrow('--operation Write does not apply to a group');
    expect(() => rulesToAdd(args({ allowPrincipal: ['User:a'], operation: ['Read'], topic: ['t'], cluster: true }))).toThrow('does not apply to a cluster');
    expect(rulesToAdd(args({ allowPrincipal: ['User:a'], operation: ['All', 'Describe'], topic: ['t'], group: ['g'], cluster: true }))).toHaveLength(6);
    expect(rulesToAdd(args({ allowPrincipal: ['User:a'], operation: ['IdempotentWrite', 'Create', 'AlterConfigs'], cluster: true }))).toHaveLength(3);
  });

  it('narrows filters only by what is named', () => {
    // Act
    const none = filtersOf(args({}));
    const some = filtersOf(args({ allowPrincipal: ['User:a'], topic: ['t'], resourcePatternType: 'match' }));

    // Assess
    expect(none).toEqual([{}]);
    expect(some).toEqual([{ principal: 'User:a', permission: 'allow', resourceType: 'topic', resourceName: 't', patternType: 'match' }]);
  });

  it('prints rules grouped by resource pattern, as kafka-acls --list', () => {
    // Act
    const text = aclsText(rulesToAdd(args({ allowPrincipal: ['User:a'], operation: ['Read'], topic: ['t'] })));

    // Assess
    expect(text).toBe('Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=t, patternType=LITERAL)`: \n\t(principal=User:a, host=*, operation=READ, permissionType=ALLOW)\n');
  });
});
