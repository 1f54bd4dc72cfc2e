/**
 * FloeStorage: the segment bucket (S3 Standard, or an S3 Express One Zone directory
 * bucket) and the two DynamoDB tables, secure by default.
 * Key schemas, TTL attributes and environment variable names come from
 * src/storage/tables.ts, the same specs the local cluster creates its tables from.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { CfnDirectoryBucket } from 'aws-cdk-lib/aws-s3express';
import { Construct } from 'constructs';
import type { SegmentTarget } from './access.js';
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

export interface S3ExpressProps {
  /**
   * The Availability Zone ID (not name) of the directory bucket, e.g. `use1-az4`: one that
   * supports S3 Express One Zone in the stack's region. Put the Lambda functions' callers and the
   * gateway in the same AZ to keep its latency and avoid cross-AZ charges.
   */
  readonly availabilityZoneId: string;
  /** Days after which an incomplete multipart upload is aborted. @default 1 */
  readonly abortIncompleteUploadsAfterDays?: number;
}

/**
 * Segments in an S3 Express One Zone directory bucket: single-digit-millisecond PUTs and GETs,
 * at the price of one AZ's durability and a higher price per GB stored (docs/deploy.md).
 * Encrypted with SSE-S3; access is by session (s3express:CreateSession), see access.ts.
 * A directory bucket must be empty before it is deleted: with destroyOnDelete the stack
 * deletes it, but only after its objects are gone.
 */
export class SegmentDirectoryBucket extends Construct {
  readonly bucket: CfnDirectoryBucket;

  constructor(scope: Construct, id: string, props: S3ExpressProps & { readonly destroyOnDelete?: boolean }) {
    super(scope, id);
    if (!/^[a-z0-9]+-az\d+$/.test(props.availabilityZoneId)) {
      throw new Error(`s3Express.availabilityZoneId must be an Availability Zone ID such as use1-az4, got "${props.availabilityZoneId}"`);
    }
    this.bucket = new CfnDirectoryBucket(this, 'Bucket', {
      dataRedundancy: 'SingleAvailabilityZone',
      locationName: props.availabilityZoneId,
      bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] },
      lifecycleConfiguration: {
        rules: [{ id: 'abort-incomplete-multipart-uploads', status: 'Enabled', abortIncompleteMultipartUpload: { daysAfterInitiation: props.abortIncompleteUploadsAfterDays ?? 1 } }],
      },
    });
    this.bucket.applyRemovalPolicy(props.destroyOnDelete ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN);
  }
}

export interface FloeStorageProps {
  /** Dev stacks: delete bucket (with its objects) and tables with the stack. @default false */
  readonly destroyOnDelete?: boolean;
  /** Put segments in an S3 Express One Zone directory bucket instead of S3 Standard. @default - S3 Standard */
  readonly s3Express?: S3ExpressProps;
}

/** Everything Floe stores: segments in S3, log and group state in DynamoDB. */
export class FloeStorage extends Construct {
  /** The general purpose segment bucket (S3 Standard); undefined with s3Express. */
  readonly bucket?: Bucket;
  /** The directory bucket, with s3Express. */
  readonly directoryBucket?: CfnDirectoryBucket;
  /** Name of the bucket that holds segments, whichever kind. */
  readonly bucketName: string;
  /** Where segments live, for access statements. */
  readonly segments: SegmentTarget;
  readonly logTable: Table;
  readonly groupsTable: Table;

  constructor(scope: Construct, id: string, props: FloeStorageProps = {}) {
    super(scope, id);
    const destroyOnDelete = props.destroyOnDelete ?? false;
    if (props.s3Express) {
      const directory = new SegmentDirectoryBucket(this, 'ExpressSegments', { ...props.s3Express, destroyOnDelete }).bucket;
      this.directoryBucket = directory;
      this.bucketName = directory.ref;
      this.segments = { directoryBucketArn: directory.attrArn };
    } else {
      const bucket = new SegmentBucket(this, 'Segments', { destroyOnDelete }).bucket;
      this.bucket = bucket;
      this.bucketName = bucket.bucketName;
      this.segments = { bucket };
    }
    this.logTable = new FloeTable(this, LOG_TABLE.logicalName, { spec: LOG_TABLE, destroyOnDelete }).table;
    this.groupsTable = new FloeTable(this, GROUPS_TABLE.logicalName, { spec: GROUPS_TABLE, destroyOnDelete }).table;
  }

  /** The variables every handler reads its storage from (see configFromEnv). */
  get environment(): Record<string, string> {
    return {
      [ENV.bucket]: this.bucketName,
      [LOG_TABLE.envVar]: this.logTable.tableName,
      [GROUPS_TABLE.envVar]: this.groupsTable.tableName,
    };
  }
}
