/**
 * FloeStack: the Floe construct in a stack of its own, with outputs (the bootstrap URL
 * above all). This is what `cdk deploy` of this repository deploys (cdk/app.ts).
 */
import { Aws, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { Floe, FLOE_DEFAULTS, type FloeProps } from './constructs/floe.js';
import { URL_HANDLERS } from './handlers.js';

export interface FloeStackProps extends StackProps, FloeProps {
  /** An existing SNS topic the alarms notify (context floe:alarmTopicArn); `alarmAction` wins when both are set. */
  readonly alarmTopicArn?: string;
}

export class FloeStack extends Stack {
  readonly floe: Floe;

  constructor(scope: Construct, id: string, props: FloeStackProps = {}) {
    const namePrefix = props.namePrefix ?? FLOE_DEFAULTS.namePrefix;
    super(scope, id, {
      description: 'Floe: Kafka-style event streaming on Lambda Function URLs, S3 and DynamoDB',
      ...props,
      stackName: props.stackName ?? namePrefix,
    });
    const alarmAction = props.alarmAction ?? (props.alarmTopicArn ? new SnsAction(Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn)) : undefined);
    this.floe = new Floe(this, 'Floe', { ...props, alarmAction });

    new CfnOutput(this, 'BootstrapUrl', {
      description: 'Pass to floe --bootstrap / the SDK: the admin URL, which points clients at the others',
      value: this.floe.url('admin'),
    });
    for (const name of URL_HANDLERS) {
      new CfnOutput(this, `${capitalize(name)}Url`, { description: `Function URL of ${name}`, value: this.floe.url(name) });
    }
    new CfnOutput(this, 'BucketName', { value: this.floe.storage.bucketName });
    new CfnOutput(this, 'LogTableName', { value: this.floe.storage.logTable.tableName });
    new CfnOutput(this, 'GroupsTableName', { value: this.floe.storage.groupsTable.tableName });
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${this.floe.monitoring.dashboard.dashboardName}`,
    });
    if (this.floe.gateway) {
      new CfnOutput(this, 'KafkaBootstrapServers', {
        description: 'bootstrap.servers for Kafka clients (SASL required; see docs/deploy.md#kafka-gateway)',
        value: this.floe.gateway.bootstrapServers,
      });
      new CfnOutput(this, 'GatewayCredentialsSecretArn', {
        description: 'The gateway\'s SASL users: add them with `floe gateway credentials <user> --secret-id <this ARN>`',
        value: this.floe.gateway.credentials.secretArn,
      });
    }
    if (this.floe.clientPolicy) {
      new CfnOutput(this, 'ClientPolicyArn', {
        description: 'Attach to the IAM users/roles that run Floe clients',
        value: this.floe.clientPolicy.managedPolicyArn,
      });
    }
  }
}

const capitalize = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);
