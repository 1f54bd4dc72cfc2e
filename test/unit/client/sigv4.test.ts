/** SigV4 for Function URLs: region from the host, 'auto' signs only deployed URLs, and the signature checks out. */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { functionUrlRegion, signerFor, sigv4Signer } from '../../../packages/client/src/sigv4.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const functionUrl = 'https://abcdefghijklmnopqrstuvwxyz123456.lambda-url.eu-west-3.on.aws';
const at = new Date('2024-05-06T07:08:09Z');

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** The signature an independent SigV4 implementation (AWS's spec, step by step) computes for the signed headers. */
function expectedSignature(url: URL, method: string, headers: Record<string, string>, signedHeaders: string[], body: Buffer, region: string): string {
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${(h === 'host' ? url.host : headers[h] ?? '').trim()}\n`).join('');
  const query = [...url.searchParams].map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).sort().join('&');
  const canonical = [method, url.pathname, query, canonicalHeaders, signedHeaders.join(';'), sha256(body)].join('\n');
  const date = headers['x-amz-date']!;
  const scope = `${date.slice(0, 8)}/${region}/lambda/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, sha256(canonical)].join('\n');
  let key = hmac(`AWS4${credentials.secretAccessKey}`, date.slice(0, 8));
  for (const part of [region, 'lambda', 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(toSign).digest('hex');
}

describe('SigV4 signing', () => {
  it('reads the region of a deployed Function URL and nothing from other hosts', () => {
    // Act
    const regions = [functionUrl, 'http://127.0.0.1:9092', 'https://example.com'].map(functionUrlRegion);
    // Assess
    expect(regions).toEqual(['eu-west-3', undefined, undefined]);
  });

  it('signs for service lambda in the host region with a signature an independent implementation reproduces', async () => {
    // Prepare
    const sign = sigv4Signer({ credentials, now: () => at, region: 'us-east-1' });
    const body = Buffer.from('{"hello":"world"}');
    const url = new URL(`${functionUrl}/v1/metadata?topics=a,b&x=1`);
    // Act
    const signed = await sign({ method: 'POST', url: url.href, headers: { 'content-type': 'application/json' }, body });
    // Assess
    const auth = signed.headers.authorization ?? '';
    const match = /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/(\d{8})\/([a-z0-9-]+)\/lambda\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth);
    expect(match, auth).not.toBeNull();
    const [, day, region, signedHeaders, signature] = match!;
    expect(day).toBe('20240506');
    expect(region).toBe('eu-west-3');
    expect(signedHeaders!.split(';')).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'content-type']));
    expect(signed.headers.host).toBeUndefined(); // fetch derives it from the URL
    expect(signature).toBe(expectedSignature(url, 'POST', signed.headers, signedHeaders!.split(';'), body, 'eu-west-3'));
  });

  it("in 'auto' mode leaves requests to a local cluster untouched and signs deployed ones", async () => {
    // Prepare
    const sign = signerFor('auto', { credentials, now: () => at });
    // Act
    const local = await sign!({ method: 'GET', url: 'http://127.0.0.1:9092/v1/bootstrap', headers: {} });
    const deployed = await sign!({ method: 'GET', url: `${functionUrl}/v1/bootstrap`, headers: {} });
    // Assess
    expect(local.headers.authorization).toBeUndefined();
    expect(deployed.headers.authorization).toMatch(/eu-west-3\/lambda\/aws4_request/);
  });

  it('needs a region for hosts that do not name one', async () => {
    // Prepare
    const previous = [process.env.AWS_REGION, process.env.AWS_DEFAULT_REGION];
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    const sign = sigv4Signer({ credentials });
    // Act
    const error = await sign({ method: 'GET', url: 'https://floe.example.com/v1/bootstrap', headers: {} }).catch((e: Error & { code?: string }) => e);
    if (previous[0] !== undefined) process.env.AWS_REGION = previous[0];
    if (previous[1] !== undefined) process.env.AWS_DEFAULT_REGION = previous[1];
    // Assess
    expect((error as { code?: string }).code).toBe('INVALID_CONFIG');
  });
});
