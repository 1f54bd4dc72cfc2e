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
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { acknowledgeWildcardResource } from './nag.js';
import { META_PREFIX, SEGMENT_PREFIX } from '../../src/storage/keys.js';
import type { HandlerName } from '../handlers.js';

/** Reads heads one by one (GetItem), several at once (BatchGetItem: a topic's end offsets), and index chunks (Query). */
const READ = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'] as const;
/** Fetch and ListOffsets read each partition's head on its own, then its index chunks: never a batch of heads. */
const FETCH = ['dynamodb:GetItem', 'dynamodb:Query'] as const;
/**
 * Produce appends: conditional puts and updates of single items, reading heads, topics and producer
 * ids by key. It never deletes an item (BatchWriteItem would allow deletes), reads in batches, or
 * queries the log table (its only Query is of the ACL rules, granted in floe-acls.ts).
 */
const APPEND = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] as const;
const READ_WRITE = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
] as const;

/** Housekeeping writes and deletes one item at a time: no BatchWriteItem. */
const MAINTAIN = READ_WRITE.filter((action) => action !== 'dynamodb:BatchWriteItem');

export const TABLE_ACTIONS = { read: READ, fetch: FETCH, append: APPEND, readWrite: READ_WRITE, maintain: MAINTAIN } as const;

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
  fetch: { segmentObjects: ['s3:GetObject'], logTable: FETCH },
  // Offsets by timestamp read a batch header from a segment.
  admin: { segmentObjects: ['s3:GetObject'], logTable: READ_WRITE },
  // reset-offsets --to-datetime reads one batch from a segment to find the offset for that time;
  // Describing a group reads its topics' end offsets (lag) in one batch: BatchGetItem on the log table.
  groups: { segmentObjects: ['s3:GetObject'], logTable: READ, groupsTable: READ_WRITE },
  // Retention, merging of small objects, orphan collection.
  housekeeping: {
    listBucket: true,
    segmentObjects: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
    metaObjects: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
    // Nothing of the groups table: an unattended scheduled function has no business with committed offsets.
    logTable: MAINTAIN,
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

const allow = (sid: string, actions: readonly string[], resource: string, conditions?: Record<string, unknown>): PolicyStatement =>
  new PolicyStatement({ sid, effect: Effect.ALLOW, actions: [...actions], resources: [resource], ...(conditions ? { conditions } : {}) });

function accessStatements(access: FunctionAccess, targets: AccessTargets): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  const segments = targets.segments;
  if ('directoryBucketArn' in segments) {
    const objectActions = [...(access.segmentObjects ?? []), ...(access.metaObjects ?? [])];
    // No s3express:SessionMode condition: the AWS SDK opens its sessions itself and asks for none,
    // which S3 makes ReadWrite, so a ReadOnly-only grant denied every read (docs/deploy.md).
    if (objectActions.length > 0 || access.listBucket) statements.push(allow('SegmentSessions', ['s3express:CreateSession'], segments.directoryBucketArn));
  } else {
    if (access.segmentObjects?.length) statements.push(allow('SegmentObjects', access.segmentObjects, segmentObjectsArn(segments.bucket)));
    if (access.metaObjects?.length) statements.push(allow('HousekeepingObjects', access.metaObjects, metaObjectsArn(segments.bucket)));
    if (access.listBucket) statements.push(allow('ListSegments', ['s3:ListBucket'], segments.bucket.bucketArn));
  }
  if (access.logTable?.length) statements.push(allow('LogTable', access.logTable, targets.logTable.tableArn));
  if (access.groupsTable?.length) statements.push(allow('GroupsTable', access.groupsTable, targets.groupsTable.tableArn));
  return statements;
}

/**
 * Gives `role` the statements for `access` and acknowledges (cdk-nag) the prefix wildcards they
 * contain: object keys are made per request (segments) or per pass (the mark cache), so object
 * actions must cover a prefix, and only that prefix of this stack's bucket.
 */
export function grantAccess(role: IRole, access: FunctionAccess, targets: AccessTargets): void {
  for (const statement of accessStatements(access, targets)) role.addToPrincipalPolicy(statement);
  const segments = targets.segments;
  if (!('bucket' in segments)) return;
  const wildcards: Array<[readonly string[] | undefined, string, string]> = [
    [access.segmentObjects, segmentObjectsArn(segments.bucket), `${SEGMENT_PREFIX}<3 hex>/<time>-<random>, one per request`],
    [access.metaObjects, metaObjectsArn(segments.bucket), `${META_PREFIX}mark/<time>-<random>, one per housekeeping pass`],
  ];
  for (const [actions, arn, keys] of wildcards) {
    if (!actions?.length) continue;
    acknowledgeWildcardResource(role, arn, `Object keys are generated (${keys}), so object actions must cover their prefix; the wildcard is limited to that prefix of this stack's bucket.`);
  }
}
