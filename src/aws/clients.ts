/** The only place AWS clients are constructed. Handlers call this once, at module scope. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { FloeConfig } from '../config/index.js';

export interface AwsClients {
  s3: S3Client;
  dynamo: DynamoDBDocumentClient;
}

/**
 * No request hangs for ever in a long-lived process (the gateway, `floe dev`): Lambda's timeout
 * bounds a handler, nothing bounds a dead connection there. requestTimeout is socket idle time.
 */
const REQUEST_TIMEOUTS = { connectionTimeout: 5_000, requestTimeout: 30_000 };

export function createAwsClients(config: FloeConfig): AwsClients {
  const s3 = new S3Client({
    region: config.region,
    endpoint: config.s3Endpoint,
    forcePathStyle: config.s3ForcePathStyle,
    // Only checksum when S3 requires it: flexible checksums stream aws-chunked
    // bodies, which S3-compatible stand-ins (s3rver) store with the trailers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: REQUEST_TIMEOUTS,
  });
  const raw = new DynamoDBClient({ region: config.region, endpoint: config.dynamoEndpoint, requestHandler: REQUEST_TIMEOUTS });
  const dynamo = DynamoDBDocumentClient.from(raw, {
    // convertClassInstanceToMap: a map keyed by user strings may have a key "constructor", which the
    // marshaller otherwise refuses ("Unsupported type"); it also takes prototype-less objects (src/storage/user-keyed.ts).
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
  return { s3, dynamo };
}
