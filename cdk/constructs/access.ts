/**
 * What each Floe function may do, as explicit IAM statements scoped to the stack's
 * bucket (segment prefix only, for objects) and tables. No statement has a `*`
 * resource; the only wildcard is the object-key suffix under the segment prefix.
 * With an S3 Express One Zone directory bucket, object access is granted per
 * session (s3express:CreateSession on that bucket): read-only functions may only
 * open ReadOnly sessions.
 */
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { META_PREFIX, SEGMENT_PREFIX } from '../../src/storage/keys.js';
import type { HandlerName } from '../handlers.js';

const READ = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'] as const;
/** Produce appends: it never deletes an item (BatchWriteItem would allow deletes) or reads in batches. */
const APPEND = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'] as const;
const READ_WRITE = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
] as const;

export const TABLE_ACTIONS = { read: READ, append: APPEND, readWrite: READ_WRITE } as const;

export interface FunctionAccess {
  /** Object actions on `<bucket>/<SEGMENT_PREFIX>*`. */
  readonly segmentObjects?: readonly string[];
  /** s3:ListBucket on the bucket (orphan collection lists segment keys). */
  readonly listBucket?: boolean;
  /** Object actions on `<bucket>/<META_PREFIX>*` (housekeeping's mark cache). */
  readonly metaObjects?: readonly string[];
  readonly logTable?: readonly string[];
  readonly groupsTable?: readonly string[];
}

/** The access matrix (docs/deploy.md shows the same table). */
export const FUNCTION_ACCESS: Readonly<Record<HandlerName, FunctionAccess>> = {
  produce: { segmentObjects: ['s3:PutObject'], logTable: APPEND },
  fetch: { segmentObjects: ['s3:GetObject'], logTable: READ },
  // Offsets by timestamp read a batch header from a segment.
  admin: { segmentObjects: ['s3:GetObject'], logTable: READ_WRITE, groupsTable: READ },
  // reset-offsets --to-datetime reads one batch from a segment to find the offset for that time.
  groups: { segmentObjects: ['s3:GetObject'], logTable: READ, groupsTable: READ_WRITE },
  // Retention, merging of small objects, orphan collection.
  housekeeping: {
    listBucket: true,
    segmentObjects: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
    metaObjects: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
    logTable: READ_WRITE,
    groupsTable: READ_WRITE,
  },
};

/**
 * The Kafka gateway's task role: it serves produce, fetch, admin and groups in one process, so it
 * gets their union, and nothing of housekeeping's (no object deletes, no bucket listing).
 */
export const GATEWAY_ACCESS: FunctionAccess = {
  segmentObjects: ['s3:GetObject', 's3:PutObject'],
  logTable: READ_WRITE,
  groupsTable: READ_WRITE,
};

/** Where segments live: a general purpose bucket, or an S3 Express One Zone directory bucket (by ARN). */
export type SegmentTarget = { readonly bucket: IBucket } | { readonly directoryBucketArn: string };

export interface AccessTargets {
  readonly segments: SegmentTarget;
  readonly logTable: ITable;
  readonly groupsTable: ITable;
}

/** The ARN pattern of segment objects in a general purpose bucket: the only wildcard Floe's policies contain. */
export const segmentObjectsArn = (bucket: IBucket): string => bucket.arnForObjects(`${SEGMENT_PREFIX}*`);

/** The ARN pattern of housekeeping's own objects (the mark cache) in a general purpose bucket. */
export const metaObjectsArn = (bucket: IBucket): string => bucket.arnForObjects(`${META_PREFIX}*`);

/** The wildcard resource the statements for `segments` contain, if any (for cdk-nag acknowledgements). */
export const segmentWildcard = (segments: SegmentTarget): string | undefined => ('bucket' in segments ? segmentObjectsArn(segments.bucket) : undefined);

/** Object actions a ReadOnly S3 Express session allows; any other needs a ReadWrite session. */
const READ_ONLY_OBJECT_ACTIONS: readonly string[] = ['s3:GetObject'];

export function accessStatements(access: FunctionAccess, targets: AccessTargets): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  const segments = targets.segments;
  if ('directoryBucketArn' in segments) {
    if (access.segmentObjects?.length || access.listBucket || access.metaObjects?.length) {
      const readOnly = [...(access.segmentObjects ?? []), ...(access.metaObjects ?? [])].every((a) => READ_ONLY_OBJECT_ACTIONS.includes(a));
      statements.push(
        new PolicyStatement({
          sid: 'SegmentSessions',
          effect: Effect.ALLOW,
          actions: ['s3express:CreateSession'],
          resources: [segments.directoryBucketArn],
          ...(readOnly ? { conditions: { StringEquals: { 's3express:SessionMode': 'ReadOnly' } } } : {}),
        }),
      );
    }
  } else if (access.segmentObjects?.length) {
    statements.push(
      new PolicyStatement({
        sid: 'SegmentObjects',
        effect: Effect.ALLOW,
        actions: [...access.segmentObjects],
        resources: [segmentObjectsArn(segments.bucket)],
      }),
    );
  }
  if (access.metaObjects?.length && 'bucket' in segments) {
    statements.push(
      new PolicyStatement({
        sid: 'HousekeepingObjects',
        effect: Effect.ALLOW,
        actions: [...access.metaObjects],
        resources: [metaObjectsArn(segments.bucket)],
      }),
    );
  }
  if (access.listBucket && 'bucket' in segments) {
    statements.push(
      new PolicyStatement({
        sid: 'ListSegments',
        effect: Effect.ALLOW,
        actions: ['s3:ListBucket'],
        resources: [segments.bucket.bucketArn],
      }),
    );
  }
  if (access.logTable?.length) {
    statements.push(
      new PolicyStatement({
        sid: 'LogTable',
        effect: Effect.ALLOW,
        actions: [...access.logTable],
        resources: [targets.logTable.tableArn],
      }),
    );
  }
  if (access.groupsTable?.length) {
    statements.push(
      new PolicyStatement({
        sid: 'GroupsTable',
        effect: Effect.ALLOW,
        actions: [...access.groupsTable],
        resources: [targets.groupsTable.tableArn],
      }),
    );
  }
  return statements;
}
