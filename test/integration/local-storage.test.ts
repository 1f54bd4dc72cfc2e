/** ensureStorage against the stand-ins: processes that start together all get their bucket and tables. */
import { describe, expect, it } from 'vitest';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { configFromEnv } from '../../src/config/index.js';
import { ensureStorage, LOCAL_CREDENTIALS } from '../../src/local/storage.js';

describe('ensureStorage', () => {
  it('creates a missing bucket and tables once when several processes ask at the same time', async () => {
    // Prepare: names nobody has created yet
    const suffix = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const config = { ...configFromEnv(), bucket: `race-${suffix}`, logTable: `race-log-${suffix}`, groupsTable: `race-groups-${suffix}` };

    // Act
    const outcomes = await Promise.allSettled(Array.from({ length: 4 }, () => ensureStorage(config)));

    // Assess
    expect(outcomes.map((o) => (o.status === 'rejected' ? String((o.reason as Error).name) : 'ok'))).toEqual(['ok', 'ok', 'ok', 'ok']);
    const s3 = new S3Client({ region: config.region, endpoint: config.s3Endpoint, forcePathStyle: true, credentials: LOCAL_CREDENTIALS });
    const dynamo = new DynamoDBClient({ region: config.region, endpoint: config.dynamoEndpoint, credentials: LOCAL_CREDENTIALS });
    try {
      await expect(s3.send(new HeadBucketCommand({ Bucket: config.bucket }))).resolves.toBeDefined();
      const table = await dynamo.send(new DescribeTableCommand({ TableName: config.logTable }));
      expect(table.Table?.TableStatus).toBe('ACTIVE');
    } finally {
      s3.destroy();
      dynamo.destroy();
    }
  });
});
