/**
 * FloeStorage: the segment bucket and the two DynamoDB tables, secure by default.
 * Key schemas, TTL attributes and environment variable names come from
 * src/storage/tables.ts, the same specs the local cluster creates its tables from.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ENV } from '../../src/config/index.js';
import { GROUPS_TABLE, LOG_TABLE, type TableSpec } from '../../src/storage/tables.js';

export interface SegmentBucketProps {
  /** Delete the bucket and every object in it with the stack. @default false (RETAIN) */
  readonly destroyOnDelete?: boolean;
  /** Days after which an incomplete multipart upload is aborted. @default 1 */
  readonly abortIncompleteUploadsAfterDays?: number;
}

/** The bucket for segment objects: private, TLS only, encrypted, ACLs disabled. */
export class SegmentBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: SegmentBucketProps = {}) {
    super(scope, id);
    const destroy = props.destroyOnDelete ?? false;
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: [
        {
          id: 'abort-incomplete-multipart-uploads',
          abortIncompleteMultipartUploadAfter: Duration.days(props.abortIncompleteUploadsAfterDays ?? 1),
        },
      ],
      removalPolicy: destroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      autoDeleteObjects: destroy,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Segment objects are written and read only by the stack\'s functions through least-privilege roles; ' +
        'server access logging would add a log object per request on the hottest path (cost is a feature). ' +
        'Enable CloudTrail S3 data events when an audit trail of object access is required.',
    });
  }
}

export interface FloeTableProps {
  readonly spec: TableSpec;
  /** Delete the table with the stack and allow deleting it. @default false (RETAIN, deletion protection on) */
  readonly destroyOnDelete?: boolean;
}

/** A Floe DynamoDB table: on-demand, point-in-time recovery, encrypted, TTL for cleanup. */
export class FloeTable extends Construct {
  readonly table: Table;
  readonly spec: TableSpec;

  constructor(scope: Construct, id: string, props: FloeTableProps) {
    super(scope, id);
    const { spec } = props;
    const destroy = props.destroyOnDelete ?? false;
    this.spec = spec;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: spec.partitionKey, type: AttributeType.STRING },
      sortKey: { name: spec.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      // For cleanup only: liveness is always checked as `expiresAt > now`.
      timeToLiveAttribute: spec.ttlAttribute,
      deletionProtection: !destroy,
      removalPolicy: destroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
  }
}

export interface FloeStorageProps {
  /** Dev stacks: delete bucket (with its objects) and tables with the stack. @default false */
  readonly destroyOnDelete?: boolean;
}

/** Everything Floe stores: segments in S3, log and group state in DynamoDB. */
export class FloeStorage extends Construct {
  readonly bucket: Bucket;
  readonly logTable: Table;
  readonly groupsTable: Table;

  constructor(scope: Construct, id: string, props: FloeStorageProps = {}) {
    super(scope, id);
    const destroyOnDelete = props.destroyOnDelete ?? false;
    this.bucket = new SegmentBucket(this, 'Segments', { destroyOnDelete }).bucket;
    this.logTable = new FloeTable(this, LOG_TABLE.logicalName, { spec: LOG_TABLE, destroyOnDelete }).table;
    this.groupsTable = new FloeTable(this, GROUPS_TABLE.logicalName, { spec: GROUPS_TABLE, destroyOnDelete }).table;
  }

  /** The variables every handler reads its storage from (see configFromEnv). */
  get environment(): Record<string, string> {
    return {
      [ENV.bucket]: this.bucket.bucketName,
      [LOG_TABLE.envVar]: this.logTable.tableName,
      [GROUPS_TABLE.envVar]: this.groupsTable.tableName,
    };
  }
}
