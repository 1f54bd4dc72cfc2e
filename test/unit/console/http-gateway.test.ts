/**
 * The console signs its calls to a deployed stack in the server process
 * (SigV4, service lambda, the Function URL's region) and leaves local clusters
 * unsigned; the browser only ever talks to the console.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HttpGateway } from '../../../src/console/http-gateway.js';

const FUNCTION_URL = 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws';

function captureFetch(): Array<{ url: string; headers: Record<string, string> }> {
  const seen: Array<{ url: string; headers: Record<string, string> }> = [];
  vi.stubGlobal('fetch', async (url: string, init: { headers: Record<string, string> }) => {
    seen.push({ url, headers: init.headers });
    const body = url.endsWith('/v1/bootstrap') ? { admin: null, produce: FUNCTION_URL, fetch: FUNCTION_URL, groups: FUNCTION_URL } : { topics: [] };
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  });
  return seen;
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});

describe('the console gateway', () => {
  it('SigV4-signs calls to a deployed Function URL with the default credential chain', async () => {
    // Prepare
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY');
    const seen = captureFetch();
    const gateway = new HttpGateway({ bootstrap: FUNCTION_URL });

    // Act
    await gateway.listTopics();

    // Assess
    expect(gateway.signed).toBe(true);
    expect(seen.map((s) => new URL(s.url).pathname)).toEqual(['/v1/bootstrap', '/v1/topics']);
    for (const { headers } of seen) {
      expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/lambda\/aws4_request/);
      expect(headers['x-amz-date']).toBeDefined();
    }
  });

  it('leaves calls to a local cluster unsigned', async () => {
    // Prepare
    const seen = captureFetch();
    const gateway = new HttpGateway({ bootstrap: 'http://127.0.0.1:9092' });

    // Act
    await gateway.listTopics();

    // Assess
    expect(gateway.signed).toBe(false);
    expect(seen.every((s) => s.headers.authorization === undefined)).toBe(true);
  });
});
