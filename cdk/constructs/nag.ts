/**
 * Helpers for acknowledging cdk-nag findings precisely: one finding at a time,
 * each with a written reason, never a whole rule.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Flattens a resolved CloudFormation value the way cdk-nag names IAM5 findings:
 * `{"Fn::GetAtt":["Bucket","Arn"]}` becomes `<Bucket.Arn>`, joins are concatenated.
 */
export function flattenReference(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const node = value as Record<string, unknown>;
  const join = node['Fn::Join'] as [string, unknown[]] | undefined;
  if (join) return join[1].map(flattenReference).join(join[0]);
  if (node['Fn::Sub'] !== undefined) return flattenReference(node['Fn::Sub']);
  const getAtt = node['Fn::GetAtt'] as [unknown, unknown] | undefined;
  if (getAtt) return `<${flattenReference(getAtt[0])}.${flattenReference(getAtt[1])}>`;
  if (node['Fn::ImportValue'] !== undefined) return flattenReference(node['Fn::ImportValue']);
  if (node.Ref !== undefined) return `<${flattenReference(node.Ref)}>`;
  return JSON.stringify(value);
}

/** Acknowledges AwsSolutions-IAM5 for one wildcard resource (an ARN token) on `scope`. */
export function acknowledgeWildcardResource(scope: IConstruct, resourceArn: string, reason: string): void {
  const flat = flattenReference(Stack.of(scope).resolve(resourceArn));
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason });
}
