/**
 * Raw storage error text never reaches a client: a produce whose DynamoDB write fails
 * with the storage's own message (here the 400 KB item-size error an over-full head
 * once gave) answers a Kafka-style code and a fixed message; the server log has the detail.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Admin } from '../../packages/client/src/admin.js';
import { FloeHttpClient } from '../../packages/client/src/http-client.js';
import { reportInternalErrorsTo } from '../../src/storage/errors.js';
import { useTestCluster, uniqueName } from '../helpers/cluster.js';
import { batchOf } from '../helpers/log.js';

const STORAGE_TEXT = 'Item size to update has exceeded the maximum allowed size (table floe-log-1A2B3C)';
const env = useTestCluster({
  customizeDeps: (deps) => {
    const send = deps.dynamo.send.bind(deps.dynamo) as (command: unknown) => Promise<unknown>;
    deps.dynamo.send = (async (command: UpdateCommand) => {
      if (failWrites && command.constructor.name === 'UpdateCommand') {
        throw Object.assign(new Error(STORAGE_TEXT), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
      }
      return send(command);
    }) as typeof deps.dynamo.send;
  },
});

let failWrites = false;
const logged: unknown[] = [];

beforeAll(async () => {
  reportInternalErrorsTo((_message, error) => logged.push(error));
});

describe('internal errors', () => {
  it('reach the client as a Kafka-style code without the storage text, and the server log with it', async () => {
    // Prepare
    const http = new FloeHttpClient(env.cluster.url);
    const topic = uniqueName('leak');
    await Admin.fromClient(http).createTopic(topic, 1);
    failWrites = true;

    // Act
    const response = await fetch(`${(await http.functionUrls()).produce}/v1/produce`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topics: [{ topic, partitions: [{ partition: 0, records: batchOf(['v']).toString('base64') }] }] }),
    });
    const text = await response.text();
    failWrites = false;

    // Assess
    expect(response.status).toBe(500);
    expect(text).toContain('UNKNOWN_SERVER_ERROR');
    expect(text).not.toContain('Item size');
    expect(text).not.toContain('floe-log');
    expect(logged.map((e) => (e as Error).message)).toContain(STORAGE_TEXT);
  });
});
