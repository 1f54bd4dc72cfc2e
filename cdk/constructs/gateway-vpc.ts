/**
 * The network the Kafka gateway gets when it is not given one: two AZs, the tasks in private
 * subnets behind one NAT gateway (image pulls, logs, Secrets Manager), gateway endpoints for S3
 * and DynamoDB so record data never pays NAT processing, and flow logs of rejected traffic.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { FlowLogDestination, FlowLogTrafficType, GatewayVpcEndpointAwsService, IpAddresses, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface GatewayVpcProps {
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** Segments are in an S3 Express One Zone directory bucket: add its gateway endpoint too. @default false */
  readonly s3Express?: boolean;
}

/** The address range of the VPC it creates, as a literal (the VPC's own attribute is a token). */
export const GATEWAY_VPC_CIDR = '10.0.0.0/16';

export class GatewayVpc extends Construct {
  readonly vpc: Vpc;
  readonly flowLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: GatewayVpcProps) {
    super(scope, id);
    this.flowLogGroup = new LogGroup(this, 'FlowLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    this.vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr(GATEWAY_VPC_CIDR),
      maxAzs: 2,
      // One NAT gateway: it carries only control traffic; an AZ outage stops image pulls there, not the other AZ.
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      gatewayEndpoints: {
        S3: { service: GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: GatewayVpcEndpointAwsService.DYNAMODB },
        ...(props.s3Express ? { S3Express: { service: GatewayVpcEndpointAwsService.S3_EXPRESS } } : {}),
      },
      // No custom resource (a Lambda of CDK's own) to empty the default security group: nothing uses it.
      restrictDefaultSecurityGroup: false,
      // Rejected flows only: accepted ones are every Kafka request, which would cost more than they tell.
      flowLogs: { Rejected: { trafficType: FlowLogTrafficType.REJECT, destination: FlowLogDestination.toCloudWatchLogs(this.flowLogGroup) } },
    });
  }
}
