/**
 * Every route with per-partition results follows one status rule: 200 when one
 * partition succeeded, otherwise the first failure's status and error. Before the
 * rule was shared, a multi-partition fetch or offsets request whose partitions all
 * failed answered 200, while produce answered 404 for the same situation.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../packages/client/src/admin.js';
import { useTestCluster, uniqueName } from '../helpers/cluster.js';
import { batchOf } from '../helpers/log.js';

const env = useTestCluster();
let topic: string;

beforeAll(async () => {
  topic = uniqueName('status');
  await Admin.fromClient(env.http).createTopic(topic, 1);
});

async function post(fn: 'produce' | 'fetch', path: string, body: unknown): Promise<{ status: number; code?: string }> {
  const response = await env.http.call(fn, 'POST', path, { json: body, allowErrorStatus: true }).catch((error: { status: number; code: string }) => error);
  if ('body' in response) {
    const parsed = JSON.parse(response.body.toString('utf8')) as { error?: { code: string } };
    return { status: response.status, code: parsed.error?.code };
  }
  return { status: response.status, code: response.code };
}

const records = batchOf(['v']).toString('base64');

describe('per-partition answers', () => {
  it('are 200 when one partition succeeds and the first failure\'s status when none does, on every route', async () => {
    // Prepare: partition 0 exists, 7 and 8 do not
    const parts = (ps: number[], f: (p: number) => object) => [{ topic, partitions: ps.map((p) => ({ partition: p, ...f(p) })) }];

    // Act
    const answers = {
      produceMixed: await post('produce', '/v1/produce', { topics: parts([0, 7], () => ({ records })) }),
      produceFailed: await post('produce', '/v1/produce', { topics: parts([7, 8], () => ({ records })) }),
      fetchMixed: await post('fetch', '/v1/fetch', { maxWaitMs: 0, topics: parts([0, 7], () => ({ fetchOffset: 0 })) }),
      fetchFailed: await post('fetch', '/v1/fetch', { maxWaitMs: 0, topics: parts([7, 8], () => ({ fetchOffset: 0 })) }),
      offsetsMixed: await post('fetch', '/v1/offsets', { topics: parts([0, 7], () => ({ timestamp: 'latest' })) }),
      offsetsFailed: await post('fetch', '/v1/offsets', { topics: parts([7, 8], () => ({ timestamp: 'latest' })) }),
    };

    // Assess
    expect(answers).toEqual({
      produceMixed: { status: 200 },
      produceFailed: { status: 404, code: 'UNKNOWN_TOPIC_OR_PARTITION' },
      fetchMixed: { status: 200 },
      fetchFailed: { status: 404, code: 'UNKNOWN_TOPIC_OR_PARTITION' },
      offsetsMixed: { status: 200 },
      offsetsFailed: { status: 404, code: 'UNKNOWN_TOPIC_OR_PARTITION' },
    });
  });
});
