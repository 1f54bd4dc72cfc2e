/** The only place AWS clients are constructed. Handlers call this once, at module scope. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { FloeConfig } from '../config/index.js';

export interface AwsClients {
  s3: S3Client;
  dynamo: DynamoDBDocumentClient;
}

export function createAwsClients(config: FloeConfig): AwsClients {
  const s3 = new S3Client({
    region: config.region,
    endpoint: config.s3Endpoint,
    forcePathStyle: config.s3ForcePathStyle,
    // Only checksum when S3 requires it: flexible checksums stream aws-chunked
    // bodies, which S3-compatible stand-ins (s3rver) store with the trailers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const raw = new DynamoDBClient({ region: config.region, endpoint: config.dynamoEndpoint });
  const dynamo = DynamoDBDocumentClient.from(raw, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { s3, dynamo };
}
